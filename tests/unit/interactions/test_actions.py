"""Each action end to end: the notifier's real root in the local Slack, a signed press, the
exact Lambda payload deferred, the work path's exact GuardDuty requests (Stubber; moto for
CreateFilter), then the root edited, the thread reply, the state item and the audit line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.core.triage import FEEDBACK_MODAL, SUPPRESS_MODAL, TriageAction
from tests.conftest import LogLines
from tests.slack_checks import assert_valid_payload
from tests.unit.interactions.harness import (
    ALERTS,
    ALICE,
    BOB,
    CAROL,
    FINDING,
    NOW,
    Harness,
    harness,
    moto_after_get_findings,
    view_submission,
)

UTC_TEXT = datetime.fromtimestamp(NOW, UTC).strftime("%Y-%m-%d %H:%M UTC")
DATE = f"<!date^{NOW}^{{date_short_pretty}} {{time}}|{UTC_TEXT}>"


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws():
        yield from harness()


def work(h: Harness, action: str, **fields: Any) -> dict[str, Any]:
    """The deferred payload as the brief defines it, written out here."""
    return {
        "gd2slack_triage": {
            "action": action,
            "target": json.dumps(
                {"detector_id": h.detector, "finding_id": FINDING, "region": "us-east-1"},
                separators=(",", ":"),
                sort_keys=True,
            ),
            "user_id": ALICE,
            "channel": ALERTS,
            "comment": "",
            "include_account": False,
            "requested_at": NOW,
            **fields,
        }
    }


def audits(logs: LogLines) -> list[dict[str, Any]]:
    return [e for e in logs.entries() if e["message"] == "triage"]


def context_texts(blocks: list[dict[str, Any]] | None) -> list[str]:
    return [
        element["text"]
        for block in blocks or []
        if block["type"] == "context"
        for element in block["elements"]
    ]


def triage_ids(blocks: list[dict[str, Any]] | None) -> list[str]:
    return [
        e["action_id"] for b in blocks or [] if b.get("block_id") == "triage" for e in b["elements"]
    ]


def test_archive_defers_exactly_then_archives_edits_the_root_and_replies(
    h: Harness, handler_logs: LogLines
) -> None:
    root = h.notify()
    assert "triage_archive" in triage_ids(root.blocks)
    h.expect_invoke()
    assert h.press(TriageAction.ARCHIVE)["statusCode"] == 200
    assert h.invoked == [work(h, "archive")]
    assert h.gd_calls == []  # nothing slow on the request path

    h.expect_get_findings()
    h.stub_gd.add_response(
        "archive_findings", {}, {"DetectorId": h.detector, "FindingIds": [FINDING]}
    )
    assert h.run_deferred() == {"result": "ok"}
    h.stub_gd.assert_no_pending_responses()
    assert h.gd_calls == ["GetFindings", "ArchiveFindings"]

    note = f"✅ Archived in GuardDuty by <@{ALICE}> · {DATE}"
    (edited,) = h.roots()
    assert edited.ts == root.ts and len(edited.edits) == 1
    assert note in context_texts(edited.blocks)
    assert any("Archived in GuardDuty" in t for t in context_texts(edited.blocks))  # status
    assert triage_ids(edited.blocks)[0] == "triage_unarchive"
    assert_valid_payload({"text": edited.text, "blocks": edited.blocks}, mentions=[f"@{ALICE}"])
    reply = h.replies(root)[-1]
    assert reply.text == note and reply.metadata == {
        "event_type": "guardduty_triage",
        "event_payload": {"finding_id": FINDING, "action": "archive"},
    }
    assert h.item()["triage_note"] == {"S": note}
    (line,) = audits(handler_logs)
    assert {k: line[k] for k in ("user_id", "action", "finding_id", "result")} == {
        "user_id": ALICE,
        "action": "archive",
        "finding_id": FINDING,
        "result": "ok",
    }


def test_unarchive_calls_unarchive_findings(h: Harness) -> None:
    root = h.notify()
    h.expect_invoke()
    h.press(TriageAction.UNARCHIVE)
    assert h.invoked == [work(h, "unarchive")]
    detail = h.event()["detail"]
    detail["service"]["archived"] = True
    h.expect_get_findings(detail)
    h.stub_gd.add_response(
        "unarchive_findings", {}, {"DetectorId": h.detector, "FindingIds": [FINDING]}
    )
    assert h.run_deferred() == {"result": "ok"}
    h.stub_gd.assert_no_pending_responses()
    (edited,) = h.roots()
    assert triage_ids(edited.blocks)[0] == "triage_archive"
    assert h.replies(root)[-1].text.startswith("✅ Unarchived in GuardDuty by <@U0ALICE>")


@pytest.mark.parametrize(
    ("action", "comment", "feedback"),
    [
        (TriageAction.USEFUL, "Seen before: the red team's scanner", "USEFUL"),
        (TriageAction.NOT_USEFUL, "", "NOT_USEFUL"),
    ],
)
def test_feedback_opens_a_modal_then_sends_the_feedback_with_the_comment(
    h: Harness, action: TriageAction, comment: str, feedback: str
) -> None:
    root = h.notify()
    assert h.press(action)["statusCode"] == 200
    assert h.lambda_calls == [] and h.gd_calls == []  # the modal opens at once, nothing deferred
    view = h.ws.views[-1]
    assert view["callback_id"] == FEEDBACK_MODAL and view["user"] == ALICE
    values = {"comment": {"comment": {"type": "plain_text_input", "value": comment or None}}}
    h.expect_invoke()
    answer = h.send(view_submission(view, values))
    assert answer == {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": ""}
    assert h.invoked == [work(h, action.value, comment=comment)]

    h.expect_get_findings()
    expected: dict[str, Any] = {
        "DetectorId": h.detector,
        "FindingIds": [FINDING],
        "Feedback": feedback,
    }
    if comment:
        expected["Comments"] = comment
    h.stub_gd.add_response("update_findings_feedback", {}, expected)
    assert h.run_deferred() == {"result": "ok"}
    h.stub_gd.assert_no_pending_responses()
    reply = h.replies(root)[-1].text
    assert reply.startswith(f"✅ Marked {'useful' if feedback == 'USEFUL' else 'not useful'}")
    assert comment not in reply or not comment  # the comment goes to GuardDuty, not to Slack


@pytest.mark.parametrize(("action", "seconds"), [("snooze_24h", 86_400), ("snooze_7d", 604_800)])
def test_snooze_writes_snoozed_until_in_the_state_table(
    h: Harness, action: str, seconds: int
) -> None:
    root = h.notify()
    h.expect_invoke()
    h.press(TriageAction(action))
    assert h.invoked == [work(h, action)]
    h.expect_get_findings()
    assert h.run_deferred() == {"result": "ok"}
    assert h.gd_calls == ["GetFindings"]  # a snooze is ours alone: GuardDuty is not told
    item = h.item()
    assert item["snoozed_until"] == {"N": str(NOW + seconds)}
    assert item["triage_note"]["S"].startswith("✅ Snoozed")
    assert f"until <!date^{NOW + seconds}^" in item["triage_note"]["S"]
    assert h.replies(root)[-1].text == item["triage_note"]["S"]
    assert item["triage_note"]["S"] in context_texts(h.roots()[0].blocks)


def test_suppress_shows_the_filter_then_creates_exactly_it(h: Harness) -> None:
    root = h.notify()
    h.expect_get_findings()  # the modal shows the filter: the finding is looked up first
    assert h.press(TriageAction.SUPPRESS)["statusCode"] == 200
    assert h.gd_calls == ["GetFindings"] and h.lambda_calls == []
    view = h.ws.views[-1]
    assert view["callback_id"] == SUPPRESS_MODAL
    shown = json.dumps(view["blocks"])
    instance = h.event()["detail"]["resource"]["instanceDetails"]["instanceId"]
    assert "resource.instanceDetails.instanceId" in shown and instance in shown

    option = {"text": {"type": "plain_text", "text": "Only in account"}, "value": "account"}
    ticked = {"scope": {"include_account": {"type": "checkboxes", "selected_options": [option]}}}
    h.expect_invoke()
    assert h.send(view_submission(view, ticked))["statusCode"] == 200
    assert h.invoked == [work(h, "suppress", include_account=True)]

    h.expect_get_findings()
    moto_after_get_findings(h)
    assert h.run_deferred() == {"result": "ok"}
    reply = h.replies(root)[-1].text
    name = reply.split("(rule ")[1].split(")")[0]
    created = boto3.client("guardduty").get_filter(DetectorId=h.detector, FilterName=name)
    assert created["Action"] == "ARCHIVE"
    assert created["FindingCriteria"] == {
        "Criterion": {
            "type": {"Equals": [h.event()["detail"]["type"]]},
            "resource.instanceDetails.instanceId": {"Equals": [instance]},
            "accountId": {"Equals": ["123456789012"]},
        }
    }
    assert reply.startswith("✅ Suppression rule created")


def test_a_user_not_allowed_gets_an_ephemeral_and_nothing_changes(
    h: Harness, handler_logs: LogLines
) -> None:
    root = h.notify()
    before = [m.ts for m in h.ws.visible(ALERTS)]
    assert h.press(TriageAction.ARCHIVE, user=CAROL)["statusCode"] == 200
    (ephemeral,) = h.ephemerals()
    assert ephemeral.ephemeral_to == CAROL
    assert ephemeral.text == "You are not allowed to archive findings here."
    assert h.lambda_calls == [] and h.gd_calls == []
    assert [m.ts for m in h.ws.visible(ALERTS)] == before and not h.roots()[0].edits
    assert root.ts == h.roots()[0].ts
    (line,) = audits(handler_logs)
    assert (line["user_id"], line["action"], line["result"]) == (CAROL, "archive", "not_allowed")


def test_a_user_group_member_is_allowed_by_usergroups_users_list_cached_briefly(
    h: Harness,
) -> None:
    h.notify()
    h.expect_invoke()
    assert h.press(TriageAction.ARCHIVE, user=BOB)["statusCode"] == 200
    assert h.invoked and h.invoked[0]["gd2slack_triage"]["user_id"] == BOB
    lookups = [c for c in h.ws.calls if c.method == "usergroups.users.list"]
    assert [c.params.get("usergroup") for c in lookups] == ["S0ONCALL"]
    h.expect_invoke()
    h.press(TriageAction.ARCHIVE, user=BOB)
    assert len([c for c in h.ws.calls if c.method == "usergroups.users.list"]) == 1  # cached
    h.clock.now += 61  # the cache is brief: a member removed loses access within a minute
    h.ws.usergroups["S0ONCALL"] = []
    assert h.press(TriageAction.ARCHIVE, user=BOB)["statusCode"] == 200
    assert len([c for c in h.ws.calls if c.method == "usergroups.users.list"]) == 2
    assert h.lambda_calls == ["Invoke", "Invoke"]
    assert h.ephemerals()[-1].text == "You are not allowed to archive findings here."


def test_a_group_grants_only_its_permission(h: Harness) -> None:
    h.notify()
    assert h.press(TriageAction.SNOOZE_24H, user=BOB)["statusCode"] == 200
    assert h.ephemerals()[-1].text == "You are not allowed to snooze findings here."
    assert h.lambda_calls == []


def test_unreadable_user_groups_refuse_the_press(h: Harness, handler_logs: LogLines) -> None:
    h.notify()
    del h.ws.usergroups["S0ONCALL"]  # Slack answers no_such_subteam
    assert h.press(TriageAction.ARCHIVE, user=BOB)["statusCode"] == 200
    assert h.ephemerals()[-1].text == "Could not check your user groups; try again."
    assert h.lambda_calls == []
    assert audits(handler_logs)[-1]["result"] == "membership_unknown"


def test_a_digested_finding_gets_the_reply_and_its_shared_root_is_not_edited(h: Harness) -> None:
    others = [f"{n:032x}" for n in range(1, 6)]  # six findings: above the threshold of five
    digest = h.notify(*others)
    assert h.item()["in_digest"] == {"BOOL": True} and h.item()["root_ts"] == {"S": digest.ts}
    h.expect_invoke()
    h.press(TriageAction.ARCHIVE)
    h.expect_get_findings()
    h.stub_gd.add_response(
        "archive_findings", {}, {"DetectorId": h.detector, "FindingIds": [FINDING]}
    )
    assert h.run_deferred() == {"result": "ok"}
    assert not h.roots()[0].edits  # the digest's root is every finding's, not this one's
    assert h.replies(digest)[-1].text.startswith("✅ Archived in GuardDuty by <@U0ALICE>")
