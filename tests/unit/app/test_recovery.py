"""Fast recovery: one slow POST cannot starve its batch, transient failures come back from SQS
in seconds (ChangeMessageVisibility), and a failure of that call never loses the record.
SQS and DynamoDB in moto, the real local receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from app.adapters.requeue import Requeuer, queue_url, retry_delay
from app.adapters.slack import SlackWebhookClient
from app.adapters.state import StateStore
from app.config import load_config
from app.handler import Notifier
from gd2slack.local.event_source_mapping import sqs_event
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SERVER_ERROR, Reply, SlackReceiver
from gd2slack.local.state_table import create_state_table
from tests.conftest import LogLines, minimal_event
from tests.virtual_time import VirtualClock, virtual_client

TABLE = "recovery-state"


@pytest.fixture
def queue() -> Iterator[str]:
    with mock_aws():
        create_state_table(boto3.client("dynamodb"), TABLE)
        sqs = boto3.client("sqs")
        yield sqs.create_queue(QueueName="findings", Attributes={"VisibilityTimeout": "420"})[
            "QueueUrl"
        ]


def _receive(url: str, *events: dict[str, Any]) -> dict[str, Any]:
    sqs = boto3.client("sqs")
    for event in events:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])[
        "Messages"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return sqs_event(messages, arn, "us-east-1")


def _soonest(jitter_low: bool = True) -> Requeuer:
    return Requeuer(jitter=lambda low, high: low if jitter_low else high)


def test_one_hanging_post_leaves_time_for_the_rest_of_the_batch(
    slack: SlackReceiver, handler_logs: LogLines
) -> None:
    slow = minimal_event("slow" + "0" * 28, event_id="e-slow")
    slack.answer_matching(b"slow0000", Reply(delay=30))  # Slack hangs on this one, every time
    events = [slow, minimal_event("b" * 32, event_id="e2"), minimal_event("c" * 32, event_id="e3")]
    records = [{"messageId": f"m{i}", "body": json.dumps(e)} for i, e in enumerate(events)]
    config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "DIGEST_THRESHOLD": "0"})
    notifier = Notifier(config, slack=SlackWebhookClient(sleep=lambda s: None))
    result = notifier.handle({"Records": records}, LocalLambdaContext(timeout_seconds=20))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert len(slack.accepted()) == 2
    assert "timeout" in handler_logs.outcome_of("m0")["reason"]


def test_transient_failure_comes_back_in_seconds_not_after_the_visibility_timeout(
    queue: str, slack: SlackReceiver
) -> None:
    clock = VirtualClock()
    slack.answer_matching(b"aaaa", SERVER_ERROR)
    config = load_config({"SLACK_WEBHOOK_URL": slack.url()})
    notifier = Notifier(config, slack=virtual_client(clock), clock=clock, requeuer=_soonest())
    event = _receive(queue, minimal_event())
    assert notifier.handle(event, LocalLambdaContext()) == {
        "batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]
    }
    # Visible again after ~1 s instead of 420 s: a long poll gets it back.
    again = boto3.client("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=10)
    assert [m["MessageId"] for m in again.get("Messages", [])] == [event["Records"][0]["messageId"]]


def test_claim_held_by_another_invocation_is_retried_soon(queue: str, slack: SlackReceiver) -> None:
    client = boto3.client("dynamodb")
    client.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": "finding#" + "a" * 32},
            "lease_owner": {"S": "someone-else"},
            "lease_until": {"N": str(int(time.time()) + 3600)},
        },
    )
    sqs = boto3.client("sqs")
    config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": TABLE})
    requeuer = Requeuer(client_for=lambda region: sqs, jitter=lambda low, high: high)
    notifier = Notifier(config, state=StateStore(TABLE, client), requeuer=requeuer)
    event = _receive(queue, minimal_event())
    record = event["Records"][0]
    with Stubber(sqs) as stub:
        stub.add_response(
            "change_message_visibility_batch",
            {"Successful": [{"Id": "0"}], "Failed": []},
            {
                "QueueUrl": queue_url(record["eventSourceARN"], sqs.meta.endpoint_url),
                "Entries": [
                    {"Id": "0", "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": 2}
                ],
            },
        )
        result = notifier.handle(event, LocalLambdaContext())
        stub.assert_no_pending_responses()
    assert result == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    assert slack.posts == []


def test_a_failed_visibility_change_still_reports_the_record_and_says_so(
    queue: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    sqs = boto3.client("sqs")
    clock = VirtualClock()
    slack.script(*[SERVER_ERROR] * 4)
    config = load_config({"SLACK_WEBHOOK_URL": slack.url()})
    requeuer = Requeuer(client_for=lambda region: sqs)
    notifier = Notifier(config, slack=virtual_client(clock), clock=clock, requeuer=requeuer)
    event = _receive(queue, minimal_event())
    with Stubber(sqs) as stub:
        stub.add_client_error(
            "change_message_visibility_batch", "AccessDenied", http_status_code=403
        )
        result = notifier.handle(event, LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    (line,) = [e for e in handler_logs.entries() if "could not shorten" in e["message"]]
    assert line["level"] == "ERROR" and line["errors"] == ["AccessDenied"]


def test_permanent_failures_keep_the_queue_visibility(
    queue: str, slack: SlackReceiver, handler_logs: LogLines
) -> None:
    sqs = boto3.client("sqs")
    slack.script(Reply(404, "no_service"))
    config = load_config({"SLACK_WEBHOOK_URL": slack.url()})
    notifier = Notifier(config, requeuer=Requeuer(client_for=lambda region: sqs))
    event = _receive(queue, minimal_event())
    with Stubber(sqs):  # no call expected: a Stubber answers any with an error
        result = notifier.handle(event, LocalLambdaContext())
    assert len(result["batchItemFailures"]) == 1
    assert not [e for e in handler_logs.entries() if "could not shorten" in e["message"]]


def test_retry_delays_grow_from_seconds_to_minutes() -> None:
    def high(low: float, ceiling: float) -> float:
        return ceiling

    assert [retry_delay(n, high) for n in range(1, 7)] == [2, 10, 50, 250, 600, 600]
    assert retry_delay(1, lambda low, ceiling: low) == 1
    assert retry_delay(5, high, cap=70) == 70  # a claim's holder is done by then


def test_queue_url_from_the_record_arn() -> None:
    arn = "arn:aws-cn:sqs:cn-north-1:123456789012:gd2slack-findings"
    assert queue_url(arn, "https://sqs.cn-north-1.amazonaws.com.cn") == (
        "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/gd2slack-findings"
    )


def test_a_ceiling_on_the_retry_delay_applies_to_late_receives(
    queue: str, slack: SlackReceiver
) -> None:
    """A bounded run (the chaos test's workers) caps what a fourth receive would wait."""
    sqs = boto3.client("sqs")
    clock = VirtualClock()
    slack.script(*[SERVER_ERROR] * 4)
    config = load_config({"SLACK_WEBHOOK_URL": slack.url()})
    requeuer = Requeuer(client_for=lambda region: sqs, jitter=lambda low, high: high, max_delay=7)
    notifier = Notifier(config, slack=virtual_client(clock), clock=clock, requeuer=requeuer)
    event = _receive(queue, minimal_event())
    record = event["Records"][0]
    record["attributes"]["ApproximateReceiveCount"] = "4"  # uncapped: 250 s
    with Stubber(sqs) as stub:
        stub.add_response(
            "change_message_visibility_batch",
            {"Successful": [{"Id": "0"}], "Failed": []},
            {
                "QueueUrl": queue_url(record["eventSourceARN"], sqs.meta.endpoint_url),
                "Entries": [
                    {"Id": "0", "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": 7}
                ],
            },
        )
        notifier.handle(event, LocalLambdaContext())
        stub.assert_no_pending_responses()
