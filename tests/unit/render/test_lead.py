"""The lead a responder reads in ten seconds, checked against facts read from each finding's
JSON by hand (not from the renderer): where the resource's id, the remote IP, the verdict, the
facts and the buttons are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.finding import parse_event
from app.render.message import render_finding, render_parts
from app.render.text import display
from tests.slack_checks import assert_valid_payload

EVENTS = Path("tests/fixtures/events")
NAMES = {"123456789012": "prod-payments", "444455556666": "prod-k8s"}

# fixture: (the resource's primary identifier, the remote side's IP or None), from the JSON.
LEAD_FACTS: dict[str, tuple[str, str | None]] = {
    "attack-sequence-eks.json": ("prod-eks-01", None),
    "attack-sequence-iam.json": ("ASIAQ3EGR7EXAMPLE7NB", None),
    "attack-sequence-s3.json": ("acme-datalake-raw-210987654321", None),
    "china-ec2-tor-client.json": ("i-0f1e2d3c4b5a69788", "198.51.100.201"),
    "ec2-bitcoin-tool.json": ("i-0c19a8e7f6d5b4a32", "192.0.2.148"),
    "ec2-c2-dns.json": ("i-0b7f3c2a91d4e5f60", None),
    "ec2-port-probe.json": ("i-0b7f3c2a91d4e5f60", "198.51.100.23"),
    "ec2-rdp-brute-force-archived.json": ("i-07aa31c5e9f0d2b84", "203.0.113.57"),
    "ec2-ssh-brute-force.json": ("i-04e2d9a7c1b3f8e26", "203.0.113.57"),
    "eks-exec-kube-system.json": ("prod-eks-01", "198.51.100.40"),
    "eks-permission-checked.json": ("prod-eks-01", None),
    "eks-privileged-container.json": ("prod-eks-01", None),
    "eks-role-binding-created.json": ("prod-eks-01", None),
    "govcloud-iam-malicious-ip-caller.json": ("AKIAQ3EGR7EXAMPLEG0V", "192.0.2.77"),
    "iam-credential-exfiltration.json": ("ASIAQ3EGR7EXAMPLE7NB", "198.51.100.40"),
    "lambda-malicious-ip-caller.json": ("payment-webhook-handler", "198.51.100.14"),
    "malware-backup-ebs-snapshot.json": ("snap-0ba5d5bcb4fe9eaf8", None),
    "malware-container-malicious-file.json": ("legacy-reporting", None),
    "malware-ec2-malicious-file.json": ("i-0b7f3c2a91d4e5f60", None),
    "malware-s3-object.json": ("acme-customer-uploads", None),
    "rds-anomalous-successful-login.json": ("payments-prod-instance-1", "203.0.113.9"),
    "rds-limitless-malicious-ip-failed-login.json": ("orders-limitless", "192.0.2.77"),
    "runtime-ecs-reverse-shell.json": ("checkout-prod", None),
    "runtime-eks-new-binary-executed.json": ("prod-eks-01", None),
    "s3-anomalous-behavior.json": ("acme-datalake-raw-210987654321", "203.0.113.9"),
    "s3-block-public-access-disabled.json": ("acme-marketing-assets", "203.0.113.120"),
    "sample-iam-tor-ip-caller.json": ("GeneratedFindingAccessKeyId", "198.51.100.0"),
}


def _seen(block: dict[str, Any]) -> str:
    """Every text in a block as a reader sees it."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(display(node))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(block)
    return "\n".join(found)


def test_every_realistic_fixture_has_a_row() -> None:
    assert set(LEAD_FACTS) == {p.name for p in EVENTS.glob("*.json")}


@pytest.mark.parametrize(("name", "facts"), LEAD_FACTS.items(), ids=str)
def test_the_lead_puts_the_facts_first(name: str, facts: tuple[str, str | None]) -> None:
    primary, remote_ip = facts
    event = json.loads((EVENTS / name).read_text())
    finding = parse_event(event)
    lead = render_parts(finding, NAMES).lead
    assert_valid_payload(lead)
    blocks = lead["blocks"]
    assert blocks[0]["type"] == "header"
    assert primary in "\n".join(_seen(b) for b in blocks[:3]), f"{primary} not up front"
    if remote_ip:
        assert remote_ip in "\n".join(_seen(b) for b in blocks[:3]), f"{remote_ip} not up front"
    verdict = blocks[1]
    assert verdict["type"] == "section" and _seen(verdict).strip()
    fields = blocks[2]["fields"]
    assert len(fields) <= 8
    account = event["detail"]["accountId"]
    assert account in _seen(blocks[2])
    if account in NAMES:
        assert NAMES[account] in _seen(blocks[2])
        assert NAMES[account] in lead["text"]
    assert event["detail"]["region"] in _seen(blocks[2])
    assert blocks[-1]["type"] == "actions"  # the buttons end the lead
    labels = [e["text"]["text"] for e in blocks[-1]["elements"]]
    assert labels[:2] == ["Open in GuardDuty", "Finding type docs"]
    whole = render_finding(finding, NAMES)
    assert whole["blocks"][: len(blocks)] == blocks  # details come after the buttons


def test_sample_is_in_the_header_and_the_notification() -> None:
    finding = parse_event(json.loads((EVENTS / "sample-iam-tor-ip-caller.json").read_text()))
    lead = render_parts(finding).lead
    assert "[SAMPLE]" in lead["blocks"][0]["text"]["text"]
    assert lead["text"].startswith("[SAMPLE]")


def test_a_repeat_notice_stays_in_the_lead() -> None:
    finding = parse_event(json.loads((EVENTS / "ec2-ssh-brute-force.json").read_text()))
    lead = render_parts(finding, notice="severity Medium → High").lead
    assert any("severity Medium → High" in _seen(b) for b in lead["blocks"])
    assert "severity Medium → High" in lead["text"]


def test_times_use_slacks_date_token_with_a_utc_fallback() -> None:
    finding = parse_event(json.loads((EVENTS / "ec2-ssh-brute-force.json").read_text()))
    text = json.dumps(render_parts(finding).lead)
    assert "<!date^" in text and "{date_short_pretty} {time}|2026-11-27 01:05 UTC>" in text


@pytest.mark.parametrize(
    ("name", "shown"),
    [("severity-3.95.json", "Low 3.95"), ("severity-6.95.json", "Medium 6.95"),
     ("severity-8.95.json", "High 8.95"), ("severity-missing.json", "Severity unknown"),
     ("severity-null.json", "Severity unknown"), ("severity-nan-like.json", "Severity unknown")],
)  # fmt: skip
def test_the_score_is_shown_as_sent(name: str, shown: str) -> None:
    finding = parse_event(json.loads(Path(f"tests/fixtures/hostile/{name}").read_text()))
    header = render_parts(finding).lead["blocks"][0]["text"]["text"]
    assert shown in header


def test_a_long_title_is_cut_once_at_a_word_with_an_ellipsis() -> None:
    event = json.loads((EVENTS / "ec2-ssh-brute-force.json").read_text())
    event["detail"]["title"] = "The EC2 instance is being used for a Denial of Service " * 5
    header = render_parts(parse_event(event)).lead["blocks"][0]["text"]["text"]
    assert len(header) <= 150 and header.endswith("…")
    assert header[:-1].endswith(("Service", "EC2", "instance", "is", "being", "used", "for"))
