"""The triage buttons, modals and note as Slack would accept them (slack_sdk's models)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from app.core.suppress import SuppressFilter
from app.core.triage import FEEDBACK_MODAL, SUPPRESS_MODAL, Target, TriageAction, TriageValueError
from app.render.triage import (
    OK,
    ModalContext,
    feedback_modal,
    note_reply,
    suppress_modal,
    triage_actions,
    triage_note,
)
from tests.slack_checks import assert_valid_view

TARGET = Target("a" * 32, "12abc34d567e8fa901bc2d34e56789f0", "us-east-1")
AT = datetime(2026, 11, 28, 9, 14, tzinfo=UTC)


@pytest.mark.parametrize("archived", [False, True])
def test_buttons_carry_the_target_and_the_action_ids(archived: bool) -> None:
    block = triage_actions(TARGET, archived=archived)
    parsed = Block.parse(block)
    assert parsed is not None
    parsed.validate_json()
    assert block["block_id"] == "triage"
    ids = [e["action_id"] for e in block["elements"]]
    first = "triage_unarchive" if archived else "triage_archive"
    assert ids == [
        first,
        "triage_useful",
        "triage_not_useful",
        "triage_snooze_24h",
        "triage_snooze_7d",
        "triage_suppress",
    ]
    for element in block["elements"]:
        assert Target.decode(element["value"]) == TARGET
        assert "confirm" not in element and "url" not in element


def test_modal_context_round_trips_and_refuses_anything_else() -> None:
    ctx = ModalContext(TARGET, TriageAction.USEFUL, "C0ALERTS", "1764321240.000100")
    assert ModalContext.decode(ctx.encode()) == ctx
    data = json.loads(ctx.encode())
    for bad in (
        {**data, "account": "123456789012"},
        {**data, "channel": "#alerts"},
        {**data, "message_ts": "now"},
        {**data, "action": "archive"},  # archive has no modal
        {**data, "target": data["target"].replace("us-east-1", "nowhere")},
        {k: v for k, v in data.items() if k != "channel"},
    ):
        with pytest.raises(TriageValueError):
            ModalContext.decode(json.dumps(bad))
    with pytest.raises(TriageValueError):
        ModalContext.decode("x" * 3001)


def test_feedback_modal_is_valid_with_an_optional_comment() -> None:
    ctx = ModalContext(TARGET, TriageAction.NOT_USEFUL, "C0ALERTS", "1764321240.000100")
    view = feedback_modal(ctx)
    assert_valid_view(view)
    assert view["callback_id"] == FEEDBACK_MODAL
    assert ModalContext.decode(view["private_metadata"]) == ctx
    comment = view["blocks"][1]
    assert comment["optional"] is True and comment["element"]["type"] == "plain_text_input"
    assert "*not useful*" in view["blocks"][0]["text"]["text"]


def test_note_names_the_user_and_the_time_as_a_date_token() -> None:
    note = triage_note(TriageAction.ARCHIVE, "U0ALICE", AT, OK)
    epoch = int(AT.timestamp())
    assert note == (
        "✅ Archived in GuardDuty by <@U0ALICE> · "
        f"<!date^{epoch}^{{date_short_pretty}} {{time}}|2026-11-28 09:14 UTC>"
    )
    snoozed = triage_note(TriageAction.SNOOZE_24H, "U0ALICE", AT, OK)
    assert f"until <!date^{epoch + 86400}^" in snoozed


def test_note_keeps_a_bad_user_id_and_a_hostile_reason_inert() -> None:
    note = triage_note(TriageAction.ARCHIVE, "<!channel>", AT, "denied <!here> & co")
    assert "<!channel>" not in note and "<!here>" not in note
    assert "an unknown user" in note and "&lt;!here&gt; &amp; co" in note
    assert note.startswith("⚠️ Could not archive this finding")
    reply = note_reply(note)
    block = Block.parse(reply["blocks"][0])
    assert block is not None
    block.validate_json()
    assert reply["text"] == note


# --- the modal's private_metadata, exactly -----------------------------------------------------

_CTX_TARGET = Target("b4c6b1d1e6f0a5d2c3e4f5a6b7c8d9e0", "d" * 32, "us-east-1")


def _ctx_data(**change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "suppress",
        "channel": "C0ALERTS",
        "message_ts": "1796000000.000100",
        "target": _CTX_TARGET.encode(),
    }
    return data | change


def test_the_modal_context_is_compact_sorted_json_of_four_keys() -> None:
    ctx = ModalContext(_CTX_TARGET, TriageAction.SUPPRESS, "C0ALERTS", "1796000000.000100")
    target = _CTX_TARGET.encode().replace('"', '\\"')
    assert ctx.encode() == (
        '{"action":"suppress","channel":"C0ALERTS","message_ts":"1796000000.000100",'
        f'"target":"{target}"}}'
    )
    assert ModalContext.decode(ctx.encode()) == ctx


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "the modal's metadata is not a triage context"),
        (7, "the modal's metadata is not a triage context"),
        ("x" * 3001, "the modal's metadata is not a triage context"),
        ("x" * 3000, "the modal's metadata is not JSON"),  # Slack's limit: read, then refused
        ("{", "the modal's metadata is not JSON"),
        ("[]", "the modal's metadata must hold action, channel, message_ts, target"),
        (
            json.dumps(_ctx_data(extra=1)),
            "the modal's metadata must hold action, channel, message_ts, target",
        ),
        (json.dumps(_ctx_data(action="delete")), "the modal's action is not a triage action"),
        (json.dumps(_ctx_data(action="archive")), "that action has no modal"),
        (json.dumps(_ctx_data(channel="#alerts")), "the modal's channel is not a Slack channel id"),
        (json.dumps(_ctx_data(channel=None)), "the modal's channel is not a Slack channel id"),
        (json.dumps(_ctx_data(message_ts="now")), "the modal's message_ts is not a Slack ts"),
        (json.dumps(_ctx_data(message_ts=1.5)), "the modal's message_ts is not a Slack ts"),
    ],
)
def test_the_modal_context_refuses_with_what_is_wrong(text: Any, says: str) -> None:
    with pytest.raises(TriageValueError) as err:
        ModalContext.decode(text)
    assert str(err.value) == says


# --- what a responder sees, exactly --------------------------------------------------------------

_WHEN = "<!date^1795857240^{date_short_pretty} {time}|2026-11-28 09:14 UTC>"


def test_the_note_exactly_done_failed_with_detail_and_for_an_unknown_user() -> None:
    assert triage_note(TriageAction.ARCHIVE, "U0ALICE", AT, OK) == (
        f"✅ Archived in GuardDuty by <@U0ALICE> · {_WHEN}"
    )
    assert triage_note(TriageAction.SUPPRESS, "U0ALICE", AT, OK, detail="gd2slack-ab&c") == (
        "✅ Suppression rule created: GuardDuty archives similar findings (gd2slack-ab&amp;c) "
        f"by <@U0ALICE> · {_WHEN}"
    )
    assert triage_note(TriageAction.ARCHIVE, "U0ALICE", AT, OK, detail="") == (
        f"✅ Archived in GuardDuty by <@U0ALICE> · {_WHEN}"
    )
    assert triage_note(TriageAction.NOT_USEFUL, "not-a-user", AT, "throttled") == (
        f"⚠️ Could not mark not useful this finding for an unknown user · {_WHEN}: throttled"
    )


def test_a_failure_reason_is_cut_at_600_characters() -> None:
    exact = triage_note(TriageAction.ARCHIVE, "U0ALICE", AT, "r" * 600)
    assert exact.endswith(": " + "r" * 600)
    cut = triage_note(TriageAction.ARCHIVE, "U0ALICE", AT, "r" * 601)
    assert not cut.endswith("r" * 600)
    assert len(cut) <= len(exact) + 1


def test_the_thread_reply_is_the_note_and_unfurls_nothing() -> None:
    note = triage_note(TriageAction.ARCHIVE, "U0ALICE", AT, OK)
    assert note_reply(note) == {
        "text": note,
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": note, "verbatim": True}]}
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def test_each_triage_button_is_a_plain_text_button() -> None:
    block = triage_actions(_CTX_TARGET, archived=False)
    labels = [element["text"] for element in block["elements"]]
    assert all(element["type"] == "button" for element in block["elements"])
    assert labels == [
        {"type": "plain_text", "text": text, "emoji": False}
        for text in (
            "Archive",
            "Useful",
            "Not useful",
            "Snooze 24 h",
            "Snooze 7 d",
            "Suppress similar…",
        )
    ]


def _modal_frame(view: dict[str, Any]) -> tuple[Any, ...]:
    return (view["type"], view["callback_id"], view["title"], view["submit"], view["close"])


def test_the_feedback_modal_frame_and_its_question() -> None:
    ctx = ModalContext(_CTX_TARGET, TriageAction.NOT_USEFUL, "C0ALERTS", "1796000000.000100")
    view = feedback_modal(ctx)
    assert _modal_frame(view) == (
        "modal",
        FEEDBACK_MODAL,
        {"type": "plain_text", "text": "Finding feedback", "emoji": False},
        {"type": "plain_text", "text": "Send", "emoji": False},
        {"type": "plain_text", "text": "Cancel", "emoji": False},
    )
    assert view["private_metadata"] == ctx.encode()
    assert view["blocks"][0]["text"]["text"] == (
        "Tell GuardDuty that finding `b4c6b1d1e6f0a5d2c3e4f5a6b7c8d9e0` was *not useful*."
    )
    useful = feedback_modal(ModalContext(_CTX_TARGET, TriageAction.USEFUL, "C0A", "1.2"))
    assert useful["blocks"][0]["text"]["text"].endswith("was *useful*.")


def test_the_suppress_modal_frame_and_the_conditions_one_per_line() -> None:
    rule = SuppressFilter(
        "Recon:EC2/PortProbe", ("resource.instanceDetails.instanceId", "i-1"), None
    )
    ctx = ModalContext(_CTX_TARGET, TriageAction.SUPPRESS, "C0ALERTS", "1796000000.000100")
    view = suppress_modal(ctx, rule, None)
    assert _modal_frame(view) == (
        "modal",
        SUPPRESS_MODAL,
        {"type": "plain_text", "text": "Suppress similar", "emoji": False},
        {"type": "plain_text", "text": "Create rule", "emoji": False},
        {"type": "plain_text", "text": "Cancel", "emoji": False},
    )
    assert view["blocks"][1] == {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": "• `type` equals `Recon:EC2/PortProbe`\n"
            "• `resource.instanceDetails.instanceId` equals `i-1`",
            "verbatim": True,
        },
    }
    ticked = SuppressFilter("Recon:EC2/Port`Probe", None, None)
    assert suppress_modal(ctx, ticked, "123456789012")["blocks"][1] == {
        "type": "section",
        "text": {"type": "plain_text", "text": "type equals Recon:EC2/Port`Probe", "emoji": False},
    }
    two = SuppressFilter("A&B`", ("resource.instanceDetails.instanceId", "i-1"), None)
    assert suppress_modal(ctx, two, None)["blocks"][1]["text"]["text"] == (
        "type equals A&amp;B`\nresource.instanceDetails.instanceId equals i-1"
    )


def test_the_feedback_comment_input_exactly() -> None:
    ctx = ModalContext(_CTX_TARGET, TriageAction.USEFUL, "C0ALERTS", "1796000000.000100")
    assert feedback_modal(ctx)["blocks"][1] == {
        "type": "input",
        "block_id": "comment",
        "optional": True,
        "label": {"type": "plain_text", "text": "Comment for GuardDuty (optional)", "emoji": False},
        "element": {
            "type": "plain_text_input",
            "action_id": "comment",
            "multiline": True,
            "max_length": 1000,
        },
    }


def test_the_suppress_modal_without_an_identifier_says_why_the_account_is_required() -> None:
    rule = SuppressFilter("Recon:EC2/PortProbe", None, None)
    ctx = ModalContext(_CTX_TARGET, TriageAction.SUPPRESS, "C0ALERTS", "1796000000.000100")
    blocks = suppress_modal(ctx, rule, "123456789012")["blocks"]
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert texts[0] == (
        "Create a GuardDuty suppression rule from finding `b4c6b1d1e6f0a5d2c3e4f5a6b7c8d9e0`. "
        "It matches findings where all of these hold:"
    )
    assert texts[2] == (
        "This finding's resource has no single identifier, so the rule must be limited to its "
        "account: a rule on the type alone would archive it in every account."
    )
    (scope,) = [b for b in blocks if b["type"] == "input"]
    assert scope == {
        "type": "input",
        "block_id": "scope",
        "optional": False,
        "label": {"type": "plain_text", "text": "Scope", "emoji": False},
        "element": {
            "type": "checkboxes",
            "action_id": "include_account",
            "options": [
                {
                    "text": {
                        "type": "plain_text",
                        "text": "Only in account 123456789012 (accountId equals 123456789012)",
                        "emoji": False,
                    },
                    "value": "account",
                }
            ],
        },
    }
