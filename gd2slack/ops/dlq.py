"""Move a stage's dead-lettered findings back to its queue: SQS's message move task where the
endpoint has one, else a receive/send/delete loop that keeps bodies and attributes intact."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

from app.constants import runtime_stack_name
from gd2slack.errors import CliError
from gd2slack.ops import aws
from gd2slack.ops.aws import AwsClients
from gd2slack.table import render_table

PREVIEW = 5
RECEIVE_VISIBILITY = 60  # seconds a received message stays hidden while it is copied
POLL_SECONDS = 2.0
# Error codes meaning "this endpoint has no message move tasks": fall back to the loop.
_NO_MOVE_TASK = {"InvalidAction", "UnknownOperationException", "NotImplemented", "501"}
_MISSING_QUEUE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


@dataclass(frozen=True)
class Queues:
    queue_url: str
    queue_arn: str
    dlq_url: str
    dlq_arn: str
    dlq_depth: int
    region: str | None


def resolve_queues(
    clients: AwsClients, stage: str, queue_url: str | None, dlq_url: str | None
) -> Queues:
    region = _region_of(queue_url) if queue_url else None
    if not (queue_url and dlq_url):
        stack = runtime_stack_name(stage)
        outputs = clients.require_stack_outputs(stack)
        queue_url = aws.require_output(outputs, aws.OUT_QUEUE_URL, stack)
        dlq_url = aws.require_output(outputs, aws.OUT_DLQ_URL, stack)
    queue = _attributes(clients, queue_url, region, ["QueueArn", "RedrivePolicy"])
    dlq = _attributes(
        clients, dlq_url, region, ["QueueArn", "ApproximateNumberOfMessages", "RedrivePolicy"]
    )
    if _dead_letter_target(dlq) == queue["QueueArn"]:
        raise CliError(
            f"{queue_name(queue_url)} is the dead-letter queue of {queue_name(dlq_url)}, not the "
            "other way round: swap --queue-url and --dlq-url"
        )
    target = _dead_letter_target(queue)
    if target and target != dlq["QueueArn"]:
        raise CliError(
            f"{queue_name(dlq_url)} is not the dead-letter queue of {queue_name(queue_url)} "
            f"(that is {target.rsplit(':', 1)[-1]}): check --queue-url/--dlq-url"
        )
    return Queues(
        queue_url=queue_url,
        queue_arn=queue["QueueArn"],
        dlq_url=dlq_url,
        dlq_arn=dlq["QueueArn"],
        dlq_depth=int(dlq.get("ApproximateNumberOfMessages", 0)),
        region=region,
    )


def _dead_letter_target(attributes: dict[str, str]) -> str | None:
    policy = attributes.get("RedrivePolicy")
    if not policy:
        return None
    try:
        target = json.loads(policy).get("deadLetterTargetArn")
    except (ValueError, AttributeError):
        return None
    return str(target) if target else None


def _attributes(
    clients: AwsClients, url: str, region: str | None, names: list[str]
) -> dict[str, str]:
    sqs = clients.client("sqs", region)
    with aws.aws_call_errors(f"reading queue {queue_name(url)}"):
        try:
            attributes: dict[str, str] = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=names
            )["Attributes"]
        except botocore.exceptions.ClientError as err:
            if err.response.get("Error", {}).get("Code") in _MISSING_QUEUE:
                raise CliError(
                    f"queue {url} does not exist: check --stage/--region or the URL"
                ) from None
            raise
    return attributes


# ---------------------------------------------------------------- dry run ----------------------


def preview(clients: AwsClients, queues: Queues) -> str:
    """The first few DLQ messages, made visible again at once (visibility timeout 0)."""
    sqs = clients.client("sqs", queues.region)
    with aws.aws_call_errors(f"peeking at {queue_name(queues.dlq_url)}"):
        messages = sqs.receive_message(
            QueueUrl=queues.dlq_url,
            MaxNumberOfMessages=PREVIEW,
            VisibilityTimeout=0,
            WaitTimeSeconds=1,
            MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        ).get("Messages", [])
    if not messages:
        return "(no message received to preview)"
    rows = []
    for message in messages:
        finding_id, finding_type = describe_body(message.get("Body", ""))
        attributes = message.get("Attributes", {})
        sent = attributes.get("SentTimestamp")
        rows.append(
            [
                message.get("MessageId"),
                time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(sent) / 1000)) if sent else None,
                attributes.get("ApproximateReceiveCount"),
                finding_id,
                finding_type,
            ]
        )
    return render_table(["MESSAGE ID", "SENT (UTC)", "RECEIVES", "FINDING", "TYPE"], rows)


def describe_body(body: str) -> tuple[str | None, str | None]:
    """Finding id and type when the body is an EventBridge GuardDuty event; nothing else of
    the body is shown (it may carry attacker-controlled text)."""
    try:
        event = json.loads(body)
    except ValueError:
        return None, "(not JSON)"
    detail = event.get("detail") if isinstance(event, dict) else None
    if not isinstance(detail, dict):
        return None, "(not a GuardDuty event)"
    finding_id, finding_type = detail.get("id"), detail.get("type")
    return (
        str(finding_id) if finding_id is not None else None,
        str(finding_type) if finding_type is not None else None,
    )


# ---------------------------------------------------------------- move task --------------------


def move_with_task(
    clients: AwsClients,
    queues: Queues,
    rate: int | None,
    *,
    wait: bool,
    sleep: Callable[[float], None],
) -> int | None:
    """Moved count via ``StartMessageMoveTask``; ``None`` if the endpoint lacks it."""
    sqs = clients.client("sqs", queues.region)
    params: dict[str, Any] = {"SourceArn": queues.dlq_arn, "DestinationArn": queues.queue_arn}
    if rate is not None:
        params["MaxNumberOfMessagesPerSecond"] = rate
    with aws.aws_call_errors("starting the SQS message move task"):
        try:
            handle = sqs.start_message_move_task(**params)["TaskHandle"]
        except NotImplementedError:  # moto
            return None
        except botocore.exceptions.ClientError as err:
            if str(err.response.get("Error", {}).get("Code")) in _NO_MOVE_TASK:
                return None
            raise
    print(
        f"Started move task {handle[:16]}… "
        f"({queue_name(queues.dlq_url)} → {queue_name(queues.queue_url)})"
    )
    if not wait:
        print("Not waiting: follow it in the SQS console, or rerun with --dry-run to count.")
        return 0
    while True:
        task = _current_task(sqs, queues.dlq_arn, handle)
        status = task.get("Status")
        moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
        if status == "COMPLETED":
            print(moved_line(moved, queues))
            return moved
        if status in {"FAILED", "CANCELLED", "CANCELLING"}:
            reason = task.get("FailureReason") or status
            raise CliError(f"move task {status.lower()} after {moved} message(s): {reason}")
        total = task.get("ApproximateNumberOfMessagesToMove")
        print(f"  {status or 'RUNNING'}: {moved}" + (f" of {total}" if total else "") + " moved")
        sleep(POLL_SECONDS)


def _current_task(sqs: Any, source_arn: str, handle: str) -> dict[str, Any]:
    with aws.aws_call_errors("reading the SQS message move task"):
        results = sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=10)["Results"]
    for task in results:
        if task.get("TaskHandle") == handle:
            return dict(task)
    # Only the running task carries a handle; finished ones are listed newest first.
    return dict(results[0]) if results else {"Status": "RUNNING"}


# ---------------------------------------------------------------- copy loop --------------------


def move_with_loop(clients: AwsClients, queues: Queues, limit: int | None) -> int:
    """Receive from the DLQ, send to the queue, delete what was sent; stop when the DLQ answers
    empty twice, or at ``limit``."""
    sqs = clients.client("sqs", queues.region)
    fifo = queues.queue_url.endswith(".fifo")
    moved = 0
    empty = 0
    while (limit is None or moved < limit) and empty < 2:
        wanted = 10 if limit is None else min(10, limit - moved)
        with aws.aws_call_errors(f"receiving from {queue_name(queues.dlq_url)}"):
            messages = sqs.receive_message(
                QueueUrl=queues.dlq_url,
                MaxNumberOfMessages=wanted,
                VisibilityTimeout=RECEIVE_VISIBILITY,
                WaitTimeSeconds=1,
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
        if not messages:
            empty += 1
            continue
        empty = 0
        try:
            moved += _move_batch(sqs, queues, messages, fifo)
        except CliError as err:
            raise CliError(f"after moving {moved} message(s): {err}", err.exit_code) from None
    return moved


def _move_batch(sqs: Any, queues: Queues, messages: list[dict[str, Any]], fifo: bool) -> int:
    entries = [_send_entry(str(i), message, fifo) for i, message in enumerate(messages)]
    with aws.aws_call_errors(f"sending to {queue_name(queues.queue_url)}"):
        result = sqs.send_message_batch(QueueUrl=queues.queue_url, Entries=entries)
    sent = {entry["Id"] for entry in result.get("Successful", [])}
    failed = result.get("Failed", [])
    delete = [
        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
        for i, m in enumerate(messages)
        if str(i) in sent
    ]
    if delete:
        with aws.aws_call_errors(f"deleting moved messages from {queue_name(queues.dlq_url)}"):
            deleted = sqs.delete_message_batch(QueueUrl=queues.dlq_url, Entries=delete)
        if deleted.get("Failed"):
            first = deleted["Failed"][0]
            raise CliError(
                f"{len(deleted['Failed'])} message(s) were copied but not deleted from the DLQ "
                f"({first.get('Code')}); they are on both queues (harmless: the handler is "
                "idempotent); rerun redrive to finish"
            )
    if failed:
        # Release the unsent ones at once instead of leaving them hidden for the timeout.
        unsent = [
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
            for i, m in enumerate(messages)
            if str(i) not in sent
        ]
        with aws.aws_call_errors(f"releasing unsent messages in {queue_name(queues.dlq_url)}"):
            sqs.change_message_visibility_batch(QueueUrl=queues.dlq_url, Entries=unsent)
        first = failed[0]
        raise CliError(
            f"moved {len(sent)} of this batch; {len(failed)} could not be sent to "
            f"{queue_name(queues.queue_url)} ({first.get('Code')}: {first.get('Message', '')}); "
            "they stay in the DLQ"
        )
    return len(sent)


def _send_entry(entry_id: str, message: dict[str, Any], fifo: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": entry_id, "MessageBody": message["Body"]}
    if message.get("MessageAttributes"):
        entry["MessageAttributes"] = {
            name: {
                k: v for k, v in value.items() if k in {"DataType", "StringValue", "BinaryValue"}
            }
            for name, value in message["MessageAttributes"].items()
        }
    system = message.get("Attributes", {})
    if system.get("AWSTraceHeader"):
        entry["MessageSystemAttributes"] = {
            "AWSTraceHeader": {"DataType": "String", "StringValue": system["AWSTraceHeader"]}
        }
    if fifo:
        entry["MessageGroupId"] = system.get("MessageGroupId", "redrive")
        entry["MessageDeduplicationId"] = (
            system.get("MessageDeduplicationId") or message["MessageId"]
        )
    return entry


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _region_of(url: str) -> str | None:
    """``https://sqs.eu-west-1.amazonaws.com/...`` → ``eu-west-1`` (the queue's own region)."""
    host = url.split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    if len(parts) >= 3 and parts[0] == "sqs":
        return parts[1]
    return None


def moved_line(count: int, queues: Queues) -> str:
    source, target = queue_name(queues.dlq_url), queue_name(queues.queue_url)
    return f"Moved {count} message(s) from {source} to {target}."
