"""Lambda entry point: ``app.handler.lambda_handler`` (the image's CMD).

Accepts an SQS event (the production path: returns ``batchItemFailures`` so only failed
records are retried) or a bare EventBridge event (direct invoke, smoke tests: returns a
summary). Configuration is read and validated at import, i.e. at cold start: a bad value stops
the function at init with a message naming the variable.

Transiently failed SQS records get a short visibility (``app.adapters.requeue``) before they are
reported, so SQS offers them again in seconds. Under SnapStart, ``Notifier.after_restore``
renews what the snapshot would otherwise share between environments (``app.adapters.snapstart``).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from app.adapters.observability import count, count_by, logger, metrics, tracer
from app.adapters.requeue import Requeuer
from app.adapters.slack import SlackWebhookClient
from app.adapters.snapstart import register_after_restore
from app.adapters.state import StateStore
from app.adapters.webhooks import WebhookDirectory
from app.batch import BatchProcessor, Item, decode_sqs_body
from app.config import Config, load_config
from app.constants import Outcome
from app.core.finding import MalformedEvent


class Notifier:
    """Long-lived per process: configuration and clients survive across invocations."""

    def __init__(
        self,
        config: Config,
        slack: SlackWebhookClient | None = None,
        webhooks: WebhookDirectory | None = None,
        state: StateStore | None = None,
        *,
        requeuer: Requeuer | None = None,
        clock: Callable[[], float] = time.monotonic,
        app_client: Callable[[str], Any] | None = None,
    ) -> None:
        self.config = config
        self.slack = slack or SlackWebhookClient()
        self.webhooks = webhooks or WebhookDirectory(config)
        self.state = (
            state if state is not None or not config.state_table else StateStore(config.state_table)
        )
        self.requeuer = requeuer or Requeuer()
        self.clock = clock
        self.app_client = app_client  # app mode's client for a token (default: slack.com)
        # Names this execution environment in claim owners: fresh per environment, also after
        # a SnapStart restore (a shared one would let two environments renew each other's claim).
        self.environment_id = uuid.uuid4().hex[:12]

    def after_restore(self) -> None:
        """SnapStart: nothing made before the snapshot is shared by restored environments."""
        self.environment_id = uuid.uuid4().hex[:12]
        random.seed()  # from os.urandom: jitter must differ between environments
        self.slack.renew()
        self.slack.pacer.reset()
        from aws_lambda_powertools.utilities.parameters import clear_caches  # noqa: PLC0415

        # A secret read before the snapshot is read again, not served from it.
        clear_caches()  # type: ignore[no-untyped-call]

    @classmethod
    def from_environment(cls) -> Notifier:
        return cls(load_config(os.environ))

    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        deadline = self.clock() + _remaining_seconds(context)
        request_id = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
        processor = BatchProcessor(
            self.config,
            self.slack,
            self.webhooks,
            self.state,
            deadline,
            clock=self.clock,
            owner=f"{self.environment_id}:{request_id}",
            app_client=self.app_client,
        )
        records = _sqs_records(event)
        pending: dict[str, Item] = {}
        items: list[Item] = []
        if records is None:
            items.append(processor.admit(None, event, pending))
        else:
            for record in records:
                items.append(_admit_record(processor, record, pending))
        processor.deliver_all(pending)
        for item in items:
            _report(item)
        if records is None:
            return _summary(items)
        by_id = {r.get("messageId"): r for r in records if isinstance(r, dict)}
        self.requeuer.soon(
            (by_id[item.record_id], item.retry_within)
            for item in items
            if item.outcome is Outcome.FAILED and item.retry_soon and item.record_id in by_id
        )
        return {
            "batchItemFailures": [
                {"itemIdentifier": item.record_id}
                for item in items
                if item.outcome is Outcome.FAILED and item.record_id
            ]
        }


def _admit_record(processor: BatchProcessor, record: Any, pending: dict[str, Item]) -> Item:
    """One SQS record in; whatever its body holds, it fails alone."""
    record_id = record.get("messageId") if isinstance(record, dict) else None
    if not isinstance(record_id, str):
        record_id = None
    try:
        body = decode_sqs_body(record.get("body") if isinstance(record, dict) else None)
    except MalformedEvent as why:
        item = Item(record_id)
        item.finish(Outcome.FAILED, f"malformed event: {why}")
        return item
    return processor.admit(record_id, body, pending)


def _remaining_seconds(context: Any) -> float:
    try:
        return max(float(context.get_remaining_time_in_millis()) / 1000, 0.0)
    except (AttributeError, TypeError, ValueError):
        return 30.0


def _sqs_records(event: Any) -> list[Any] | None:
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        return list(event["Records"])
    return None


def _report(item: Item) -> None:
    """One structured log line and metrics per record, whatever happened to it."""
    finding = item.finding
    fields: dict[str, Any] = {"outcome": item.outcome, "reason": item.reason}
    if item.record_id:
        fields["message_id"] = item.record_id
    if finding is not None:
        fields |= {
            "finding_id": finding.id,
            "finding_type": finding.type,
            "severity": finding.score,
            "severity_band": finding.band.label,
            "account_id": finding.account_id,
            "region": finding.region,
            "route": item.route,
            "sample": finding.sample,
        }
    if item.outcome is Outcome.FAILED:
        count("RecordsFailed")
        logger.error("record failed", extra=fields)
    else:
        logger.info(f"finding {item.outcome}", extra=fields)
    if item.outcome and item.outcome.notified:
        count("FindingsNotified")
    elif item.outcome and item.outcome.quiet:
        count("FindingsSuppressed")
        count_by("FindingsSuppressed", "reason", item.reason or item.outcome)


def _summary(items: list[Item]) -> dict[str, Any]:
    outcomes = [
        {
            "finding_id": item.finding.id if item.finding else None,
            "outcome": item.outcome,
            "reason": item.reason,
        }
        for item in items
    ]
    return {
        "received": len(items),
        "notified": sum(bool(item.outcome and item.outcome.notified) for item in items),
        "suppressed": sum(bool(item.outcome and item.outcome.quiet) for item in items),
        "failed": sum(item.outcome is Outcome.FAILED for item in items),
        "outcomes": outcomes,
    }


NOTIFIER = Notifier.from_environment()
register_after_restore(NOTIFIER.after_restore)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return NOTIFIER.handle(event, context)
