"""Slack app mode: one message per finding in its channel, always current, changes threaded.

* First notification: ``chat.postMessage`` of the lead (``render_parts``) with metadata
  ``guardduty_finding`` {finding_id, event_id, account, region}, then the details as the first
  thread reply. The state table records (channel, root ts) at the confirm.
* Later notify-worthy change: a thread reply saying what changed (broadcast to the channel when
  the band rises to High or Critical), then ``chat.update`` of the root: current severity,
  count, last seen and a status line. A reply whose parent was deleted comes back without
  ``thread_ts``: it is top-level already, so it is edited into the lead and becomes the root.
* Suppressed re-publication: a quiet ``chat.update`` of the root (``REFRESH_ON_REPEAT``);
  archived: the root says so.
* Digest: one root (``guardduty_digest``) whose thread holds one reply per finding; each
  finding records (channel, digest root ts, in_digest), so a later change replies in that
  thread (the shared root is not edited for one finding).
* Triage (docs/architecture.md#triage): with it on, every root carries the triage buttons
  (``root_payload``), and every edit keeps the state's ``triage_note`` (what was done from Slack).
* Exactly once: every post carries metadata naming what it is. After an ambiguous outcome (no
  answer, or the finding's state shows a claim never confirmed) the message is looked up by
  that metadata since the claim (``conversations.history`` / ``.replies``) before posting, and
  a found message is recorded instead of posted again.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from app.adapters.destinations import SlackApp
from app.adapters.observability import count, logger
from app.adapters.slack import PermanentDeliveryError
from app.adapters.slack_app import Posted, SlackAppClient, Unanswered
from app.config import Config
from app.core.finding import Finding
from app.core.severity import Band, band_for
from app.core.triage import target_of
from app.render.message import render_digest, render_parts
from app.render.mrkdwn import escape, mrkdwn
from app.render.triage import note_block, triage_actions

if TYPE_CHECKING:
    from app.batch import Item

ROOT_EVENT = "guardduty_finding"
DETAILS_EVENT = "guardduty_finding_details"
CHANGE_EVENT = "guardduty_finding_change"
DIGEST_EVENT = "guardduty_digest"
# Slack's ts and our clock may differ a little: look a little further back than the claim.
CLOCK_SKEW = 60.0
Place = tuple[str, str, bool]  # channel, root ts, in a digest


def root_metadata(finding: Finding) -> dict[str, Any]:
    return {
        "event_type": ROOT_EVENT,
        "event_payload": {
            "finding_id": finding.id,
            "event_id": finding.event_id,
            "account": finding.account_id,
            "region": finding.region,
        },
    }


def status_block(finding: Finding) -> dict[str, Any]:
    seen = finding.last_seen.strftime("%Y-%m-%d %H:%M UTC") if finding.last_seen else "unknown"
    state = "Archived in GuardDuty" if finding.archived else "Active"
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"*Status:* {state} · severity {finding.score:.1f} {finding.band.label} · "
        f"count {finding.count or 1:,} · last seen {seen} · updated {now}"
    )
    return {"type": "context", "elements": [mrkdwn(text)]}


def root_payload(
    finding: Finding,
    config: Config,
    notice: str | None = None,
    *,
    mention: bool = False,
    triage_note: str | None = None,
) -> dict[str, Any]:
    """A finding's root message, as posted and as every later edit (the notifier's and the
    interactions function's) rewrites it: the lead, its status line, what was last done from
    Slack (``triage_note``, mrkdwn we composed) and, with triage on, the triage buttons (not on
    a canary, nor on a finding that cannot be acted on from here: ``target_of``). App mode only: a
    webhook message cannot be edited, so it never gets them (``render_finding``)."""
    lead = render_parts(finding, config.account_names, notice).lead
    blocks = [*lead["blocks"], status_block(finding)]
    if triage_note:
        blocks.append(note_block(triage_note))
    target = target_of(finding, config.detector_id, os.environ.get("AWS_REGION"))
    if config.triage_enabled and target is not None and not finding.is_canary:
        blocks.append(triage_actions(target, archived=finding.archived))
    if mention and config.mention_on_critical and finding.band is Band.CRITICAL:
        blocks.insert(0, _section(f"{config.mention_on_critical} Critical finding"))
    return {**lead, "blocks": blocks}


class AppLifecycle:
    """One invocation's app-mode deliveries; ``wall`` is epoch time (Slack's ts clock)."""

    def __init__(
        self,
        config: Config,
        app: SlackApp,
        client: SlackAppClient,
        *,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.app, self.client, self.wall = config, app, client, wall

    # -- what is posted --------------------------------------------------------------------
    def _root(self, item: Item, *, mention: bool, notice: bool = True) -> dict[str, Any]:
        """``item``'s root; every edit keeps what was done from Slack (the state's note)."""
        assert item.finding is not None
        note = item.previous.triage_note if item.previous else None
        return root_payload(
            item.finding,
            self.config,
            item.notice if notice else None,
            mention=mention,
            triage_note=note,
        )

    def _post_once(
        self,
        channel: str,
        payload: Mapping[str, Any],
        until: float,
        *,
        metadata: Mapping[str, Any],
        since: float | None,
        thread_ts: str | None = None,
        broadcast: bool = False,
    ) -> Posted:
        """Post unless the message is in Slack already (looked up only when it may be)."""
        match = {"event_type": metadata["event_type"], **metadata["event_payload"]}
        for attempt in range(2):
            if since is not None:
                found = self._find(channel, since, match, until, thread_ts)
                if found is not None:
                    count("SlackFoundByMetadata")
                    logger.info("message already in Slack: recorded, not posted again")
                    return found
            started = self.wall()
            try:
                return self.client.post(
                    channel,
                    payload,
                    until,
                    metadata=metadata,
                    thread_ts=thread_ts,
                    broadcast=broadcast,
                )
            except Unanswered:
                if attempt:
                    raise
                since = started if since is None else min(since, started)
        raise AssertionError("unreachable")

    def _find(
        self,
        channel: str,
        since: float,
        match: Mapping[str, str],
        until: float,
        thread_ts: str | None,
    ) -> Posted | None:
        oldest = since - CLOCK_SKEW
        try:
            return self.client.find(channel, oldest, match, until, thread_ts=thread_ts)
        except PermanentDeliveryError as err:
            if thread_ts and err.slack_error == "thread_not_found":  # parent deleted
                return self.client.find(channel, oldest, match, until)
            raise

    # -- one finding -----------------------------------------------------------------------
    def deliver(self, item: Item, until: float) -> Place | None:
        """Post or change ``item``'s finding in its channel: where it is now (None: no
        channel for a canary)."""
        finding = item.finding
        assert finding is not None
        channel = self.app.channel_for(item.route, fall_back_to_default=not finding.is_canary)
        if channel is None:
            return None
        previous = item.previous
        since = item.unconfirmed_since
        if previous and previous.root_ts and previous.channel == channel:
            return self._change(
                item,
                channel,
                previous.root_ts,
                in_digest=previous.in_digest,
                since=since,
                until=until,
            )
        return self._first(item, channel, since, until)

    def _first(self, item: Item, channel: str, since: float | None, until: float) -> Place:
        finding = item.finding
        assert finding is not None
        root = self._post_once(
            channel,
            self._root(item, mention=True),
            until,
            metadata=root_metadata(finding),
            since=since,
        )
        details = render_parts(finding, self.config.account_names, item.notice).details
        if details:
            self._post_once(
                channel,
                {"text": "Details", "blocks": details},
                until,
                metadata={"event_type": DETAILS_EVENT, "event_payload": {"finding_id": finding.id}},
                since=since,
                thread_ts=root.ts,
            )
        return channel, root.ts, False

    def _change(
        self,
        item: Item,
        channel: str,
        root_ts: str,
        *,
        in_digest: bool,
        since: float | None,
        until: float,
    ) -> Place:
        finding = item.finding
        assert finding is not None and item.previous is not None
        old_band = band_for(item.previous.notified_score)
        rises = finding.band.rank > old_band.rank and finding.band.rank >= Band.HIGH.rank
        what = f"What changed: {item.notice or item.reason or 'updated'}"
        mention = ""
        if rises and finding.band is Band.CRITICAL and self.config.mention_on_critical:
            mention = f"{self.config.mention_on_critical} "
        reply = self._post_once(
            channel,
            {
                "text": mention + what,
                "blocks": [_section(mention + escape(what)), status_block(finding)],
            },
            until,
            metadata={
                "event_type": CHANGE_EVENT,
                "event_payload": {
                    "finding_id": finding.id,
                    "change": str(item.previous.version),
                },
            },
            since=since,
            thread_ts=root_ts,
            broadcast=rises,
        )
        if reply.thread_ts is None:  # the parent was deleted: the reply went top-level
            count("SlackNewRootAfterDeletedParent")
            self.client.update(channel, reply.ts, self._root(item, mention=False), until)
            return channel, reply.ts, False
        if not in_digest:
            root = self._root(item, mention=False)
            if not self.client.update(channel, root_ts, root, until):
                return self._first(item, channel, None, until)
        return channel, root_ts, in_digest

    def refresh(self, item: Item, until: float) -> None:
        """A suppressed re-publication: edit the root quietly (no notification)."""
        finding, previous = item.finding, item.previous
        if finding is None or previous is None or not previous.root_ts or previous.in_digest:
            return
        if not (finding.archived or self.config.refresh_on_repeat) or not previous.channel:
            return
        root = self._root(item, mention=False, notice=False)
        if self.client.update(previous.channel, previous.root_ts, root, until):
            count("SlackRootRefreshed")

    # -- a digest --------------------------------------------------------------------------
    def digest(
        self, route: str, items: Sequence[Item], until: float
    ) -> tuple[list[tuple[Item, Place]], Exception | None]:
        """One digest root, one reply per finding in its thread: the items posted (with where)
        and the error that stopped the rest, if any."""
        findings = [item.finding for item in items if item.finding is not None]
        channel = self.app.channel_for(route)
        assert channel is not None
        since = min((i.unconfirmed_since for i in items if i.unconfirmed_since), default=None)
        key = hashlib.sha256("\n".join(sorted(f.id for f in findings)).encode()).hexdigest()
        done: list[tuple[Item, Place]] = []
        try:
            root = self._post_once(
                channel,
                render_digest(findings, route),
                until,
                metadata={"event_type": DIGEST_EVENT, "event_payload": {"digest": key[:32]}},
                since=since,
            )
            for item in items:
                assert item.finding is not None
                self._post_once(
                    channel,
                    self._root(item, mention=True),
                    until,
                    metadata=root_metadata(item.finding),
                    since=since,
                    thread_ts=root.ts,
                )
                done.append((item, (channel, root.ts, True)))
        except Exception as err:
            return done, err
        return done, None


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}
