"""Per-record input errors fail that record only: huge JSON integers (past Python's 4300-digit
limit) in an SQS body, and huge integers anywhere the tolerant readers look."""

from __future__ import annotations

import json
from typing import Any

from app.config import load_config
from app.core.finding import parse_event
from app.core.read import as_int, as_text
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from tests.conftest import FIXTURES, LogLines, minimal_event
from tests.finding_strategy import HUGE_INT

HUGE_RECORDS: list[dict[str, Any]] = json.loads(
    (FIXTURES / "hostile" / "sqs-records-huge-integers.json").read_text()
)


def test_huge_integers_in_sqs_bodies_fail_only_their_records(
    slack: SlackReceiver, handler_logs: LogLines
) -> None:
    fine = {"messageId": "fine", "body": json.dumps(minimal_event())}
    notifier = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
    result = notifier.handle({"Records": [*HUGE_RECORDS, fine]}, LocalLambdaContext())
    hostile_ids = [r["messageId"] for r in HUGE_RECORDS]
    assert result == {"batchItemFailures": [{"itemIdentifier": i} for i in hostile_ids]}
    assert len(slack.accepted()) == 1  # the innocent neighbour is delivered
    for message_id in hostile_ids:
        entry = handler_logs.outcome_of(message_id)
        assert entry["level"] == "ERROR" and "malformed event" in entry["reason"]
        assert "4300" in entry["reason"]  # says why, in Python's own words


def test_huge_integers_in_a_decoded_event_are_read_tolerantly(slack: SlackReceiver) -> None:
    """A direct invoke (or any decoder without the limit) hands us real huge ints."""
    event = minimal_event(severity=HUGE_INT)
    event["detail"]["id"] = HUGE_INT
    event["detail"]["service"]["count"] = HUGE_INT
    event["detail"]["resource"]["instanceDetails"]["instanceId"] = -HUGE_INT
    summary = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()})).handle(
        event, LocalLambdaContext()
    )
    assert summary["notified"] == 1 and summary["failed"] == 0
    finding = parse_event(event)
    assert finding.id.startswith("0x") and finding.score == 10.0


def test_tolerant_readers_never_raise_on_huge_integers() -> None:
    assert as_text(HUGE_INT) != as_text(HUGE_INT + 1)  # still tells ids apart
    assert as_text(-HUGE_INT).startswith("-0x")
    assert as_int(HUGE_INT) is None  # no count, port or number anything could use
    assert as_int(2**63 - 1) == 2**63 - 1 and as_int(12.0) == 12 and as_int("47") == 47
    assert as_int("9" * 5000) is None  # a 5000-character string is no count
