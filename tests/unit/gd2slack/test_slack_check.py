"""``gd2slack slack-check`` against the local Slack Web API and moto's Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from app.adapters.destinations import SlackApp
from gd2slack import cli
from gd2slack.local.slack_web_api import SlackWebApiServer, SlackWorkspace
from gd2slack.ops import aws
from gd2slack.ops.slack_check import check, manifest_scopes

SCOPES = {"chat:write", "channels:history", "groups:history", "channels:read", "groups:read"}


@pytest.fixture
def server() -> Iterator[SlackWebApiServer]:
    ws = SlackWorkspace(limits={})
    ws.add_channel("C0ALERTS", "security-alerts")
    ws.add_channel("C0OUT", "outside")
    ws.kick("C0OUT")
    ws.add_channel("C0OLD", "old")
    ws.channels["C0OLD"].archived = True
    with SlackWebApiServer(ws) as srv:
        yield srv


def test_the_manifest_scopes_are_read() -> None:
    assert manifest_scopes() == {*SCOPES, "usergroups:read"}


def test_a_ready_app_has_no_problems(server: SlackWebApiServer) -> None:
    app = SlackApp(server.workspace.bot_token, {"default": "C0ALERTS"})
    assert check(app, base_url=server.base_url) == []


def test_each_problem_is_one_line_with_its_fix(server: SlackWebApiServer) -> None:
    ws = server.workspace
    narrow = ws.add_token(
        "xoxb-narrow-token-1", ws.bot_user, ["chat:write", "channels:read"], ws.bot_id
    )
    app = SlackApp(
        narrow,
        {"default": "C0ALERTS", "out": "C0OUT", "old": "C0OLD", "typo": "C0NOSUCH"},
    )
    problems = check(app, base_url=server.base_url)
    assert len(problems) == 4, problems
    scopes, old, out, typo = problems
    assert "channels:history" in scopes and "reinstall" in scopes.lower()
    assert "archived" in old and "/invite @GuardDuty" in out and "not found" in typo
    assert not any(narrow in p for p in problems)


def test_a_bad_token_is_one_problem(server: SlackWebApiServer) -> None:
    problems = check(
        SlackApp("xoxb-unknown-token-1", {"default": "C0ALERTS"}), base_url=server.base_url
    )
    assert len(problems) == 1 and "invalid_auth" in problems[0]


def test_the_command_reads_the_secret_and_exits_non_zero_on_problems(
    server: SlackWebApiServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = server.workspace.bot_token
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        good = json.dumps({"bot_token": token, "channels": {"default": "C0ALERTS"}})
        bad = json.dumps({"bot_token": token, "channels": {"default": "C0ALERTS", "x": "C0OUT"}})
        sm.create_secret(Name="good", SecretString=good)
        sm.create_secret(Name="bad", SecretString=bad)
        monkeypatch.setattr(
            aws,
            "clients_from_args",
            lambda args: aws.AwsClients(boto3.Session(region_name="us-east-1")),
        )
        argv = ["slack-check", "--slack-api-url", server.base_url, "--secret-id"]
        assert cli.main([*argv, "good"]) == 0
        assert cli.main([*argv, "bad"]) == 1
    out = capsys.readouterr().out
    assert "ok:" in out and "/invite @GuardDuty there" in out and token not in out
