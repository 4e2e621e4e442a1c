"""Nothing lost, nothing twice, end to end: a revoked webhook sends the record to the DLQ after
the queue's max receives; once Slack is fixed, `gd2slack redrive` puts it back and it is
delivered exactly once; the same event arriving again later posts nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from app.adapters.state import StateStore
from app.config import load_config
from app.handler import Notifier
from gd2slack.cli import main
from gd2slack.local.event_source_mapping import drain_once
from gd2slack.local.slack_receiver import REVOKED, SlackReceiver
from gd2slack.local.state_table import create_state_table
from tests.conftest import LogLines, minimal_event

MAX_RECEIVES = 2


@pytest.fixture
def aws() -> Iterator[dict[str, str]]:
    with mock_aws():
        sqs = boto3.client("sqs")
        dlq = sqs.create_queue(QueueName="findings-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        queue = sqs.create_queue(
            QueueName="findings",
            Attributes={
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES}
                )
            },
        )["QueueUrl"]
        create_state_table(boto3.client("dynamodb"), "state")
        yield {"queue": queue, "dlq": dlq}


def _depth(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_revoked_webhook_to_dlq_then_redrive_delivers_exactly_once(
    aws: dict[str, str], slack: SlackReceiver, handler_logs: LogLines
) -> None:
    sqs = boto3.client("sqs")
    notifier = Notifier(
        load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": "state"}),
        state=StateStore("state", boto3.client("dynamodb")),
    )
    body = json.dumps(minimal_event())
    sqs.send_message(QueueUrl=aws["queue"], MessageBody=body)

    slack.script(*[REVOKED] * MAX_RECEIVES)  # the webhook is revoked: 404 no_service
    for _ in range(MAX_RECEIVES + 1):
        drain_once(sqs, aws["queue"], notifier.handle)
    assert slack.accepted() == [] and len(slack.posts) == MAX_RECEIVES  # one POST per receive
    assert _depth(aws["queue"]) == 0 and _depth(aws["dlq"]) == 1  # kept, not lost

    # Slack works again; the operator redrives.
    args = ["redrive", "--queue-url", aws["queue"], "--dlq-url", aws["dlq"], "--max", "10"]
    assert main([*args, "--region", "us-east-1"]) == 0
    assert _depth(aws["dlq"]) == 0
    drain_once(sqs, aws["queue"], notifier.handle)
    assert len(slack.accepted()) == 1

    # The same event once more (a second redrive of a copy, at-least-once delivery): nothing.
    sqs.send_message(QueueUrl=aws["queue"], MessageBody=body)
    drain_once(sqs, aws["queue"], notifier.handle)
    assert len(slack.accepted()) == 1
    assert handler_logs.entries()[-1]["reason"] == "duplicate-event"
