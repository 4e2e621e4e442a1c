"""The workspace's state, its set-up and inspection API (tests, the demo) and the transcript."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gd2slack.local.slack_web_api.model import (
    BOT_SCOPES,
    MAX_TEXT,
    SLACK_LIMITS,
    Call,
    Channel,
    Fault,
    Limit,
    Message,
    SlackError,
    Token,
    cursor_page,
    decoded,
    flag,
    validate_blocks,
)


class WorkspaceState:
    """Tokens (with scopes and a state), channels (members, archived), messages (ts, thread,
    broadcast, metadata, edits, deleted), user groups, trigger ids, faults and rate buckets."""

    def __init__(
        self,
        *,
        team_id: str = "T0GD2SLCK",
        app_id: str = "A0GD2SLCK",
        bot_user: str = "U0GD2BOT",
        bot_id: str = "B0GD2BOT",
        clock: Callable[[], float] = time.time,
        limits: Mapping[str, Limit] | None = None,
        history_max_limit: int = 999,
    ) -> None:
        self.team_id, self.app_id, self.bot_user, self.bot_id = team_id, app_id, bot_user, bot_id
        self.clock = clock
        self.limits: dict[str, Limit] = dict(SLACK_LIMITS if limits is None else limits)
        self.history_max_limit = history_max_limit
        self.tokens: dict[str, Token] = {}
        self.channels: dict[str, Channel] = {}
        self.usergroups: dict[str, list[str]] = {}
        self.messages: dict[str, list[Message]] = defaultdict(list)
        self.views: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self._triggers: dict[str, tuple[str, float, bool]] = {}  # id → (user, issued, used)
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._last_ts = 0
        self._lock = threading.RLock()
        self.bot_token = self.add_token("xoxb-0000-local-gd2slack", bot_user, BOT_SCOPES, bot_id)

    # ----- set-up and inspection (tests, demo) -----
    def add_token(
        self, value: str, user_id: str, scopes: Iterable[str], bot_id: str | None = None
    ) -> str:
        self.tokens[value] = Token(value, user_id, frozenset(scopes), bot_id)
        return value

    def add_channel(
        self, cid: str, name: str, *, private: bool = False, members: Iterable[str] = ()
    ) -> Channel:
        """A channel with the bot in it (``members`` adds people); ``kick`` to take it out."""
        self.channels[cid] = Channel(cid, name, private, members={self.bot_user, *members})
        return self.channels[cid]

    def kick(self, cid: str, user: str | None = None) -> None:
        self.channels[cid].members.discard(user or self.bot_user)

    def inject(self, method: str, fault: Fault, times: int = 1) -> None:
        """Answer the next ``times`` requests of ``method`` with ``fault``."""
        with self._lock:
            self._faults[method].extend([fault] * times)

    def trigger(self, user: str) -> str:
        """A ``trigger_id`` as Slack issues with an interaction (valid 3 s, exchanged once)."""
        with self._lock:
            tid = f"{self._next_ts()}.{self.team_id}.{len(self._triggers)}"
            self._triggers[tid] = (user, self.clock(), False)
            return tid

    def post_as(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> str:
        """A person's message (nobody's token): the app must not be able to edit it."""
        with self._lock:
            msg = Message(channel, self._next_ts(), user, text, thread_ts=thread_ts)
            self.messages[channel].append(msg)
            return msg.ts

    def delete_message(self, channel: str, ts: str) -> None:
        """Someone deletes a message (as an admin can delete the bot's root)."""
        with self._lock:
            self._find(channel, ts).deleted = True

    def visible(self, channel: str) -> list[Message]:
        return [m for m in self.messages[channel] if not m.deleted and m.ephemeral_to is None]

    # ----- helpers -----
    def _next_ts(self) -> str:
        self._last_ts = max(int(self.clock() * 1_000_000), self._last_ts + 100)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    def _channel(self, token: Token, params: dict[str, Any], *, member: bool = True) -> Channel:
        channel = self.channels.get(str(params.get("channel", "")))
        if channel is None or (channel.private and token.user_id not in channel.members):
            raise SlackError("channel_not_found")
        if member and token.user_id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _find(self, channel: str, ts: Any) -> Message:
        for msg in self.messages[channel]:
            if msg.ts == ts and not msg.deleted and msg.ephemeral_to is None:
                return msg
        raise SlackError("message_not_found")

    def _content(self, params: dict[str, Any], *, required: bool = True) -> tuple[str, Any]:
        text, blocks = params.get("text"), decoded(params.get("blocks"), "invalid_blocks")
        if required and not text and not blocks:
            raise SlackError("no_text")
        if text is not None and len(str(text)) > MAX_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None:
            validate_blocks(blocks)
        return str(text or ""), blocks

    def _wire(self, msg: Message, with_metadata: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": msg.ts, "user": msg.user, "text": msg.text}
        out["team"] = self.team_id
        out.update({"bot_id": msg.bot_id, "app_id": msg.app_id} if msg.bot_id else {})
        out.update({"blocks": msg.blocks} if msg.blocks is not None else {})
        if msg.broadcast:
            out["subtype"] = "thread_broadcast"
        if msg.edited_ts:
            out["edited"] = {"user": msg.user, "ts": msg.edited_ts}
        if msg.metadata and with_metadata:
            out["metadata"] = msg.metadata
        if msg.thread_ts:
            root = next((m for m in self.messages[msg.channel] if m.ts == msg.thread_ts), None)
            out.update(thread_ts=msg.thread_ts, parent_user_id=root.user if root else msg.user)
        replies = self._replies(msg)
        if replies:
            users = sorted({r.user for r in replies})
            out.update(thread_ts=msg.ts, reply_count=len(replies), reply_users=users)
            out.update(reply_users_count=len(users), latest_reply=replies[-1].ts)
        return out

    def _replies(self, root: Message) -> list[Message]:
        return [m for m in self.visible(root.channel) if m.thread_ts == root.ts and m is not root]

    def _page(
        self, messages: list[Message], params: dict[str, Any], maximum: int, default: int
    ) -> tuple[list[Message], dict[str, Any]]:
        """Slack's ``oldest``/``latest``/``inclusive`` window, then ``limit``/``cursor`` pages."""
        oldest, latest = float(params.get("oldest") or 0), float(params.get("latest") or math.inf)
        inclusive = flag(params.get("inclusive"))

        def inside(ts: float) -> bool:
            return oldest <= ts <= latest if inclusive else oldest < ts < latest

        return cursor_page([m for m in messages if inside(float(m.ts))], params, maximum, default)

    def transcript(self, channel: str) -> str:
        """The channel as people see it: each root with its edits and thread replies, broadcasts
        marked, deleted messages struck; ephemeral messages are left out."""
        with self._lock:
            c = self.channels[channel]
            lines = [f"#{c.name} ({c.id}){' [archived]' if c.archived else ''}"]
            everything = [m for m in self.messages[channel] if m.ephemeral_to is None]
            for root in (m for m in everything if not m.thread_ts):
                lines.append(_line("", root))
                lines.extend(f"    edited: {_flat(text)}" for text in root.edits)
                for reply in (m for m in everything if m.thread_ts == root.ts):
                    lines.append(_line("    > ", reply))
                    lines.extend(f"        edited: {_flat(text)}" for text in reply.edits)
            return "\n".join(lines)


def _original(msg: Message) -> str:
    return msg.original if msg.original is not None else msg.text


def _line(prefix: str, msg: Message) -> str:
    marks = (" [also sent to the channel]" if msg.broadcast else "") + (
        " [deleted]" if msg.deleted else ""
    )
    return f"{prefix}{msg.ts} {msg.user}: {_flat(_original(msg))}{marks}"


def _flat(text: str, width: int = 160) -> str:
    one = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return one if len(one) <= width else one[: width - 1] + "…"
