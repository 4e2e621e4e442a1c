"""Retry soon: give a transiently failed SQS record a short, jittered visibility timeout.

The event source mapping leaves a record reported in ``batchItemFailures`` invisible for the
queue's whole visibility timeout (6 x the function timeout + the batching window: 7 minutes with
the stack's defaults). For a failure that passes in seconds (Slack busy or slow, another
invocation holding the finding's claim, DynamoDB throttled) that is the whole latency. Before
the record is reported, ``ChangeMessageVisibility`` makes it visible again after
``retry_delay(receive count)``: 1-2 s, then 5-10 s, 25-50 s, 125-250 s, capped at
``MAX_DELAY``, so a longer outage still spreads its retries over minutes before the DLQ. A
record that lost a finding's claim waits at most until the holder's lease must have ended.

Only ``sqs:ChangeMessageVisibility`` is needed: the queue URL is built from the record's
``eventSourceARN`` and the SQS endpoint of its region, never looked up. A failure here is
loud (log line + ``VisibilityChangeFailed`` metric) and harmless: the record is still reported
failed and comes back after the queue's own timeout.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from app.adapters.observability import aws_client, count, logger

FIRST_DELAY = 2.0
GROWTH = 5.0
MAX_DELAY = 600.0
_BATCH = 10  # ChangeMessageVisibilityBatch takes at most ten entries


def retry_delay(
    receive_count: int, jitter: Callable[[float, float], float], cap: float | None = None
) -> int:
    """Seconds before a record on its ``receive_count``-th receive is offered again."""
    ceiling = min(MAX_DELAY, cap or MAX_DELAY, FIRST_DELAY * GROWTH ** max(receive_count - 1, 0))
    return max(1, round(jitter(ceiling / 2, ceiling)))


def queue_url(queue_arn: str, endpoint_url: str) -> str:
    """``arn:aws:sqs:REGION:ACCOUNT:NAME`` → ``<endpoint>/ACCOUNT/NAME`` (SQS's URL form)."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return f"{endpoint_url.rstrip('/')}/{account}/{name}"


def _receive_count(record: Mapping[str, Any]) -> int:
    attributes = record.get("attributes")
    raw = attributes.get("ApproximateReceiveCount") if isinstance(attributes, Mapping) else None
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 6 else 1


class Requeuer:
    """One SQS client per region, created on first need (cold start pays nothing)."""

    def __init__(
        self,
        client_for: Callable[[str], Any] = lambda region: aws_client("sqs", region),
        jitter: Callable[[float, float], float] | None = None,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self._client_for = client_for
        self.max_delay = max_delay
        self._clients: dict[str, Any] = {}
        self.jitter = jitter or random.uniform

    def soon(self, records: Iterable[tuple[Mapping[str, Any], float | None]]) -> None:
        """Shorten the visibility of these SQS records (each with an optional cap on the
        delay, in seconds); never raises."""
        by_queue: dict[str, list[dict[str, Any]]] = {}
        for record, cap in records:
            arn, handle = record.get("eventSourceARN"), record.get("receiptHandle")
            if not (isinstance(arn, str) and arn.count(":") >= 5 and isinstance(handle, str)):
                continue  # not from SQS (a direct invoke): nothing to change
            entry = {
                "Id": str(len(by_queue.get(arn, []))),
                "ReceiptHandle": handle,
                "VisibilityTimeout": retry_delay(
                    _receive_count(record), self.jitter, min(cap or self.max_delay, self.max_delay)
                ),
            }
            by_queue.setdefault(arn, []).append(entry)
        for arn, entries in by_queue.items():
            for start in range(0, len(entries), _BATCH):
                self._change(arn, entries[start : start + _BATCH])

    def _change(self, arn: str, entries: list[dict[str, Any]]) -> None:
        region = arn.split(":")[3]
        try:
            client = self._clients.get(region) or self._clients.setdefault(
                region, self._client_for(region)
            )
            answer = client.change_message_visibility_batch(
                QueueUrl=queue_url(arn, client.meta.endpoint_url), Entries=entries
            )
            failed = [f.get("Code", "?") for f in answer.get("Failed", [])]
        except Exception as err:
            code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
            failed = [code or type(err).__name__] * len(entries)
        if failed:
            count("VisibilityChangeFailed", len(failed))
            logger.error(
                "could not shorten the visibility of failed records: they come back after the "
                "queue's visibility timeout instead",
                extra={"queue": arn.rsplit(":", 1)[-1], "records": len(failed), "errors": failed},
            )
