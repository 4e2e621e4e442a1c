"""Virtual monotonic time for Slack's pace: sleeping moves it, so the demo and ``make bench``'s
app-mode noise figure run Slack's 1 message/s in seconds instead of minutes."""

from __future__ import annotations


class VirtualClock:
    """A clock (``clock()``) and its ``sleep``, for a ``Pacer`` and a ``SlackAppClient``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
