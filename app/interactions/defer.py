"""Deferring slow work so Slack has its 200 within 3 s: the request path invokes this same
function asynchronously (``InvocationType=Event``) with ``{"gd2slack_triage": {...}}``.

A function URL always wraps what it delivers in the HTTP event, so a bare ``gd2slack_triage``
event can only come from an ``Invoke`` (IAM-authorized): the request path's own. Its fields are
still validated as strictly as a button's value before any work.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from app.adapters.observability import aws_client
from app.core.triage import USER_ID, Target, TriageAction, TriageValueError
from app.render.triage import CHANNEL_ID, COMMENT_LIMIT

WORK_KEY: Final = "gd2slack_triage"
WORK_FIELDS: Final = frozenset(
    {"action", "target", "user_id", "channel", "comment", "include_account", "requested_at"}
)


@dataclass(frozen=True)
class Work:
    """One validated triage action to perform."""

    action: TriageAction
    target: Target
    user_id: str
    channel: str  # where the press was: only for an ephemeral when the finding has no root
    comment: str = field(default="", repr=False)
    include_account: bool = False
    requested_at: int = 0  # epoch seconds of the press

    def to_event(self) -> dict[str, Any]:
        return {
            WORK_KEY: {
                "action": self.action.value,
                "target": self.target.encode(),
                "user_id": self.user_id,
                "channel": self.channel,
                "comment": self.comment,
                "include_account": self.include_account,
                "requested_at": self.requested_at,
            }
        }

    @classmethod
    def from_event(cls, data: Any) -> Work:
        """Exactly the fields, each well-formed; ``TriageValueError`` otherwise."""
        if not isinstance(data, Mapping) or set(data) != WORK_FIELDS:
            raise TriageValueError("deferred work must hold " + ", ".join(sorted(WORK_FIELDS)))
        try:
            action = TriageAction(data["action"])
        except ValueError:
            raise TriageValueError("deferred work names no triage action") from None
        user, channel, comment = data["user_id"], data["channel"], data["comment"]
        if not (isinstance(user, str) and USER_ID.match(user)):
            raise TriageValueError("deferred work's user_id is not a Slack user id")
        if not (isinstance(channel, str) and CHANNEL_ID.match(channel)):
            raise TriageValueError("deferred work's channel is not a Slack channel id")
        if not (isinstance(comment, str) and len(comment) <= COMMENT_LIMIT):
            raise TriageValueError("deferred work's comment is not text of at most 1,000 chars")
        if not isinstance(data["include_account"], bool):
            raise TriageValueError("deferred work's include_account is not a boolean")
        at = data["requested_at"]
        if not (isinstance(at, int) and not isinstance(at, bool) and at >= 0):
            raise TriageValueError("deferred work's requested_at is not epoch seconds")
        target = Target.decode(data["target"])
        return cls(action, target, user, channel, comment, data["include_account"], at)


class DeferFailed(Exception):
    """The asynchronous invoke was not accepted: nothing will happen; the user is told."""


class Deferrer:
    """Invokes this function (the version now running, so the work runs the same code)."""

    def __init__(
        self,
        client: Any = None,
        *,
        function_name: str | None = None,
        version: str | None = None,
    ) -> None:
        self._client = client
        self.function_name = function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        version = version or os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "")
        self.qualifier = version if version and version != "$LATEST" else None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("lambda", quick=True)
        return self._client

    def defer(self, work: Work) -> None:
        if not self.function_name:
            raise DeferFailed("AWS_LAMBDA_FUNCTION_NAME is not set: cannot defer triage work")
        params: dict[str, Any] = {
            "FunctionName": self.function_name,
            "InvocationType": "Event",
            "Payload": json.dumps(work.to_event(), separators=(",", ":")).encode(),
        }
        if self.qualifier:
            params["Qualifier"] = self.qualifier
        try:
            answer = self.client.invoke(**params)
        except Exception as err:
            code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
            raise DeferFailed(f"Lambda Invoke failed: {code or type(err).__name__}") from None
        if answer.get("StatusCode") != 202:
            raise DeferFailed(f"Lambda Invoke answered {answer.get('StatusCode')}, not 202")
