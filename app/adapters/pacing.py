"""Pace: how soon the next message may go to one Slack destination, shared by the process.

Slack allows about one message per second per incoming webhook (per channel for
``chat.postMessage``), with short bursts; beyond that it answers 429 + ``Retry-After``. A
``Pacer`` keeps one token bucket per destination key (a webhook's hash today, a channel id in
a Slack-app mode) so every delivery in the process waits its turn instead of collecting 429s,
and every ``Retry-After`` moves that destination's next slot for everybody.

It is the generic cell rate algorithm: per key only the "theoretical arrival time" of the next
message is kept; ``burst`` messages may go at once after a quiet spell. Other processes (Lambda's
concurrent environments) share the webhook's limit unseen: each 429 doubles this process's
interval for that key (up to ``MAX_SLOWDOWN``) and each accepted message takes a little of it
back, so concurrent senders settle on a share of the limit instead of colliding every second.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

SLACK_RATE_PER_SECOND = 1.0
SLACK_BURST = 3
MAX_SLOWDOWN = 4.0
RECOVERY_STEP = 0.25


def destination_key(kind: str, identifier: str) -> str:
    """``webhook:<hash>``: a key that tells destinations apart without holding the secret."""
    return f"{kind}:{hashlib.sha256(identifier.encode()).hexdigest()[:16]}"


class Pacer:
    """Thread-safe token buckets keyed by destination; ``clock`` is injectable for tests."""

    def __init__(
        self,
        rate_per_second: float = SLACK_RATE_PER_SECOND,
        burst: int = SLACK_BURST,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / rate_per_second
        self.tolerance = (max(burst, 1) - 1) * self.interval
        self.clock = clock
        self._next: dict[str, float] = {}  # key → theoretical arrival time of the next message
        self._slowdown: dict[str, float] = {}  # key → interval multiplier after 429s
        self._lock = threading.Lock()

    def reserve(self, key: str, within: float) -> float | None:
        """Take the next slot for ``key`` if it comes within ``within`` seconds: the wait
        before sending, or None (nothing taken) when the slot is further away."""
        with self._lock:
            now = self.clock()
            arrival = max(self._next.get(key, now), now)
            wait = max(arrival - self.tolerance - now, 0.0)
            if wait > within:
                return None
            self._next[key] = arrival + self.interval * self._slowdown.get(key, 1.0)
            return wait

    def hold(self, key: str, seconds: float) -> None:
        """Slack said ``Retry-After: seconds``: nobody sends to ``key`` before then, and the
        burst allowance is spent (the bucket is empty when the wait ends)."""
        with self._lock:
            now = self.clock()
            self._next[key] = max(self._next.get(key, now), now + seconds + self.tolerance)
            self._slowdown[key] = min(self._slowdown.get(key, 1.0) * 2, MAX_SLOWDOWN)

    def accepted(self, key: str) -> None:
        """Slack took a message for ``key``: speed back up towards the documented pace."""
        with self._lock:
            if key in self._slowdown:
                self._slowdown[key] = max(self._slowdown[key] - RECOVERY_STEP, 1.0)

    def reset(self) -> None:
        """Forget every destination (after a SnapStart restore the clock is not the same)."""
        with self._lock:
            self._next.clear()
            self._slowdown.clear()


SHARED = Pacer()
