"""``gd2slack redrive`` against moto SQS (a queue and its DLQ from a stack, as deployed), plus
``Stubber`` for SQS's message move task, which moto does not implement."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gd2slack import cli
from gd2slack.commands import redrive
from gd2slack.ops import dlq
from gd2slack.ops.aws import AwsClients
from gd2slack.ops.dlq import describe_body

REGION = "us-east-1"
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
TEMPLATE = {
    "Resources": {
        "Dlq": {"Type": "AWS::SQS::Queue"},
        "Queue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                    "maxReceiveCount": 5,
                }
            },
        },
    },
    "Outputs": {
        "QueueUrl": {"Value": {"Ref": "Queue"}},
        "DeadLetterQueueUrl": {"Value": {"Ref": "Dlq"}},
    },
}


def event(number: int) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": f"evt-{number}",
            "source": "aws.guardduty",
            "detail-type": "GuardDuty Finding",
            "detail": {
                "id": f"finding-{number:02d}",
                "type": "Recon:EC2/PortProbeUnprotectedPort",
                "severity": 2.0,
                "title": "<!channel> attacker-controlled text",
            },
        }
    )


@pytest.fixture
def clients() -> Iterator[AwsClients]:
    # Credentials and region: the autouse fixture in conftest.py.
    with mock_aws():
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName="gd2slack-dev", TemplateBody=json.dumps(TEMPLATE)
        )
        yield AwsClients(boto3.Session(region_name=REGION))


@pytest.fixture
def urls(clients: AwsClients) -> dict[str, str]:
    outputs = clients.require_stack_outputs("gd2slack-dev")
    return {"queue": outputs["QueueUrl"], "dlq": outputs["DeadLetterQueueUrl"]}


@pytest.fixture
def sqs(clients: AwsClients) -> Any:
    return boto3.client("sqs", region_name=REGION)


@dataclass
class Seeded:
    urls: dict[str, str]
    sqs: Any
    sent: list[dict[str, Any]]


@pytest.fixture
def seeded(sqs: Any, urls: dict[str, str]) -> Seeded:
    """Seven GuardDuty events with message attributes and a trace header, and one poison."""
    sent = []
    for number in range(7):
        attributes = {
            "source": {"DataType": "String", "StringValue": f"rule-{number}"},
            "blob": {"DataType": "Binary", "BinaryValue": bytes([number, 255])},
        }
        sqs.send_message(
            QueueUrl=urls["dlq"],
            MessageBody=event(number),
            MessageAttributes=attributes,
            MessageSystemAttributes={
                "AWSTraceHeader": {"DataType": "String", "StringValue": TRACE_HEADER}
            },
        )
        sent.append({"Body": event(number), "MessageAttributes": attributes})
    sqs.send_message(QueueUrl=urls["dlq"], MessageBody="not json {")
    sent.append({"Body": "not json {", "MessageAttributes": {}})
    return Seeded(urls, sqs, sent)


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=10,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["All"],
    ).get("Messages"):
        messages += batch
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def depth(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def run_redrive(monkeypatch: pytest.MonkeyPatch, clients: AwsClients, *argv: str) -> int:
    monkeypatch.setattr(cli, "COMMANDS", ("redrive",))
    monkeypatch.setattr(redrive, "clients_from_args", lambda args: clients)
    monkeypatch.setattr(dlq, "POLL_SECONDS", 0.0)
    return cli.main(["redrive", "--region", REGION, *argv])


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_moves_everything_with_bodies_and_attributes_intact(
    clients: AwsClients,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls, sqs = seeded.urls, seeded.sqs
    sent: list[dict[str, Any]] = []
    clients.client("sqs").meta.events.register(
        "provide-client-params.sqs.SendMessageBatch",
        lambda params, **_: sent.extend(params["Entries"]),
    )
    assert run_redrive(monkeypatch, clients) == 0
    out = capsys.readouterr().out
    assert "no SQS message move task: copying message by message" in out  # moto
    assert out.rstrip().endswith(
        f"Moved 8 message(s) from {urls['dlq'].rsplit('/', 1)[1]} to "
        f"{urls['queue'].rsplit('/', 1)[1]}."
    )
    assert depth(sqs, urls["dlq"]) == 0
    moved = drain(sqs, urls["queue"])
    key = lambda m: m["Body"]  # noqa: E731
    assert sorted(
        ({"Body": m["Body"], "MessageAttributes": m.get("MessageAttributes", {})} for m in moved),
        key=key,
    ) == sorted(seeded.sent, key=key)
    # moto drops MessageSystemAttributes on SendMessageBatch: check what was sent instead.
    headers = [e.get("MessageSystemAttributes", {}).get("AWSTraceHeader") for e in sent]
    assert headers.count({"DataType": "String", "StringValue": TRACE_HEADER}) == 7
    assert headers.count(None) == 1  # the poison message had none


def test_rerun_is_a_no_op(
    clients: AwsClients,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls, sqs = seeded.urls, seeded.sqs
    assert run_redrive(monkeypatch, clients) == 0
    assert run_redrive(monkeypatch, clients) == 0
    assert capsys.readouterr().out.rstrip().endswith("Nothing to move.")
    assert depth(sqs, urls["queue"]) == 8


def test_max_moves_at_most_n(
    clients: AwsClients,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls, sqs = seeded.urls, seeded.sqs
    assert run_redrive(monkeypatch, clients, "--max", "3") == 0
    assert "Moved 3 message(s)" in capsys.readouterr().out
    assert depth(sqs, urls["queue"]) == 3
    assert depth(sqs, urls["dlq"]) == 5


def test_dry_run_counts_and_previews_without_moving(
    clients: AwsClients,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls, sqs = seeded.urls, seeded.sqs
    assert run_redrive(monkeypatch, clients, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "about 8 message(s)" in out and "Dry run: nothing moved." in out
    assert "MESSAGE ID" in out and "finding-0" in out
    assert "Recon:EC2/PortProbeUnprotectedPort" in out
    assert "<!channel>" not in out  # bodies are never printed
    assert depth(sqs, urls["queue"]) == 0
    assert depth(sqs, urls["dlq"]) == 8


def test_explicit_urls_and_swapped_urls(
    clients: AwsClients,
    seeded: Seeded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    urls, sqs = seeded.urls, seeded.sqs
    code = run_redrive(monkeypatch, clients, "--queue-url", urls["dlq"], "--dlq-url", urls["queue"])
    assert code == 1
    assert "swap --queue-url and --dlq-url" in one_line(capsys.readouterr().err)
    code = run_redrive(
        monkeypatch, clients, "--queue-url", urls["queue"], "--dlq-url", urls["dlq"], "--max", "1"
    )
    assert code == 0 and depth(sqs, urls["queue"]) == 1
    assert run_redrive(monkeypatch, clients, "--queue-url", urls["queue"]) == 2
    assert "pass both --queue-url and --dlq-url" in one_line(capsys.readouterr().err)


def test_missing_queue_is_one_line(
    clients: AwsClients, urls: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    gone = urls["queue"].rsplit("/", 1)[0] + "/deleted-queue"
    assert run_redrive(monkeypatch, clients, "--queue-url", gone, "--dlq-url", urls["dlq"]) == 1
    line = one_line(capsys.readouterr().err)
    assert line == (
        f"gd2slack redrive: queue {gone} does not exist: check --stage/--region or the URL"
    )


def test_missing_stack_is_one_line(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_redrive(monkeypatch, clients, "--stage", "prod") == 1
    assert "stack gd2slack-prod does not exist in us-east-1" in one_line(capsys.readouterr().err)


# ---------------------------------------------------------------- message move task ------------


def stub_queues(stub: Stubber, urls: dict[str, str], count: int) -> dict[str, str]:
    arns = {
        name: f"arn:aws:sqs:{REGION}:123456789012:{url.rsplit('/', 1)[1]}"
        for name, url in urls.items()
    }
    stub.add_response(
        "get_queue_attributes",
        {
            "Attributes": {
                "QueueArn": arns["queue"],
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": arns["dlq"]}),
            }
        },
        {"QueueUrl": urls["queue"], "AttributeNames": ["QueueArn", "RedrivePolicy"]},
    )
    stub.add_response(
        "get_queue_attributes",
        {"Attributes": {"QueueArn": arns["dlq"], "ApproximateNumberOfMessages": str(count)}},
        {
            "QueueUrl": urls["dlq"],
            "AttributeNames": ["QueueArn", "ApproximateNumberOfMessages", "RedrivePolicy"],
        },
    )
    return arns


def test_uses_the_message_move_task_where_available(
    clients: AwsClients,
    urls: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stub = Stubber(clients.client("sqs"))
    arns = stub_queues(stub, urls, 120)
    handle = "eyJ0YXNrSWQiOiJkYTE4YTNkOS0xMjM0In0="
    stub.add_response(
        "start_message_move_task",
        {"TaskHandle": handle},
        {
            "SourceArn": arns["dlq"],
            "DestinationArn": arns["queue"],
            "MaxNumberOfMessagesPerSecond": 50,
        },
    )
    task = {"TaskHandle": handle, "SourceArn": arns["dlq"], "DestinationArn": arns["queue"]}
    listing = {"SourceArn": arns["dlq"], "MaxResults": 10}
    stub.add_response(
        "list_message_move_tasks",
        {
            "Results": [
                {
                    **task,
                    "Status": "RUNNING",
                    "ApproximateNumberOfMessagesMoved": 40,
                    "ApproximateNumberOfMessagesToMove": 120,
                }
            ]
        },
        listing,
    )
    stub.add_response(
        "list_message_move_tasks",
        {
            "Results": [
                {
                    "Status": "COMPLETED",
                    "ApproximateNumberOfMessagesMoved": 120,
                    "SourceArn": arns["dlq"],
                }
            ]
        },
        listing,
    )
    with stub:
        assert run_redrive(monkeypatch, clients, "--rate", "50") == 0
        stub.assert_no_pending_responses()
    out = capsys.readouterr().out
    assert "RUNNING: 40 of 120 moved" in out and "Moved 120 message(s)" in out


def test_failed_move_task_is_one_line(
    clients: AwsClients,
    urls: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stub = Stubber(clients.client("sqs"))
    arns = stub_queues(stub, urls, 3)
    stub.add_response(
        "start_message_move_task",
        {"TaskHandle": "h"},
        {"SourceArn": arns["dlq"], "DestinationArn": arns["queue"]},
    )
    stub.add_response(
        "list_message_move_tasks",
        {
            "Results": [
                {
                    "Status": "FAILED",
                    "FailureReason": "AccessDenied on the destination",
                    "ApproximateNumberOfMessagesMoved": 1,
                }
            ]
        },
        {"SourceArn": arns["dlq"], "MaxResults": 10},
    )
    with stub:
        assert run_redrive(monkeypatch, clients) == 1
    line = one_line(capsys.readouterr().err)
    assert line == (
        "gd2slack redrive: move task failed after 1 message(s): AccessDenied on the destination"
    )


def test_describe_body_never_exposes_more_than_id_and_type() -> None:
    assert describe_body(event(3)) == ("finding-03", "Recon:EC2/PortProbeUnprotectedPort")
    assert describe_body("[1, 2]") == (None, "(not a GuardDuty event)")
    assert describe_body("garbage") == (None, "(not JSON)")
