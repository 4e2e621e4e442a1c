"""The generic fallback: keys no builder knows, as flat label/value pairs, bounded.

Labels come from the keys (the only finding text that becomes a label), sanitised by
``safe_label`` to ``[A-Za-z0-9 _.-]``, at most 40 characters. Nesting is followed ``DEPTH``
levels and ``NODES`` nodes per object, so deep or self-referencing input stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from app.core.read import scalar
from app.render.details.model import (
    MAX_ITEMS,
    SCAN,
    Detail,
    Item,
    Sections,
    distinct_items,
    item,
    section,
)
from app.render.details.read import distinct, preview, text

DEPTH = 5  # nesting followed
NODES = 2000  # nodes visited per object
LABEL_CHARS = 40

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.-]+")


def safe_label(key: str) -> str:
    """``someKey`` → ``Some Key``: only ``[A-Za-z0-9 _.-]``, at most 40 characters."""
    words = _UNSAFE.sub(" ", _CAMEL.sub(" ", key[:200]).replace("_", " ")).split()
    label = " ".join(w[:1].upper() + w[1:] for w in words)
    if len(label) > LABEL_CHARS:
        cut = label[: LABEL_CHARS + 1]
        label = cut[: cut.rfind(" ")] if " " in cut[LABEL_CHARS // 2 :] else cut[:LABEL_CHARS]
    return label.strip() or "Field"


class _Budget:
    def __init__(self, nodes: int) -> None:
        self.nodes = nodes

    def spend(self) -> bool:
        self.nodes -= 1
        return self.nodes >= 0


def _leaves(value: Any, path: tuple[str, ...], depth: int, budget: _Budget) -> Iterator[Item]:
    """Scalar leaves as items labelled by their last two keys; lists of scalars joined."""
    if depth > DEPTH or not budget.spend():
        return
    label = safe_label(" ".join(path[-2:])) if path else "Value"
    if isinstance(value, Mapping):
        for key, child in islice(value.items(), SCAN):
            yield from _leaves(child, (*path, scalar(key)), depth + 1, budget)
    elif isinstance(value, list):
        scalars = [v for v in value[:SCAN] if not isinstance(v, Mapping | list)]
        yield item(label, preview(distinct(scalars, scalar)))
        nested = (v for v in value[:SCAN] if isinstance(v, Mapping | list))
        for child in islice(nested, 3):
            yield from _leaves(child, path, depth + 1, budget)
    else:
        yield item(label, text(value))


def generic_items(value: Any) -> list[Detail]:
    """Up to ``MAX_ITEMS`` leaves of an unknown object; past that, one item says how many more."""
    items = distinct_items(_leaves(value, (), 0, _Budget(NODES)))
    if len(items) <= MAX_ITEMS:
        return items
    shown = items[: MAX_ITEMS - 1]
    return [*shown, Detail("More fields", f"+{len(items) - len(shown)} more")]


def unknown(container: Mapping[str, Any], known: Iterable[str]) -> dict[str, Any]:
    """The members of ``container`` (the first ``SCAN``) whose keys are not ``known``."""
    known_keys = set(known)
    return {key: value for key, value in islice(container.items(), SCAN) if key not in known_keys}


def generic(title: str, container: Mapping[str, Any], known: Iterable[str]) -> Sections:
    """The keys of ``container`` we have no builder for, rendered as flat label/value pairs."""
    rest = {k: v for k, v in unknown(container, known).items() if v not in (None, "", [], {})}
    return section(title, generic_items(rest)) if rest else []
