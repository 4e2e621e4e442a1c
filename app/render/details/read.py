"""Display text for the detail builders: previews, lists, tags, times, yes/no.

The tolerant readers themselves are ``app.core.read`` (shared with parsing); they are imported
here under the short names the builders use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

from app.core.read import as_int, as_list, first_object, is_true, parse_time, scalar
from app.render.details.model import PREVIEW, SCAN

Found = tuple[list[str], int]  # distinct texts, and how many elements were not looked at


def text(value: Any) -> str:
    """A scalar as text; a list of scalars where a scalar is usual is joined."""
    if isinstance(value, list):
        return preview(distinct(value, scalar))
    return scalar(value)


def distinct(values: Any, read: Callable[[Any], str]) -> Found:
    """Non-empty distinct texts read from a list, and how many elements were not looked at."""
    elements = as_list(values)
    seen: dict[str, None] = {}
    for element in elements[:SCAN]:
        found = read(element)
        if found:
            seen.setdefault(found)
    return list(seen), max(len(elements) - SCAN, 0)


def preview(found: Found, limit: int = PREVIEW, sep: str = ", ") -> str:
    """``a, b, c (+N more)``."""
    texts, unseen = found
    more = max(len(texts) - limit, 0) + unseen
    shown = sep.join(texts[:limit])
    if more and shown:
        return f"{shown} (+{more} more)"
    return shown


def listing(values: Any, read: Callable[[Any], str], limit: int = PREVIEW) -> str:
    """``preview(distinct(values, read), limit)``: the distinct texts of a list, previewed."""
    return preview(distinct(values, read), limit)


def first(details: Mapping[str, Any], *keys: str) -> str:
    """The text of the first of ``keys`` that has one."""
    return next((found for key in keys if (found := text(details.get(key)))), "")


def members(values: Any, *keys: str, limit: int = PREVIEW) -> str:
    """``a, b (+N more)``: from each object of a list, the first of ``keys`` that has a value."""
    return listing(values, lambda value: first(first_object(value), *keys), limit)


def scalars(values: Any, limit: int = PREVIEW) -> str:
    return listing(values, text, limit)


def flat(objects: Iterable[Mapping[str, Any]], key: str) -> list[Any]:
    """The members ``key`` of a list of objects, each a list, concatenated."""
    return [element for o in objects for element in as_list(o.get(key))[:SCAN]]


def join(*parts: str, sep: str = ", ") -> str:
    """The non-empty distinct parts, joined."""
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            seen.setdefault(part)
    return sep.join(seen)


def named_line(ident: str, name: str) -> str:
    """``ident (name)``, or whichever of the two there is."""
    return f"{ident} ({name})" if ident and name else ident or name


def described(name: str, facts: str) -> str:
    """``name (facts)``; nothing without a name."""
    return f"{name} ({facts})" if name and facts else name


def flag(value: Any) -> str:
    """JSON booleans (and their spellings as text) as yes/no; anything else as text."""
    if isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in ("true", "false")
    ):
        return "yes" if is_true(value) else "no"
    return text(value)


def when(value: Any) -> str:
    """ISO strings and epoch numbers alike, as UTC; unparseable text is shown as it is."""
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else text(value)


def count(value: Any) -> str:
    number = as_int(value)
    return "" if number is None else str(number)


def named(value: Any, key: str) -> str:
    """``{"cityName": "Paris"}`` or plainly ``"Paris"``."""
    return text(value.get(key)) if isinstance(value, Mapping) else text(value)


def _tag_text(tag: Any) -> str:
    tag = first_object(tag)
    key, value = text(tag.get("key")), text(tag.get("value"))
    return f"{key}={value}" if key and value else key or value


def _tag_list(tag_values: Any) -> list[Any]:
    """Tags are ``[{key, value}]``; a ``{key: value}`` object is read the same way."""
    if isinstance(tag_values, Mapping):
        return [{"key": k, "value": v} for k, v in islice(tag_values.items(), SCAN)]
    return as_list(tag_values)


def tags(tag_values: Any, *, skip_name: bool = False) -> str:
    """``key=value, …``; ``skip_name`` leaves out the Name tag (shown on its own)."""
    listed = _tag_list(tag_values)
    if skip_name:
        listed = [t for t in listed[:SCAN] if scalar(first_object(t).get("key")).lower() != "name"]
    return listing(listed, _tag_text)


def name_tag(tag_values: Any) -> str:
    """The value of the Name tag."""
    for tag in map(first_object, _tag_list(tag_values)[:SCAN]):
        if scalar(tag.get("key")).lower() == "name":
            return text(tag.get("value"))
    return ""
