"""Slack's pace per webhook, kept by the process: a 429's Retry-After delays every later message
to that webhook, not only the retried one; bursts stay within Slack's allowance. Virtual time."""

from __future__ import annotations

import json
from typing import Any

from app.adapters.pacing import Pacer, destination_key
from app.adapters.slack import SlackWebhookClient
from app.config import load_config
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import Reply, SlackReceiver
from tests.conftest import LogLines, minimal_event
from tests.virtual_time import VirtualClock, virtual_client


def _batch(count: int) -> dict[str, Any]:
    events = [minimal_event(f"{n:032x}", event_id=f"e{n}") for n in range(count)]
    return {
        "Records": [{"messageId": f"m{n}", "body": json.dumps(e)} for n, e in enumerate(events)]
    }


def _notifier(slack: SlackReceiver, clock: VirtualClock) -> Notifier:
    config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "DIGEST_THRESHOLD": "0"})
    return Notifier(config, slack=virtual_client(clock), clock=clock)


def test_retry_after_paces_the_rest_of_the_batch(slack: SlackReceiver) -> None:
    clock = VirtualClock()
    slack.script(Reply(429, "rate_limited", {"Retry-After": "3"}))
    result = _notifier(slack, clock).handle(_batch(4), LocalLambdaContext())
    assert result == {"batchItemFailures": []}
    # The first message waits Slack's 3 s; the next ones follow with the burst spent, slower
    # than 1/s at first (another environment may share the webhook), speeding back up with
    # each accepted message.
    assert clock.waits == [3.0, 2.0, 1.75, 1.5]
    assert [p.status for p in slack.posts] == [429, 200, 200, 200, 200]


def test_a_burst_goes_at_once_then_one_per_second(slack: SlackReceiver) -> None:
    clock = VirtualClock()
    assert _notifier(slack, clock).handle(_batch(6), LocalLambdaContext()) == {
        "batchItemFailures": []
    }
    assert clock.waits == [1.0, 1.0, 1.0]  # three at once (the burst), then Slack's pace
    assert len(slack.accepted()) == 6


def test_a_slot_beyond_the_record_budget_fails_the_record_soon(
    slack: SlackReceiver, handler_logs: LogLines
) -> None:
    clock = VirtualClock()
    slack.script(Reply(429, "rate_limited", {"Retry-After": "40"}))
    result = _notifier(slack, clock).handle(_batch(2), LocalLambdaContext(timeout_seconds=30))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}
    assert len(slack.posts) == 1  # the second record never hammered Slack during the wait
    assert (
        "Slack asked to wait 40.0s (HTTP 429 Retry-After)"
        in handler_logs.outcome_of("m0")["reason"]
    )
    assert "next slot at Slack's pace" in handler_logs.outcome_of("m1")["reason"]


def test_every_client_of_the_process_shares_one_pace() -> None:
    assert SlackWebhookClient().pacer is SlackWebhookClient().pacer


def test_pacer_keys_destinations_apart_and_never_keeps_the_secret() -> None:
    clock = VirtualClock()
    pacer = Pacer(rate_per_second=1, burst=1, clock=clock)
    a, b = destination_key("webhook", "https://hooks.slack.com/a"), destination_key("webhook", "b")
    assert "hooks.slack" not in a and a != b
    assert pacer.reserve(a, 10) == 0 and pacer.reserve(b, 10) == 0
    assert pacer.reserve(a, 10) == 1.0
    pacer.hold(b, 5)
    assert pacer.reserve(b, 4) is None  # not taken: the slot is beyond what the caller has
    assert pacer.reserve(b, 10) == 5.0
