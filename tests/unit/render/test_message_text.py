"""``gd2slack render FILE --format text``: the lead as a phone notification and a glance at
Slack show it, nothing escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.finding import parse_event
from app.render.message import render_parts
from app.render.text import lead_text
from gd2slack.cli import main

EVENT = Path("tests/fixtures/events/ec2-c2-dns.json")


def test_text_is_notification_header_verdict_fields_buttons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["render", str(EVENT), "--format", "text"]) == 0
    lines = capsys.readouterr().out.splitlines()
    finding = parse_event(json.loads(EVENT.read_text()))
    assert lines[0].startswith("High 8.0: ") and lines[1] == ""
    assert lines[2].startswith("🟠 High 8.0 · ")
    assert "i-0b7f3c2a91d4e5f60" in lines[3]  # the verdict
    assert lines[4] == "Account: 123456789012"
    assert any(line == "Region: us-east-1" for line in lines)
    assert finding.type in lines  # Backdoor:EC2/C&CActivity.B!DNS, not C&amp;C
    assert any(line.startswith("[Open in GuardDuty] https://") for line in lines)
    assert any(
        line.startswith("[Finding type docs] https://docs.aws.amazon.com/") for line in lines
    )
    text = "\n".join(lines)
    for escaped in ("&amp;", "&lt;", "&gt;", "<!date", "`"):
        assert escaped not in text
    assert "UTC" in text  # date tokens show their fallback


def test_text_shows_hostile_text_as_it_is_but_sends_it_escaped() -> None:
    event = json.loads(EVENT.read_text())
    event["detail"]["title"] = "<!here> look"
    lead = render_parts(parse_event(event)).lead
    assert "&lt;!here&gt;" in lead["blocks"][0]["text"]["text"]
    assert "<!here> look" in lead_text(lead)
