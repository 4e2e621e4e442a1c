"""Deliver: POST a payload to a Slack incoming webhook, bounded by the Lambda's deadline.

* One ``requests.Session`` per process, reused across invocations (connection reuse is what
  makes a warm delivery cost about one bare POST).
* Every POST waits for its slot at Slack's pace (``app.adapters.pacing``, shared by the
  process); a 429 moves that slot by its ``Retry-After`` for every later delivery too. 5xx
  and connection errors retry with our own exponential backoff and full jitter; everything
  stops at the record's deadline, and a delivery that cannot finish in time fails so SQS
  retries it soon.
* Permanent answers (400/403/404/410 and Slack's error bodies) fail at once: retrying a revoked
  webhook is a retry storm, not resilience.
* The webhook URL is a secret: it never appears in an exception, a log line or a trace. Errors
  from ``requests`` embed the URL, so they are replaced, not wrapped.
"""

from __future__ import annotations

import os
import random
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from app.adapters.pacing import SHARED, Pacer, destination_key

CONNECT_TIMEOUT = 3.05
# Slack answers in well under a second; a longer wait only delays the retry (and a read timeout
# is one of the two duplicate windows: the longer it is, the rarer, but never zero).
READ_TIMEOUT = 3.0
MAX_ATTEMPTS = 4
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
DEFAULT_RETRY_AFTER = 1.0
# An attempt needs at least this much of the record's time budget to be worth starting.
MIN_ATTEMPT_SECONDS = 0.5
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 410, 413})


class DeliveryError(Exception):
    """Slack did not accept the message; ``status`` is the last HTTP status (0: no answer)."""

    def __init__(
        self, message: str, *, status: int = 0, slack_error: str = "", attempts: int = 0
    ) -> None:
        super().__init__(message)
        self.status = status
        self.slack_error = slack_error
        self.attempts = attempts


class PermanentDeliveryError(DeliveryError):
    """Retrying will not help (bad payload, revoked or archived channel, forbidden)."""


class TransientDeliveryError(DeliveryError):
    """Slack was unavailable, rate-limited or slow past the deadline; SQS should retry later."""


@dataclass(frozen=True)
class Delivered:
    status: int
    attempts: int
    latency_ms: float


def redact_url(url: str) -> str:
    """``https://hooks.slack.com/services/T…/…``: enough to tell webhooks apart in a log."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    shown = ""
    if segments:
        shown = "/" + segments[0]
        if len(segments) > 1:
            shown += "/" + segments[1][:1] + "…/…"
    return f"{parts.scheme}://{parts.hostname or '?'}{shown}"


def validate_webhook_url(url: str, where: str) -> str:
    """Scheme and host sanity, without ever echoing the URL itself."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{where} is not an http(s) URL ({redact_url(url)})")
    return url.strip()


def _retry_after(response: requests.Response) -> float:
    try:
        return max(float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER)), 0.0)
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _slack_error(response: requests.Response) -> str:
    """Slack answers errors with a short token (``no_service``); keep it short and plain."""
    body = response.text[:100].strip()
    return "".join(ch for ch in body if ch.isalnum() or ch in "_-. ")[:60]


def _session() -> requests.Session:
    """Proxy and CA-bundle settings are read from the environment once, not on every POST
    (requests re-reads them per request, which costs more than a POST on a warm connection)."""
    session = requests.Session()
    session.proxies = urllib.request.getproxies()
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


class SlackWebhookClient:
    """Posts payloads; ``clock``/``sleep``/``jitter``/``pacer`` are injectable so tests stay
    untimed. The pacer is shared by every client in the process unless one is given."""

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[float], float] | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self.session = session or _session()
        self.clock = clock
        self.sleep = sleep
        self.jitter = jitter or (lambda ceiling: random.uniform(0, ceiling))
        # The process's shared pace, unless the client runs on a clock of its own (tests).
        self.pacer = pacer or (SHARED if clock is time.monotonic else Pacer(clock=clock))

    def renew(self) -> None:
        """A new session (no connection from before a SnapStart snapshot is reused)."""
        old, self.session = self.session, _session()
        old.close()

    def post(self, url: str, payload: dict[str, Any], deadline: float) -> Delivered:
        """Deliver or raise ``DeliveryError``; ``deadline`` is the ``clock()`` value by which
        this delivery must have returned (the record's share of the invocation)."""
        target = redact_url(url)
        key = destination_key("webhook", url)
        started = self.clock()
        status = 0
        error = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            remaining = deadline - self.clock()
            pace = self.pacer.reserve(key, remaining - MIN_ATTEMPT_SECONDS)
            if pace is None:
                raise TransientDeliveryError(
                    f"no time left in this record's budget after {attempt - 1} attempt(s) to "
                    f"{target}: the next slot at Slack's pace is later "
                    f"(last status {status or error or 'none'})",
                    status=status,
                    slack_error=error,
                    attempts=attempt - 1,
                )
            if pace:
                self.sleep(pace)
                remaining = deadline - self.clock()
            retry_after: float | None = None
            try:
                response = self.session.post(
                    url,
                    json=payload,
                    timeout=(min(CONNECT_TIMEOUT, remaining), min(READ_TIMEOUT, remaining)),
                    allow_redirects=False,
                )
            except requests.Timeout:
                status, error = 0, "timeout"
            except requests.RequestException as exc:
                # The exception text carries the URL: keep only its class name.
                status, error = 0, type(exc).__name__
            else:
                status = response.status_code
                if 200 <= status < 300:
                    self.pacer.accepted(key)
                    return Delivered(status, attempt, (self.clock() - started) * 1000)
                error = _slack_error(response)
                if status in PERMANENT_STATUSES or (400 <= status < 500 and status != 429):
                    raise PermanentDeliveryError(
                        f"Slack refused the message: HTTP {status} {error or '(no body)'} from "
                        f"{target}",
                        status=status,
                        slack_error=error,
                        attempts=attempt,
                    )
                if status == 429:
                    retry_after = _retry_after(response)
                    self.pacer.hold(key, retry_after)  # every delivery to it waits, not only us
            if attempt == MAX_ATTEMPTS:
                break
            if retry_after is not None:
                wait, why = (
                    retry_after,
                    f"Slack asked to wait {retry_after:.1f}s (HTTP 429 Retry-After)",
                )
            else:
                wait = self.jitter(min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1)))
                why = (
                    f"our own retry backoff of {wait:.1f}s after "
                    f"{'HTTP ' + str(status) if status else error}"
                )
            if self.clock() + wait + MIN_ATTEMPT_SECONDS > deadline:
                raise TransientDeliveryError(
                    f"{why} would pass this record's time budget; leaving the record for SQS to "
                    f"retry ({target})",
                    status=status,
                    slack_error=error,
                    attempts=attempt,
                )
            if retry_after is None:
                self.sleep(wait)  # a Retry-After wait is the pacer's, taken at the next reserve
        raise TransientDeliveryError(
            f"Slack did not accept the message after {MAX_ATTEMPTS} attempts: last "
            f"{'HTTP ' + str(status) if status else error} from {target}",
            status=status,
            slack_error=error,
            attempts=MAX_ATTEMPTS,
        )
