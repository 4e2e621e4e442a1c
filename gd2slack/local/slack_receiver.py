"""A local stand-in for Slack's incoming-webhook endpoint, on 127.0.0.1.

It answers the way Slack does: ``200 ok`` for an accepted message, ``400 invalid_payload`` /
``no_text`` for a bad body, and, when told to, rate limiting with ``429`` + ``Retry-After``,
server errors, revoked webhooks (``404 no_service``), archived channels (``410``) and
hanging connections. Rate limits are per webhook (per path) like Slack's, with whole-second
``Retry-After`` values. The demo, the tests, the benchmarks and the chaos test all use it.
"""

from __future__ import annotations

import json
import math
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from gd2slack.local.loopback import LoopbackServer

DEFAULT_PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
SLACK_MESSAGE_LIMIT = 13_000  # Slack rejects longer messages with msg_blocks_too_long


@dataclass(frozen=True)
class Reply:
    """A scripted answer; ``delay`` seconds of silence first (a hanging Slack). ``drop``
    closes the connection without an answer: ``"reset"`` before Slack took the message,
    ``"after-accept"`` once it was shown in the channel (the sender cannot tell which)."""

    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: str = ""


OK = Reply()
RATE_LIMITED = Reply(429, "rate_limited", {"Retry-After": "1"})
SERVER_ERROR = Reply(500, "rollup_error")
REVOKED = Reply(404, "no_service")
CHANNEL_NOT_FOUND = Reply(404, "channel_not_found")
ARCHIVED = Reply(410, "channel_is_archived")
FORBIDDEN = Reply(403, "action_prohibited")
INVALID_PAYLOAD = Reply(400, "invalid_payload")
RESET = Reply(0, "", drop="reset")
ACCEPT_THEN_CLOSE = Reply(200, "ok", drop="after-accept")


@dataclass(frozen=True)
class ReceivedPost:
    path: str
    payload: Any
    at: float
    status: int
    reply: Reply = OK


def slack_verdict(raw: bytes) -> Reply | None:
    """What Slack would say about a body, or None if it would accept it."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return INVALID_PAYLOAD
    if not isinstance(payload, dict):
        return INVALID_PAYLOAD
    blocks = payload.get("blocks")
    if not payload.get("text") and not blocks:
        return Reply(400, "no_text")
    if blocks is not None and (not isinstance(blocks, list) or len(blocks) > 50):
        return Reply(400, "invalid_blocks")
    if len(json.dumps(blocks or [], ensure_ascii=False)) > SLACK_MESSAGE_LIMIT:
        return Reply(400, "msg_blocks_too_long")
    return None


class SlackReceiver(LoopbackServer):
    """Start with ``with SlackReceiver() as slack:``; ``slack.url()`` is a webhook URL."""

    def __init__(
        self,
        rate_per_second: float | None = None,
        burst: int = 1,
        tls: ssl.SSLContext | None = None,
        *,
        time_scale: float = 1.0,
        faults: Callable[[], Reply | None] | None = None,
    ) -> None:
        """``time_scale``: the rate limit runs that many times faster than the wall clock
        (``Retry-After`` stays whole scaled seconds); ``faults``: asked on every request, a
        ``Reply`` to answer with instead (a chaos plan), or None."""
        self.posts: list[ReceivedPost] = []
        self._script: deque[Reply] = deque()
        self._matching: list[list[Any]] = []  # [needle, reply, answers left or None]
        self._scale = time_scale
        self._faults = faults
        self._buckets: dict[str, tuple[float, float]] = {}  # path → (tokens, refilled at)
        self._lock = threading.Lock()
        self._rate = rate_per_second
        self._burst = burst
        super().__init__(self._handler_class())
        self._scheme = "http"
        if tls is not None:  # HTTPS like Slack's endpoint (the benchmark measures handshakes)
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"

    def url(self, path: str = DEFAULT_PATH) -> str:
        return f"{self._scheme}://127.0.0.1:{self.port}{path}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these, in order; then ``200 ok`` again."""
        with self._lock:
            self._script.extend(replies)

    def answer_matching(self, needle: bytes, reply: Reply, times: int | None = None) -> None:
        """Answer requests whose body contains ``needle`` with ``reply`` (every time, or the
        first ``times``), before any script or rate limit: a finding that hangs or fails."""
        with self._lock:
            self._matching.append([needle, reply, times])

    def accepted(self, path: str | None = None) -> list[Any]:
        """Payloads Slack would have shown in the channel."""
        with self._lock:
            return [
                p.payload
                for p in self.posts
                if p.status == 200 and (path is None or p.path == path)
            ]

    def _rate_limited(self, path: str) -> float:
        """Slack's limit is per webhook: one bucket per path. 0 if accepted, else the whole
        seconds to put in ``Retry-After`` (rounded up, as Slack's are whole seconds)."""
        if self._rate is None:
            return 0
        now = time.monotonic() * self._scale
        tokens, refilled = self._buckets.get(path, (float(self._burst), now))
        tokens = min(self._burst, tokens + (now - refilled) * self._rate)
        if tokens >= 1:
            self._buckets[path] = (tokens - 1, now)
            return 0
        self._buckets[path] = (tokens, now)
        return float(max(1, math.ceil((1 - tokens) / self._rate)))

    def _decide(self, path: str, raw: bytes) -> Reply:
        with self._lock:
            for rule in self._matching:
                if rule[0] in raw and rule[2] != 0:
                    rule[2] = None if rule[2] is None else rule[2] - 1
                    return rule[1]  # type: ignore[no-any-return]
            fault = self._faults() if self._faults else None
            if fault is not None:
                return fault
            if self._script:
                return self._script.popleft()
            wait = self._rate_limited(path)
            if wait:
                return Reply(429, "rate_limited", {"Retry-After": str(int(wait))})
        return slack_verdict(raw) or OK

    def _record(self, path: str, raw: bytes, reply: Reply, at: float) -> None:
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        with self._lock:
            self.posts.append(ReceivedPost(path, payload, at, reply.status, reply))

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without this, Nagle + delayed ACK add
            # 40 ms to every keep-alive request (Slack's real endpoint has no such stall).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrived = time.monotonic()  # a slow answer still shows the message at once
                reply = receiver._decide(self.path, raw)
                if reply.delay:
                    time.sleep(reply.delay)
                receiver._record(self.path, raw, reply, arrived)
                if reply.drop:
                    self.close_connection = True
                    return
                body = reply.body.encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
