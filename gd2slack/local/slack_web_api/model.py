"""The Slack Web API stand-in's vocabulary: limits, faults, state records and request parsing.

Parsing follows Slack: JSON or form-encoded bodies (``blocks``, ``metadata`` and ``view`` may be
JSON strings inside either), booleans as ``true``/``1``, opaque base64 cursors.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.models.blocks import Block

Answer = tuple[int, dict[str, str], bytes]
DROP = 0  # handle()'s status for "close the connection without an answer"
MAX_TEXT, MAX_BLOCKS, TRIGGER_TTL = 40_000, 50, 3.0
# What slack/manifest.yml grants (tests/unit/gd2slack/test_slack_web_api.py keeps the two equal).
BOT_SCOPES = frozenset(
    {"chat:write", "usergroups:read"}
    | {"channels:history", "groups:history", "channels:read", "groups:read"}
)
# Which scope a method needs: (for public channels, for private channels); None: no scope.
SCOPES: dict[str, tuple[str, str] | None] = {
    "auth.test": None,
    "views.open": None,
    **dict.fromkeys(
        ("chat.postMessage", "chat.update", "chat.delete", "chat.postEphemeral"),
        ("chat:write", "chat:write"),
    ),
    **dict.fromkeys(
        ("conversations.history", "conversations.replies"), ("channels:history", "groups:history")
    ),
    **dict.fromkeys(
        ("conversations.info", "conversations.members"), ("channels:read", "groups:read")
    ),
    "usergroups.users.list": ("usergroups:read", "usergroups:read"),
}


@dataclass(frozen=True)
class Limit:
    """A token bucket: ``per_minute`` refill, ``burst`` capacity; per channel or per workspace."""

    per_minute: float
    burst: int = 1
    per_channel: bool = False


# Slack's published tiers (docs/slack-app.md): postMessage ~1/s per channel with short bursts;
# Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min, per method per workspace per app.
SLACK_LIMITS: dict[str, Limit] = {
    "chat.postMessage": Limit(60, 3, per_channel=True),
    "chat.update": Limit(50, 5),
    "chat.delete": Limit(50, 5),
    "chat.postEphemeral": Limit(100, 10),
    "conversations.history": Limit(50, 5),
    "conversations.replies": Limit(50, 5),
    "conversations.info": Limit(50, 5),
    "conversations.members": Limit(100, 10),
    "usergroups.users.list": Limit(20, 3),
    "auth.test": Limit(100, 10),
    "views.open": Limit(100, 10),
}
# Since 2025 for commercially distributed non-Marketplace apps (not internal ones): 1/min, and
# pages of at most 15 (``SlackWorkspace(history_max_limit=15)``).
NON_MARKETPLACE_READS = {m: Limit(1, 1) for m in ("conversations.history", "conversations.replies")}


@dataclass(frozen=True)
class Fault:
    """An injected answer: HTTP ``status`` with ``error`` (``ok: false``), or ``close`` the
    connection without answering, ``"before"`` doing the work or ``"after"`` it (accepted)."""

    status: int = 200
    error: str = ""
    close: str = ""


ACCEPT_THEN_CLOSE, RESET = Fault(close="after"), Fault(close="before")
SERVER_ERROR, SERVICE_UNAVAILABLE = Fault(500, "fatal_error"), Fault(503, "service_unavailable")
INTERNAL_ERROR = Fault(200, "internal_error")


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error, self.extra = error, extra


@dataclass
class Token:
    value: str
    user_id: str
    scopes: frozenset[str]
    bot_id: str | None = None
    state: str = "active"  # or "revoked" (token_revoked), "inactive" (account_inactive)


@dataclass
class Channel:
    id: str
    name: str
    private: bool = False
    archived: bool = False
    members: set[str] = field(default_factory=set)


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None  # set on replies (the root's ts)
    broadcast: bool = False
    bot_id: str | None = None
    app_id: str | None = None
    edits: list[str] = field(default_factory=list)  # the text after each chat.update
    original: str | None = None  # the text as first posted, once edited
    edited_ts: str | None = None
    deleted: bool = False
    ephemeral_to: str | None = None


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    status: int
    error: str | None


def parse_params(body: bytes, ctype: str, query: str) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query))
    if not body:
        return params
    if ctype.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            raise SlackError("invalid_json") from None
        if not isinstance(data, dict):
            raise SlackError("invalid_json")
        return params | data
    if ctype.startswith("application/x-www-form-urlencoded"):
        return params | dict(parse_qsl(body.decode("utf-8", "replace")))
    raise SlackError("invalid_post_type" if ctype else "missing_post_type")


def decoded(value: Any, error: str) -> Any:
    """Form bodies carry ``blocks``, ``metadata`` and ``view`` as JSON strings (JSON ones may)."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise SlackError(error) from None


def flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def parse_metadata(value: Any) -> dict[str, Any]:
    meta = decoded(value, "invalid_metadata_format")
    if meta in (None, {}):
        return {}
    if (
        not isinstance(meta, dict)
        or not isinstance(meta.get("event_type"), str)
        or not isinstance(meta.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format")
    return {"event_type": meta["event_type"], "event_payload": meta["event_payload"]}


def validate_blocks(blocks: Any, maximum: int = MAX_BLOCKS) -> None:
    if not isinstance(blocks, list) or len(blocks) > maximum:
        raise SlackError("invalid_blocks")
    for raw in blocks:
        block = Block.parse(raw) if isinstance(raw, dict) else None
        if block is None:
            raise SlackError("invalid_blocks")
        try:
            block.validate_json()
        except Exception:
            raise SlackError("invalid_blocks") from None


def cursor_page(
    items: list[Any], params: dict[str, Any], maximum: int, default: int
) -> tuple[list[Any], dict[str, Any]]:
    """One page and ``response_metadata.next_cursor`` (opaque, like Slack's base64 cursors)."""
    try:
        limit = min(maximum, max(1, int(params.get("limit") or default)))
        cursor = str(params.get("cursor") or "")
        start = int(base64.b64decode(cursor).decode().removeprefix("next:")) if cursor else 0
    except ValueError:
        raise SlackError("invalid_cursor") from None
    page, rest = items[start : start + limit], items[start + limit :]
    next_cursor = base64.b64encode(f"next:{start + limit}".encode()).decode() if rest else ""
    return page, {"has_more": bool(rest), "response_metadata": {"next_cursor": next_cursor}}
