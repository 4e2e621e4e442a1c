"""Slack app mode's destinations: the webhook secret may hold a bot token and channel ids.

``{"bot_token": "xoxb-…", "channels": {"default": "C…", "<route>": "C…"}}``. The token is a
secret exactly like a webhook URL: no message here, no ``repr`` and no log line holds it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.config import DEFAULT_ROUTE

TOKEN = re.compile(r"^xox[bp]-[A-Za-z0-9-]{6,250}$")
CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,20}$")


class DestinationError(ValueError):
    """The app-mode secret is malformed; the message names what to fix, never the token."""


@dataclass(frozen=True)
class SlackApp:
    """A bot token (hidden from ``repr``) and each route's channel id."""

    token: str = field(repr=False)
    channels: Mapping[str, str]

    def channel_for(self, route: str, *, fall_back_to_default: bool = True) -> str | None:
        if route in self.channels:
            return self.channels[route]
        if fall_back_to_default:
            return self.channels.get(DEFAULT_ROUTE)
        return None


def is_app_secret(data: Any) -> bool:
    return isinstance(data, Mapping) and ("bot_token" in data or "channels" in data)


def parse_app_secret(data: Mapping[str, Any], secret_id: str) -> SlackApp:
    token = data.get("bot_token")
    if not isinstance(token, str) or not TOKEN.match(token.strip()):
        raise DestinationError(
            f'secret {secret_id}: "bot_token" must be a Slack bot token (xoxb-…) (value not shown)'
        )
    channels = data.get("channels")
    if not isinstance(channels, Mapping) or DEFAULT_ROUTE not in channels:
        raise DestinationError(
            f'secret {secret_id}: "channels" must be an object with a "{DEFAULT_ROUTE}" '
            "channel id and one per route"
        )
    unknown = sorted(set(data) - {"bot_token", "channels"})
    if unknown:
        raise DestinationError(f"secret {secret_id}: unknown keys {unknown}")
    checked: dict[str, str] = {}
    for route, channel in channels.items():
        if not isinstance(channel, str) or not CHANNEL.match(channel.strip()):
            raise DestinationError(
                f"secret {secret_id}: route {str(route)[:60]!r} needs a channel id like "
                "C0123456789 (channel details → About), not a name"
            )
        checked[str(route)] = channel.strip()
    return SlackApp(token.strip(), checked)
