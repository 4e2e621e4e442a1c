"""The local commands: demo (end to end, as `make demo` runs it), render, send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from gd2slack.cli import main
from gd2slack.local.slack_receiver import REVOKED, SlackReceiver
from tests.slack_checks import assert_valid_payload

EVENT = "tests/fixtures/events/ec2-c2-dns.json"


def test_demo_runs_the_event_path_end_to_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_"))}
    result = subprocess.run(
        [sys.executable, "-m", "gd2slack.cli", "demo", "--mode", "webhook", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert (
        lines[-1].startswith("delivered ")
        and ", filtered " in lines[-1]
        and lines[-1].endswith(", failed 1")
    )
    table = "\n".join(lines)
    assert "5 alarms and 2 queue policies from the template" in lines[0]
    for expected in (
        "first-sight",
        "repeat",
        "count-milestone",
        "severity-increase",
        "duplicate-event",
        "digested",
        "dead-letter queue: 1 message(s)",
    ):
        assert expected in table
    messages = sorted(tmp_path.glob("message-*.json"))
    assert len(messages) >= 10
    for path in messages:
        assert_valid_payload(json.loads(path.read_text()))
    assert (tmp_path / "runtime.json").exists() and (tmp_path / "handler.log").exists()


def test_render_json_text_and_builder_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", EVENT]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert_valid_payload(payload)
    assert main(["render", EVENT, "--format", "text"]) == 0
    assert capsys.readouterr().out.startswith("High ")
    assert main(["render", EVENT, "--format", "builder-url"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://app.adapters.slack.com/block-kit-builder/#")
    assert json.loads(unquote(url.split("#", 1)[1]))["blocks"] == payload["blocks"]


def test_render_rejects_a_non_finding_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "tests/fixtures/hostile/cloudtrail-guardduty-api-call.json"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a GuardDuty finding event" in err


def test_send_posts_once_and_never_prints_the_url(
    slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    url = slack.url("/services/T1/B1/sekrit-token")
    assert main(["send", EVENT, "--webhook", url]) == 0
    out = capsys.readouterr().out
    assert len(slack.accepted()) == 1 and "sekrit-token" not in out and "HTTP 200" in out


def test_send_reports_a_revoked_webhook_in_one_line(
    slack: SlackReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.script(REVOKED)
    assert main(["send", EVENT, "--webhook", slack.url("/services/T1/B1/sekrit")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "404 no_service" in err and "sekrit" not in err


def test_send_without_webhook_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["send", EVENT]) == 1
    assert "SLACK_WEBHOOK_URL" in capsys.readouterr().err
