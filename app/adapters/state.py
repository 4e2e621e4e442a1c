"""Finding state and idempotency in one DynamoDB table (``STATE_TABLE``).

Items (partition key ``pk``, string; TTL attribute ``expires_at``, epoch seconds):

* ``finding#<id>``: what was last notified (``notified_score``, ``notified_count``,
  ``notified_at``), last activity (``last_seen``, ``seen_count``, ``archived``), an optimistic
  ``version``, and while a batch is posting, a lease (``lease_owner``, ``lease_until``).
* ``event#<eventbridge id>``: written when a message for that event was accepted by Slack,
  so a redelivered or redriven event never posts twice.
* ``request#<sha256 of a Slack request's signature>``: an interactions request already
  accepted (replay protection, kept ``REQUEST_RETENTION``).

Triage adds to ``finding#<id>``: ``snoozed_until`` (epoch seconds) and ``triage_note`` (what was
last done from Slack, shown on the root). Neither moves ``version``: they are orthogonal to the
notification protocol, and a notifier's confirm never overwrites them.

Protocol for a notification: **claim** (conditional on the version read and no live lease: two
concurrent batches cannot both win) → POST to Slack → **confirm** (one transaction: new state,
version + 1, lease removed, event item created). A failed POST **releases** the claim.

Slack app mode adds ``channel``/``root_ts``/``in_digest`` (where the finding's message is) and
``claimed_at``: set by the first claim, kept by a release, removed only by the confirm. A
finding read with ``claimed_at`` had a claim that was never confirmed, so a message may be in
Slack already: app mode looks it up by its metadata since then before posting
(``app.lifecycle``).

Two windows for a duplicate remain, both narrow: a crash between Slack's 200 and the confirm
(milliseconds), and a POST that Slack accepted but whose answer never arrived (a read timeout or
a dropped connection), which is retried like any unanswered POST. A failed confirm is logged
loudly and at worst causes one extra message later, never a lost one.

We judged Powertools Idempotency against this: it keys on the whole record and knows nothing
of a finding's history, so noise control would need this table anyway; one table, one
conditional-write protocol, covers both.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from app.adapters.observability import aws_client
from app.core.finding import Finding
from app.core.noise import FindingState

RETENTION = timedelta(days=7)
# Longer than Slack's 5-minute signature window: a replay inside the window is always seen.
REQUEST_RETENTION = timedelta(minutes=10)


class StateUnavailable(Exception):
    """DynamoDB failed (throttled, unavailable, denied): the record must fail and be retried."""


class ClaimLost(Exception):
    """Another invocation holds or changed this finding; retry the record later."""


MAX_KEY_ID = 200


def _key(kind: str, identifier: str) -> str:
    """``finding#<id>``; ids too long for a DynamoDB key (hostile input) are hashed instead."""
    if len(identifier.encode()) > MAX_KEY_ID:
        identifier = "sha256:" + hashlib.sha256(identifier.encode()).hexdigest()
    return f"{kind}#{identifier}"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _s(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value["S"] if isinstance(value, dict) and "S" in value else None


def _n(item: Mapping[str, Any], key: str, default: float = 0) -> float:
    value = item.get(key)
    return float(value["N"]) if isinstance(value, dict) and "N" in value else default


def _epoch(item: Mapping[str, Any], key: str) -> datetime | None:
    return datetime.fromtimestamp(_n(item, key), UTC) if key in item else None


def _error_code(err: Exception) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


class StateStore:
    """I/O edge for noise control; every method raises ``StateUnavailable`` on AWS errors."""

    def __init__(
        self,
        table_name: str,
        client: Any = None,
        *,
        retention: timedelta = RETENTION,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if client is None:
            client = aws_client("dynamodb")
        self.table = table_name
        self.client = client
        self.retention = retention
        self.now = now

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except Exception as err:
            code = _error_code(err)
            if code in ("ConditionalCheckFailedException", "TransactionCanceledException"):
                raise ClaimLost(f"{operation}: {code}") from None
            raise StateUnavailable(
                f"DynamoDB {operation} on {self.table} failed: {code or type(err).__name__}"
            ) from None

    def _expires(self, last_seen: datetime | None) -> str:
        anchor = max(filter(None, (last_seen, self.now())))
        return str(int((anchor + self.retention).timestamp()))

    def event_already_sent(self, event_id: str) -> bool:
        if not event_id:
            return False
        item = self._call(
            "get_item",
            TableName=self.table,
            Key={"pk": {"S": _key("event", event_id)}},
            ConsistentRead=True,
        ).get("Item")
        return item is not None

    def read(self, finding_id: str) -> FindingState | None:
        return self.read_claimed(finding_id)[0]

    def read_claimed(self, finding_id: str) -> tuple[FindingState | None, float | None]:
        """The state, and since when a claim on it stands unconfirmed (epoch seconds; None
        when every claim was confirmed): then a message may be in Slack already."""
        item = self._call(
            "get_item",
            TableName=self.table,
            Key={"pk": {"S": _key("finding", finding_id)}},
            ConsistentRead=True,
        ).get("Item")
        since = _n(item, "claimed_at") if item and "claimed_at" in item else None
        if not item or "version" not in item:
            return None, since
        return FindingState(
            notified_score=_n(item, "notified_score"),
            notified_count=int(_n(item, "notified_count")),
            notified_at=_from_iso(_s(item, "notified_at")),
            last_seen=_from_iso(_s(item, "last_seen")),
            seen_count=int(_n(item, "seen_count")),
            archived=bool(item.get("archived", {}).get("BOOL", False)),
            version=int(_n(item, "version")),
            channel=_s(item, "channel"),
            root_ts=_s(item, "root_ts"),
            in_digest=bool(item.get("in_digest", {}).get("BOOL", False)),
            snoozed_until=_epoch(item, "snoozed_until"),
            triage_note=_s(item, "triage_note"),
        ), since

    def claim(
        self, finding: Finding, previous: FindingState | None, owner: str, lease: float
    ) -> None:
        """Take the right to notify; ``ClaimLost`` if someone else did or the state moved on."""
        now = time.time()
        version_check = (
            "attribute_not_exists(version)" if previous is None else "version = :version"
        )
        values: dict[str, Any] = {
            ":owner": {"S": owner},
            ":until": {"N": str(int(now + lease))},
            ":now": {"N": str(int(now))},
            ":expires": {"N": self._expires(finding.last_seen)},
        }
        if previous is not None:
            values[":version"] = {"N": str(previous.version)}
        self._call(
            "update_item",
            TableName=self.table,
            Key={"pk": {"S": _key("finding", finding.id)}},
            UpdateExpression=(
                "SET lease_owner = :owner, lease_until = :until, expires_at = :expires,"
                " claimed_at = if_not_exists(claimed_at, :now)"
            ),
            ConditionExpression=(
                f"{version_check} AND (attribute_not_exists(lease_until) OR lease_until < :now)"
            ),
            ExpressionAttributeValues=values,
        )

    def release(self, finding_id: str, owner: str) -> None:
        """Give the claim back after a failed POST; losing it already is fine."""
        with contextlib.suppress(ClaimLost):
            self._call(
                "update_item",
                TableName=self.table,
                Key={"pk": {"S": _key("finding", finding_id)}},
                UpdateExpression="REMOVE lease_owner, lease_until",
                ConditionExpression="lease_owner = :owner",
                ExpressionAttributeValues={":owner": {"S": owner}},
            )

    def confirm(
        self,
        finding: Finding,
        previous: FindingState | None,
        owner: str,
        event_ids: Iterable[str] = (),
        *,
        place: tuple[str, str, bool] | None = None,
    ) -> None:
        """Slack accepted: record what was notified and the event ids (``finding``'s and those
        of the records folded into the message), atomically; app mode's ``place`` is
        (channel, root ts, in a digest)."""
        seen = _later(finding.last_seen, previous.last_seen if previous else None)
        count = (
            finding.count if finding.count is not None else (previous.seen_count if previous else 1)
        )
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": {"pk": {"S": _key("finding", finding.id)}},
                    "UpdateExpression": (
                        "SET notified_score = :score, notified_count = :count, notified_at = :at,"
                        " seen_count = :count, last_seen = :seen, archived = :archived,"
                        " finding_type = :type, expires_at = :expires,"
                        " version = if_not_exists(version, :zero) + :one"
                        + (
                            ", channel = :channel, root_ts = :root, in_digest = :digest"
                            if place
                            else ""
                        )
                        + " REMOVE lease_owner, lease_until, claimed_at"
                    ),
                    "ConditionExpression": "lease_owner = :owner",
                    "ExpressionAttributeValues": {
                        ":score": {"N": repr(finding.score)},
                        ":count": {"N": str(max(count, 1))},
                        ":at": {"S": _iso(self.now()) or ""},
                        ":seen": {"S": _iso(seen) or _iso(self.now()) or ""},
                        ":archived": {"BOOL": finding.archived},
                        ":type": {"S": finding.type[:200]},
                        ":expires": {"N": self._expires(seen)},
                        ":zero": {"N": "0"},
                        ":one": {"N": "1"},
                        ":owner": {"S": owner},
                    },
                }
            }
        ]
        if place:
            values = items[0]["Update"]["ExpressionAttributeValues"]
            values[":channel"], values[":root"] = {"S": place[0]}, {"S": place[1]}
            values[":digest"] = {"BOOL": place[2]}
        for event_id in sorted({finding.event_id, *event_ids} - {""}):
            items.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            "pk": {"S": _key("event", event_id)},
                            "finding_id": {"S": finding.id},
                            "sent_at": {"S": _iso(self.now()) or ""},
                            "expires_at": {"N": self._expires(None)},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        self._call("transact_write_items", TransactItems=items)

    # -- triage (app.interactions) ----------------------------------------------------------
    def first_request(self, signature: str) -> bool:
        """Record a verified Slack request; ``False`` when it was seen before (a replay)."""
        digest = hashlib.sha256(signature.encode()).hexdigest()
        try:
            self._call(
                "put_item",
                TableName=self.table,
                Item={
                    "pk": {"S": f"request#{digest}"},
                    "expires_at": {"N": str(int((self.now() + REQUEST_RETENTION).timestamp()))},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClaimLost:
            return False
        return True

    def snooze(self, finding_id: str, until: datetime, note: str) -> None:
        """Silence a notified finding until ``until`` (``noise.decide`` reads it); the item
        outlives the silence. ``ClaimLost`` when nothing was ever notified for it (no state, a
        claim never confirmed, or only noted activity such as a first sight already archived):
        ``notified_at`` is written by a confirm only."""
        self._call(
            "update_item",
            TableName=self.table,
            Key={"pk": {"S": _key("finding", finding_id)}},
            UpdateExpression=(
                "SET snoozed_until = :until, triage_note = :note, expires_at = :expires"
            ),
            ConditionExpression="attribute_exists(notified_at)",
            ExpressionAttributeValues={
                ":until": {"N": str(int(until.timestamp()))},
                ":note": {"S": note[:1000]},
                ":expires": {"N": str(int((until + self.retention).timestamp()))},
            },
        )

    def record_triage(self, finding_id: str, note: str) -> None:
        """What was done from Slack, so the notifier's later edits of the root keep showing it;
        ``ClaimLost``, like ``snooze``, when nothing was ever notified for the finding."""
        self._call(
            "update_item",
            TableName=self.table,
            Key={"pk": {"S": _key("finding", finding_id)}},
            UpdateExpression="SET triage_note = :note",
            ConditionExpression="attribute_exists(notified_at)",
            ExpressionAttributeValues={":note": {"S": note[:1000]}},
        )

    def note_activity(self, finding: Finding, previous: FindingState | None) -> None:
        """A suppressed event still moves ``last_seen``/``archived`` (quiet period, unarchive)."""
        seen = _later(finding.last_seen, previous.last_seen if previous else None)
        values: dict[str, Any] = {
            ":seen": {"S": _iso(seen) or _iso(self.now()) or ""},
            ":count": {"N": str(max(finding.count or 0, previous.seen_count if previous else 0))},
            ":archived": {"BOOL": finding.archived},
            ":expires": {"N": self._expires(seen)},
        }
        if previous is None:
            expression = (
                "SET last_seen = :seen, seen_count = :count, archived = :archived,"
                " expires_at = :expires, notified_score = :zero, notified_count = :zero,"
                " version = :one"
            )
            condition = "attribute_not_exists(version)"
            values |= {":zero": {"N": "0"}, ":one": {"N": "1"}}
        else:
            expression = (
                "SET last_seen = :seen, seen_count = :count, archived = :archived,"
                " expires_at = :expires"
            )
            condition = "version = :version"
            values[":version"] = {"N": str(previous.version)}
        with contextlib.suppress(ClaimLost):  # someone recorded newer state meanwhile: theirs wins
            self._call(
                "update_item",
                TableName=self.table,
                Key={"pk": {"S": _key("finding", finding.id)}},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)
