"""Noise control: given what we last told Slack about a finding, is this event news?

GuardDuty re-publishes a live finding every 15 min / 1 h / 6 h with a growing
``service.count``. Posting each one floods the channel; posting none hides an escalation. This
pure function decides, from the stored ``FindingState`` and the new ``Finding``:

notify on first sight, a severity band increase (or any increase inside Critical), the count
crossing a milestone (1, 10, 100, 1000, ...), activity after a quiet period, or a finding that
was archived and is active again; suppress everything else, with a reason. While a responder's
snooze (set from Slack) lasts, those notifications are suppressed as ``snoozed``, except a rise
of the band to Critical, which breaks through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.finding import Finding
from app.core.severity import Band, band_for


@dataclass(frozen=True)
class FindingState:
    """What the state table remembers about one finding id."""

    notified_score: float
    notified_count: int
    notified_at: datetime | None
    last_seen: datetime | None
    seen_count: int
    archived: bool
    version: int
    # Slack app mode: where the finding's message is (a digest's root for a digested finding).
    channel: str | None = None
    root_ts: str | None = None
    in_digest: bool = False
    # Triage (app.interactions): a local silence, and what was last done from Slack.
    snoozed_until: datetime | None = None
    triage_note: str | None = None


@dataclass(frozen=True)
class NoiseDecision:
    notify: bool
    reason: str
    notice: str | None = None  # shown in the message: why it is being sent again


def milestone(count: int) -> int:
    """The largest power of ten ≤ count (0 for counts below 1)."""
    if count < 1:
        return 0
    power = 1
    while power * 10 <= count:
        power *= 10
    return power


def _hhmm(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "the last notification"


def _quiet_for(gap: timedelta) -> str:
    hours = gap.total_seconds() / 3600
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} h"


def decide(
    previous: FindingState | None,
    finding: Finding,
    quiet_period: timedelta,
    now: datetime | None = None,
) -> NoiseDecision:
    """Pure: previous state + this finding → notify (with why) or suppress (with a reason).

    ``now`` is the caller's wall clock, for the snooze: snoozed while ``now < snoozed_until``
    (at ``snoozed_until`` exactly the snooze is over). Without ``now`` no snooze applies: a
    caller that cannot tell the time is told too much rather than too little.
    """
    decision = _decide(previous, finding, quiet_period)
    if not decision.notify or previous is None or previous.snoozed_until is None:
        return decision
    if now is None or now >= previous.snoozed_until:
        return decision
    if finding.band is Band.CRITICAL and band_for(previous.notified_score) is not Band.CRITICAL:
        # Every notification of a known finding has a notice: say it broke through.
        through = f"breaks through the snooze until {_hhmm(previous.snoozed_until)}"
        return NoiseDecision(True, decision.reason, f"{decision.notice}; {through}")
    return NoiseDecision(False, "snoozed")


def _decide(
    previous: FindingState | None, finding: Finding, quiet_period: timedelta
) -> NoiseDecision:
    """The table without the snooze."""
    if finding.archived:
        return NoiseDecision(False, "archived")
    if previous is None:
        return NoiseDecision(True, "first-sight")
    count = finding.count if finding.count is not None else previous.seen_count
    if previous.archived:
        return NoiseDecision(True, "unarchived", "archived finding is active again")

    old_band, new_band = band_for(previous.notified_score), finding.band
    if new_band.rank > old_band.rank:
        return NoiseDecision(
            True, "severity-increase", f"severity {old_band.label} → {new_band.label}"
        )
    if new_band is Band.CRITICAL and finding.score > previous.notified_score:
        return NoiseDecision(
            True,
            "severity-increase",
            f"severity {previous.notified_score:.1f} → {finding.score:.1f} (Critical)",
        )
    if milestone(count) > milestone(previous.notified_count):
        return NoiseDecision(
            True,
            "count-milestone",
            f"count {previous.notified_count:,} → {count:,} since {_hhmm(previous.notified_at)}",
        )
    seen = finding.last_seen
    if seen is not None and previous.last_seen is not None:
        gap = seen - previous.last_seen
        if gap >= quiet_period > timedelta(0):
            return NoiseDecision(True, "reactivated", f"active again after {_quiet_for(gap)} quiet")
    return NoiseDecision(False, "repeat")
