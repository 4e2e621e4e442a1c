"""Two publications of one finding in one batch: one message, with the newest data, and every
folded record's event id recorded (noise control against DynamoDB in moto)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.adapters.state import StateStore
from app.batch import recency
from app.config import load_config
from app.core.finding import parse_event
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from gd2slack.local.state_table import create_state_table
from tests.conftest import LogLines, minimal_event

TABLE = "merge-state"
FINDING = "e" * 32


@pytest.fixture
def notifier(slack: SlackReceiver) -> Iterator[Notifier]:
    with mock_aws():
        client = boto3.client("dynamodb")
        create_state_table(client, TABLE)
        config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": TABLE})
        yield Notifier(config, state=StateStore(TABLE, client))


def _publication(event_id: str, hour: int, severity: float, count: int, **detail: Any) -> Any:
    return minimal_event(
        FINDING,
        severity=severity,
        count=count,
        event_id=event_id,
        updated_at=f"2026-11-28T{hour:02d}:00:00Z",
        **detail,
    )


def _batch(*events: Any, prefix: str) -> dict[str, Any]:
    records = [{"messageId": f"{prefix}{i}", "body": json.dumps(e)} for i, e in enumerate(events)]
    return {"Records": records}


def _state() -> dict[str, Any]:
    item: dict[str, Any] = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": f"finding#{FINDING}"}}
    )["Item"]
    return item


def test_escalation_first_then_older_same_count_keeps_the_escalation(
    notifier: Notifier, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    context = LocalLambdaContext()
    assert notifier.handle(_batch(_publication("e1", 9, 5.0, 3), prefix="a"), context) == {
        "batchItemFailures": []
    }
    escalated, older = _publication("e3", 11, 8.0, 4), _publication("e2", 10, 5.0, 4)
    assert notifier.handle(_batch(escalated, older, prefix="b"), context) == {
        "batchItemFailures": []
    }
    messages = slack.accepted()
    assert len(messages) == 2
    text = json.dumps(messages[1], ensure_ascii=False)
    assert "severity Medium → High" in text and "High" in messages[1]["text"]
    assert "8.0" in text
    state = _state()
    assert state["notified_score"]["N"] == "8.0"
    # Every folded record's event is recorded: a redelivery of either posts nothing.
    notifier.handle(_batch(older, escalated, prefix="c"), context)
    assert {handler_logs.outcome_of(f"c{i}")["reason"] for i in range(2)} == {"duplicate-event"}
    # The next re-publication is a repeat, not "a severity increase" again.
    notifier.handle(_batch(_publication("e4", 12, 8.0, 5), prefix="d"), context)
    assert handler_logs.outcome_of("d0")["reason"] == "repeat"
    assert len(slack.accepted()) == 2


def test_same_publication_time_count_and_severity_the_later_record_wins(
    notifier: Notifier, slack: SlackReceiver
) -> None:
    first = _publication("t1", 9, 5.0, 1, title="first record")
    second = _publication("t2", 9, 5.0, 1, title="second record")
    notifier.handle(_batch(first, second, prefix="a"), LocalLambdaContext())
    (message,) = slack.accepted()
    assert "second record" in json.dumps(message) and "first record" not in json.dumps(message)


def test_recency_orders_by_updated_at_then_count_then_severity() -> None:
    def finding(hour: int, count: int, severity: float) -> Any:
        return parse_event(_publication("x", hour, severity, count))

    assert recency(finding(10, 1, 2.0)) > recency(finding(9, 50, 9.0))  # newer wins
    assert recency(finding(9, 5, 2.0)) > recency(finding(9, 4, 9.0))  # then the count
    assert recency(finding(9, 4, 8.0)) > recency(finding(9, 4, 5.0))  # then the severity
