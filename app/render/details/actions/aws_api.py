"""AWS API calls (``awsApiCallAction``): IAM, S3 and other control-plane findings."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from app.core.read import first_object, is_true, scalar
from app.render.details.actions.network import remote_fields
from app.render.details.kinds import ActionKind, at, fields, untrusted
from app.render.details.model import SCAN
from app.render.details.read import preview, scalars, text


def _affected(value: Any) -> str:
    """``type: id, …`` from an object, or the texts of a list."""
    if isinstance(value, Mapping):
        pairs = [
            f"{scalar(k)}: {text(v)}" if text(v) else scalar(k)
            for k, v in islice(value.items(), SCAN)
        ]
        return preview((pairs, max(len(value) - SCAN, 0)), 3)
    return scalars(value, limit=3)


def _remote_account(action: Mapping[str, Any]) -> str:
    """``123456789012 (affiliated)``."""
    account = first_object(action.get("remoteAccountDetails"))
    account_id = text(account.get("accountId"))
    affiliated = " (affiliated)" if is_true(account.get("affiliated")) else ""
    return account_id + affiliated if account_id else ""


KINDS = (
    ActionKind(
        "awsApiCallAction",
        "AWS_API_CALL",
        "AWS API call",
        fields(
            ("API", "api"),
            ("Service", "serviceName"),
            ("Caller type", "callerType"),
            *remote_fields("remoteIpDetails"),
            untrusted("User agent", "userAgent"),
            ("Error code", "errorCode"),
            ("Remote account", _remote_account),
            ("Calling service", at("remoteAccountDetails", "awsServiceName")),
            untrusted("Domain", at("domainDetails", "domain")),
            ("Affected resources", at("affectedResources", read=_affected)),
        ),
    ),
)
