"""The pieces every verdict fact is made of: identifiers read verbatim, the remote side, the span.

An identifier is a field's text exactly as sent (only stripped): strings, and whole numbers
that JSON writes the same way (ports, counts). Anything else (objects, lists, booleans, huge or
fractional numbers) is no identifier and reads as "", so what is shown can always be found, as
written, in the finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.core.read import as_list, first_object
from app.render.parts import Part, Parts, ident, ours

MAX_SHOWN = 512  # characters of one identifier shown; the rest is cut with an ellipsis
_EXACT_FLOAT = 1e15  # whole floats below this print as JSON prints them (``22.0`` → ``22``)


def word(value: Any) -> str:
    """A scalar identifier as sent: a string (stripped) or a whole number; otherwise ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ""
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_FLOAT:
        return str(int(value))
    return ""


def field(details: Mapping[str, Any], *path: str) -> str:
    """``word`` of the member at ``path`` (objects on the way, a list gives its first object)."""
    for key in path[:-1]:
        details = first_object(details.get(key))
    return word(details.get(path[-1])) if path else ""


def either(details: Mapping[str, Any], *keys: str) -> str:
    """The first of ``keys`` that has an identifier."""
    return next((found for key in keys if (found := word(details.get(key)))), "")


def shown(text: str, make: Any = ident) -> Parts:
    """``text`` as one part of its trust; past ``MAX_SHOWN`` cut, with our ellipsis after it."""
    if not text:
        return ()
    if len(text) > MAX_SHOWN:
        return (make(text[: MAX_SHOWN - 1]), ours("…"))
    return (make(text),)


def named(noun: str, name: str, ident_text: str) -> Parts:
    """``Noun name (id)``, ``Noun id`` or ``Noun name``."""
    if name and ident_text and name != ident_text:
        return (ours(f"{noun} "), *shown(name), ours(" ("), *shown(ident_text), ours(")"))
    found = ident_text or name
    return (ours(f"{noun} "), *shown(found)) if found else ()


def listed(values: Iterable[str], limit: int = 3, sep: str = ", ") -> Parts:
    """``a, b, c (+N more)`` of distinct identifiers."""
    distinct = list(dict.fromkeys(v for v in values if v))
    parts: list[Part] = []
    for index, value in enumerate(distinct[:limit]):
        parts += [ours(sep)] if index else []
        parts += shown(value)
    if len(distinct) > limit:
        parts.append(ours(f" (+{len(distinct) - limit} more)"))
    return tuple(parts)


def bracketed(*facts: Parts) -> Parts:
    """`` (a, b)`` of the facts that have parts; nothing when none has."""
    present = [f for f in facts if f]
    if not present:
        return ()
    inner: list[Part] = []
    for index, fact in enumerate(present):
        inner += [ours(", ")] if index else []
        inner += fact
    return (ours(" ("), *inner, ours(")"))


def ip_of(value: Any) -> str:
    """The address of a ``remoteIpDetails``-like object (IPv4, else IPv6)."""
    details = first_object(value)
    return either(details, "ipAddressV4", "ipAddressV6")


def remote(value: Any) -> Parts:
    """``198.51.100.7 (Example Telecom, DE)``: the IP with organisation and country."""
    details = first_object(value)
    address = ip_of(details)
    if not address:
        return ()
    org = either(first_object(details.get("organization")), "org", "asnOrg", "isp")
    country = details.get("country")
    place = (
        either(country, "countryCode", "countryName")
        if isinstance(country, Mapping)
        else word(country)
    )
    return (*shown(address), *bracketed(shown(org), shown(place)))


def plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def count_of(values: Any) -> int:
    return len(as_list(values))


def moment(when: datetime, other: datetime | None = None) -> str:
    """``12 Jan 03:12 UTC``; the year too when ``other`` is in another year."""
    year = f" {when.year}" if other is not None and other.year != when.year else ""
    return f"{when.day} {when:%b}{year} {when:%H:%M} UTC"


def span(count: int | None, first: datetime | None, last: datetime | None) -> Parts:
    """``4× since 12 Jan 03:12 UTC``, ``once``, or ``since …`` when the count is unknown."""
    if count is not None and count == 1:
        return (ours("once"),)
    since = f"since {moment(first, last)}" if first else ""
    if count is not None and count > 1:
        return (ours(f"{count}× {since}".strip()),)
    return (ours(since),) if since else ()
