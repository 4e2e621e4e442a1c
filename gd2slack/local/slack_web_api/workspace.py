"""``SlackWorkspace``: the Slack Web API methods, answered like ``slack.com/api/<method>``."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from gd2slack.local.slack_web_api.model import (
    DROP,
    SCOPES,
    TRIGGER_TTL,
    Answer,
    Call,
    Message,
    SlackError,
    Token,
    cursor_page,
    decoded,
    flag,
    parse_metadata,
    parse_params,
    validate_blocks,
)
from gd2slack.local.slack_web_api.state import WorkspaceState


class SlackWorkspace(WorkspaceState):
    """One workspace with one installed app; ``bot_token`` is the app's bot token."""

    # ----- the API -----
    def handle(
        self,
        method: str,
        headers: Mapping[str, str],
        body: bytes,
        content_type: str,
        query: str = "",
    ) -> Answer:
        with self._lock:
            fault = self._faults[method].popleft() if self._faults[method] else None
            if fault is not None and fault.close == "before":
                return self._log(method, {}, DROP, "dropped")
            if fault is not None and not fault.close:  # Slack failed: nothing was done
                status, extra_headers = fault.status, dict[str, str]()
                answer: dict[str, Any] = {"ok": False, "error": fault.error}
                params: dict[str, Any] = {}
            else:
                status, extra_headers, answer, params = self._answer(
                    method, headers, body, content_type, query
                )
            if fault is not None and fault.close == "after":
                return self._log(method, params, DROP, "dropped after doing the work")
            self._log(method, params, status, answer.get("error"))
        out_headers = {"Content-Type": "application/json; charset=utf-8", **extra_headers}
        return status, out_headers, json.dumps(answer).encode()

    def _log(self, method: str, params: dict[str, Any], status: int, error: Any) -> Answer:
        safe = {k: v for k, v in params.items() if k != "token"}
        self.calls.append(Call(method, safe, status, error))
        return status, {}, b""

    def _answer(
        self, method: str, headers: Mapping[str, str], body: bytes, ctype: str, query: str
    ) -> tuple[int, dict[str, str], dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = {}
        try:
            params = parse_params(body, ctype, query)
            if method not in SCOPES:
                raise SlackError("unknown_method")
            handler = getattr(self, "_" + method.replace(".", "_"))
            token = self._authenticate(
                headers, params, json_body=ctype.startswith("application/json")
            )
            scope_headers = self._check_scope(method, token, params)
            wait = self._rate_limited(method, params)
            if wait:
                limited = {"ok": False, "error": "ratelimited"}
                return 429, {"Retry-After": str(wait)}, limited, params
            return 200, scope_headers, {"ok": True, **handler(token, params)}, params
        except SlackError as e:
            return 200, {}, {"ok": False, "error": e.error, **e.extra}, params
        except (ValueError, TypeError, KeyError, AttributeError):  # what Slack calls malformed
            return 200, {}, {"ok": False, "error": "invalid_arguments"}, params

    def _authenticate(
        self, headers: Mapping[str, str], params: dict[str, Any], json_body: bool
    ) -> Token:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        # a JSON body cannot carry the token; a form body may (Slack's legacy way)
        value = auth[7:] if auth.startswith("Bearer ") else params.get("token", "")
        value = "" if json_body and not auth else value
        if not value:
            raise SlackError("not_authed")
        token = self.tokens.get(value)
        if token is None:
            raise SlackError("invalid_auth")
        if token.state != "active":
            raise SlackError("token_revoked" if token.state == "revoked" else "account_inactive")
        return token

    def _check_scope(self, method: str, token: Token, params: dict[str, Any]) -> dict[str, str]:
        provided = ",".join(sorted(token.scopes))
        pair = SCOPES[method]
        if pair is None:
            return {"X-OAuth-Scopes": provided}
        channel = self.channels.get(str(params.get("channel", "")))
        needed = pair[1] if channel is not None and channel.private else pair[0]
        if needed not in token.scopes:
            raise SlackError("missing_scope", needed=needed, provided=provided)
        return {"X-OAuth-Scopes": provided, "X-Accepted-OAuth-Scopes": needed}

    def _rate_limited(self, method: str, params: dict[str, Any]) -> int:
        """0 if within the limit, else whole seconds until a request would be accepted."""
        limit = self.limits.get(method)
        if limit is None:
            return 0
        key = (method, str(params.get("channel", "")) if limit.per_channel else "")
        now, rate = self.clock(), limit.per_minute / 60
        tokens, at = self._buckets.get(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + (now - at) * rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / rate))

    # ----- methods -----
    def _auth_test(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://gd2slack-local.slack.com/",
            "team": "gd2slack-local",
            "user": "gd2slack",
            "team_id": self.team_id,
            "user_id": token.user_id,
            **({"bot_id": token.bot_id} if token.bot_id else {}),
            "is_enterprise_install": False,
        }

    def _chat_postMessage(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params)
        if channel.archived:
            raise SlackError("is_archived")
        text, blocks = self._content(params)
        metadata = parse_metadata(params.get("metadata"))
        msg = Message(channel.id, "", token.user_id, text, blocks, metadata or None)
        msg.bot_id, msg.app_id = token.bot_id, self.app_id if token.bot_id else None
        parent_ts = params.get("thread_ts")
        parent = next((m for m in self.visible(channel.id) if m.ts == parent_ts), None)
        if parent is not None:  # a reply's ts threads under its root; a deleted parent: top-level
            msg.thread_ts = parent.thread_ts or parent.ts
            msg.broadcast = flag(params.get("reply_broadcast"))
        msg.ts = self._next_ts()
        self.messages[channel.id].append(msg)
        return {"channel": channel.id, "ts": msg.ts, "message": self._wire(msg)}

    def _chat_update(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params, member=False)
        if channel.archived:
            raise SlackError("is_inactive")
        msg = self._find(channel.id, params.get("ts"))
        if msg.user != token.user_id:
            raise SlackError("cant_update_message")
        text, blocks = self._content(params, required="metadata" not in params)
        if "metadata" in params:
            msg.metadata = parse_metadata(params["metadata"]) or None
        if blocks is not None or text:
            msg.blocks = blocks  # text without blocks drops the old blocks, as Slack does
            msg.original = msg.text if msg.original is None else msg.original
            msg.text = text or msg.text
            msg.edits.append(msg.text)
            msg.edited_ts = self._next_ts()
        return {"channel": channel.id, "ts": msg.ts, "text": msg.text, "message": self._wire(msg)}

    def _chat_delete(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params, member=False)
        msg = self._find(channel.id, params.get("ts"))
        if msg.user != token.user_id:
            raise SlackError("cant_delete_message")
        msg.deleted = True
        return {"channel": channel.id, "ts": msg.ts}

    def _chat_postEphemeral(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params)
        if channel.archived:
            raise SlackError("is_archived")
        if params.get("user") not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._content(params)
        msg = Message(channel.id, self._next_ts(), token.user_id, text, blocks)
        msg.ephemeral_to, msg.thread_ts = str(params["user"]), params.get("thread_ts")
        self.messages[channel.id].append(msg)
        return {"message_ts": msg.ts}

    def _conversations_history(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params)
        timeline = [m for m in self.visible(channel.id) if not m.thread_ts or m.broadcast]
        page, more = self._page(timeline[::-1], params, self.history_max_limit, 100)
        meta = flag(params.get("include_all_metadata"))
        return {"messages": [self._wire(m, meta) for m in page], **more}

    def _conversations_replies(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params)
        try:
            root = self._find(channel.id, params.get("ts"))
            root = self._find(channel.id, root.thread_ts) if root.thread_ts else root
        except SlackError:  # a reply's ts reads its thread; a deleted root has none
            raise SlackError("thread_not_found") from None
        page, more = self._page(self._replies(root), params, 1000, 1000)
        meta = flag(params.get("include_all_metadata"))
        messages = [self._wire(m, meta) for m in [root, *page]]
        return {"messages": messages, **more}

    def _conversations_info(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        c = self._channel(token, params, member=False)
        return {
            "channel": {
                "id": c.id,
                "name": c.name,
                "is_channel": not c.private,
                "is_group": c.private,
                "is_private": c.private,
                "is_archived": c.archived,
                "is_member": token.user_id in c.members,
            }
        }

    def _conversations_members(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(token, params, member=False)
        page, more = cursor_page(sorted(channel.members), params, 1000, 100)
        return {"members": page, "response_metadata": more["response_metadata"]}

    def _usergroups_users_list(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        users = self.usergroups.get(str(params.get("usergroup", "")))
        if users is None:
            raise SlackError("no_such_subteam")
        return {"users": list(users)}

    def _views_open(self, token: Token, params: dict[str, Any]) -> dict[str, Any]:
        trigger = self._triggers.get(str(params.get("trigger_id", "")))
        if trigger is None:
            raise SlackError(
                "invalid_arguments", response_metadata={"messages": ["invalid `trigger_id`"]}
            )
        user, issued, used = trigger
        if used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - issued > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        view = decoded(params.get("view"), "invalid_arguments")
        if not isinstance(view, dict) or view.get("type") != "modal" or "title" not in view:
            raise SlackError("invalid_arguments")
        validate_blocks(view.get("blocks", []), maximum=100)
        self._triggers[str(params["trigger_id"])] = (user, issued, True)
        opened = {
            **view,
            "id": f"V{len(self.views):08d}",
            "team_id": self.team_id,
            "app_id": self.app_id,
        }
        self.views.append({**opened, "user": user})
        return {"view": opened | {"state": {"values": {}}, "hash": self._next_ts()}}
