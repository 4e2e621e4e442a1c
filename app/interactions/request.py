"""A Lambda function URL request (payload format 2.0) as Slack sent it: the raw body bytes,
exactly as received, and the headers lower-cased. Nothing is parsed here: the signature covers
these bytes, and until it is verified the body is only measured."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

# Slack's interaction payloads hold the pressed message (our root: ≤ ~12k characters of blocks,
# about 3× that form-encoded) or our small modal; anything much larger is not from our app.
MAX_BODY: Final = 128 * 1024


class Refused(Exception):
    """A request we do not act on: ``reason`` is a short token (log field, metric dimension),
    ``status`` the HTTP answer, ``detail`` our words (only for verified requests)."""

    def __init__(self, reason: str, status: int = 400, detail: str = "") -> None:
        super().__init__(reason)
        self.reason, self.status, self.detail = reason, status, detail


@dataclass(frozen=True)
class Request:
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)


def is_function_url_event(event: Mapping[str, Any]) -> bool:
    """A function URL always wraps a request in this shape (``requestContext.http``)."""
    context = event.get("requestContext")
    return isinstance(context, Mapping) and isinstance(context.get("http"), Mapping)


def read_request(event: Mapping[str, Any], max_body: int = MAX_BODY) -> Request:
    """The body as received (base64-decoded when ``isBase64Encoded``); the size cap first."""
    raw = event.get("body")
    raw = "" if raw is None else raw
    if not isinstance(raw, str):
        raise Refused("malformed_request")
    encoded = event.get("isBase64Encoded") is True
    # Before decoding anything: base64 is 4/3 of the bytes; a str is at least 1 byte a char.
    if len(raw) > (max_body * 4 // 3 + 4 if encoded else max_body):
        raise Refused("oversized", 413)
    method = event["requestContext"]["http"].get("method")
    if method != "POST":
        raise Refused("method_not_allowed", 405)
    if encoded:
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise Refused("malformed_request") from None
    else:
        body = raw.encode("utf-8", "surrogatepass")
    if len(body) > max_body:
        raise Refused("oversized", 413)
    headers = event.get("headers")
    lowered = (
        {str(k).lower(): str(v) for k, v in headers.items()} if isinstance(headers, Mapping) else {}
    )
    return Request(body, lowered)
