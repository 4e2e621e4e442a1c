"""Delivery against the real local receiver: retries, Retry-After, permanent errors, deadlines."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from app.adapters.pacing import Pacer
from app.adapters.slack import MAX_ATTEMPTS, SlackWebhookClient
from app.config import load_config
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import (
    ARCHIVED,
    CHANNEL_NOT_FOUND,
    FORBIDDEN,
    INVALID_PAYLOAD,
    REVOKED,
    SERVER_ERROR,
    Reply,
    SlackReceiver,
)
from tests.conftest import LogLines, minimal_event
from tests.virtual_time import VirtualClock, virtual_client


class RecordingSleep:
    """Records requested waits instead of spending them (real clock: deadline tests)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _notifier(slack: SlackReceiver, clock: VirtualClock) -> Notifier:
    config = load_config({"SLACK_WEBHOOK_URL": slack.url()})
    return Notifier(config, slack=virtual_client(clock), clock=clock)


def _batch(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [{"messageId": f"m{i}", "body": json.dumps(e)} for i, e in enumerate(events)]
    }


@pytest.fixture
def event() -> dict[str, Any]:
    return minimal_event()


def test_429_waits_retry_after_then_delivers_once(
    slack: SlackReceiver, event: dict[str, Any]
) -> None:
    slack.script(Reply(429, "rate_limited", {"Retry-After": "7"}))
    sleep = VirtualClock()
    result = _notifier(slack, sleep).handle(_batch(event), LocalLambdaContext(timeout_seconds=60))
    assert result == {"batchItemFailures": []}
    assert sleep.waits == [7.0]
    assert len(slack.accepted()) == 1
    assert [p.status for p in slack.posts] == [429, 200]


def test_5xx_then_ok_retries_with_backoff(slack: SlackReceiver, event: dict[str, Any]) -> None:
    slack.script(SERVER_ERROR, SERVER_ERROR)
    sleep = VirtualClock()
    result = _notifier(slack, sleep).handle(_batch(event), LocalLambdaContext())
    assert result == {"batchItemFailures": []}
    assert sleep.waits == [0.5, 1.0]  # exponential; jitter pinned to its ceiling here
    assert len(slack.accepted()) == 1


def test_5xx_forever_fails_the_record_after_bounded_attempts(
    slack: SlackReceiver, event: dict[str, Any]
) -> None:
    slack.script(*[SERVER_ERROR] * (MAX_ATTEMPTS + 3))
    result = _notifier(slack, VirtualClock()).handle(_batch(event), LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert len(slack.posts) == MAX_ATTEMPTS
    assert not slack.accepted()


@pytest.mark.parametrize(
    "reply", [INVALID_PAYLOAD, FORBIDDEN, CHANNEL_NOT_FOUND, REVOKED, ARCHIVED]
)
def test_permanent_errors_fail_at_once(
    slack: SlackReceiver, event: dict[str, Any], reply: Reply, handler_logs: LogLines
) -> None:
    slack.script(reply)
    sleep = VirtualClock()
    result = _notifier(slack, sleep).handle(_batch(event, event), LocalLambdaContext())
    # The second record repeats the first finding: merged into one message, failed with it,
    # so both come back from SQS (nothing lost, one POST).
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}
    assert len(slack.posts) == 1 and sleep.waits == []
    failure = handler_logs.outcome_of("m0")
    assert failure["outcome"] == "failed" and failure["level"] == "ERROR"
    assert str(reply.status) in failure["reason"] and reply.body in failure["reason"]


def test_hanging_slack_cannot_hold_the_batch_past_its_deadline(event: dict[str, Any]) -> None:
    with SlackReceiver() as slack:
        slack.script(Reply(delay=30))
        context = LocalLambdaContext(timeout_seconds=5)
        started = time.monotonic()
        client = SlackWebhookClient(sleep=RecordingSleep(), pacer=Pacer())
        notifier = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}), slack=client)
        result = notifier.handle(_batch(event), context)
        elapsed = time.monotonic() - started
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert elapsed < 5, "handler must return before the Lambda deadline"
    assert context.get_remaining_time_in_millis() > 0


def test_429_longer_than_the_deadline_leaves_the_record_to_sqs(
    slack: SlackReceiver, event: dict[str, Any]
) -> None:
    slack.script(Reply(429, "rate_limited", {"Retry-After": "120"}))
    sleep = VirtualClock()
    result = _notifier(slack, sleep).handle(_batch(event), LocalLambdaContext(timeout_seconds=30))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert sleep.waits == []
    assert len(slack.posts) == 1


def test_connection_refused_is_retried_then_fails(event: dict[str, Any]) -> None:
    receiver = SlackReceiver()
    url = receiver.url()
    receiver.stop()  # nothing listens on that port any more
    clock = VirtualClock()
    notifier = Notifier(
        load_config({"SLACK_WEBHOOK_URL": url}), slack=virtual_client(clock), clock=clock
    )
    result = notifier.handle(_batch(event), LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}


def test_our_own_backoff_is_not_reported_as_slacks_wait(
    slack: SlackReceiver, event: dict[str, Any], handler_logs: LogLines
) -> None:
    slack.script(*[SERVER_ERROR] * MAX_ATTEMPTS)
    clock = VirtualClock()
    # 3.5 s of invocation leave 1.5 s for the record: the second backoff (1 s) does not fit.
    result = _notifier(slack, clock).handle(_batch(event), LocalLambdaContext(timeout_seconds=3.5))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    reason = handler_logs.outcome_of("m0")["reason"]
    assert "our own retry backoff of 1.0s after HTTP 500" in reason
    assert "Slack asked" not in reason
