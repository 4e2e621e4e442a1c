"""RDS login attempts (``rdsLoginAttemptAction``): who tried to log in to a database, how often."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core.read import as_int, objects
from app.render.details.actions.network import remote_fields
from app.render.details.kinds import ActionKind, fields
from app.render.details.read import members


def _attempts(action: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    # The model gives this member no locationName, so the API would spell it "LoginAttributes";
    # EventBridge findings use camelCase. Accept both.
    return objects(action.get("loginAttributes") or action.get("LoginAttributes"))


def _total(key: str) -> Callable[[Mapping[str, Any]], str]:
    """The sum of ``key`` over the attempts that give it."""

    def total(action: Mapping[str, Any]) -> str:
        known = [n for a in _attempts(action) if (n := as_int(a.get(key))) is not None]
        return str(sum(known)) if known else ""

    return total


KINDS = (
    ActionKind(
        "rdsLoginAttemptAction",
        "RDS_LOGIN_ATTEMPT",
        "Database login attempts",
        fields(
            *remote_fields("remoteIpDetails"),
            ("Users", lambda action: members(_attempts(action), "user")),
            ("Applications", lambda action: members(_attempts(action), "application")),
            ("Successful logins", _total("successfulLoginAttempts")),
            ("Failed logins", _total("failedLoginAttempts")),
        ),
    ),
)
