"""Why a stack operation failed: its FAILED events and rollback starts, oldest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from gd2slack.ops.aws import aws_call_errors
from gd2slack.table import render_table


def failure_events(
    cfn: Any, stack_name: str, *, token: str, since: datetime
) -> list[dict[str, Any]]:
    """This operation's FAILED events and rollback starts (their reasons name the cause, e.g. a
    rollback trigger's alarm), oldest first. Events are matched by the client request token;
    without one (older tools, emulators) by time."""
    collected: list[dict[str, Any]] = []
    with aws_call_errors(f"reading the events of {stack_name}"):
        paginator = cfn.get_paginator("describe_stack_events")
        for page in paginator.paginate(StackName=stack_name):
            for event in page.get("StackEvents", []):
                collected.append(event)
            oldest = page.get("StackEvents", [{}])[-1].get("Timestamp") if page else None
            if isinstance(oldest, datetime) and _aware(oldest) < since:
                break
    tokened = [e for e in collected if e.get("ClientRequestToken") == token]
    ours = tokened or [
        e
        for e in collected
        if isinstance(e.get("Timestamp"), datetime) and _aware(e["Timestamp"]) >= since
    ]
    relevant = [
        e
        for e in ours
        if str(e.get("ResourceStatus", "")).endswith("_FAILED")
        or (
            "ROLLBACK_IN_PROGRESS" in str(e.get("ResourceStatus", ""))
            and e.get("ResourceStatusReason")
        )
    ]
    return list(reversed(relevant))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def render_events(events: Iterable[Mapping[str, Any]]) -> str:
    rows = []
    for event in events:
        stamp = event.get("Timestamp")
        when = _aware(stamp).strftime("%H:%M:%S") if isinstance(stamp, datetime) else None
        rows.append(
            (
                when,
                event.get("LogicalResourceId"),
                event.get("ResourceType"),
                event.get("ResourceStatus"),
                event.get("ResourceStatusReason"),
            )
        )
    return render_table(
        ("Time (UTC)", "Logical id", "Type", "Status", "Reason"), rows, max_width=200, indent="  "
    )
