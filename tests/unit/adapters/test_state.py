"""Noise control and idempotency against DynamoDB (moto) and the real local receiver."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from app.adapters.state import ClaimLost, StateStore
from app.config import load_config
from app.core.finding import Finding, parse_event
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SERVER_ERROR, Reply, SlackReceiver
from gd2slack.local.state_table import create_state_table
from tests.conftest import LogLines, minimal_event
from tests.slack_checks import assert_valid_payload

TABLE = "gd2slack-test-state"


@pytest.fixture
def table() -> Iterator[str]:
    with mock_aws():
        create_state_table(boto3.client("dynamodb"), TABLE)
        yield TABLE


def notifier(slack: SlackReceiver, **env: str) -> Notifier:
    config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": TABLE, **env})
    return Notifier(config, state=StateStore(TABLE, boto3.client("dynamodb")))


def batch(*events: dict[str, Any], prefix: str = "m") -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"{prefix}{i}", "body": json.dumps(e)} for i, e in enumerate(events)
        ]
    }


def republication(n: int, count: int, severity: float = 5.0) -> dict[str, Any]:
    return minimal_event(
        "f" * 32,
        severity=severity,
        count=count,
        event_id=f"evt-{n}",
        updated_at=f"2026-11-28T{9 + n:02d}:00:00Z",
    )


def test_republications_are_suppressed_and_escalations_notified(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    n = notifier(slack)
    for i, (count, severity) in enumerate(
        [(1, 5.0), (2, 5.0), (5, 5.0), (12, 5.0), (13, 8.0), (14, 8.0)]
    ):
        assert n.handle(
            batch(republication(i, count, severity), prefix=f"b{i}-"), LocalLambdaContext()
        ) == {"batchItemFailures": []}
    outcomes = [handler_logs.outcome_of(f"b{i}-0") for i in range(6)]
    assert [(o["outcome"], o["reason"]) for o in outcomes] == [
        ("delivered", "first-sight"),
        ("suppressed", "repeat"),
        ("suppressed", "repeat"),
        ("delivered", "count-milestone"),
        ("delivered", "severity-increase"),
        ("suppressed", "repeat"),
    ]
    messages = slack.accepted()
    assert len(messages) == 3
    assert "count 1 → 12 since" in json.dumps(messages[1], ensure_ascii=False)
    assert "severity Medium → High" in json.dumps(messages[2], ensure_ascii=False)
    for payload in messages:
        assert_valid_payload(payload)
    item = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": "finding#" + "f" * 32}}
    )["Item"]
    assert item["notified_count"]["N"] == "13" and item["seen_count"]["N"] == "14"
    assert "lease_owner" not in item and int(item["expires_at"]["N"]) > 0


def test_duplicate_event_id_never_posts_twice(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    n = notifier(slack)
    event = republication(0, 1)
    n.handle(batch(event, prefix="a"), LocalLambdaContext())
    n.handle(batch(event, prefix="b"), LocalLambdaContext())
    assert len(slack.accepted()) == 1
    assert handler_logs.outcome_of("b0")["reason"] == "duplicate-event"


def test_failed_post_then_success_then_redelivery_posts_once(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    from app.adapters.slack import SlackWebhookClient

    n = notifier(slack)
    n.slack = SlackWebhookClient(sleep=lambda s: None)
    event = republication(0, 1)
    slack.script(*[SERVER_ERROR] * 4)
    assert n.handle(batch(event, prefix="a"), LocalLambdaContext()) == {
        "batchItemFailures": [{"itemIdentifier": "a0"}]
    }
    assert slack.accepted() == []
    assert n.handle(batch(event, prefix="b"), LocalLambdaContext()) == {"batchItemFailures": []}
    assert n.handle(batch(event, prefix="c"), LocalLambdaContext()) == {"batchItemFailures": []}
    assert len(slack.accepted()) == 1
    assert handler_logs.outcome_of("c0")["reason"] == "duplicate-event"


def test_concurrent_batches_with_the_same_finding_send_one_message(table: str) -> None:
    with SlackReceiver() as slack:
        slack.script(Reply(delay=0.5))  # the first POST is in flight while the second batch runs
        first, second = notifier(slack), notifier(slack)
        results: dict[str, Any] = {}
        started = threading.Event()

        def run_first() -> None:
            started.set()
            results["first"] = first.handle(
                batch(republication(0, 1), prefix="x"), LocalLambdaContext()
            )

        thread = threading.Thread(target=run_first)
        thread.start()
        started.wait()
        while thread.is_alive() and not _claimed():
            time.sleep(0.01)  # wait (not assert) until the first batch holds its claim
        results["second"] = second.handle(
            batch(republication(1, 1), prefix="y"), LocalLambdaContext()
        )
        thread.join()
        assert results["first"] == {"batchItemFailures": []}
        # The loser is not dropped: it fails, SQS redelivers it, and then it is a repeat.
        assert results["second"] == {"batchItemFailures": [{"itemIdentifier": "y0"}]}
        retry = second.handle(batch(republication(1, 1), prefix="z"), LocalLambdaContext())
        assert retry == {"batchItemFailures": []}
        assert len(slack.accepted()) == 1


def _claimed() -> bool:
    item = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={"pk": {"S": "finding#" + "f" * 32}}
    )
    return "lease_owner" in item.get("Item", {})


def test_digest_for_a_burst_counts_every_finding_as_notified(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    n = notifier(slack, DIGEST_THRESHOLD="3")
    events = [minimal_event(f"{i:032x}", event_id=f"e{i}", severity=2.0 + i) for i in range(7)]
    assert n.handle(batch(*events), LocalLambdaContext()) == {"batchItemFailures": []}
    (digest,) = slack.accepted()
    assert_valid_payload(digest)
    assert digest["blocks"][0]["text"]["text"].endswith("7 GuardDuty findings")
    assert {handler_logs.outcome_of(f"m{i}")["outcome"] for i in range(7)} == {"digested"}
    again = [minimal_event(f"{i:032x}", event_id=f"r{i}", severity=2.0 + i) for i in range(7)]
    n.handle(batch(*again, prefix="r"), LocalLambdaContext())
    assert {handler_logs.outcome_of(f"r{i}")["reason"] for i in range(7)} == {"repeat"}
    assert len(slack.accepted()) == 1


def test_digest_with_hundreds_of_lines_stays_within_limits(
    table: str, slack: SlackReceiver
) -> None:
    from app.core.finding import parse_event
    from app.render.message import render_digest

    findings = [parse_event(minimal_event(f"{i:032x}", severity=9.0)) for i in range(300)]
    payload = render_digest(findings, "default")
    assert_valid_payload(payload)
    assert "more" in payload["blocks"][-1]["elements"][0]["text"]


def test_dynamodb_missing_table_fails_the_record_without_posting(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": "no-such-table"})
    n = Notifier(config, state=StateStore("no-such-table", boto3.client("dynamodb")))
    assert n.handle(batch(republication(0, 1)), LocalLambdaContext()) == {
        "batchItemFailures": [{"itemIdentifier": "m0"}]
    }
    assert slack.posts == []
    entry = handler_logs.outcome_of("m0")
    assert entry["level"] == "ERROR" and "ResourceNotFoundException" in entry["reason"]


def test_dynamodb_throttling_fails_the_record_without_posting(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    client = boto3.client("dynamodb")
    n = Notifier(
        load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": TABLE}),
        state=StateStore(TABLE, client),
    )
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_item", "ProvisionedThroughputExceededException", http_status_code=400
        )
        result = n.handle(batch(republication(0, 1)), LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert slack.posts == []
    assert "ProvisionedThroughputExceededException" in handler_logs.outcome_of("m0")["reason"]


def test_state_write_failure_after_delivery_does_not_fail_the_record(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    """Slack already has the message: failing the record would post it twice."""
    client = boto3.client("dynamodb")
    n = Notifier(
        load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": TABLE}),
        state=StateStore(TABLE, client),
    )
    with Stubber(client) as stub:
        stub.add_response("get_item", {})  # event not sent before
        stub.add_response("get_item", {})  # no finding state
        stub.add_response("update_item", {})  # claim
        stub.add_client_error("transact_write_items", "InternalServerError", http_status_code=500)
        result = n.handle(batch(republication(0, 1)), LocalLambdaContext())
    assert result == {"batchItemFailures": []}
    assert len(slack.accepted()) == 1
    assert any("state was not recorded" in e["message"] for e in handler_logs.entries())


def test_nothing_lost_every_record_has_an_outcome(
    table: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    slack.script(SERVER_ERROR, SERVER_ERROR, SERVER_ERROR, SERVER_ERROR)
    from app.adapters.slack import SlackWebhookClient

    n = notifier(slack, MIN_SEVERITY="MEDIUM")
    n.slack = SlackWebhookClient(sleep=lambda s: None)
    events = [republication(0, 1), minimal_event("b" * 32, event_id="e2", severity=2.0), "garbage"]
    records = {
        "Records": [
            {"messageId": f"m{i}", "body": e if isinstance(e, str) else json.dumps(e)}
            for i, e in enumerate(events)
        ]
    }
    result = n.handle(records, LocalLambdaContext())
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert failed == {"m0", "m2"}
    assert handler_logs.outcome_of("m1")["reason"] == "below-threshold"


def test_huge_hostile_ids_still_get_a_valid_state_key(table: str, slack: SlackReceiver) -> None:
    n = notifier(slack)
    event = minimal_event("x" * 5000, event_id="e" * 5000)
    assert n.handle(batch(event), LocalLambdaContext()) == {"batchItemFailures": []}
    assert n.handle(batch(event, prefix="again"), LocalLambdaContext()) == {"batchItemFailures": []}
    assert len(slack.accepted()) == 1


# ----- triage items (docs/architecture.md#triage) -----
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def stack_table() -> Iterator[Any]:
    """The state table as the runtime stack declares it (StateTable: ``pk`` string hash key,
    on demand, TTL on ``expires_at``)."""
    with mock_aws():
        client = boto3.client("dynamodb")
        create_state_table(client, TABLE)
        yield client


def _store(client: Any, now: datetime = NOW) -> StateStore:
    return StateStore(TABLE, client, now=lambda: now)


def _notified(store: StateStore, finding_id: str = "f" * 32) -> Finding:
    """A finding notified once, through the notifier's own claim and confirm."""
    finding = parse_event(minimal_event(finding_id, count=3, event_id="evt-notified"))
    store.claim(finding, None, "owner-1", 30)
    store.confirm(finding, None, "owner-1")
    return finding


def _item(client: Any, pk: str) -> dict[str, Any]:
    item: dict[str, Any] = client.get_item(TableName=TABLE, Key={"pk": {"S": pk}})["Item"]
    return item


def test_first_request_refuses_the_same_signature_again(stack_table: Any) -> None:
    store = _store(stack_table)
    signature = "v0=" + "a" * 64
    assert store.first_request(signature) is True
    assert store.first_request(signature) is False
    assert _store(stack_table, NOW + timedelta(minutes=3)).first_request(signature) is False
    assert store.first_request("v0=" + "b" * 64) is True
    digest = hashlib.sha256(signature.encode()).hexdigest()
    item = _item(stack_table, f"request#{digest}")
    # Kept 10 minutes: longer than Slack's 5-minute timestamp window.
    assert int(item["expires_at"]["N"]) == int((NOW + timedelta(minutes=10)).timestamp())
    assert signature not in json.dumps(stack_table.scan(TableName=TABLE)["Items"])


def test_snooze_sets_the_silence_and_outlives_it(stack_table: Any) -> None:
    store = _store(stack_table)
    finding = _notified(store)
    before = _item(stack_table, f"finding#{finding.id}")
    until = NOW + timedelta(days=7)
    store.snooze(finding.id, until, "Snoozed 7 d by <@U0ALICE>")
    after = _item(stack_table, f"finding#{finding.id}")
    assert int(after["snoozed_until"]["N"]) == int(until.timestamp())
    assert int(after["expires_at"]["N"]) == int((until + timedelta(days=7)).timestamp())
    assert int(after["expires_at"]["N"]) > int(before["expires_at"]["N"])
    assert after["version"] == before["version"]  # the notification protocol is not moved
    state = store.read(finding.id)
    assert state is not None
    assert state.snoozed_until == until
    assert state.triage_note == "Snoozed 7 d by <@U0ALICE>"


def test_snooze_and_record_triage_refuse_a_finding_never_notified(stack_table: Any) -> None:
    store = _store(stack_table)
    with pytest.raises(ClaimLost):
        store.snooze("0" * 32, NOW + timedelta(hours=24), "Snoozed")
    with pytest.raises(ClaimLost):
        store.record_triage("0" * 32, "Archived")
    assert stack_table.scan(TableName=TABLE)["Items"] == []  # nothing created
    # Claimed but never confirmed: nothing notified (no root in Slack), so no snooze either.
    finding = parse_event(minimal_event("1" * 32))
    store.claim(finding, None, "owner-1", 30)
    with pytest.raises(ClaimLost):
        store.snooze(finding.id, NOW + timedelta(hours=24), "Snoozed")
    # First seen archived: the item exists (note-activity made it, version 1), nothing notified.
    archived = parse_event(minimal_event("2" * 32))
    store.note_activity(replace(archived, archived=True), None)
    assert "version" in _item(stack_table, f"finding#{archived.id}")
    with pytest.raises(ClaimLost):
        store.snooze(archived.id, NOW + timedelta(hours=24), "Snoozed")
    with pytest.raises(ClaimLost):
        store.record_triage(archived.id, "Archived")
    assert "triage_note" not in _item(stack_table, f"finding#{archived.id}")


def test_record_triage_sets_the_note_only(stack_table: Any) -> None:
    store = _store(stack_table)
    finding = _notified(store)
    before = _item(stack_table, f"finding#{finding.id}")
    store.record_triage(finding.id, "Archived by <@U0ALICE>")
    after = _item(stack_table, f"finding#{finding.id}")
    assert after.pop("triage_note") == {"S": "Archived by <@U0ALICE>"}
    assert after == before
    state = store.read(finding.id)
    assert state is not None
    assert (state.triage_note, state.snoozed_until) == ("Archived by <@U0ALICE>", None)
    store.record_triage(finding.id, "x" * 5000)
    assert len(_item(stack_table, f"finding#{finding.id}")["triage_note"]["S"]) == 1000


def test_the_notifier_keeps_what_triage_wrote(stack_table: Any) -> None:
    """A snooze between the notifier's read and its claim: the claim still holds (the version
    did not move), and neither confirm nor note-activity overwrites the snooze or the note."""
    store = _store(stack_table)
    finding = _notified(store)
    previous = store.read(finding.id)
    until = NOW + timedelta(hours=24)
    store.snooze(finding.id, until, "Snoozed 24 h by <@U0ALICE>")
    later = parse_event(minimal_event(finding.id, count=12, event_id="evt-later", severity=9.5))
    store.claim(later, previous, "owner-2", 30)
    store.confirm(later, previous, "owner-2")
    confirmed = store.read(finding.id)
    assert confirmed is not None and confirmed.notified_count == 12
    assert confirmed.snoozed_until == until
    assert confirmed.triage_note == "Snoozed 24 h by <@U0ALICE>"
    store.note_activity(replace(later, count=13), confirmed)
    noted = store.read(finding.id)
    assert noted is not None and noted.seen_count == 13
    assert (noted.snoozed_until, noted.triage_note) == (until, "Snoozed 24 h by <@U0ALICE>")
