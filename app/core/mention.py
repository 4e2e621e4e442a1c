"""``MENTION_ON_CRITICAL``: the one mention the project ever produces, checked by syntax only.

A user group id (``S…``) becomes ``<!subteam^S…>``; user ids (``U…``/``W…``, comma-separated)
become ``<@U…>``. Nothing else is accepted, so no configured text can become ``<!channel>``.
"""

from __future__ import annotations

import re

USER_GROUP = re.compile(r"^S[A-Z0-9]{2,20}$")
USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def mention_text(raw: str) -> str:
    """The Slack mention for ``raw``; ``ValueError`` unless it is one group id or user ids."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) == 1 and USER_GROUP.match(parts[0]):
        return f"<!subteam^{parts[0]}>"
    if parts and all(USER.match(part) for part in parts):
        return " ".join(f"<@{part}>" for part in parts)
    raise ValueError(raw)


def parse_mention(raw: str, variable: str) -> str:
    """``MENTION_ON_CRITICAL``'s parser (``ValueError`` naming the variable)."""
    try:
        return mention_text(raw)
    except ValueError:
        raise ValueError(f"{variable}: one user group id (S…) or user ids (U…,U…)") from None


def parse_on_off(raw: str, variable: str) -> bool:
    if raw.strip().lower() not in ("on", "off"):
        raise ValueError(f"{variable}={raw!r} is not valid: use on or off")
    return raw.strip().lower() == "on"
