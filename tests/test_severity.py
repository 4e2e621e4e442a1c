from __future__ import annotations

from typing import Any

import pytest

from app.severity import Band, band_for, parse_score


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
