"""Tolerant readers of GuardDuty's JSON: each takes any JSON value and never raises.

Real findings are messy (numbers where strings are usual, nulls, empty objects, lists where
objects go, integers longer than Python will print, epoch numbers where ISO strings are usual).
Parsing (``app.core.finding``) and the detail builders (``app.render.details``) read through
these same functions, so a hostile value behaves the same everywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SCAN = 500  # elements looked at in any one list


def as_mapping(value: Any) -> Mapping[str, Any]:
    """The value if it is an object, else an empty one (nulls, lists, strings where objects go)."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """A list for list-or-object-or-null fields: objects become a one-element list."""
    if isinstance(value, list):
        return value
    if value is None or value == "":
        return []
    return [value]


def as_text(value: Any) -> str:
    """A scalar as text; objects, lists and null as the empty string."""
    if value is None or isinstance(value, Mapping | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and value.bit_length() > _DECIMAL_BITS:
        # Past Python's 4300-digit limit ``str`` raises; hex has no limit and stays distinct.
        return f"{'-' if value < 0 else ''}0x{abs(value):x}"
    return str(value)


_DECIMAL_BITS = 14_000  # ~4200 decimal digits: safely under ``sys.get_int_max_str_digits()``


def as_int(value: Any) -> int | None:
    """A whole number in 64-bit range (counts, ports); anything else, huge ones too, is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and math.isfinite(value):
        value = int(value)
    elif isinstance(value, str) and len(value) <= 64:  # longer is no number we could use
        try:
            value = int(float(value.strip()))
        except (ValueError, OverflowError):
            return None
    if isinstance(value, int) and -_INT64 <= value < _INT64:
        return value
    return None


_INT64 = 2**63


_EPOCH_DIGITS = re.compile(r"^\d{9,13}(\.\d+)?$")


def parse_time(value: Any) -> datetime | None:
    """ISO-8601 string, epoch seconds or milliseconds (number or digits) → aware UTC datetime."""
    try:
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int | float) or (
            isinstance(value, str) and _EPOCH_DIGITS.match(value.strip())
        ):
            seconds = float(value)
            if seconds > 1e11:  # milliseconds
                seconds /= 1000
            return datetime.fromtimestamp(seconds, tz=UTC)
        if isinstance(value, str) and value.strip():
            text = value.strip().replace("Z", "+00:00")
            parsed = datetime.fromisoformat(text)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def first_object(value: Any) -> Mapping[str, Any]:
    """An object; a list where an object is usual gives its first object."""
    if isinstance(value, list):
        value = next((v for v in value[:SCAN] if isinstance(v, Mapping)), None)
    return as_mapping(value)


def objects(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list; a lone object is a list of one."""
    return [v for v in as_list(value)[:SCAN] if isinstance(v, Mapping)]


def scalar(value: Any) -> str:
    """``as_text``, stripped."""
    return as_text(value).strip()


def is_true(value: Any) -> bool:
    """JSON ``true`` or its spelling as text."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")
