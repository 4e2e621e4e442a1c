"""GuardDuty's severity bands, as closed ranges on the float score.

Older notifiers stopped at 8.9 and left gaps between bands (3.95 fell through, 9.0 crashed);
here every float maps to exactly one band and anything unparseable is treated as 0.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any


class Band(Enum):
    """A severity band; ``floor`` is the lowest score that belongs to it."""

    INFORMATIONAL = (0.0, "Informational", ":white_circle:")
    LOW = (1.0, "Low", ":large_blue_circle:")
    MEDIUM = (4.0, "Medium", ":large_yellow_circle:")
    HIGH = (7.0, "High", ":large_orange_circle:")
    CRITICAL = (9.0, "Critical", ":red_circle:")

    def __init__(self, floor: float, label: str, emoji: str) -> None:
        self.floor = floor
        self.label = label
        self.emoji = emoji

    @property
    def rank(self) -> int:
        return list(Band).index(self)


# Band names accepted in configuration (MIN_SEVERITY, routes, stack parameters).
BAND_NAMES: tuple[str, ...] = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


def parse_score(value: Any) -> float:
    """Severity as GuardDuty sent it (number, numeric string, null...) to a float in [0, 10]."""
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        try:
            score = float(value)
        except OverflowError:  # an integer past float's range (hostile input)
            return 10.0 if value > 0 else 0.0
    elif isinstance(value, str):
        try:
            score = float(value.strip())
        except ValueError:
            return 0.0
    else:
        return 0.0
    if math.isnan(score) or score <= 0:  # -0.0 too: never "Informational -0.0"
        return 0.0
    return min(score, 10.0)


def band_for(score: float) -> Band:
    """Closed ranges on the float: 3.95 is Low, 8.95 High, 9.0 and 10.0 Critical."""
    for band in reversed(Band):
        if score >= band.floor:
            return band
    return Band.INFORMATIONAL


def band_by_name(name: str) -> Band:
    """``"high"`` → ``Band.HIGH``; raises ``KeyError`` for anything else."""
    return Band[name.strip().upper()]
