"""Slack's request signature, before anything else: ``v0=`` HMAC-SHA256 of
``v0:{timestamp}:{raw body}`` with the signing secret (``slack_sdk``'s ``SignatureVerifier``,
a constant-time compare), timestamps more than five minutes old *or ahead* refused.

The signing secret comes from ``SLACK_SIGNING_SECRET_ID`` (the secret as text, or JSON
``{"signing_secret": "…"}``) through the project's cached Secrets Manager read; it is never in a
message, a log line or a ``repr``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Final

from slack_sdk.signature import Clock, SignatureVerifier

from app.interactions.request import Refused, Request

MAX_AGE: Final = 300  # seconds, as Slack documents
TIMESTAMP: Final = re.compile(r"^\d{1,12}$")
SIGNATURE: Final = re.compile(r"^v0=[0-9a-f]{64}$")


class SigningSecretError(ValueError):
    """The secret does not hold a signing secret; the message never holds the value."""


def parse_signing_secret(text: str, secret_id: str) -> str:
    value = text.strip()
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            raise SigningSecretError(
                f"secret {secret_id} starts like JSON but does not parse"
            ) from None
        inner = data.get("signing_secret") if isinstance(data, dict) else None
        if not isinstance(inner, str):
            raise SigningSecretError(f'secret {secret_id}: JSON without a "signing_secret" string')
        value = inner.strip()
    if not value or len(value) > 256 or not value.isprintable() or " " in value:
        raise SigningSecretError(f"secret {secret_id} holds no signing secret (value not shown)")
    return value


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class Verifier:
    """Verifies one request's signature; ``wall`` is epoch seconds (injectable for tests)."""

    def __init__(self, signing_secret: str, *, wall: Callable[[], float] = time.time) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_Clock(wall))
        self._wall = wall

    def __repr__(self) -> str:
        return "Verifier(signing secret not shown)"

    def verify(self, request: Request) -> str:
        """The request's signature (the replay key) when it is Slack's; ``Refused`` (401)
        naming the reason otherwise."""
        timestamp = request.headers.get("x-slack-request-timestamp")
        signature = request.headers.get("x-slack-signature")
        if not timestamp or not signature:
            raise Refused("missing_signature", 401)
        if not TIMESTAMP.match(timestamp) or not SIGNATURE.match(signature):
            raise Refused("malformed_signature", 401)
        age = self._wall() - int(timestamp)
        if age > MAX_AGE:
            raise Refused("stale_timestamp", 401)
        if age < -MAX_AGE:
            raise Refused("future_timestamp", 401)
        try:
            request.body.decode("utf-8")  # slack_sdk decodes it; Slack only sends UTF-8
        except UnicodeDecodeError:
            raise Refused("bad_signature", 401) from None
        if not self._verifier.is_valid(request.body, timestamp, signature):
            raise Refused("bad_signature", 401)
        return signature
