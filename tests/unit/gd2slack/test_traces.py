"""``gd2slack traces``: segments shaped like the handler's (Lambda function segment, one
``## process_finding`` subsegment per finding with the annotations of
docs/architecture.md#observability, nested
``secrets.get_webhooks``/``state.*``/``slack.post``) go into moto's X-Ray; the command reads them
back through ``get_trace_summaries`` and ``batch_get_traces``. moto answers summaries without
annotations and refuses any ``FilterExpression``, so the exact filter strings are asserted with
``Stubber`` instead, and the moto tests strip the filter from the request (after recording it).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from gd2slack import cli
from gd2slack.commands import traces
from gd2slack.ops import xray as xr
from gd2slack.ops.aws import AwsClients
from gd2slack.ops.trace_tree import build_tree

REGION = "us-east-1"
FUNCTION = "gd2slack-dev-GuardDutyToSlackFunction-AbC123"
WEBHOOK = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX"


def trace_id(at: float) -> str:
    return f"1-{int(at):08x}-{secrets.token_hex(12)}"


def hex_id() -> str:
    return secrets.token_hex(8)


def sub(
    name: str, start: float, ms: float, children: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": hex_id(),
        "name": name,
        "start_time": start,
        "end_time": start + ms / 1000,
    }
    if children:
        node["subsegments"] = children
    node.update(extra)
    return node


def finding(
    start: float, finding_id: str, ftype: str, band: str, *, outcome: str, slack: int | None
) -> dict[str, Any]:
    """One ``## process_finding`` subsegment as Powertools' Tracer records it."""
    children = [
        sub("secrets.get_webhooks", start + 0.001, 12),
        sub("state.read", start + 0.015, 8),
    ]
    if slack is not None:
        error = {"error": True} if slack >= 400 else {}
        cause = (
            {
                "cause": {
                    "exceptions": [
                        {"type": "SlackPermanentError", "message": f"404 from {WEBHOOK}"}
                    ]
                }
            }
            if slack >= 400
            else {}
        )
        children.append(
            sub(
                "slack.post",
                start + 0.025,
                350,
                annotations={"http_status": slack},
                metadata={"default": {"latency_ms": 350}},
                **error,
                **cause,
            )
        )
    children.append(sub("state.write", start + 0.380, 6))
    return sub(
        "## process_finding",
        start,
        400,
        children,
        annotations={
            "finding_id": finding_id,
            "finding_type": ftype,
            "severity_band": band,
            "account_id": "111122223333",
            "outcome": outcome,
            "route": "default",
        },
        **({"error": True} if outcome == "failed" else {}),
    )


def function_segment(trace: str, start: float, findings: list[dict[str, Any]]) -> str:
    handler = sub("## lambda_handler", start + 0.002, 950, findings)
    segment = sub(
        FUNCTION,
        start,
        1000,
        [handler],
        trace_id=trace,
        origin="AWS::Lambda::Function",
        aws={"function_arn": f"arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION}"},
    )
    return json.dumps(segment)


@pytest.fixture
def clients() -> Iterator[AwsClients]:
    # Credentials and region: the autouse fixture in conftest.py.
    with mock_aws():
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName="gd2slack-dev",
            TemplateBody=json.dumps(
                {
                    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                    "Outputs": {"FunctionName": {"Value": FUNCTION}},
                }
            ),
        )
        yield AwsClients(boto3.Session(region_name=REGION))


@pytest.fixture
def seeded(clients: AwsClients) -> dict[str, str]:
    """Two invocations 10 and 5 minutes ago: a batch of two findings, then a failed one."""
    now = time.time()
    first, second = trace_id(now - 600), trace_id(now - 300)
    batch = [
        finding(
            now - 599.9,
            "f-aaa",
            "Recon:EC2/PortProbeUnprotectedPort",
            "LOW",
            outcome="delivered",
            slack=200,
        ),
        finding(
            now - 599.4,
            "f-bbb",
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
            "HIGH",
            outcome="suppressed",
            slack=None,
        ),
    ]
    failed = [
        finding(
            now - 299.9,
            "f-ccc",
            "Backdoor:EC2/C&CActivity.B!DNS",
            "HIGH",
            outcome="failed",
            slack=404,
        )
    ]
    response = boto3.client("xray", region_name=REGION).put_trace_segments(
        TraceSegmentDocuments=[
            function_segment(first, now - 600, batch),
            function_segment(second, now - 300, failed),
        ]
    )
    assert response["UnprocessedTraceSegments"] == []
    return {"batch": first, "failed": second}


def strip_filter(clients: AwsClients) -> list[str | None]:
    """moto raises on any FilterExpression: record what the command sent, then drop it."""
    sent: list[str | None] = []

    def drop(params: dict[str, Any], **_: Any) -> None:
        sent.append(params.pop("FilterExpression", None))

    clients.client("xray").meta.events.register(
        "provide-client-params.xray.GetTraceSummaries", drop
    )
    return sent


def run_traces(monkeypatch: pytest.MonkeyPatch, clients: AwsClients, *argv: str) -> int:
    monkeypatch.setattr(cli, "COMMANDS", ("traces",))
    monkeypatch.setattr(traces, "clients_from_args", lambda args: clients)
    return cli.main(["traces", "--region", REGION, *argv])


def body_lines(out: str) -> list[str]:
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("TIME (UTC)"))
    end = lines.index("", start)
    return lines[start + 1 : end]


# ---------------------------------------------------------------- against moto -----------------


def test_table_lists_each_finding_with_outcome_and_slack_latency(
    clients: AwsClients,
    seeded: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = strip_filter(clients)
    assert run_traces(monkeypatch, clients, "--since", "1h") == 0
    assert sent == [f'service("{FUNCTION}")']
    out = capsys.readouterr().out
    rows = body_lines(out)
    assert [row.split()[2] for row in rows] == ["f-aaa", "f-bbb", "f-ccc"]  # oldest first
    aaa, bbb, ccc = rows
    assert "Recon:EC2/PortProbeUnprotectedPort" in aaa and "LOW" in aaa and "delivered" in aaa
    assert "400 ms" in aaa and "350 ms (200)" in aaa and aaa.rstrip().endswith("1")
    assert "suppressed" in bbb and bbb.rstrip().endswith("1")
    assert "Backdoor:EC2/C&CActivity.B!DNS" in ccc and "failed" in ccc and "350 ms (404)" in ccc
    assert ccc.rstrip().endswith("2")
    for trace in seeded.values():
        assert (
            f"{trace}  https://{REGION}.console.aws.amazon.com/cloudwatch/home?region={REGION}"
            f"#xray:traces/{trace}"
        ) in out
    assert "hooks.slack.com/services/T0000" not in out


def test_finding_id_narrows_rows_inside_a_batch_trace(
    clients: AwsClients,
    seeded: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = strip_filter(clients)
    assert run_traces(monkeypatch, clients, "--finding-id", "f-bbb") == 0
    assert sent == [f'service("{FUNCTION}") AND annotation.finding_id = "f-bbb"']
    rows = body_lines(capsys.readouterr().out)
    assert len(rows) == 1 and "f-bbb" in rows[0] and "suppressed" in rows[0]


def test_errors_json_keeps_only_failed_findings(
    clients: AwsClients,
    seeded: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent = strip_filter(clients)
    assert run_traces(monkeypatch, clients, "--errors", "--json") == 0
    assert sent == [f'service("{FUNCTION}") AND (fault = true OR error = true)']
    report = json.loads(capsys.readouterr().out)
    assert [(r["finding_id"], r["outcome"], r["slack_status"]) for r in report["rows"]] == [
        ("f-ccc", "failed", 404)
    ]
    assert report["rows"][0]["trace_id"] == seeded["failed"]
    assert report["rows"][0]["consoleUrl"].endswith(f"#xray:traces/{seeded['failed']}")


def test_id_shows_the_timeline_in_order(
    clients: AwsClients,
    seeded: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_traces(monkeypatch, clients, "--id", seeded["failed"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Trace {seeded['failed']}  ")
    assert f"#xray:traces/{seeded['failed']}" in out
    names = [
        "OFFSET",
        f"{FUNCTION} (AWS::Lambda::Function)",
        "  ## lambda_handler",
        "    ## process_finding",
        "      secrets.get_webhooks",
        "      state.read",
        "      slack.post",
        "      state.write",
    ]
    lines = out.splitlines()
    positions = [next(i for i, line in enumerate(lines) if name in line) for name in names]
    assert positions == sorted(positions)
    finding_line = lines[positions[3]]
    assert "finding=f-ccc" in finding_line and "outcome=failed" in finding_line
    assert "type=Backdoor:EC2/C&CActivity.B!DNS band=HIGH account=111122223333" in finding_line
    assert "+2 ms" in lines[positions[2]] and "950 ms" in lines[positions[2]]
    slack = lines[positions[6]]
    assert "350 ms" in slack and "http 404" in slack and "ERROR" in slack
    assert "SlackPermanentError: 404 from https://hooks.slack.com/services/T…/…" in slack
    assert "XXXXXXXX" not in out  # the webhook in the exception message is redacted


def test_unknown_trace_id_is_one_line(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = trace_id(time.time())
    assert run_traces(monkeypatch, clients, "--id", missing) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"trace {missing} not found in {REGION}" in err
    assert run_traces(monkeypatch, clients, "--id", "not-a-trace") == 2


# ---------------------------------------------------------------- filter strings (Stubber) ------


@pytest.mark.parametrize(
    ("argv", "expression"),
    [
        ([], f'service("{FUNCTION}")'),
        (
            ["--finding-id", "5ec5d7a1b2c3d4e5f6a7b8c9d0e1f2a3"],
            f'service("{FUNCTION}") AND annotation.finding_id = "5ec5d7a1b2c3d4e5f6a7b8c9d0e1f2a3"',
        ),
        (["--outcome", "failed"], f'service("{FUNCTION}") AND annotation.outcome = "failed"'),
        (["--errors"], f'service("{FUNCTION}") AND (fault = true OR error = true)'),
        (
            ["--errors", "--outcome", "digested", "--finding-id", "abc"],
            f'service("{FUNCTION}") AND annotation.finding_id = "abc" AND '
            'annotation.outcome = "digested" AND (fault = true OR error = true)',
        ),
    ],
)
def test_filter_expressions_sent(
    clients: AwsClients,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expression: str,
) -> None:
    stub = Stubber(clients.client("xray"))
    stub.add_response(
        "get_trace_summaries",
        {"TraceSummaries": []},
        {"StartTime": ANY, "EndTime": ANY, "FilterExpression": expression, "Sampling": False},
    )
    with stub:
        assert run_traces(monkeypatch, clients, "--since", "30m", *argv) == 0
        stub.assert_no_pending_responses()
    assert f"match: {expression}" in capsys.readouterr().out


def test_pagination_windows_and_summary_fallback(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """NextToken is followed, 7 hours are asked in two windows (newest first), documents are
    fetched 5 ids at a time, and a trace X-Ray returns no documents for still gets a row from
    its summary's annotations."""
    now = time.time()
    ids = [trace_id(now - 60 * (i + 1)) for i in range(7)]

    def summary(tid: str, **annotations: str) -> dict[str, Any]:
        return {
            "Id": tid,
            "Duration": 0.5,
            "HasError": False,
            "HasFault": False,
            "Annotations": {
                key: [{"AnnotationValue": {"StringValue": value}}]
                for key, value in annotations.items()
            },
        }

    stub = Stubber(clients.client("xray"))
    expression = f'service("{FUNCTION}")'
    first = {"StartTime": ANY, "EndTime": ANY, "FilterExpression": expression, "Sampling": False}
    stub.add_response(
        "get_trace_summaries",
        {"TraceSummaries": [summary(t) for t in ids[:4]], "NextToken": "page-2"},
        first,
    )
    stub.add_response(
        "get_trace_summaries",
        {
            "TraceSummaries": [
                *(summary(t) for t in ids[4:6]),
                summary(ids[6], finding_id="f-sum", outcome="delivered", severity_band="MEDIUM"),
            ]
        },
        {**first, "NextToken": "page-2"},
    )
    stub.add_response("get_trace_summaries", {"TraceSummaries": []}, first)  # older window
    start = now - 60
    documents = {
        t: {"Id": t, "Segments": [{"Id": "s", "Document": function_segment(t, start, [])}]}
        for t in ids
    }
    stub.add_response(
        "batch_get_traces",
        {"Traces": [documents[t] for t in ids[:5]]},
        {"TraceIds": ids[:5]},
    )
    stub.add_response(
        "batch_get_traces",
        {"Traces": [documents[ids[5]]], "UnprocessedTraceIds": [ids[6]]},
        {"TraceIds": ids[5:]},
    )
    with stub:
        assert run_traces(monkeypatch, clients, "--since", "7h") == 0
        stub.assert_no_pending_responses()
    out = capsys.readouterr().out
    rows = body_lines(out)
    assert len(rows) == 7
    assert sum("f-sum" in row and "delivered" in row and "MEDIUM" in row for row in rows) == 1
    assert all(tid in out for tid in ids)


def test_limit_stops_paging(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = time.time()
    ids = [trace_id(now - 60 * (i + 1)) for i in range(3)]
    stub = Stubber(clients.client("xray"))
    stub.add_response(
        "get_trace_summaries",
        {"TraceSummaries": [{"Id": t} for t in ids], "NextToken": "more"},
        {"StartTime": ANY, "EndTime": ANY, "FilterExpression": ANY, "Sampling": False},
    )
    stub.add_response("batch_get_traces", {"Traces": []}, {"TraceIds": ids[:2]})
    with stub:
        assert run_traces(monkeypatch, clients, "--limit", "2") == 0
        stub.assert_no_pending_responses()
    assert "limit reached" in capsys.readouterr().out


# ---------------------------------------------------------------- pure helpers ------------------


def test_filter_values_that_could_break_out_are_refused(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_traces(monkeypatch, clients, "--finding-id", 'x" OR annotation.a = "b') == 2
    assert "cannot go in an X-Ray filter" in capsys.readouterr().err
    with pytest.raises(xr.FilterValueError):
        xr.build_filter("fn", outcome="exploded")


def test_parse_since() -> None:
    now = datetime(2026, 2, 25, 12, 0, tzinfo=UTC)
    assert xr.parse_since("30m", now) == now - timedelta(minutes=30)
    assert xr.parse_since("2d", now) == now - timedelta(days=2)
    assert xr.parse_since("2026-02-25T09:00Z", now) == datetime(2026, 2, 25, 9, tzinfo=UTC)
    assert xr.parse_since("2026-02-25T10:00", now) == datetime(2026, 2, 25, 10, tzinfo=UTC)
    for bad in ("yesterday", "2026-02-26T00:00Z", "45d"):
        with pytest.raises(ValueError, match="--since"):
            xr.parse_since(bad, now)


def test_time_windows_cover_the_range_newest_first() -> None:
    end = datetime(2026, 2, 25, 12, 0, tzinfo=UTC)
    windows = list(xr.time_windows(end - timedelta(hours=13), end))
    assert windows[0] == (end - timedelta(hours=6), end)
    assert windows[-1][0] == end - timedelta(hours=13)
    assert all(b - a <= xr.WINDOW for a, b in windows) and len(windows) == 3


def test_console_links_are_partition_aware() -> None:
    tid = "1-5f84c7a1-0123456789abcdef01234567"
    assert xr.console_url("eu-west-1", tid) == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        f"#xray:traces/{tid}"
    )
    assert xr.console_url("us-gov-west-1", tid).startswith(
        "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#"
    )
    assert xr.console_url("cn-north-1", tid).startswith(
        "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#"
    )


def test_independent_subsegment_documents_are_attached_to_their_parent() -> None:
    start = time.time()
    parent = sub("fn", start, 100, trace_id="1-x")
    child = sub("slack.post", start + 0.01, 30, annotations={"http_status": 429})
    child.update(type="subsegment", parent_id=parent["id"], trace_id="1-x")
    roots = build_tree([json.dumps(child), json.dumps(parent)])
    assert len(roots) == 1 and [c.name for c in roots[0].children] == ["slack.post"]
    assert roots[0].children[0].http_status == 429
