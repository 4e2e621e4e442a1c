"""Reading the handler's X-Ray traces: filter expressions, time ranges, trace trees, rows.

The handler (docs/architecture.md#observability) records, inside Lambda's function segment, one
``## process_finding`` subsegment per finding with the annotations ``finding_id``,
``finding_type``, ``severity_band``, ``account_id``, ``outcome`` and ``route``, and under it
``secrets.get_webhooks``, ``state.write`` and ``slack.post`` (annotation
``http_status``). One invocation (one trace) holds a whole SQS batch, so X-Ray's filter selects
traces, and the rows here are per finding: a filter on ``finding_id`` is applied again to the rows,
or a batch of ten would show ten findings.

Everything printed from trace documents goes through ``redact``: the handler promises never to
put a webhook URL in a trace, and this keeps the CLI from printing one if that promise breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.constants import FINDING_SUBSEGMENT, Outcome
from app.core.partition import console_host, partition_for
from gd2slack.ops import aws
from gd2slack.ops.trace_tree import Node, _int, _text

SLACK_SUBSEGMENT = "slack.post"
OUTCOMES = tuple(outcome.value for outcome in Outcome)
MAX_LOOKBACK = timedelta(days=30)  # X-Ray keeps traces for 30 days
WINDOW = timedelta(hours=6)  # each GetTraceSummaries call covers at most this much
BATCH_GET_MAX_IDS = 5  # BatchGetTraces accepts at most 5 ids per call

_RELATIVE_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_SAFE_VALUE_RE = re.compile(r"^[A-Za-z0-9._:/@+=,-]{1,256}$")
_TRACE_ID_RE = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")


class FilterValueError(ValueError):
    """A value that cannot be put safely inside a filter expression string."""


# ---------------------------------------------------------------- filter & time ----------------


def _quoted(value: str, what: str) -> str:
    # X-Ray's filter language has no documented escape for quotes; refuse instead of guessing.
    if not _SAFE_VALUE_RE.match(value):
        raise FilterValueError(
            f"{what} {value!r} has characters that cannot go in an X-Ray filter expression"
        )
    return f'"{value}"'


def build_filter(
    function_name: str,
    *,
    finding_id: str | None = None,
    outcome: str | None = None,
    errors: bool = False,
) -> str:
    """The ``FilterExpression`` for ``get_trace_summaries``: this function's traces, narrowed by
    the handler's annotations and by X-Ray's own error/fault flags."""
    parts = [f"service({_quoted(function_name, 'function name')})"]
    if finding_id:
        parts.append(f"annotation.finding_id = {_quoted(finding_id, 'finding id')}")
    if outcome:
        if outcome not in OUTCOMES:
            raise FilterValueError(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        parts.append(f'annotation.outcome = "{outcome}"')
    if errors:
        parts.append("(fault = true OR error = true)")
    return " AND ".join(parts)


def parse_since(text: str, now: datetime) -> datetime:
    """``30m``, ``1h``, ``2d``, ``1w`` ago, or an ISO 8601 time (UTC when no offset is given)."""
    match = _RELATIVE_RE.match(text)
    if match:
        start = now - timedelta(**{_UNITS[match[2]]: int(match[1])})
    else:
        try:
            start = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"--since {text!r}: use 30m, 1h, 2d, 1w or an ISO time like 2026-02-25T09:00Z"
            ) from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
    if start >= now:
        raise ValueError(f"--since {text!r} is not in the past")
    if now - start > MAX_LOOKBACK:
        raise ValueError(f"--since {text!r}: X-Ray keeps traces for 30 days only")
    return start


def time_windows(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    """``[start, end)`` cut into ``WINDOW``-sized pieces, newest first, so a ``--limit`` keeps
    the most recent traces and no single call spans more than X-Ray allows."""
    upper = end
    while upper > start:
        lower = max(start, upper - WINDOW)
        yield lower, upper
        upper = lower


def valid_trace_id(trace_id: str) -> bool:
    return bool(_TRACE_ID_RE.match(trace_id))


def trace_start(trace_id: str) -> datetime | None:
    """The request time encoded in an X-Ray trace id (``1-<epoch hex>-<random>``)."""
    try:
        return datetime.fromtimestamp(int(trace_id.split("-")[1], 16), UTC)
    except (IndexError, ValueError):
        return None


def console_url(region: str, trace_id: str) -> str:
    """The trace in the CloudWatch console's X-Ray view, in the region's partition."""
    host = console_host(partition_for(region), region)
    return f"{host}/cloudwatch/home?region={region}#xray:traces/{trace_id}"


# ---------------------------------------------------------------- trace trees ------------------


# ---------------------------------------------------------------- rows -------------------------


@dataclass
class FindingRow:
    """One finding's handling inside one trace (or the trace itself when no finding is known)."""

    trace_id: str
    time: datetime | None
    finding_id: str | None
    finding_type: str | None
    band: str | None
    outcome: str | None
    route: str | None
    duration_ms: float | None
    slack_ms: float | None
    slack_status: int | None
    slack_posts: int
    failed: bool
    source: str  # "trace" (documents) or "summary" (annotations only)


def finding_rows(trace_id: str, roots: Sequence[Node]) -> list[FindingRow]:
    rows: list[FindingRow] = []

    def visit(node: Node) -> None:
        if "finding_id" in node.annotations or node.name == FINDING_SUBSEGMENT:
            rows.append(_row(trace_id, node))  # its subsegments belong to this finding
            return
        for child in node.children:
            visit(child)

    for root in roots:
        visit(root)
    return rows or [trace_row(trace_id, roots)]


def trace_row(trace_id: str, roots: Sequence[Node]) -> FindingRow:
    """The trace as one row: an invocation that never reached a finding (poison record, crash
    at start), or whose failure lies outside every finding's subsegment."""
    start = min((r.start for r in roots if r.start is not None), default=None)
    end = max((r.end for r in roots if r.end is not None), default=None)
    failed = any(r.failed for r in roots)
    return FindingRow(
        trace_id=trace_id,
        time=datetime.fromtimestamp(start, UTC) if start is not None else None,
        finding_id=None,
        finding_type=None,
        band=None,
        outcome="error" if failed else None,
        route=None,
        duration_ms=(end - start) * 1000.0 if start is not None and end is not None else None,
        slack_ms=None,
        slack_status=None,
        slack_posts=0,
        failed=failed,
        source="trace",
    )


def _row(trace_id: str, node: Node) -> FindingRow:
    posts = [inner for _, inner in node.walk() if inner.name == SLACK_SUBSEGMENT]
    durations = [p.duration_ms for p in posts if p.duration_ms is not None]
    statuses = [p.http_status for p in posts if p.http_status is not None]
    notes: dict[str, Any] = {}
    for _, inner in node.walk():  # the finding's own annotations first, then nested ones
        for key, value in inner.annotations.items():
            notes.setdefault(key, value)
    return FindingRow(
        trace_id=trace_id,
        time=datetime.fromtimestamp(node.start, UTC) if node.start is not None else None,
        finding_id=_text(notes.get("finding_id")),
        finding_type=_text(notes.get("finding_type")),
        band=_text(notes.get("severity_band")),
        outcome=_text(notes.get("outcome")),
        route=_text(notes.get("route")),
        duration_ms=node.duration_ms,
        slack_ms=sum(durations) if durations else None,
        slack_status=statuses[-1] if statuses else None,
        slack_posts=len(posts),
        failed=node.failed or notes.get("outcome") == "failed",
        source="trace",
    )


def summary_row(summary: dict[str, Any]) -> FindingRow:
    """A row from a trace summary alone (its documents were not fetched or not returned).

    Summary annotations hold every value seen in the trace, without saying which finding each
    belongs to; a value is shown only when it is the only one, otherwise ``*``.
    """
    values: dict[str, str | None] = {}
    for key, entries in (summary.get("Annotations") or {}).items():
        found = {
            str(v)
            for entry in entries
            for v in (entry.get("AnnotationValue") or {}).values()
            if v is not None
        }
        values[key] = found.pop() if len(found) == 1 else ("*" if found else None)
    trace_id = str(summary.get("Id", "?"))
    start = summary.get("StartTime")
    duration = summary.get("Duration")
    failed = bool(summary.get("HasFault") or summary.get("HasError"))
    return FindingRow(
        trace_id=trace_id,
        time=_utc(start) if isinstance(start, datetime) else trace_start(trace_id),
        finding_id=values.get("finding_id"),
        finding_type=values.get("finding_type"),
        band=values.get("severity_band"),
        outcome=values.get("outcome") or ("error" if failed else None),
        route=values.get("route"),
        duration_ms=float(duration) * 1000.0 if isinstance(duration, int | float) else None,
        slack_ms=None,
        slack_status=_int(values.get("http_status")),
        slack_posts=0,
        failed=failed,
        source="summary",
    )


def keep_row(row: FindingRow, *, finding_id: str | None, outcome: str | None, errors: bool) -> bool:
    """The per-finding half of the filter (X-Ray's half selected whole traces)."""
    if row.source == "summary":
        return True  # no per-finding data to judge by: X-Ray's filter already matched it
    if finding_id and row.finding_id != finding_id:
        return False
    if outcome and row.outcome != outcome:
        return False
    return not errors or row.failed or row.outcome in {"failed", "error"}


# ---------------------------------------------------------------- helpers ----------------------


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def format_ms(value: float | None) -> str | None:
    if value is None:
        return None
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.0f} ms"


# Reading X-Ray -----------------------------------------------------------------------------


def fetch_summaries(
    client: Any, start: datetime, end: datetime, expression: str, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Summaries newest window first, following ``NextToken``; ``True`` if ``limit`` cut them."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for lower, upper in time_windows(start, end):
        for summary in summary_pages(client, lower, upper, expression):
            trace_id = str(summary.get("Id", ""))
            if not trace_id or trace_id in seen:
                continue
            if len(found) >= limit:
                return found, True
            seen.add(trace_id)
            found.append(summary)
    return found, False


def summary_pages(
    client: Any, start: datetime, end: datetime, expression: str
) -> Iterator[dict[str, Any]]:
    params: dict[str, Any] = {
        "StartTime": start,
        "EndTime": end,
        "FilterExpression": expression,
        "Sampling": False,
    }
    while True:
        with aws.aws_call_errors("reading X-Ray trace summaries"):
            page = client.get_trace_summaries(**params)
        yield from page.get("TraceSummaries", [])
        token = page.get("NextToken")
        if not token:
            return
        params["NextToken"] = token


def fetch_documents(client: Any, trace_ids: list[str]) -> dict[str, list[str]]:
    """Segment documents by trace id, ``BATCH_GET_MAX_IDS`` ids per call."""
    documents: dict[str, list[str]] = {}
    for offset in range(0, len(trace_ids), BATCH_GET_MAX_IDS):
        params: dict[str, Any] = {"TraceIds": trace_ids[offset : offset + BATCH_GET_MAX_IDS]}
        while True:
            with aws.aws_call_errors("reading X-Ray traces"):
                page = client.batch_get_traces(**params)
            for trace in page.get("Traces", []):
                segments = [
                    str(s["Document"]) for s in trace.get("Segments", []) if "Document" in s
                ]
                documents.setdefault(str(trace["Id"]), []).extend(segments)
            token = page.get("NextToken")
            if not token:
                break
            params["NextToken"] = token
    return documents
