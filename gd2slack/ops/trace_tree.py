"""The handler's traces as trees of segments: X-Ray documents to nodes, children by start."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    """A segment or subsegment."""

    id: str
    name: str
    start: float | None
    end: float | None
    origin: str | None = None
    error: bool = False
    fault: bool = False
    throttle: bool = False
    in_progress: bool = False
    annotations: dict[str, Any] = field(default_factory=dict)
    http_status: int | None = None
    cause: str | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def duration_ms(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return (self.end - self.start) * 1000.0

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Node]]:
        yield depth, self
        for child in self.children:
            yield from child.walk(depth + 1)

    @property
    def failed(self) -> bool:
        return any(node.error or node.fault for _, node in self.walk())


def _node(raw: dict[str, Any]) -> Node:
    http = _mapping(raw.get("http"))
    response = _mapping(http.get("response"))
    annotations = _mapping(raw.get("annotations"))
    status = annotations.get("http_status", response.get("status"))
    node = Node(
        id=str(raw.get("id", "")),
        name=str(raw.get("name", "?")),
        start=_float(raw.get("start_time")),
        end=_float(raw.get("end_time")),
        origin=raw.get("origin") if isinstance(raw.get("origin"), str) else None,
        error=bool(raw.get("error")),
        fault=bool(raw.get("fault")),
        throttle=bool(raw.get("throttle")),
        in_progress=bool(raw.get("in_progress")),
        annotations=dict(annotations),
        http_status=_int(status),
        cause=_cause(raw.get("cause")),
    )
    for child in raw.get("subsegments") or []:
        if isinstance(child, dict):
            node.children.append(_node(child))
    return node


def _cause(cause: Any) -> str | None:
    if not isinstance(cause, dict):
        return None
    for exception in cause.get("exceptions") or []:
        if isinstance(exception, dict):
            kind = exception.get("type") or "Exception"
            message = exception.get("message") or ""
            return redact(f"{kind}: {message}".strip().rstrip(":"))
    return None


def build_tree(documents: Iterable[str | dict[str, Any]]) -> list[Node]:
    """Root segments (sorted by start) with their subsegments nested and sorted.

    X-Ray returns subsegments embedded in their segment, but an SDK may also have sent some as
    independent documents (``"type": "subsegment"`` with ``parent_id``): those are attached to
    their parent, or kept as roots when the parent is not in the trace.
    """
    nodes: list[tuple[Node, str | None]] = []
    for document in documents:
        raw = json.loads(document) if isinstance(document, str) else document
        if not isinstance(raw, dict):
            continue
        parent = raw.get("parent_id") if raw.get("type") == "subsegment" else None
        nodes.append((_node(raw), parent if isinstance(parent, str) else None))
    by_id: dict[str, Node] = {}
    for node, _ in nodes:
        for _, inner in node.walk():
            by_id.setdefault(inner.id, inner)
    roots = []
    for node, parent_id in nodes:
        parent = by_id.get(parent_id) if parent_id else None
        if parent is not None and parent is not node:
            parent.children.append(node)
        else:
            roots.append(node)
    for root in roots:
        for _, node in root.walk():
            node.children.sort(key=_start_key)
    return sorted(roots, key=_start_key)


def _start_key(node: Node) -> float:
    return node.start if node.start is not None else float("inf")


def redact(text: str) -> str:
    return _WEBHOOK_RE.sub("https://hooks.slack.com/services/T…/…", text)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _is_int(value: Any) -> bool:
    try:
        int(value)
    except (TypeError, ValueError):
        return False
    return True


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool) or not _is_int(value):
        return None
    return int(value)


def _text(value: Any) -> str | None:
    return redact(str(value)) if value is not None else None


_WEBHOOK_RE = re.compile(r"https://hooks\.slack(?:-gov)?\.com/[^\s\"'<>]*", re.IGNORECASE)
