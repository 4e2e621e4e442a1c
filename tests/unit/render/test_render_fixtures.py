"""Every fixture through parse + render: realistic findings show what a responder needs,
hostile ones stay valid and inert, non-findings are rejected with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.finding import MalformedEvent, NotAFinding, parse_event
from app.render.message import render_digest, render_finding, render_parts
from app.render.mrkdwn import unescape
from app.render.text import display
from tests.conftest import all_fixture_paths, load_event
from tests.slack_checks import assert_valid_payload, text_objects

NOT_FINDINGS = {
    "cloudtrail-guardduty-api-call.json": NotAFinding,
    "malware-object-scan-result.json": NotAFinding,
    "no-detail-id.json": MalformedEvent,
    "detail-id-empty.json": MalformedEvent,
    "no-detail.json": MalformedEvent,
    "detail-string.json": MalformedEvent,
    "wrong-source.json": MalformedEvent,
    "not-an-event-array.json": MalformedEvent,
    "not-an-event-bare-finding.json": MalformedEvent,
    "not-an-event-string.json": MalformedEvent,
    "sqs-records-huge-integers.json": MalformedEvent,  # SQS records, for the handler tests
}


def _render(path: Path) -> dict[str, Any]:
    finding = parse_event(json.loads(path.read_text()))
    payload = render_finding(finding, {"111122223333": "prod"}, None)
    assert_valid_payload(payload)
    return payload


def _text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


@pytest.mark.parametrize("path", all_fixture_paths("events"), ids=lambda p: p.stem)
def test_realistic_findings_render_valid(path: Path) -> None:
    payload = _render(path)
    detail = json.loads(path.read_text())["detail"]
    text = _text(payload)
    assert detail["id"] in unescape(text) and detail["type"] in unescape(text)
    assert "Open in GuardDuty" in text and "Finding type docs" in text
    assert_valid_payload(render_digest([parse_event(json.loads(path.read_text()))] * 3, "x"))


@pytest.mark.parametrize(
    "path",
    [p for p in all_fixture_paths("hostile") if p.name not in NOT_FINDINGS],
    ids=lambda p: p.stem,
)
def test_hostile_findings_render_valid_and_inert(path: Path) -> None:
    payload = _render(path)
    text = _text(payload)
    for live in (
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U",
        "<#C",
        "<!subteam",
        "<https://evil",
        "<http",
    ):
        assert live not in text
    assert "\u202e" not in text and "\u200b" not in text and "\u2060" not in text
    assert_valid_payload(render_digest([parse_event(json.loads(path.read_text()))] * 8, "x"))


@pytest.mark.parametrize(("name", "error"), NOT_FINDINGS.items())
def test_non_findings_are_rejected_with_a_reason(name: str, error: type[Exception]) -> None:
    with pytest.raises(error) as raised:
        parse_event(load_event(f"hostile/{name}"))
    assert str(raised.value)


@pytest.mark.parametrize(
    ("fixture", "must_show"),
    [
        ("ec2-ssh-brute-force.json", ["i-0", "Remote IP", "Remote port", "Organisation"]),
        ("ec2-c2-dns.json", ["Domain", "kq7v2x9d[.]update-cdn[.]example[.]net"]),
        ("iam-credential-exfiltration.json", ["Access key", "User agent", "API"]),
        ("s3-block-public-access-disabled.json", ["Bucket"]),
        ("eks-privileged-container.json", ["Cluster", "Namespace", "Verb", "Request URI"]),
        ("rds-anomalous-successful-login.json", ["DB instance", "Successful logins"]),
        ("runtime-ecs-reverse-shell.json", ["Process", "Executable"]),
        ("lambda-malicious-ip-caller.json", ["Function"]),
        ("malware-ec2-malicious-file.json", ["Threat", "File"]),
        ("attack-sequence-iam.json", ["Signals", "MITRE tactics", "Endpoints"]),
    ],
)
def test_resource_and_actor_details_are_shown(fixture: str, must_show: list[str]) -> None:
    text = _text(_render(Path("tests/fixtures/events") / fixture))
    missing = [word for word in must_show if word not in text]
    assert not missing, f"{fixture}: message lacks {missing}"


@pytest.mark.parametrize(
    ("fixture", "host"),
    [
        ("govcloud-iam-malicious-ip-caller.json", "https://console.amazonaws-us-gov.com/"),
        ("china-ec2-tor-client.json", "https://console.amazonaws.cn/"),
        ("ec2-port-probe.json", ".console.aws.amazon.com/guardduty/"),
    ],
)
def test_console_link_follows_the_partition(fixture: str, host: str) -> None:
    payload = _render(Path("tests/fixtures/events") / fixture)
    urls = [e["url"] for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert host in urls[0]


@pytest.mark.parametrize(
    ("name", "band"),
    [
        ("severity-0.json", "Informational"),
        ("severity-3.95.json", "Low"),
        ("severity-4.0.json", "Medium"),
        ("severity-6.95.json", "Medium"),
        ("severity-7.0.json", "High"),
        ("severity-8.95.json", "High"),
        ("severity-9.0.json", "Critical"),
        ("severity-10.json", "Critical"),
        ("severity-string.json", "High"),
        ("severity-null.json", "Severity unknown"),  # was "Informational 0.0": no such band
    ],
)
def test_header_shows_the_band(name: str, band: str) -> None:
    payload = _render(Path("tests/fixtures/hostile") / name)
    assert f" {band} " in payload["blocks"][0]["text"]["text"]


def test_sample_and_archived_are_marked() -> None:
    sample = _text(_render(Path("tests/fixtures/events/sample-iam-tor-ip-caller.json")))
    assert "[SAMPLE]" in sample
    archived = _text(_render(Path("tests/fixtures/events/ec2-rdp-brute-force-archived.json")))
    assert "archived in GuardDuty" in archived


def test_huge_description_is_truncated_with_an_ellipsis() -> None:
    payload = _render(Path("tests/fixtures/hostile/huge-description.json"))
    sections = [
        b["text"]["text"] for b in payload["blocks"] if b["type"] == "section" and "text" in b
    ]
    assert any(text.endswith("…") for text in sections)


def _event_with(**detail: Any) -> dict[str, Any]:
    event = load_event("ec2-ssh-brute-force.json")
    return {**event, "detail": {**event["detail"], **detail}}


@pytest.mark.parametrize(
    "exact",
    [
        "Backdoor:EC2/DenialOfService.Tcp",
        "s3.amazonaws.com",
        "/usr/lib/libc.so.6",
        "IAMUser/john.doe",
        "arn:aws:iam::123456789012:role/app.role",
        "test@example.com",
        "LD_PRELOAD",
        "x86_64",
    ],
)
def test_the_issues_defects_are_shown_exactly(exact: str) -> None:
    """Each value of the review as an identifier (the type) and in free text (description)."""
    finding = parse_event(_event_with(type=exact, description=f"seen {exact} here"))
    payload = render_finding(finding)
    assert_valid_payload(payload)
    texts = [display(o) for o in text_objects(payload)]
    lead = [display(o) for o in text_objects(render_parts(finding).lead)]
    assert any(exact in t for t in lead), lead
    assert any(f"seen {exact} here" in t for t in texts)
    for wrong in ("[.]", "\u2060", "‗", "∗", "ˋ", "‹", "›"):
        assert not any(wrong in t and exact.replace(".", "[.]") in t for t in texts)
    assert "\u2060" not in _text(payload) and "‗" not in _text(payload)


def test_runtime_labels_of_our_own_are_not_escaped() -> None:
    payload = _render(Path("tests/fixtures/events/runtime-ecs-reverse-shell.json"))
    assert "‗" not in _text(payload) and "∗" not in _text(payload)


def test_a_backtick_in_an_identifier_shows_that_text_as_plain_text() -> None:
    finding = parse_event(_event_with(type="Odd:EC2/Back`tick"))
    payload = render_finding(finding)
    assert_valid_payload(payload)
    plain = [o for o in text_objects(payload) if "Back`tick" in o["text"]]
    assert plain and all(o["type"] == "plain_text" for o in plain)


def _pascal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: _pascal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_pascal(v) for v in value]
    return value


@pytest.mark.parametrize("name", ["ec2-ssh-brute-force.json", "eks-privileged-container.json"])
def test_api_pascal_case_findings_render_like_eventbridge_ones(name: str) -> None:
    event = load_event(name)
    camel = render_finding(parse_event(event))
    pascal = render_finding(parse_event({**event, "detail": _pascal(event["detail"])}))
    assert pascal == camel
