"""Virtual time for delivery tests: ``sleep`` advances the clock instead of waiting, and every
requested wait is recorded, so pacing and backoff are asserted exactly and never timed."""

from __future__ import annotations

from app.adapters.pacing import Pacer
from app.adapters.slack import SlackWebhookClient


class VirtualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def virtual_client(clock: VirtualClock, **pacing: float) -> SlackWebhookClient:
    """A client whose pace, backoff (jitter pinned to its ceiling) and sleeps are virtual."""
    return SlackWebhookClient(
        clock=clock,
        sleep=clock.sleep,
        jitter=lambda ceiling: ceiling,
        pacer=Pacer(clock=clock, **pacing),  # type: ignore[arg-type]
    )
