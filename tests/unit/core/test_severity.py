from __future__ import annotations

from typing import Any

import pytest

from app.core.severity import Band, band_by_name, band_for, parse_score


@pytest.mark.parametrize(
    ("raw", "band"),
    [
        (0, Band.INFORMATIONAL),
        (0.99, Band.INFORMATIONAL),
        (1, Band.LOW),
        (3.9, Band.LOW),
        (3.95, Band.LOW),
        (3.999, Band.LOW),
        (4.0, Band.MEDIUM),
        (6.9, Band.MEDIUM),
        (6.95, Band.MEDIUM),
        (7.0, Band.HIGH),
        (8.9, Band.HIGH),
        (8.95, Band.HIGH),
        (9.0, Band.CRITICAL),
        (10, Band.CRITICAL),
        ("8.0", Band.HIGH),
        (" 9 ", Band.CRITICAL),
        (None, Band.INFORMATIONAL),
        ("banana", Band.INFORMATIONAL),
        (float("nan"), Band.INFORMATIONAL),
        (-3, Band.INFORMATIONAL),
        (True, Band.INFORMATIONAL),
        ({"score": 8}, Band.INFORMATIONAL),
        (11, Band.CRITICAL),
    ],
)
def test_bands_are_closed_ranges_and_odd_values_never_crash(raw: Any, band: Band) -> None:
    assert band_for(parse_score(raw)) is band


def test_scores_are_clamped_to_guardduty_range() -> None:
    assert parse_score(42) == 10.0
    assert parse_score("-1") == 0.0


# Each band's label and emoji is what the header and the digest show (docs/architecture.md,
# message contract): one distinct Slack emoji per band, cold to hot.
@pytest.mark.parametrize(
    ("band", "label", "emoji"),
    [
        (Band.INFORMATIONAL, "Informational", ":white_circle:"),
        (Band.LOW, "Low", ":large_blue_circle:"),
        (Band.MEDIUM, "Medium", ":large_yellow_circle:"),
        (Band.HIGH, "High", ":large_orange_circle:"),
        (Band.CRITICAL, "Critical", ":red_circle:"),
    ],
)
def test_each_band_has_its_own_label_and_emoji(band: Band, label: str, emoji: str) -> None:
    assert (band.label, band.emoji) == (label, emoji)


def test_band_emoji_are_distinct() -> None:
    assert len({band.emoji for band in Band}) == len(Band)


def test_ranks_follow_guardduty_order() -> None:
    assert [band.rank for band in Band] == [0, 1, 2, 3, 4]
    assert Band.CRITICAL.rank > Band.HIGH.rank > Band.MEDIUM.rank > Band.LOW.rank


@pytest.mark.parametrize("score", [0.01, 0.5, 0.99])
def test_a_positive_score_below_one_is_kept_and_informational(score: float) -> None:
    # Below Low's floor of 1.0, but a real score: kept as sent (the header shows it), not zeroed.
    assert parse_score(score) == score
    assert parse_score(str(score)) == score
    assert band_for(parse_score(score)) is Band.INFORMATIONAL


@pytest.mark.parametrize(
    ("raw", "score"),
    [
        (7, 7.0),
        (8.95, 8.95),
        ("8.0", 8.0),
        (" 9 ", 9.0),
        (10, 10.0),
        (10.5, 10.0),
        ("11", 10.0),
        (True, 0.0),
        (False, 0.0),
        (None, 0.0),
        ("", 0.0),
        ("banana", 0.0),
        (float("nan"), 0.0),
        ("nan", 0.0),
        (-0.5, 0.0),
        ([5], 0.0),
        ({"score": 8}, 0.0),
    ],
)
def test_parse_score_values(raw: Any, score: float) -> None:
    assert parse_score(raw) == score


@pytest.mark.parametrize("score", [-1.0, float("-inf"), float("nan")])
def test_band_for_a_score_below_every_floor_is_informational(score: float) -> None:
    # band_for is also called on unparsed floats (configuration floors): never None, never raises.
    assert band_for(score) is Band.INFORMATIONAL


@pytest.mark.parametrize(("name", "band"), [("low", Band.LOW), (" High ", Band.HIGH)])
def test_band_by_name_is_case_and_space_tolerant(name: str, band: Band) -> None:
    assert band_by_name(name) is band


def test_band_by_name_refuses_anything_else() -> None:
    with pytest.raises(KeyError):
        band_by_name("severe")


def test_integers_past_float_range_clamp_instead_of_raising() -> None:
    # A decoded event can hold any JSON integer (docs: nothing about severity raises).
    assert parse_score(10**400) == 10.0
    assert parse_score(-(10**400)) == 0.0


@pytest.mark.parametrize("value", [-0.0, "-0", "-0.0"])
def test_negative_zero_is_zero(value: object) -> None:
    score = parse_score(value)
    assert score == 0.0
    assert str(score) == "0.0"  # not "-0.0" in a header
