"""The noise-control decision table (docs/architecture.md#noise-control), one transition per
case."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.finding import Finding, parse_event
from app.core.noise import FindingState, NoiseDecision, decide, milestone
from tests.conftest import minimal_event

T0 = datetime(2026, 11, 28, 9, 14, tzinfo=UTC)
QUIET = timedelta(hours=24)


def finding(**overrides: Any) -> Finding:
    base = parse_event(minimal_event(severity=5.0, count=3, updated_at="2026-11-28T10:00:00Z"))
    return replace(base, **overrides)


def state(**overrides: Any) -> FindingState:
    values: dict[str, Any] = {
        "notified_score": 5.0,
        "notified_count": 1,
        "notified_at": T0,
        "last_seen": T0 + timedelta(minutes=30),
        "seen_count": 2,
        "archived": False,
        "version": 3,
    }
    values.update(overrides)
    return FindingState(**values)


@pytest.mark.parametrize(
    ("count", "expected"), [(0, 0), (1, 1), (9, 1), (10, 10), (99, 10), (100, 100), (1234, 1000)]
)
def test_milestones(count: int, expected: int) -> None:
    assert milestone(count) == expected


def test_first_sight_notifies() -> None:
    decision = decide(None, finding(), QUIET)
    assert decision.notify and decision.reason == "first-sight" and decision.notice is None


def test_republication_is_suppressed_as_repeat() -> None:
    decision = decide(state(), finding(count=3), QUIET)
    assert (decision.notify, decision.reason) == (False, "repeat")


def test_band_increase_notifies_with_the_change() -> None:
    decision = decide(state(notified_score=5.0), finding(score=7.5), QUIET)
    assert decision.notify and decision.reason == "severity-increase"
    assert decision.notice == "severity Medium → High"


def test_increase_within_a_band_below_critical_is_a_repeat() -> None:
    assert not decide(state(notified_score=4.0), finding(score=6.9), QUIET).notify


def test_numeric_increase_within_critical_notifies() -> None:
    decision = decide(state(notified_score=9.0), finding(score=9.6), QUIET)
    assert decision.notify and decision.reason == "severity-increase"
    assert decision.notice == "severity 9.0 → 9.6 (Critical)"


def test_severity_decrease_is_a_repeat() -> None:
    assert decide(state(notified_score=8.0), finding(score=5.0), QUIET).reason == "repeat"


def test_count_crossing_a_milestone_notifies_with_since() -> None:
    decision = decide(state(notified_count=1), finding(count=12), QUIET)
    assert decision.notify and decision.reason == "count-milestone"
    assert decision.notice == "count 1 → 12 since 2026-11-28 09:14 UTC"


def test_count_within_the_same_milestone_is_a_repeat() -> None:
    assert not decide(state(notified_count=12), finding(count=99), QUIET).notify


def test_count_going_backwards_is_a_repeat() -> None:
    assert (
        decide(state(notified_count=120, seen_count=130), finding(count=5), QUIET).reason
        == "repeat"
    )


def test_missing_count_uses_what_was_seen() -> None:
    assert (
        decide(state(notified_count=1, seen_count=2), finding(count=None), QUIET).reason == "repeat"
    )


def test_activity_after_quiet_period_notifies() -> None:
    previous = state(last_seen=T0)
    decision = decide(previous, finding(last_seen=T0 + timedelta(hours=30)), QUIET)
    assert decision.notify and decision.reason == "reactivated"
    assert decision.notice == "active again after 30 h quiet"


def test_activity_just_inside_quiet_period_is_a_repeat() -> None:
    previous = state(last_seen=T0)
    later = finding(last_seen=T0 + QUIET - timedelta(seconds=1))
    assert decide(previous, later, QUIET).reason == "repeat"


def test_exactly_the_quiet_period_notifies() -> None:
    assert decide(state(last_seen=T0), finding(last_seen=T0 + QUIET), QUIET).notify


def test_out_of_order_older_event_is_a_repeat() -> None:
    previous = state(last_seen=T0 + timedelta(days=3))
    assert decide(previous, finding(last_seen=T0), QUIET).reason == "repeat"


def test_missing_timestamps_never_notify_by_quiet_period() -> None:
    assert decide(state(last_seen=None), finding(last_seen=T0), QUIET).reason == "repeat"
    assert decide(state(last_seen=T0), finding(last_seen=None), QUIET).reason == "repeat"


def test_quiet_period_zero_disables_reactivation() -> None:
    previous = state(last_seen=T0)
    assert not decide(previous, finding(last_seen=T0 + timedelta(days=9)), timedelta(0)).notify


def test_archived_finding_is_suppressed() -> None:
    assert decide(None, finding(archived=True), QUIET) == NoiseDecision(False, "archived")
    assert decide(state(), finding(archived=True, score=9.9), QUIET) == NoiseDecision(
        False, "archived"
    )


def test_archived_then_active_again_notifies() -> None:
    decision = decide(state(archived=True), finding(), QUIET)
    assert decision.notify and decision.reason == "unarchived"


def test_critical_republication_at_the_same_score_stays_suppressed() -> None:
    # Row 5 needs the score *above* the last notified one: the same Critical score is a repeat.
    assert decide(state(notified_score=9.5), finding(score=9.5), QUIET).reason == "repeat"


def test_critical_score_going_down_is_a_repeat() -> None:
    assert decide(state(notified_score=9.8), finding(score=9.1), QUIET).reason == "repeat"


def test_band_increase_into_critical_names_the_bands() -> None:
    decision = decide(state(notified_score=8.9), finding(score=9.0), QUIET)
    assert decision.reason == "severity-increase"
    assert decision.notice == "severity High → Critical"


def test_unarchived_wins_over_a_severity_increase() -> None:
    decision = decide(state(archived=True, notified_score=2.0), finding(score=9.0), QUIET)
    assert (decision.notify, decision.reason) == (True, "unarchived")
    assert decision.notice == "archived finding is active again"


def test_severity_increase_wins_over_a_count_milestone() -> None:
    decision = decide(state(notified_count=1), finding(score=7.5, count=10), QUIET)
    assert decision.reason == "severity-increase"


def test_missing_count_crossing_a_milestone_through_what_was_seen() -> None:
    previous = state(notified_count=9, seen_count=10)
    decision = decide(previous, finding(count=None), QUIET)
    assert decision.reason == "count-milestone"
    assert decision.notice == "count 9 → 10 since 2026-11-28 09:14 UTC"


def test_milestone_notice_groups_thousands() -> None:
    decision = decide(state(notified_count=999), finding(count=1000), QUIET)
    assert decision.notice == "count 999 → 1,000 since 2026-11-28 09:14 UTC"


def test_milestone_notice_without_a_notification_time() -> None:
    decision = decide(state(notified_count=1, notified_at=None), finding(count=10), QUIET)
    assert decision.notice == "count 1 → 10 since the last notification"


@pytest.mark.parametrize(
    ("gap", "notice"),
    [
        (timedelta(hours=47), "active again after 47 h quiet"),
        (timedelta(hours=48), "active again after 2.0 days quiet"),
        (timedelta(days=9, hours=12), "active again after 9.5 days quiet"),
    ],
)
def test_quiet_gap_is_said_in_hours_then_days(gap: timedelta, notice: str) -> None:
    decision = decide(state(last_seen=T0), finding(last_seen=T0 + gap), QUIET)
    assert decision.notice == notice


def test_a_short_quiet_period_still_reactivates() -> None:
    # One hour is a valid QUIET_PERIOD_HOURS; only 0 disables row 7.
    previous = state(last_seen=T0)
    decision = decide(previous, finding(last_seen=T0 + timedelta(hours=2)), timedelta(hours=1))
    assert (decision.reason, decision.notice) == ("reactivated", "active again after 2 h quiet")


def test_suppressions_carry_no_notice() -> None:
    assert decide(state(), finding(), QUIET).notice is None
    assert decide(state(), finding(archived=True), QUIET).notice is None


# ----- snooze (docs/architecture.md#triage): a local silence set from Slack -----
UNTIL = T0 + timedelta(hours=24)
DURING = UNTIL - timedelta(hours=1)


def test_a_snoozed_repeat_that_would_notify_is_suppressed_as_snoozed() -> None:
    # Quiet for 30 h: without the snooze this is "reactivated".
    previous = state(last_seen=T0, snoozed_until=UNTIL)
    later = finding(last_seen=T0 + timedelta(hours=30))
    assert decide(previous, later, QUIET).reason == "reactivated"  # no clock: no snooze
    assert decide(previous, later, QUIET, DURING) == NoiseDecision(False, "snoozed")


def test_a_plain_repeat_during_a_snooze_is_still_a_repeat() -> None:
    assert decide(state(snoozed_until=UNTIL), finding(), QUIET, DURING).reason == "repeat"


def test_a_count_milestone_during_a_snooze_is_suppressed() -> None:
    previous = state(notified_count=1, snoozed_until=UNTIL)
    assert decide(previous, finding(count=12), QUIET, DURING) == NoiseDecision(False, "snoozed")


def test_an_increase_within_high_during_a_snooze_is_suppressed() -> None:
    # Inside High (below Critical) an increase is no news even without a snooze: a repeat.
    previous = state(notified_score=7.0, snoozed_until=UNTIL)
    assert decide(previous, finding(score=8.9), QUIET, DURING) == NoiseDecision(False, "repeat")


def test_a_rise_to_high_during_a_snooze_is_suppressed() -> None:
    # Only Critical breaks through: Medium → High notifies without a snooze, not with one.
    previous = state(notified_score=5.0, snoozed_until=UNTIL)
    assert decide(previous, finding(score=8.0), QUIET).reason == "severity-increase"
    assert decide(previous, finding(score=8.0), QUIET, DURING).reason == "snoozed"


def test_an_escalation_to_critical_breaks_through_the_snooze() -> None:
    previous = state(notified_score=7.5, snoozed_until=UNTIL)
    decision = decide(previous, finding(score=9.2), QUIET, DURING)
    assert (decision.notify, decision.reason) == (True, "severity-increase")
    assert decision.notice == (
        "severity High → Critical; breaks through the snooze until 2026-11-29 09:14 UTC"
    )


def test_a_rise_within_critical_during_a_snooze_is_suppressed() -> None:
    # Already Critical when snoozed: the band does not rise, so 9.0 → 9.6 stays silent.
    previous = state(notified_score=9.0, snoozed_until=UNTIL)
    assert decide(previous, finding(score=9.6), QUIET).notify
    assert decide(previous, finding(score=9.6), QUIET, DURING).reason == "snoozed"


def test_unarchived_during_a_snooze_is_suppressed_unless_it_rises_to_critical() -> None:
    previous = state(archived=True, notified_score=5.0, snoozed_until=UNTIL)
    assert decide(previous, finding(), QUIET, DURING).reason == "snoozed"
    loud = decide(previous, finding(score=9.5), QUIET, DURING)
    assert (loud.notify, loud.reason) == (True, "unarchived")
    assert loud.notice == (
        "archived finding is active again; breaks through the snooze until 2026-11-29 09:14 UTC"
    )


def test_after_the_snooze_the_normal_rules_apply() -> None:
    previous = state(notified_count=1, snoozed_until=UNTIL)
    decision = decide(previous, finding(count=12), QUIET, UNTIL + timedelta(seconds=1))
    assert (decision.reason, decision.notice) == (
        "count-milestone",
        "count 1 → 12 since 2026-11-28 09:14 UTC",
    )


def test_the_snooze_ends_at_snoozed_until_exactly() -> None:
    # Boundary: snoozed while now < snoozed_until; at snoozed_until itself it is over.
    previous = state(notified_count=1, snoozed_until=UNTIL)
    just_before = UNTIL - timedelta(microseconds=1)
    assert decide(previous, finding(count=12), QUIET, just_before).reason == "snoozed"
    assert decide(previous, finding(count=12), QUIET, UNTIL).reason == "count-milestone"


def test_archived_during_a_snooze_is_still_archived() -> None:
    previous = state(snoozed_until=UNTIL)
    assert decide(previous, finding(archived=True), QUIET, DURING) == NoiseDecision(
        False, "archived"
    )
    assert decide(previous, finding(archived=True, score=9.9), QUIET, DURING).reason == "archived"


def test_first_sight_ignores_the_clock() -> None:
    assert decide(None, finding(), QUIET, DURING).reason == "first-sight"


def test_no_snooze_with_a_clock_changes_nothing() -> None:
    decision = decide(state(notified_count=1), finding(count=12), QUIET, DURING)
    assert decision.reason == "count-milestone"
