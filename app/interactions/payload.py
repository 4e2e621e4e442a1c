"""A verified Slack interaction (``payload=<json>`` form body) as a typed value: a triage button
press, a triage modal's submission, or a click on one of the root's link buttons.

Only what we act on is read, each part checked against its syntax: the team and app must be
ours (``SLACK_TEAM_ID``, ``SLACK_APP_ID``), the action one of ``TriageAction``, the button's
value exactly a ``Target`` and a modal's ``private_metadata`` exactly a ``ModalContext``.
Anything else is ``Refused`` with our words saying why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qs

from app.core.read import as_mapping
from app.core.triage import (
    FEEDBACK_MODAL,
    SUPPRESS_MODAL,
    USER_ID,
    Target,
    TriageAction,
    TriageValueError,
    action_from_id,
)
from app.interactions.request import Refused
from app.render.triage import (
    ACCOUNT_BLOCK,
    ACCOUNT_INPUT,
    ACCOUNT_OPTION,
    CHANNEL_ID,
    COMMENT_BLOCK,
    COMMENT_INPUT,
    COMMENT_LIMIT,
    MESSAGE_TS,
    ModalContext,
)

TRIGGER_ID: Final = re.compile(r"^[0-9A-Za-z._-]{5,200}$")
# The root's URL buttons (app/render/lead.py): Slack reports their clicks too; acknowledged.
LINK_ACTION: Final = re.compile(r"^(open_console|open_docs|investigate_\d{1,2})$")
MODAL_OF: Final[Mapping[str, frozenset[TriageAction]]] = {
    FEEDBACK_MODAL: frozenset({TriageAction.USEFUL, TriageAction.NOT_USEFUL}),
    SUPPRESS_MODAL: frozenset({TriageAction.SUPPRESS}),
}
INPUTS_OF: Final[Mapping[str, frozenset[str]]] = {
    FEEDBACK_MODAL: frozenset({COMMENT_BLOCK}),
    SUPPRESS_MODAL: frozenset({ACCOUNT_BLOCK}),
}


@dataclass(frozen=True)
class Press:
    """A triage button on a root (``block_actions``)."""

    action: TriageAction
    target: Target
    user_id: str
    channel: str
    message_ts: str
    trigger_id: str = field(repr=False)


@dataclass(frozen=True)
class Submission:
    """A triage modal's submit (``view_submission``)."""

    context: ModalContext
    user_id: str
    comment: str = field(default="", repr=False)
    include_account: bool = False

    @property
    def action(self) -> TriageAction:
        return self.context.action

    @property
    def target(self) -> Target:
        return self.context.target


@dataclass(frozen=True)
class LinkClick:
    """A click on one of the root's URL buttons: Slack needs its 200, nothing is done."""

    action_id: str


Interaction = Press | Submission | LinkClick


def _refuse(reason: str, detail: str) -> Refused:
    return Refused(reason, 400, detail)


def _form_payload(body: bytes, content_type: str) -> Mapping[str, Any]:
    if not content_type.lower().startswith("application/x-www-form-urlencoded"):
        raise _refuse("malformed_payload", "not a form body")
    try:
        form = parse_qs(body.decode("utf-8"), strict_parsing=True, max_num_fields=4)
        if set(form) != {"payload"} or len(form["payload"]) != 1:
            raise ValueError
        data = json.loads(form["payload"][0])
    except (ValueError, RecursionError):
        raise _refuse("malformed_payload", "the body is not payload=<JSON>") from None
    if not isinstance(data, dict):
        raise _refuse("malformed_payload", "the payload is not a JSON object")
    return data


def _text(node: Mapping[str, Any], key: str, pattern: re.Pattern[str], what: str) -> str:
    value = node.get(key)
    if not (isinstance(value, str) and pattern.match(value)):
        raise _refuse("malformed_payload", f"{what} is missing or malformed")
    return value


def parse_interaction(body: bytes, content_type: str, *, team_id: str, app_id: str) -> Interaction:
    """The interaction in a verified body, for our team and app only."""
    data = _form_payload(body, content_type)
    team = as_mapping(data.get("team")).get("id")
    if team != team_id:
        raise Refused("another_team", 403, "the request is for another Slack workspace")
    if data.get("api_app_id") != app_id:
        raise Refused("another_app", 403, "the request is for another Slack app")
    user = _text(as_mapping(data.get("user")), "id", USER_ID, "the user id")
    kind = data.get("type")
    if kind == "block_actions":
        return _press(data, user)
    if kind == "view_submission":
        return _submission(data, user, app_id)
    raise _refuse("unsupported_interaction", "only button presses and modal submissions")


def _press(data: Mapping[str, Any], user: str) -> Press | LinkClick:
    actions = data.get("actions")
    if not isinstance(actions, list) or len(actions) != 1 or not isinstance(actions[0], dict):
        raise _refuse("malformed_payload", "a press holds exactly one action")
    action_id = actions[0].get("action_id")
    if isinstance(action_id, str) and LINK_ACTION.match(action_id):
        return LinkClick(action_id)
    action = action_from_id(action_id) if isinstance(action_id, str) else None
    if action is None:
        raise _refuse("unknown_action", "the action is not a triage action")
    try:
        target = Target.decode(actions[0].get("value"))
    except TriageValueError as err:
        raise _refuse("bad_target", str(err)) from None
    channel = _text(as_mapping(data.get("channel")), "id", CHANNEL_ID, "the channel id")
    ts = _text(as_mapping(data.get("container")), "message_ts", MESSAGE_TS, "the message ts")
    trigger = _text(data, "trigger_id", TRIGGER_ID, "the trigger id")
    return Press(action, target, user, channel, ts, trigger)


def _submission(data: Mapping[str, Any], user: str, app_id: str) -> Submission:
    view = as_mapping(data.get("view"))
    callback = view.get("callback_id")
    if not isinstance(callback, str) or callback not in MODAL_OF:
        raise _refuse("unknown_action", "the modal is not a triage modal")
    if view.get("app_id", app_id) != app_id:
        raise Refused("another_app", 403, "the modal belongs to another Slack app")
    try:
        context = ModalContext.decode(view.get("private_metadata"))
    except TriageValueError as err:
        raise _refuse("bad_target", str(err)) from None
    if context.action not in MODAL_OF[callback]:
        raise _refuse("bad_target", "the modal's action does not match the modal")
    values = as_mapping(as_mapping(view.get("state")).get("values"))
    if not set(values) <= INPUTS_OF[callback]:
        raise _refuse("malformed_payload", "the modal holds inputs it never had")
    comment = as_mapping(as_mapping(values.get(COMMENT_BLOCK)).get(COMMENT_INPUT)).get("value")
    comment = "" if comment is None else comment
    if not isinstance(comment, str) or len(comment) > COMMENT_LIMIT:
        raise _refuse("malformed_payload", "the comment is not text of at most 1,000 characters")
    chosen = as_mapping(as_mapping(values.get(ACCOUNT_BLOCK)).get(ACCOUNT_INPUT))
    options = chosen.get("selected_options") or []
    if not isinstance(options, list):
        raise _refuse("malformed_payload", "the scope is malformed")
    picked = {as_mapping(o).get("value") for o in options}
    if not picked <= {ACCOUNT_OPTION}:
        raise _refuse("malformed_payload", "the scope holds an option it never had")
    return Submission(context, user, comment.strip(), ACCOUNT_OPTION in picked)
