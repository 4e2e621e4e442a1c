"""DNS: the request (``dnsRequestAction``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.render.details.kinds import ActionKind, at, fields, untrusted
from app.render.details.read import flag, text


def _suffix(action: Mapping[str, Any]) -> str:
    """The domain with its suffix, when it says more than the domain."""
    suffix = text(action.get("domainWithSuffix"))
    return "" if suffix == text(action.get("domain")) else suffix


KINDS = (
    ActionKind(
        "dnsRequestAction",
        "DNS_REQUEST",
        "DNS request",
        fields(
            untrusted("Domain", "domain"),
            untrusted("Domain with suffix", _suffix),
            ("Protocol", "protocol"),
            ("Blocked", at("blocked", read=flag)),
            ("VPC owner account", "vpcOwnerAccountId"),
        ),
    ),
)
