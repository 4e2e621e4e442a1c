"""``gd2slack traces``: what happened to a finding, from the function's X-Ray traces.

Without ``--id``: trace summaries for the stage's function (``get_trace_summaries`` with a filter
expression on the handler's annotations, paginated, newest first up to ``--limit`` traces), then
their documents (``batch_get_traces``) for a table of time, finding, type, band, outcome,
duration and Slack POST latency, and each trace's console link. With ``--id``: one trace's
timeline, every segment and subsegment (secret fetch, state, Slack POST) with its offset,
duration, HTTP status and error.

X-Ray filter examples (usable in the console too)::

    service("gd2slack-dev-fn") AND annotation.outcome = "failed"
    annotation.finding_id = "5ec5d7a1b2c3d4e5f6a7b8c9d0e1f2a3"
    annotation.severity_band = "CRITICAL" AND annotation.route = "oncall"
    service("gd2slack-dev-fn") AND (fault = true OR error = true)
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from app.constants import runtime_stack_name
from gd2slack.commands import add_command
from gd2slack.errors import CliError
from gd2slack.ops import aws
from gd2slack.ops import xray as xr
from gd2slack.ops.aws import AwsClients, clients_from_args
from gd2slack.ops.trace_tree import Node, build_tree, redact
from gd2slack.table import render_table

DEFAULT_LIMIT = 50


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "traces",
        help="X-Ray traces of the function: per-finding outcomes, or one trace's timeline",
        run=run,
        doc=__doc__,
        aws_arguments="stage",
    )
    parser.add_argument(
        "--since", default="1h", help="how far back: 30m, 1h, 2d, or an ISO time (default: 1h)"
    )
    parser.add_argument("--errors", action="store_true", help="only traces with errors or faults")
    parser.add_argument("--finding-id", help="only this GuardDuty finding id")
    parser.add_argument("--outcome", choices=xr.OUTCOMES, help="only findings with this outcome")
    parser.add_argument(
        "--id",
        dest="trace_ids",
        action="append",
        metavar="TRACE_ID",
        help="show this trace's timeline (repeatable)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"at most this many traces, newest first (default: {DEFAULT_LIMIT})",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be at least 1", 2)
    clients = clients_from_args(args)
    if args.trace_ids:
        return show_timelines(clients, args.trace_ids, as_json=args.json)
    return list_findings(clients, args)


# ---------------------------------------------------------------- table ------------------------


def list_findings(clients: AwsClients, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    try:
        start = xr.parse_since(args.since, now)
    except ValueError as err:
        raise CliError(str(err), 2) from None
    stack = runtime_stack_name(args.stage)
    function = aws.require_output(
        clients.require_stack_outputs(stack), aws.OUT_FUNCTION_NAME, stack
    )
    try:
        expression = xr.build_filter(
            function, finding_id=args.finding_id, outcome=args.outcome, errors=args.errors
        )
    except xr.FilterValueError as err:
        raise CliError(str(err), 2) from None
    client = clients.client("xray")
    summaries, truncated = xr.fetch_summaries(client, start, now, expression, args.limit)
    documents = xr.fetch_documents(client, [str(s["Id"]) for s in summaries])
    rows: list[xr.FindingRow] = []
    for summary in summaries:
        trace_id = str(summary["Id"])
        if trace_id not in documents:
            rows.append(xr.summary_row(summary))
            continue
        roots = build_tree(documents[trace_id])
        kept = [
            row
            for row in xr.finding_rows(trace_id, roots)
            if xr.keep_row(
                row, finding_id=args.finding_id, outcome=args.outcome, errors=args.errors
            )
        ]
        if not kept and args.errors and any(root.failed for root in roots):
            kept = [xr.trace_row(trace_id, roots)]  # the failure is outside every finding
        rows.extend(kept)
    rows.sort(key=lambda r: r.time or datetime.min.replace(tzinfo=UTC))
    if args.json:
        print(json.dumps(_rows_json(rows, clients.region, expression, truncated), indent=2))
        return 0
    print(render_rows(rows, clients.region, expression, since=start, truncated=truncated))
    return 0


def render_rows(
    rows: list[xr.FindingRow],
    region: str,
    expression: str,
    *,
    since: datetime,
    truncated: bool,
) -> str:
    if not rows:
        return f"No traces since {since:%Y-%m-%d %H:%M} UTC match: {expression}"
    numbers: dict[str, int] = {}
    for row in rows:
        numbers.setdefault(row.trace_id, len(numbers) + 1)
    table = render_table(
        ["TIME (UTC)", "FINDING", "TYPE", "BAND", "OUTCOME", "DURATION", "SLACK POST", "TRACE"],
        [
            [
                f"{row.time:%Y-%m-%d %H:%M:%S}" if row.time else None,
                row.finding_id,
                row.finding_type,
                row.band,
                row.outcome,
                xr.format_ms(row.duration_ms),
                _slack_text(row),
                numbers[row.trace_id],
            ]
            for row in rows
        ],
        max_width=48,
        right_align=[5, 7],
    )
    links = [
        f"  {number:>3}  {trace_id}  {xr.console_url(region, trace_id)}"
        for trace_id, number in numbers.items()
    ]
    lines = [f"filter: {expression}", "", table, "", "traces:", *links]
    if truncated:
        lines += ["", "(limit reached: newer traces shown first; narrow --since or raise --limit)"]
    return "\n".join(lines)


def _slack_text(row: xr.FindingRow) -> str | None:
    if row.slack_ms is None and row.slack_status is None:
        return None
    text = xr.format_ms(row.slack_ms) or "?"
    if row.slack_status is not None:
        text += f" ({row.slack_status})"
    if row.slack_posts > 1:
        text += f" ×{row.slack_posts}"
    return text


def _rows_json(
    rows: list[xr.FindingRow], region: str, expression: str, truncated: bool
) -> dict[str, Any]:
    def row_json(row: xr.FindingRow) -> dict[str, Any]:
        data = asdict(row)
        data["time"] = row.time.isoformat() if row.time else None
        data["consoleUrl"] = xr.console_url(region, row.trace_id)
        return data

    return {"filter": expression, "truncated": truncated, "rows": [row_json(r) for r in rows]}


# ---------------------------------------------------------------- timeline ---------------------


def show_timelines(clients: AwsClients, trace_ids: list[str], *, as_json: bool) -> int:
    bad = [t for t in trace_ids if not xr.valid_trace_id(t)]
    if bad:
        raise CliError(f"not an X-Ray trace id: {bad[0]} (expected 1-5f84c7a1-...)", 2)
    documents = xr.fetch_documents(clients.client("xray"), trace_ids)
    missing = [t for t in trace_ids if t not in documents]
    if missing:
        raise CliError(
            f"trace {missing[0]} not found in {clients.region}: check --region; X-Ray keeps "
            "traces for 30 days"
        )
    trees = {trace_id: build_tree(documents[trace_id]) for trace_id in trace_ids}
    if as_json:
        payload = [
            {
                "traceId": trace_id,
                "consoleUrl": xr.console_url(clients.region, trace_id),
                "segments": [_node_json(root) for root in roots],
            }
            for trace_id, roots in trees.items()
        ]
        print(json.dumps(payload, indent=2))
        return 0
    print("\n\n".join(render_timeline(t, roots, clients.region) for t, roots in trees.items()))
    return 0


def render_timeline(trace_id: str, roots: list[Node], region: str) -> str:
    origin = min((r.start for r in roots if r.start is not None), default=None)
    end = max((r.end for r in roots if r.end is not None), default=None)
    when = f"{datetime.fromtimestamp(origin, UTC):%Y-%m-%d %H:%M:%S.%f}"[:-3] if origin else "?"
    total = xr.format_ms((end - origin) * 1000.0) if origin and end else "?"
    rows = []
    for root in roots:
        for depth, node in root.walk():
            offset = None
            if node.start is not None and origin is not None:
                offset = (node.start - origin) * 1000.0
            label = node.name + (f" ({node.origin})" if node.origin else "")
            rows.append(
                [
                    f"+{offset:.0f} ms" if offset is not None else None,
                    "in progress" if node.in_progress else xr.format_ms(node.duration_ms),
                    "  " * depth + redact(label),
                    _details(node),
                ]
            )
    table = render_table(
        ["OFFSET", "DURATION", "SEGMENT", "DETAILS"], rows, max_width=200, right_align=[0, 1]
    )
    return f"Trace {trace_id}  {when} UTC, {total}\n{xr.console_url(region, trace_id)}\n\n{table}"


# Annotation → label in the timeline (short, so a finding's line stays readable).
_SHOWN_ANNOTATIONS = {
    "finding_id": "finding",
    "finding_type": "type",
    "severity_band": "band",
    "account_id": "account",
    "outcome": "outcome",
    "route": "route",
}


def _details(node: Node) -> str | None:
    parts = [
        f"{label}={node.annotations[key]}"
        for key, label in _SHOWN_ANNOTATIONS.items()
        if key in node.annotations
    ]
    if node.http_status is not None:
        parts.append(f"http {node.http_status}")
    parts += [flag for flag, on in (("FAULT", node.fault), ("ERROR", node.error)) if on]
    if node.throttle:
        parts.append("THROTTLED")
    if node.cause:
        parts.append(node.cause)
    return redact(" ".join(parts)) if parts else None


def _node_json(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "name": redact(node.name),
        "origin": node.origin,
        "start": node.start,
        "end": node.end,
        "durationMs": node.duration_ms,
        "error": node.error,
        "fault": node.fault,
        "throttle": node.throttle,
        "httpStatus": node.http_status,
        "annotations": {k: redact(str(v)) for k, v in node.annotations.items()},
        "cause": node.cause,
        "subsegments": [_node_json(child) for child in node.children],
    }
