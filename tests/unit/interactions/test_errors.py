"""GuardDuty's errors on the work path (throttling, a member finding's archive denied, a
finding that is gone) and a finding with no root: a thread reply (or an ephemeral) naming the
problem, the audit line's result, the root untouched, and nothing raised out of the handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from app.core.triage import TriageAction
from gd2slack.local.slack_web_api import SERVER_ERROR
from tests.conftest import LogLines
from tests.unit.interactions.harness import ALICE, FINDING, Harness, harness


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws():
        yield from harness()


def audit_line(logs: LogLines) -> dict[str, Any]:
    (line,) = [e for e in logs.entries() if e["message"] == "triage"]
    return line


def press_and_defer(h: Harness, action: TriageAction = TriageAction.ARCHIVE) -> Any:
    root = h.notify()
    h.expect_invoke()
    assert h.press(action)["statusCode"] == 200
    return root


IDS = {"FindingIds": [FINDING]}


@pytest.mark.parametrize(
    "case",
    [
        ("ThrottlingException", 429, "Rate exceeded", "throttled", "GuardDuty is throttling"),
        (
            "AccessDeniedException",
            403,
            "User is not authorized to perform: guardduty:ArchiveFindings",
            "administrator_only",
            "only the GuardDuty administrator account can archive or unarchive a member",
        ),
        (
            "BadRequestException",
            400,
            "The request is rejected because the current account is a member account.",
            "administrator_only",
            "only the GuardDuty administrator account can archive",
        ),
        (
            "BadRequestException",
            400,
            "The request is rejected because the finding was not found.",
            "not_found",
            "GuardDuty has no such finding",
        ),
    ],
)
def test_an_archive_error_becomes_a_thread_reply_and_an_audit_result(
    h: Harness, handler_logs: LogLines, case: tuple[str, int, str, str, str]
) -> None:
    code, status, message, result, says = case
    root = press_and_defer(h)
    h.expect_get_findings()
    h.stub_gd.add_client_error(
        "archive_findings",
        service_error_code=code,
        service_message=message,
        http_status_code=status,
        expected_params={"DetectorId": h.detector, **IDS},
    )
    assert h.run_deferred() == {"result": result}
    h.stub_gd.assert_no_pending_responses()
    reply = h.replies(root)[-1].text
    assert reply.startswith("⚠️ Could not archive this finding for <@U0ALICE>")
    assert says in reply
    assert not h.roots()[0].edits  # the root shows only what was done
    assert "triage_note" not in h.item()
    line = audit_line(handler_logs)
    assert (line["user_id"], line["action"], line["finding_id"]) == (ALICE, "archive", FINDING)
    assert line["result"] == result and says in line["detail"]


def test_a_finding_gone_from_guardduty_is_said_so(h: Harness, handler_logs: LogLines) -> None:
    root = press_and_defer(h)
    h.stub_gd.add_response("get_findings", {"Findings": []}, {"DetectorId": h.detector, **IDS})
    assert h.run_deferred() == {"result": "not_found"}
    assert "GuardDuty has no such finding in this detector" in h.replies(root)[-1].text
    assert h.gd_calls == ["GetFindings"]  # nothing done to a finding it could not read
    assert audit_line(handler_logs)["result"] == "not_found"


def test_get_findings_throttled_is_reported_not_raised(h: Harness) -> None:
    root = press_and_defer(h, TriageAction.SNOOZE_24H)
    h.stub_gd.add_client_error(
        "get_findings", service_error_code="ThrottlingException", http_status_code=400
    )
    assert h.run_deferred() == {"result": "throttled"}
    assert "GuardDuty is throttling GetFindings" in h.replies(root)[-1].text
    assert "snoozed_until" not in h.item()


def test_snoozing_a_finding_never_notified_tells_the_user_privately(h: Harness) -> None:
    h.expect_get_findings()
    assert h.handle(
        {
            "gd2slack_triage": {
                "action": "snooze_7d",
                "target": h.target.encode(),
                "user_id": ALICE,
                "channel": "C0ALERTS",
                "comment": "",
                "include_account": False,
                "requested_at": 1_796_000_000,
            }
        }
    ) == {"result": "no_state"}
    (ephemeral,) = h.ephemerals()
    assert ephemeral.ephemeral_to == ALICE
    assert ephemeral.text.startswith("⚠️ Could not snooze this finding")
    assert "no notification state here" in ephemeral.text


def test_suppress_without_an_identifier_or_the_account_is_refused_clearly(h: Harness) -> None:
    root = h.notify()
    detail = h.event()["detail"]
    detail["resource"] = {"resourceType": "QuantumComputer"}
    h.expect_get_findings(detail)
    work = {
        "action": "suppress",
        "target": h.target.encode(),
        "user_id": ALICE,
        "channel": "C0ALERTS",
        "comment": "",
        "include_account": False,
        "requested_at": 1_796_000_001,
    }
    assert h.handle({"gd2slack_triage": work}) == {"result": "refused"}
    reply = h.replies(root)[-1].text
    assert "no single identifier" in reply and "Limit it to the account" in reply
    assert h.gd_calls == ["GetFindings"]


def test_slack_failing_on_the_work_path_is_logged_not_raised(
    h: Harness, handler_logs: LogLines
) -> None:
    press_and_defer(h)
    h.expect_get_findings()
    h.stub_gd.add_response("archive_findings", {}, {"DetectorId": h.detector, **IDS})
    h.ws.inject("chat.update", SERVER_ERROR, times=4)
    assert h.run_deferred() == {"result": "ok"}  # GuardDuty did it; Slack was not told
    assert audit_line(handler_logs)["told"] == "failed"
    assert any(e["message"] == "triage: Slack not told" for e in handler_logs.entries())


def test_suppress_whose_finding_cannot_be_read_says_so_privately(
    h: Harness, handler_logs: LogLines
) -> None:
    h.notify()
    h.stub_gd.add_client_error(
        "get_findings",
        service_error_code="AccessDeniedException",
        http_status_code=403,
        expected_params={"DetectorId": h.detector, **IDS},
    )
    assert h.press(TriageAction.SUPPRESS)["statusCode"] == 200
    text = h.ephemerals()[-1].text
    assert text.startswith("Cannot suppress similar findings: GuardDuty denied GetFindings")
    assert h.ws.views == [] and h.lambda_calls == []
    assert audit_line(handler_logs)["result"] == "access_denied"
