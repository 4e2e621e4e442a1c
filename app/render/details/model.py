"""What the builders produce: label/value items in titled sections, bounded.

Labels and titles are our own static strings (the renderer does not escape them); values are raw
finding text (the renderer escapes every one), stripped, never empty, at most
``MAX_VALUE_CHARS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.core import read

MAX_SECTIONS = 6
MAX_ITEMS = 12
PREVIEW = 5  # list elements shown before "+N more"
MAX_VALUE_CHARS = 3000  # nothing longer can be shown in Slack anyway; keeps memory bounded
SUMMARY_CHARS = 200
SCAN = read.SCAN  # elements or keys looked at in any one list or object
ELLIPSIS = "…"
MORE_LABEL = "More fields"
_MORE = re.compile(r"^\+(\d+) more$")


@dataclass(frozen=True)
class Detail:
    label: str  # our own static label, never finding text (except sanitised generic labels)
    value: str  # raw finding-sourced text, unescaped, non-empty
    prose: bool = False  # free text, shown as text rather than as a code span
    untrusted: bool = False  # attacker-controlled and linkable: the renderer defangs it


@dataclass(frozen=True)
class DetailSection:
    title: str  # our own static text
    items: tuple[Detail, ...]
    hidden: int = 0  # items left out past ``MAX_ITEMS``: the renderer says "+N more"


Item = Detail | None
Sections = list[DetailSection]


def cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters, the last an ellipsis when cut."""
    return text[: limit - 1] + ELLIPSIS if len(text) > limit else text


def item(label: str, value: str, *, prose: bool = False, untrusted: bool = False) -> Item:
    """An item, or ``None`` when the value is empty. ``untrusted``: what the attacker side
    controls and Slack could turn into a link (DNS request domains, user agents, command lines,
    request URIs, threat-intel domains), defanged by the renderer; everything else is exact."""
    value = value.strip()
    return Detail(label, cut(value, MAX_VALUE_CHARS), prose, untrusted) if value else None


def hidden_count(detail: Detail) -> int:
    """How many items ``detail`` stands for when it is a ``more`` item, else 0."""
    found = _MORE.match(detail.value) if detail.label == MORE_LABEL else None
    return int(found[1]) if found else 0


def distinct_items(items: Iterable[Item]) -> list[Detail]:
    """The items that have a value, each label/value pair once, in order."""
    kept: list[Detail] = []
    seen: set[tuple[str, str]] = set()
    for candidate in items:
        if candidate is not None and (candidate.label, candidate.value) not in seen:
            seen.add((candidate.label, candidate.value))
            kept.append(candidate)
    return kept


def section(title: str, items: Iterable[Item]) -> Sections:
    """A section of the items that have a value, in priority order, at most ``MAX_ITEMS``; how
    many were cut past that is kept (a cut ``more`` item counts as the items it stood for)."""
    kept = distinct_items(items)
    hidden = sum(hidden_count(d) or 1 for d in kept[MAX_ITEMS:])
    return [DetailSection(title, tuple(kept[:MAX_ITEMS]), hidden)] if kept else []
