"""A validly signed request (someone holding the signing secret, or a replayed Slack payload
edited and re-signed) still cannot name another detector, region or account, smuggle keys, or
point the work at another message: refused before any GuardDuty or Lambda call (the Stubbers
hold no expected call, and every call is recorded before they answer)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from app.core.triage import TriageAction
from tests.conftest import LogLines
from tests.unit.interactions.harness import (
    ALERTS,
    ALICE,
    FINDING,
    NOW,
    Harness,
    harness,
    view_submission,
)


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws():
        yield from harness()


def value(h: Harness, **changes: Any) -> str:
    data = {"finding_id": FINDING, "detector_id": h.detector, "region": "us-east-1", **changes}
    return json.dumps(data)


def reason(logs: LogLines) -> str:
    (line,) = [e for e in logs.entries() if e["message"] == "triage refused"]
    return str(line["reason"])


@pytest.mark.parametrize(
    ("changes", "status", "why"),
    [
        ({"detector_id": "0" * 32}, 403, "another_detector"),
        ({"region": "eu-west-1"}, 403, "another_detector"),
        ({"account_id": "999999999999"}, 400, "bad_target"),
        ({"finding_id": FINDING + "/../other"}, 400, "bad_target"),
        ({"region": "us-east-1\nx"}, 400, "bad_target"),
        ({"finding_id": "a" * 2100}, 400, "bad_target"),
    ],
)
def test_a_signed_press_naming_anything_else_is_refused_before_any_aws_call(
    h: Harness, handler_logs: LogLines, changes: dict[str, Any], status: int, why: str
) -> None:
    for action in (TriageAction.ARCHIVE, TriageAction.SUPPRESS, TriageAction.USEFUL):
        handler_logs.lines.clear()
        answer = h.press(action, value=value(h, **changes))
        assert answer["statusCode"] == status
        assert reason(handler_logs) == why
    assert h.gd_calls == [] and h.lambda_calls == [] and h.ws.views == []


def test_a_value_that_is_not_json_or_not_an_object_is_refused(
    h: Harness, handler_logs: LogLines
) -> None:
    for bad in ("archive me", "[1]", json.dumps(FINDING), ""):
        handler_logs.lines.clear()
        assert h.press(TriageAction.ARCHIVE, value=bad)["statusCode"] == 400
        assert reason(handler_logs) == "bad_target"
    assert h.gd_calls == [] and h.lambda_calls == []


def _opened_feedback_view(h: Harness) -> dict[str, Any]:
    h.notify()
    h.press(TriageAction.USEFUL)
    view: dict[str, Any] = h.ws.views[-1]
    return view


@pytest.mark.parametrize(
    ("tamper", "status", "why"),
    [
        (lambda m: m | {"target": m["target"].replace("us-east-1", "eu-west-1")}, 403,
         "another_detector"),
        (lambda m: m | {"account": "999999999999"}, 400, "bad_target"),
        (lambda m: m | {"action": "archive"}, 400, "bad_target"),  # the feedback modal archives
        (lambda m: m | {"action": "suppress"}, 400, "bad_target"),  # not its modal
        (lambda m: m | {"channel": "#general"}, 400, "bad_target"),
    ],
)  # fmt: skip
def test_a_submission_is_validated_like_a_button_value(
    h: Harness, handler_logs: LogLines, tamper: Any, status: int, why: str
) -> None:
    view = _opened_feedback_view(h)
    metadata = tamper(json.loads(view["private_metadata"]))
    forged = {**view, "private_metadata": json.dumps(metadata)}
    handler_logs.lines.clear()
    assert h.send(view_submission(forged, {}))["statusCode"] == status
    assert reason(handler_logs) == why
    assert h.gd_calls == [] and h.lambda_calls == []


def test_a_submission_with_inputs_the_modal_never_had_is_refused(
    h: Harness, handler_logs: LogLines
) -> None:
    view = _opened_feedback_view(h)
    scope = {"scope": {"include_account": {"selected_options": [{"value": "account"}]}}}
    handler_logs.lines.clear()
    assert h.send(view_submission(view, scope))["statusCode"] == 400
    assert reason(handler_logs) == "malformed_payload"
    too_long = {"comment": {"comment": {"value": "x" * 1001}}}
    handler_logs.lines.clear()
    assert h.send(view_submission(view, too_long))["statusCode"] == 400
    assert h.lambda_calls == []


def test_authorization_is_checked_again_on_submission(h: Harness) -> None:
    view = _opened_feedback_view(h)  # opened by Alice
    assert h.send(view_submission(view, {}, user="U0CAROL"))["statusCode"] == 200
    assert h.ephemerals()[-1].ephemeral_to == "U0CAROL"
    assert h.ephemerals()[-1].text == "You are not allowed to mark useful findings here."
    assert h.lambda_calls == [] and h.gd_calls == []


def deferred(h: Harness, **changes: Any) -> dict[str, Any]:
    fields = {
        "action": "archive",
        "target": h.target.encode(),
        "user_id": ALICE,
        "channel": ALERTS,
        "comment": "",
        "include_account": False,
        "requested_at": NOW,
    }
    return {"gd2slack_triage": {**fields, **changes}}


@pytest.mark.parametrize(
    "changes",
    [
        {"target": json.dumps({"finding_id": FINDING, "detector_id": "0" * 32,
                               "region": "us-east-1"})},
        {"target": json.dumps({"finding_id": FINDING, "detector_id": "x", "region": "nowhere"})},
        {"account_id": "999999999999"},
        {"action": "delete"},
        {"user_id": "<!channel>"},
        {"include_account": "yes"},
        {"comment": "x" * 1001},
        {"requested_at": True},
    ],
)  # fmt: skip
def test_deferred_work_is_validated_before_any_call(
    h: Harness, handler_logs: LogLines, changes: dict[str, Any]
) -> None:
    assert h.handle(deferred(h, **changes)) == {"result": "refused"}
    assert h.gd_calls == [] and h.lambda_calls == [] and h.ws.calls == []
    assert [e["message"] for e in handler_logs.entries()] == ["triage work refused"]


def test_the_root_is_the_states_never_the_payloads(h: Harness) -> None:
    """A press from another message (or a forged ts/channel) still edits the finding's own
    root, found in the state table."""
    root = h.notify()
    other = h.ws.post_as(ALERTS, "U0BOB", "an unrelated message")
    h.expect_invoke()
    h.press(TriageAction.ARCHIVE, message_ts=other)
    h.expect_get_findings()
    h.stub_gd.add_response(
        "archive_findings", {}, {"DetectorId": h.detector, "FindingIds": [FINDING]}
    )
    assert h.run_deferred() == {"result": "ok"}
    edited = next(m for m in h.ws.visible(ALERTS) if m.ts == root.ts)
    assert len(edited.edits) == 1
    assert [m.text for m in h.ws.visible(ALERTS) if m.thread_ts == other] == []
    assert h.replies(root)[-1].text.startswith("✅ Archived")


def test_a_redelivered_work_event_is_done_once(h: Harness, handler_logs: LogLines) -> None:
    h.notify()
    h.expect_get_findings()
    h.stub_gd.add_response(
        "archive_findings", {}, {"DetectorId": h.detector, "FindingIds": [FINDING]}
    )
    assert h.handle(deferred(h)) == {"result": "ok"}
    assert h.handle(deferred(h)) == {"result": "duplicate"}
    assert h.gd_calls == ["GetFindings", "ArchiveFindings"]
