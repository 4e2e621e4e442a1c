"""One batch through the core: parse → screen → noise control → group → render → deliver.

Pure decisions come from ``policy``, ``noise`` and ``render``; this module sequences them and
talks to the edges (``StateStore``, ``WebhookDirectory``, ``SlackWebhookClient``). Every record
ends with exactly one outcome; ``failed`` ones go back to SQS (and, after the queue's max
receives, to the DLQ). Nothing is swallowed: each outcome is a log line and a metric.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from app.adapters.observability import count, count_by, latency, logger, subsegment
from app.adapters.slack import DeliveryError, SlackWebhookClient, TransientDeliveryError
from app.adapters.state import ClaimLost, StateStore, StateUnavailable
from app.adapters.webhooks import WebhookConfigError, WebhookDirectory
from app.config import Config
from app.constants import FINDING_SUBSEGMENT, Outcome
from app.core.finding import Finding, MalformedEvent, NotAFinding, parse_event
from app.core.noise import FindingState, decide
from app.core.policy import route_for, screen
from app.render.message import render_digest, render_finding

# Outcomes (also X-Ray annotation values and log fields).

# Left at the end of the invocation for logging, state writes and the batch response.
DEADLINE_SAFETY = 2.0
MIN_RECORD_SECONDS = 5.0
LEASE_MARGIN = 10.0


@dataclass
class Item:
    """One record's journey through the batch."""

    record_id: str | None
    finding: Finding | None = None
    route: str = ""
    outcome: Outcome | None = None  # set once, by finish()
    reason: str = ""
    previous: FindingState | None = None
    unconfirmed_since: float | None = None  # a claim never confirmed: Slack may have it
    notice: str | None = None
    payload: dict[str, Any] | None = field(default=None, repr=False)
    event_id: str = ""  # this record's own EventBridge id (``finding`` may be a newer record's)
    # Other records of the same finding in this batch, folded into this one's message.
    merged: list[Item] = field(default_factory=list, repr=False)
    # Failed for a reason that passes (Slack busy, a claim held, DynamoDB throttled): SQS
    # should offer it again in seconds, not after the queue's whole visibility timeout.
    retry_soon: bool = False
    retry_within: float | None = None  # a cap on that wait (a claim's holder is done by then)

    def finish(self, outcome: Outcome, reason: str = "") -> None:
        self.outcome, self.reason = outcome, reason


def recency(finding: Finding) -> tuple[datetime, int, float]:
    """How new a publication of a finding is: ``updatedAt``, then count, then severity."""
    return (finding.updated_at or _EPOCH, finding.count or 0, finding.score)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _trace_annotations(item: Item) -> dict[str, str]:
    finding = item.finding
    if finding is None:
        return {"outcome": str(item.outcome or "")}
    return {
        "finding_id": finding.id[:250],
        "finding_type": finding.type[:250],
        "severity_band": finding.band.label,
        "account_id": finding.account_id[:64],
        "route": item.route[:64],
        "outcome": str(item.outcome or ""),
    }


class BatchProcessor:
    """Processes one invocation's records; construct once per invocation."""

    def __init__(
        self,
        config: Config,
        slack: SlackWebhookClient,
        webhooks: WebhookDirectory,
        state: StateStore | None,
        deadline: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        owner: str | None = None,
        app_client: Callable[[str], Any] | None = None,
    ) -> None:
        self.config = config
        self.slack = slack
        self.webhooks = webhooks
        self.state = state
        self.deadline = deadline
        self.clock = clock
        self.owner = owner or uuid.uuid4().hex
        self.quiet = timedelta(hours=config.quiet_period_hours)
        # Slack app mode (a bot token in the secret): ``app.lifecycle``, imported only then.
        self.app_client = app_client
        self._app: Any = None
        self._app_known = False
        self.refreshes: list[Item] = []  # suppressed findings whose app-mode root is edited

    # -- phase 1: decide every record ------------------------------------------------------
    def admit(self, record_id: str | None, event: Any, pending: dict[str, Item]) -> Item:
        """Decide one record; a bug here fails this record, never the whole batch."""
        try:
            item = self._admit(record_id, event, pending)
        except Exception as err:
            logger.exception("unexpected error deciding a record", extra={"message_id": record_id})
            item = Item(record_id)
            item.finish(Outcome.FAILED, f"internal error: {type(err).__name__}")
        if item.outcome is not None:
            # Decided without a delivery (filtered, suppressed, ignored, failed): still one
            # finding subsegment, so `gd2slack traces --outcome suppressed` finds it.
            with subsegment(FINDING_SUBSEGMENT, **_trace_annotations(item)):
                pass
        return item

    def _admit(self, record_id: str | None, event: Any, pending: dict[str, Item]) -> Item:
        item = Item(record_id)
        try:
            finding = parse_event(event)
        except NotAFinding as why:
            item.finish(Outcome.IGNORED, str(why))
            return item
        except MalformedEvent as why:
            item.finish(Outcome.FAILED, f"malformed event: {why}")
            return item
        item.finding, item.event_id = finding, finding.event_id
        item.route = route_for(finding, self.config.routes)
        count("FindingsReceived")
        verdict = screen(finding, self.config)
        if not verdict.wanted:
            item.finish(Outcome.FILTERED, verdict.reason or "")
            return item
        if self.state is None or finding.is_canary:
            item.reason = "no-state" if not finding.is_canary else "canary"
            return self._queue(item, pending)
        try:
            if self.state.event_already_sent(finding.event_id):
                item.finish(Outcome.SUPPRESSED, "duplicate-event")
                return item
            if finding.id in pending:
                return self._merge_repeat(item, pending)
            item.previous, item.unconfirmed_since = self.state.read_claimed(finding.id)
            decision = decide(item.previous, finding, self.quiet, self.state.now())
            if not decision.notify:
                self.state.note_activity(finding, item.previous)
                item.finish(Outcome.SUPPRESSED, decision.reason)
                if item.previous is not None and item.previous.root_ts:  # posted in app mode
                    self.refreshes.append(item)
                return item
            item.reason, item.notice = decision.reason, decision.notice
            self.state.claim(finding, item.previous, self.owner, self._lease_seconds())
        except StateUnavailable as err:
            item.finish(Outcome.FAILED, f"state unavailable: {err}")
            item.retry_soon = True
            return item
        except ClaimLost:
            item.finish(Outcome.FAILED, "another invocation is notifying this finding; retry later")
            # Its lease ends at the latest one function timeout (ours) + margin from now.
            item.retry_soon, item.retry_within = True, self._lease_seconds()
            return item
        return self._queue(item, pending)

    def _lease_seconds(self) -> float:
        """Until this invocation's deadline, plus a margin for clock skew: after the deadline
        Lambda has stopped it, so a longer lease only delays the retry of a crashed batch."""
        return max(self.deadline - self.clock(), 1.0) + LEASE_MARGIN

    def _queue(self, item: Item, pending: dict[str, Item]) -> Item:
        assert item.finding is not None
        key = item.finding.id if not item.finding.is_canary else f"canary#{id(item)}"
        if key in pending:
            return self._merge_repeat(item, pending)
        pending[key] = item
        return item

    def _merge_repeat(self, item: Item, pending: dict[str, Item]) -> Item:
        """The same finding twice in one batch: notify once, with the newest data.

        Newest is the greater ``(updatedAt, count, severity)``; on a tie the record later in
        the batch wins (SQS hands them over roughly in the order GuardDuty published them).
        """
        assert item.finding is not None
        earlier = pending[item.finding.id]
        assert earlier.finding is not None
        if recency(item.finding) >= recency(earlier.finding):
            earlier.finding = item.finding
            if self.state is not None:  # the notice must describe the data shown
                decision = decide(earlier.previous, item.finding, self.quiet, self.state.now())
                if decision.notify:
                    earlier.reason, earlier.notice = decision.reason, decision.notice
        item.finish(Outcome.SUPPRESSED, "repeat")
        earlier.merged.append(item)  # if the message fails, this record is retried with it
        return item

    # -- phase 2: deliver ------------------------------------------------------------------
    def deliver_all(self, pending: Mapping[str, Item]) -> None:
        by_route: dict[str, list[Item]] = {}
        for item in pending.values():
            by_route.setdefault(item.route, []).append(item)
        deliveries: list[Callable[[float], None]] = []
        for route, items in by_route.items():
            threshold = self.config.digest_threshold
            canary = any(item.finding is not None and item.finding.is_canary for item in items)
            if threshold and len(items) > threshold and not canary:
                deliveries.append(partial(self._deliver_digest, route, items))
            else:
                deliveries.extend(partial(self._deliver_one, item) for item in items)
        for left, deliver in zip(range(len(deliveries), 0, -1), deliveries, strict=True):
            deliver(self._record_deadline(left))
        for item in self.refreshes:  # quiet edits last: they never fail a record
            try:
                if (app := self._lifecycle()) is not None:
                    app.refresh(item, self._record_deadline(1))
            except Exception as err:
                count("SlackRefreshFailed")
                logger.warning("quiet refresh of a root failed", extra={"error": str(err)[:200]})

    def _lifecycle(self) -> Any:
        """App mode's ``AppLifecycle`` when the secret holds a bot token, else None."""
        if not self._app_known:
            app = self.webhooks.app()
            if app is not None:
                from app.adapters.slack_app import SlackAppClient  # noqa: PLC0415
                from app.lifecycle import AppLifecycle  # noqa: PLC0415

                factory = self.app_client or SlackAppClient
                self._app = AppLifecycle(self.config, app, factory(app.token))
            self._app_known = True
        return self._app

    def _record_deadline(self, deliveries_left: int) -> float:
        """This delivery's share of the time left, so one slow POST cannot starve the rest;
        a share never drops below ``MIN_RECORD_SECONDS`` while the invocation has that much."""
        end = self.deadline - DEADLINE_SAFETY
        now = self.clock()
        share = max((end - now) / deliveries_left, MIN_RECORD_SECONDS)
        return min(now + share, end)

    def _url(self, route: str, canary: bool) -> str | None:
        with subsegment("secrets.get_webhooks"):
            return self.webhooks.url_for(route, fall_back_to_default=not canary)

    def _deliver_one(self, item: Item, until: float) -> None:
        finding = item.finding
        assert finding is not None
        with subsegment(FINDING_SUBSEGMENT) as segment:
            try:
                if (app := self._lifecycle()) is not None:
                    self._deliver_app(app, item, until)
                    return self._annotate(item, segment)
                item.payload = render_finding(finding, self.config.account_names, item.notice)
                url = self._url(item.route, finding.is_canary)
                if url is None:
                    item.finish(Outcome.RENDERED, "no canary route configured")
                else:
                    self._post(url, item.payload, until)
                    item.finish(Outcome.DELIVERED, item.reason)
                    self._confirm(item)
            except Exception as err:
                self._fail_delivery([item], err)
            self._annotate(item, segment)

    @staticmethod
    def _annotate(item: Item, segment: Any) -> None:
        for key, value in _trace_annotations(item).items():
            segment.put_annotation(key, value)

    def _deliver_app(self, app: Any, item: Item, until: float) -> None:
        try:
            with subsegment("slack.app"):
                place = app.deliver(item, until)
        except Exception as err:
            self._fail_delivery([item], err)
            return
        if place is None:
            item.finish(Outcome.RENDERED, "no canary channel configured")
            return
        item.finish(Outcome.DELIVERED, item.reason)
        self._confirm(item, place)

    def _digest_app(self, app: Any, route: str, items: list[Item], until: float) -> None:
        done, err = app.digest(route, items, until)
        for item, place in done:
            item.finish(Outcome.DIGESTED, item.reason)
            self._confirm(item, place)
        posted = {id(item) for item, _ in done}
        if err is not None:
            self._fail_delivery([item for item in items if id(item) not in posted], err)

    def _deliver_digest(self, route: str, items: list[Item], until: float) -> None:
        findings = [item.finding for item in items if item.finding is not None]
        with subsegment("## process_digest", route=route[:64], findings=len(findings)):
            payload = render_digest(findings, route)
            try:
                app = self._lifecycle()
                if app is not None:
                    self._digest_app(app, route, items, until)
                else:
                    url = self._url(route, canary=False)
                    assert url is not None
                    self._post(url, payload, until)
            except Exception as err:
                self._fail_delivery(items, err)
            else:
                for item in items if app is None else ():
                    item.payload = payload
                    item.finish(Outcome.DIGESTED, item.reason)
                    self._confirm(item)
        for item in items:
            with subsegment(FINDING_SUBSEGMENT, **_trace_annotations(item)):
                pass

    def _post(self, url: str, payload: dict[str, Any], until: float) -> None:
        with subsegment("slack.post") as segment:
            try:
                delivered = self.slack.post(url, payload, until)
            except DeliveryError as err:
                segment.put_annotation("http_status", err.status)
                raise
            segment.put_annotation("http_status", delivered.status)
            segment.put_metadata("latency_ms", round(delivered.latency_ms, 1))
            latency("DeliveryLatency", delivered.latency_ms)

    def _confirm(self, item: Item, place: tuple[str, str, bool] | None = None) -> None:
        if self.state is None or item.finding is None or item.finding.is_canary:
            return
        try:
            with subsegment("state.write"):
                event_ids = [item.event_id, *(merged.event_id for merged in item.merged)]
                self.state.confirm(item.finding, item.previous, self.owner, event_ids, place=place)
        except (StateUnavailable, ClaimLost) as err:
            # Slack has the message: failing the record now would post it twice.
            count("StateWriteFailed")
            logger.error(
                "message delivered but its state was not recorded; a later re-publication "
                "may be notified again",
                extra={"finding_id": item.finding.id, "error": str(err)},
            )

    def _fail_delivery(self, items: list[Item], err: Exception) -> None:
        if isinstance(err, DeliveryError):
            reason = str(err)
            count_by("SlackErrors", "status", str(err.status or err.slack_error or "none"))
            count("SlackErrors")
        elif isinstance(err, WebhookConfigError):
            reason = f"webhook configuration: {err}"
        else:
            # Secrets Manager or anything unexpected: keep the type, not a message that
            # could carry a URL; the traceback goes to the log for the unexpected ones.
            if type(err).__name__ != "GetParameterError":  # Secrets Manager: expected, no trace
                logger.exception("unexpected error delivering", extra={"error": type(err).__name__})
            detail = "" if _may_leak(err) else str(err)[:200]
            reason = f"delivery failed: {type(err).__name__}: {detail}"
        transient = isinstance(err, TransientDeliveryError)
        for item in [*items, *(m for i in items for m in i.merged)]:
            item.finish(Outcome.FAILED, reason)
            item.retry_soon = transient
            if self.state is not None and item.finding is not None and not item.finding.is_canary:
                with contextlib.suppress(StateUnavailable):  # the lease expires on its own
                    self.state.release(item.finding.id, self.owner)


def _may_leak(err: Exception) -> bool:
    text = str(err)
    return "://" in text or "hooks.slack" in text


def decode_sqs_body(body: Any) -> Any:
    if not isinstance(body, str):
        raise MalformedEvent("SQS record has no string body")
    try:
        return json.loads(body)
    except json.JSONDecodeError as err:
        raise MalformedEvent(f"SQS body is not JSON ({err.msg} at {err.pos})") from None
    except (ValueError, RecursionError) as err:  # a >4300-digit integer, absurd nesting
        raise MalformedEvent(f"SQS body cannot be decoded: {str(err)[:120]}") from None
