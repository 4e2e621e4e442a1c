"""Triage in Slack as Block Kit: the buttons on a root, the two modals and the "what was done"
note (docs/architecture.md#triage).

Everything here is composed by us: ids are checked against Slack's and GuardDuty's syntax
before they reach a message, and the only free text (a feedback comment) never appears in what
we render. The modals' ``private_metadata`` round-trips through Slack, so it is decoded as
strictly as a button's value (``ModalContext.decode``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from app.core.suppress import ACCOUNT_ATTRIBUTE, SuppressFilter
from app.core.triage import (
    FEEDBACK_MODAL,
    SNOOZE_FOR,
    SUPPRESS_MODAL,
    USER_ID,
    Target,
    TriageAction,
    TriageValueError,
)
from app.render.blocks import context, slack_date
from app.render.mrkdwn import escape, mrkdwn, plain_text, truncate

BLOCK_ID: Final = "triage"
# Input blocks and elements of the modals, read back from ``view.state.values``.
COMMENT_BLOCK: Final = "comment"
COMMENT_INPUT: Final = "comment"
COMMENT_LIMIT: Final = 1000  # GuardDuty's model sets no limit; a comment is a sentence or two
ACCOUNT_BLOCK: Final = "scope"
ACCOUNT_INPUT: Final = "include_account"
ACCOUNT_OPTION: Final = "account"
MODAL_TITLE_LIMIT: Final = 24  # Slack's limit on a view's title
OK: Final = "ok"  # ``triage_note``'s result when the action was done

LABELS: Final[dict[TriageAction, str]] = {
    TriageAction.ARCHIVE: "Archive",
    TriageAction.UNARCHIVE: "Unarchive",
    TriageAction.USEFUL: "Useful",
    TriageAction.NOT_USEFUL: "Not useful",
    TriageAction.SNOOZE_24H: "Snooze 24 h",
    TriageAction.SNOOZE_7D: "Snooze 7 d",
    TriageAction.SUPPRESS: "Suppress similar…",
}
# What the note says was done (our words; the verb phrase after the emoji).
DONE: Final[dict[TriageAction, str]] = {
    TriageAction.ARCHIVE: "Archived in GuardDuty",
    TriageAction.UNARCHIVE: "Unarchived in GuardDuty",
    TriageAction.USEFUL: "Marked useful in GuardDuty",
    TriageAction.NOT_USEFUL: "Marked not useful in GuardDuty",
    TriageAction.SNOOZE_24H: "Snoozed for 24 h here",
    TriageAction.SNOOZE_7D: "Snoozed for 7 days here",
    TriageAction.SUPPRESS: "Suppression rule created: GuardDuty archives similar findings",
}
VERB: Final[dict[TriageAction, str]] = {
    TriageAction.ARCHIVE: "archive",
    TriageAction.UNARCHIVE: "unarchive",
    TriageAction.USEFUL: "mark useful",
    TriageAction.NOT_USEFUL: "mark not useful",
    TriageAction.SNOOZE_24H: "snooze",
    TriageAction.SNOOZE_7D: "snooze",
    TriageAction.SUPPRESS: "suppress",
}
CHANNEL_ID: Final = re.compile(r"^[CGD][A-Z0-9]{2,20}$")
MESSAGE_TS: Final = re.compile(r"^\d{1,12}\.\d{1,9}$")
MODAL_ACTIONS: Final = frozenset(
    {TriageAction.USEFUL, TriageAction.NOT_USEFUL, TriageAction.SUPPRESS}
)


def _button(action: TriageAction, target: Target) -> dict[str, Any]:
    return {
        "type": "button",
        "text": plain_text(LABELS[action]),
        "action_id": action.action_id,
        "value": target.encode(),
    }


def triage_actions(target: Target, *, archived: bool) -> dict[str, Any]:
    """The root's triage buttons: one ``actions`` block, each value the ``Target`` alone.

    "Suppress similar…" carries no ``confirm``: it opens a modal showing the exact filter.
    """
    first = TriageAction.UNARCHIVE if archived else TriageAction.ARCHIVE
    actions = (
        first,
        TriageAction.USEFUL,
        TriageAction.NOT_USEFUL,
        TriageAction.SNOOZE_24H,
        TriageAction.SNOOZE_7D,
        TriageAction.SUPPRESS,
    )
    return {
        "type": "actions",
        "block_id": BLOCK_ID,
        "elements": [_button(action, target) for action in actions],
    }


# -- the modals' context ----------------------------------------------------------------------
@dataclass(frozen=True)
class ModalContext:
    """What a modal remembers between the button press and its submission (``private_metadata``):
    the target, the action, and where the root is (for a "not allowed" ephemeral; the work path
    reads the root's place from the state table, never from here)."""

    target: Target
    action: TriageAction
    channel: str
    message_ts: str

    def encode(self) -> str:
        return json.dumps(
            {
                "action": self.action.value,
                "channel": self.channel,
                "message_ts": self.message_ts,
                "target": self.target.encode(),
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: Any) -> ModalContext:
        """Exactly the four keys, each well-formed; raises ``TriageValueError`` otherwise."""
        if not isinstance(text, str) or len(text) > 3000:
            raise TriageValueError("the modal's metadata is not a triage context")
        try:
            data = json.loads(text)
        except ValueError:
            raise TriageValueError("the modal's metadata is not JSON") from None
        keys = {"action", "channel", "message_ts", "target"}
        if not isinstance(data, dict) or set(data) != keys:
            raise TriageValueError("the modal's metadata must hold " + ", ".join(sorted(keys)))
        try:
            action = TriageAction(data["action"])
        except ValueError:
            raise TriageValueError("the modal's action is not a triage action") from None
        if action not in MODAL_ACTIONS:
            raise TriageValueError("that action has no modal")
        channel, ts = data["channel"], data["message_ts"]
        if not (isinstance(channel, str) and CHANNEL_ID.match(channel)):
            raise TriageValueError("the modal's channel is not a Slack channel id")
        if not (isinstance(ts, str) and MESSAGE_TS.match(ts)):
            raise TriageValueError("the modal's message_ts is not a Slack ts")
        return cls(Target.decode(data["target"]), action, channel, ts)


def _modal(
    callback_id: str, title: str, submit: str, ctx: ModalContext, blocks: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain_text(title[:MODAL_TITLE_LIMIT]),
        "submit": plain_text(submit),
        "close": plain_text("Cancel"),
        "private_metadata": ctx.encode(),
        "blocks": list(blocks),
    }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def _code(identifier: str) -> str:
    """An identifier exactly, inert: in a code span, the three controls escaped."""
    return f"`{escape(identifier)}`"


def feedback_modal(ctx: ModalContext) -> dict[str, Any]:
    """Useful / Not useful with an optional comment for GuardDuty."""
    which = "useful" if ctx.action is TriageAction.USEFUL else "not useful"
    return _modal(
        FEEDBACK_MODAL,
        "Finding feedback",
        "Send",
        ctx,
        [
            _section(f"Tell GuardDuty that finding {_code(ctx.target.finding_id)} was *{which}*."),
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": plain_text("Comment for GuardDuty (optional)"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_INPUT,
                    "multiline": True,
                    "max_length": COMMENT_LIMIT,
                },
            },
        ],
    )


SUPPRESS_EFFECT: Final = (
    "GuardDuty will *automatically archive* every new finding that matches and *stop "
    "exporting* it: matches no longer reach EventBridge (so no Slack message here), Security "
    "Hub or S3 exports. Undo by deleting the rule under Suppression rules in the GuardDuty "
    "console."
)


def _conditions(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The criteria exactly: one line per ``Equals``, identifiers in code spans (plain_text
    when one holds a backtick, which no code span can)."""
    if any("`" in name + value for name, value in pairs):
        text = "\n".join(f"{name} equals {escape(value)}" for name, value in pairs)
        return {"type": "section", "text": plain_text(text)}
    return _section("\n".join(f"• {_code(name)} equals {_code(value)}" for name, value in pairs))


def suppress_modal(
    ctx: ModalContext, rule: SuppressFilter, account_id: str | None
) -> dict[str, Any]:
    """The confirmation: the exact filter, the account as an option (required when the
    resource has no single identifier), and what GuardDuty will do with matches."""
    blocks: list[dict[str, Any]] = [
        _section(
            f"Create a GuardDuty suppression rule from finding {_code(ctx.target.finding_id)}. "
            "It matches findings where all of these hold:"
        ),
        _conditions(rule.conditions()),
    ]
    if rule.resource is None:
        blocks.append(
            _section(
                "This finding's resource has no single identifier, so the rule must be limited "
                "to its account: a rule on the type alone would archive it in every account."
            )
        )
    if account_id is not None:
        option = f"Only in account {account_id} ({ACCOUNT_ATTRIBUTE} equals {account_id})"
        blocks.append(
            {
                "type": "input",
                "block_id": ACCOUNT_BLOCK,
                "optional": rule.resource is not None,
                "label": plain_text("Scope"),
                "element": {
                    "type": "checkboxes",
                    "action_id": ACCOUNT_INPUT,
                    "options": [{"text": plain_text(option), "value": ACCOUNT_OPTION}],
                },
            }
        )
    blocks.append(_section(SUPPRESS_EFFECT))
    return _modal(SUPPRESS_MODAL, "Suppress similar", "Create rule", ctx, blocks)


# -- what was done ----------------------------------------------------------------------------
def who(user_id: str) -> str:
    """A user mention only for a well-formed Slack user id; anything else stays inert."""
    return f"<@{user_id}>" if USER_ID.match(user_id) else "an unknown user"


def triage_note(
    action: TriageAction, user_id: str, at: datetime, result: str, *, detail: str | None = None
) -> str:
    """One mrkdwn line: what was done (or tried), by whom, when; ``result`` is ``OK`` or our
    own words for what went wrong. ``detail`` is our own text too (a filter name, an id)."""
    when = slack_date(at)
    extra = f" ({escape(detail)})" if detail else ""
    if result == OK:
        if action in SNOOZE_FOR:
            extra = f" until {slack_date(at + SNOOZE_FOR[action])}{extra}"
        return f"✅ {DONE[action]}{extra} by {who(user_id)} · {when}"
    reason = truncate(escape(result), 600)
    return f"⚠️ Could not {VERB[action]} this finding{extra} for {who(user_id)} · {when}: {reason}"


def note_block(note: str) -> dict[str, Any]:
    """The note as a context line (the thread reply's block)."""
    return context(note)


def note_reply(note: str) -> dict[str, Any]:
    """The thread reply saying what was done: the note as text and as its one block."""
    return {
        "text": note,
        "blocks": [note_block(note)],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def not_allowed_text(action: TriageAction) -> str:
    return f"You are not allowed to {VERB[action]} findings here."
