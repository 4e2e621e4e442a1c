"""The SQS event source mapping, locally: receive a batch, invoke the handler, delete what
succeeded, make the reported failures visible again at once (instead of after the visibility
timeout), so SQS's own receive count moves them to the DLQ after ``maxReceiveCount``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gd2slack.local.lambda_context import LocalLambdaContext

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda builds from received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def drain_once(
    sqs: Any,
    queue_url: str,
    handler: Handler,
    on_batch: Callable[[list[dict[str, Any]]], None] = lambda messages: None,
) -> int:
    """Receive and process batches until the queue is empty or a batch has failures (those
    come back in a later call, as with the real mapping); returns the records processed."""
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    region = arn.split(":")[3]
    processed = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return processed
        on_batch(messages)
        result = handler(sqs_event(messages, arn, region), LocalLambdaContext())
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        processed += len(messages)
        for m in messages:
            if m["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        if failed:
            return processed
