"""Shared fixtures: isolated AWS environment, the local Slack receiver, fixture loading."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gd2slack.local.slack_receiver import SlackReceiver

FIXTURES = Path(__file__).parent / "fixtures"


def load_event(name: str) -> dict[str, Any]:
    """``events/ec2-port-probe.json`` or ``hostile/…``; a bare name looks in events/."""
    path = FIXTURES / (name if "/" in name else f"events/{name}")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def minimal_event(
    finding_id: str = "a" * 32,
    *,
    severity: Any = 8.0,
    count: int = 1,
    finding_type: str = "UnauthorizedAccess:EC2/SSHBruteForce",
    event_id: str = "evt-1",
    updated_at: str = "2026-11-28T09:14:00.000Z",
    **detail: Any,
) -> dict[str, Any]:
    """A small, realistic EventBridge GuardDuty event for behaviour tests."""
    return {
        "version": "0",
        "id": event_id,
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "account": "123456789012",
        "time": updated_at,
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "schemaVersion": "2.0",
            "accountId": "123456789012",
            "region": "us-east-1",
            "partition": "aws",
            "id": finding_id,
            "type": finding_type,
            "title": "198.51.100.7 is performing SSH brute force attacks against i-0abc.",
            "description": "198.51.100.7 is performing SSH brute force attacks against i-0abc.",
            "severity": severity,
            "createdAt": "2026-11-28T09:00:00.000Z",
            "updatedAt": updated_at,
            "resource": {
                "resourceType": "Instance",
                "instanceDetails": {"instanceId": "i-0abc1234def567890"},
            },
            "service": {
                "serviceName": "guardduty",
                "count": count,
                "archived": False,
                "eventFirstSeen": "2026-11-28T09:00:00.000Z",
                "eventLastSeen": updated_at,
            },
            **detail,
        },
    }


def all_fixture_paths(kind: str) -> list[Path]:
    return sorted((FIXTURES / kind).glob("*.json"))


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No real credentials or config can leak into a test; everything is us-east-1."""
    for key in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "SLACK_WEBHOOK_URL",
        "SLACK_WEBHOOKS_SECRET_ID",
        "STATE_TABLE",
        "LAMBDA_TASK_ROOT",
    ):
        monkeypatch.delenv(key, raising=False)
    empty = tmp_path / "aws-empty"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "GuardDutyToSlack")


class LogLines:
    """The handler's structured log lines, as Powertools formats them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def outcome_of(self, message_id: str) -> dict[str, Any]:
        matches = [e for e in self.entries() if e.get("message_id") == message_id]
        assert matches, f"no log line for record {message_id}"
        return matches[-1]


@pytest.fixture
def handler_logs() -> Iterator[LogLines]:
    from app.adapters.observability import logger

    captured = LogLines()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.lines.append(self.format(record))

    collector = Collect()
    collector.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(collector)
    level = logger.log_level
    logger.setLevel("INFO")  # what the stack sets (POWERTOOLS_LOG_LEVEL), whatever ran before
    try:
        yield captured
    finally:
        logger._logger.removeHandler(collector)
        logger.setLevel(level)


@pytest.fixture(autouse=True)
def fresh_secret_cache() -> Iterator[None]:
    """Powertools caches secrets per process for five minutes: no test sees another's."""
    from aws_lambda_powertools.utilities.parameters import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def slack() -> Iterator[SlackReceiver]:
    with SlackReceiver() as receiver:
        yield receiver
