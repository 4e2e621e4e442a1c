"""Slack app mode's client: ``chat.postMessage`` / ``chat.update`` / the metadata look-up over
``slack_sdk``'s ``WebClient``, bounded by the record's deadline.

* Imported only when the secret holds a bot token (``app.lifecycle`` imports it lazily), so
  webhook mode's cold start never loads ``slack_sdk``.
* No ``slack_sdk`` retry handler: its connection-error handler re-posts a message Slack may have
  accepted. Here a ``chat.postMessage`` without an answer is never re-sent blindly: the caller
  looks it up by its metadata first (``find``). A 429 waits its ``Retry-After`` through the
  process's shared pace (``app.adapters.pacing``, key ``channel:<id>``), as a
  ``RateLimitErrorRetryHandler`` would, but never past the deadline.
* ``ok: false`` answers are classed: ``PERMANENT`` ones fail the record loudly (DLQ),
  ``ratelimited`` paces, 5xx / ``internal_error`` / ``service_unavailable`` / no answer are
  transient. The token is a secret: no message, log line or trace here holds it.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from app.adapters.pacing import SHARED, Pacer
from app.adapters.slack import (
    DEFAULT_RETRY_AFTER,
    MIN_ATTEMPT_SECONDS,
    READ_TIMEOUT,
    PermanentDeliveryError,
    TransientDeliveryError,
)

PERMANENT = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "account_inactive",
        "missing_scope",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "invalid_metadata_format",
        "cant_update_message",
        "thread_not_found",
    }
)
MAX_ATTEMPTS = 4
HISTORY_PAGES = 5
# Triage (app.interactions): calls made once (a repeat could post twice, and a trigger id is
# exchanged once), and calls whose every ``ok: false`` but Slack's own failures is permanent.
ONCE = frozenset({"chat.postMessage", "chat.postEphemeral", "views.open"})
STRICT = frozenset({"chat.postEphemeral", "views.open", "usergroups.users.list"})
SLACK_FAILURES = frozenset({"internal_error", "service_unavailable", "fatal_error"})
_QUIET = logging.getLogger("gd2slack.slack_sdk")
_QUIET.setLevel(logging.CRITICAL + 1)  # slack_sdk's own lines: we log outcomes ourselves
_QUIET.propagate = False


class Unanswered(TransientDeliveryError):
    """The request went out and no answer came: Slack may have done it (look it up)."""


@dataclass(frozen=True)
class Posted:
    channel: str
    ts: str
    thread_ts: str | None  # None for a reply: its parent was deleted and it went top-level


class SlackAppClient:
    """One bot token's calls; ``clock``/``sleep``/``pacer`` injectable so tests stay untimed."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        pacer: Pacer | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {"base_url": base_url} if base_url else {}
        self.web = WebClient(token=token, retry_handlers=[], logger=_QUIET, **kwargs)
        self.clock = clock
        self.sleep = sleep
        self.pacer = pacer or (SHARED if clock is time.monotonic else Pacer(clock=clock))

    def _call(self, method: str, key: str, deadline: float, **params: Any) -> Any:
        """One method with pace, 429 waits and transient retries; raises ``DeliveryError``.
        ``chat.postMessage`` is tried once: an unanswered post raises ``Unanswered``."""
        error = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            remaining = deadline - self.clock()
            pace = self.pacer.reserve(key, remaining - MIN_ATTEMPT_SECONDS)
            if pace is None:
                raise TransientDeliveryError(
                    f"Slack {method}: no time left in this record's budget at the channel's pace "
                    f"(last {error or 'none'})",
                    slack_error=error,
                    attempts=attempt - 1,
                )
            if pace:
                self.sleep(pace)
            self.web.timeout = max(int(min(READ_TIMEOUT, deadline - self.clock())), 1)
            try:
                if method.startswith(("chat.", "views.")):
                    answer = self.web.api_call(method, json=params)
                else:  # Slack's read methods take form fields, not JSON
                    answer = self.web.api_call(method, params=params)
            except SlackApiError as err:
                status = err.response.status_code
                data = err.response.data if isinstance(err.response.data, Mapping) else {}
                error = str(data.get("error", ""))[:60] or f"HTTP {status}"
                if status == 429 or error == "ratelimited":
                    headers = err.response.headers or {}
                    wait = _seconds(headers.get("Retry-After") or headers.get("retry-after"))
                    self.pacer.hold(key, wait)
                    continue
                strict = method in STRICT and status < 500 and error not in SLACK_FAILURES
                if error in PERMANENT or (400 <= status < 500) or strict:
                    raise PermanentDeliveryError(
                        f"Slack refused {method}: {error}", status=status, slack_error=error
                    ) from None
                if method in ONCE:  # 5xx, internal_error: it may have posted
                    raise Unanswered(
                        f"Slack {method} answered {error}: it may have posted",
                        status=status,
                        slack_error=error,
                    ) from None
            except (OSError, http.client.HTTPException) as err:
                error = type(err).__name__
                if method in ONCE:
                    raise Unanswered(
                        f"Slack {method}: no answer ({error}); it may have posted",
                        slack_error=error,
                    ) from None
            else:
                self.pacer.accepted(key)
                return answer
        raise TransientDeliveryError(
            f"Slack {method} failed {MAX_ATTEMPTS} times: last {error}",
            slack_error=error,
            attempts=MAX_ATTEMPTS,
        )

    def post(
        self,
        channel: str,
        payload: Mapping[str, Any],
        deadline: float,
        *,
        metadata: Mapping[str, Any],
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> Posted:
        params: dict[str, Any] = {**payload, "channel": channel, "metadata": dict(metadata)}
        if thread_ts:
            params["thread_ts"] = thread_ts
            params["reply_broadcast"] = broadcast
        answer = self._call("chat.postMessage", f"channel:{channel}", deadline, **params)
        message = answer.get("message") or {}
        return Posted(str(answer["channel"]), str(answer["ts"]), message.get("thread_ts"))

    def update(self, channel: str, ts: str, payload: Mapping[str, Any], deadline: float) -> bool:
        """Edit our root; False when it is gone (deleted)."""
        try:
            self._call(
                "chat.update", f"update:{channel}", deadline, **payload, channel=channel, ts=ts
            )
        except PermanentDeliveryError as err:
            if err.slack_error == "message_not_found":
                return False
            raise
        return True

    # -- triage (app.interactions) ------------------------------------------------------------
    def open_view(self, trigger_id: str, view: Mapping[str, Any], deadline: float) -> None:
        """Open a modal (``views.open``). The trigger id lives 3 s and is exchanged once, so an
        unanswered call is not repeated (``Unanswered``)."""
        self._call("views.open", "views", deadline, trigger_id=trigger_id, view=dict(view))

    def post_ephemeral(self, channel: str, user: str, text: str, deadline: float) -> None:
        """A message only ``user`` sees in ``channel`` (a refusal); sent once, like a post."""
        self._call(
            "chat.postEphemeral",
            f"ephemeral:{channel}",
            deadline,
            channel=channel,
            user=user,
            text=text,
        )

    def group_members(self, usergroup: str, deadline: float) -> frozenset[str]:
        """The user ids in a user group (``usergroups.users.list``, needs usergroups:read)."""
        answer = self._call(
            "usergroups.users.list", "read:usergroups", deadline, usergroup=usergroup
        )
        return frozenset(str(user) for user in answer.get("users") or [])

    def find(
        self,
        channel: str,
        oldest: float,
        match: Mapping[str, str],
        deadline: float,
        *,
        thread_ts: str | None = None,
    ) -> Posted | None:
        """Our message since ``oldest`` (epoch seconds) whose metadata has ``match``'s
        event_type and payload values: in the channel, or in ``thread_ts``'s thread."""
        for message in self._messages(channel, oldest, deadline, thread_ts):
            meta = message.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == match.get("event_type") and all(
                str(payload.get(k)) == v for k, v in match.items() if k != "event_type"
            ):
                return Posted(channel, str(message["ts"]), message.get("thread_ts"))
        return None

    def _messages(
        self, channel: str, oldest: float, deadline: float, thread_ts: str | None
    ) -> Iterator[Mapping[str, Any]]:
        method = "conversations.replies" if thread_ts else "conversations.history"
        params: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{max(oldest, 0):.6f}",
            "include_all_metadata": "true",
            "limit": "200",
        }
        if thread_ts:
            params["ts"] = thread_ts
        for _ in range(HISTORY_PAGES):
            answer = self._call(method, f"read:{channel}", deadline, **params)
            yield from answer.get("messages") or []
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return
            params["cursor"] = cursor


def _seconds(value: Any) -> float:
    try:
        return max(float(value), 0.0)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
