"""The handler's contract (DESIGN §2): SQS batches with partial failures, bare events with a
summary, configuration-driven filtering and routing, webhooks from Secrets Manager."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.config import load_config
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from tests.conftest import LogLines, minimal_event
from tests.slack_checks import assert_valid_payload


def _batch(*bodies: Any) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{i}", "body": b if isinstance(b, str) else json.dumps(b)}
            for i, b in enumerate(bodies)
        ]
    }


def _notifier(env: dict[str, str]) -> Notifier:
    return Notifier(load_config(env))


def test_sqs_batch_reports_only_failed_records(
    slack: SlackReceiver, handler_logs: LogLines
) -> None:
    cloudtrail = {
        "source": "aws.guardduty",
        "detail-type": "AWS API Call via CloudTrail",
        "detail": {"eventName": "ArchiveFindings"},
    }
    batch = _batch(
        minimal_event("f1"),
        "not json",
        cloudtrail,
        {"source": "aws.ec2"},
        minimal_event("f2", event_id="evt-2"),
    )
    result = _notifier({"SLACK_WEBHOOK_URL": slack.url()}).handle(batch, LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}
    assert len(slack.accepted()) == 2
    assert handler_logs.outcome_of("m2")["outcome"] == "ignored"
    assert "not JSON" in handler_logs.outcome_of("m1")["reason"]
    assert "aws.ec2" in handler_logs.outcome_of("m3")["reason"]
    for payload in slack.accepted():
        assert_valid_payload(payload)


def test_bare_eventbridge_event_returns_a_summary(slack: SlackReceiver) -> None:
    summary = _notifier({"SLACK_WEBHOOK_URL": slack.url()}).handle(
        minimal_event(), LocalLambdaContext()
    )
    assert summary["received"] == 1 and summary["notified"] == 1 and summary["failed"] == 0
    assert summary["outcomes"][0]["finding_id"] == "a" * 32


def test_cloudtrail_event_from_guardduty_posts_nothing(slack: SlackReceiver) -> None:
    event = {"source": "aws.guardduty", "detail-type": "AWS API Call via CloudTrail", "detail": {}}
    summary = _notifier({"SLACK_WEBHOOK_URL": slack.url()}).handle(event, LocalLambdaContext())
    assert summary["failed"] == 0 and summary["outcomes"][0]["outcome"] == "ignored"
    assert slack.posts == []


@pytest.mark.parametrize(
    ("env", "event", "reason"),
    [
        ({"MIN_SEVERITY": "HIGH"}, minimal_event(severity=6.95), "below-threshold"),
        ({"FINDING_TYPES_EXCLUDE": "UnauthorizedAccess:*"}, minimal_event(), "filtered-type"),
        ({"FINDING_TYPES_INCLUDE": "Recon:*,Backdoor:*"}, minimal_event(), "filtered-type"),
        (
            {"SAMPLE_FINDINGS": "skip"},
            minimal_event(
                service={"additionalInfo": {"value": '{"sample":true}', "type": "default"}}
            ),
            "sample-skipped",
        ),
    ],
)
def test_filters_suppress_with_a_reason(
    slack: SlackReceiver, env: dict[str, str], event: dict[str, Any], reason: str
) -> None:
    summary = _notifier({"SLACK_WEBHOOK_URL": slack.url(), **env}).handle(
        event, LocalLambdaContext()
    )
    assert summary["outcomes"][0] == {
        "finding_id": "a" * 32,
        "outcome": "filtered",
        "reason": reason,
    }
    assert slack.posts == []


def test_high_threshold_still_passes_critical(slack: SlackReceiver) -> None:
    env = {"SLACK_WEBHOOK_URL": slack.url(), "MIN_SEVERITY": "HIGH"}
    summary = _notifier(env).handle(minimal_event(severity=9.0), LocalLambdaContext())
    assert summary["notified"] == 1


def test_sample_findings_are_marked(slack: SlackReceiver) -> None:
    event = minimal_event(
        service={"additionalInfo": {"value": '{"sample":true}', "type": "default"}}
    )
    _notifier({"SLACK_WEBHOOK_URL": slack.url()}).handle(event, LocalLambdaContext())
    (payload,) = slack.accepted()
    assert payload["text"].startswith("[SAMPLE]")
    assert "[SAMPLE]" in json.dumps(payload["blocks"])


def test_no_webhook_configured_fails_with_the_variables_to_set(handler_logs: LogLines) -> None:
    result = _notifier({}).handle(_batch(minimal_event()), LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    reason = handler_logs.outcome_of("m0")["reason"]
    assert "SLACK_WEBHOOKS_SECRET_ID" in reason and "SLACK_WEBHOOK_URL" in reason


@mock_aws
def test_secret_with_routes_sends_each_finding_to_its_channel() -> None:
    with SlackReceiver() as slack:
        secret = boto3.client("secretsmanager").create_secret(
            Name="gd2slack/webhooks",
            SecretString=json.dumps(
                {
                    "default": slack.url("/services/T1/B1/default"),
                    "oncall": slack.url("/services/T1/B2/oncall"),
                }
            ),
        )
        routes = [{"match": {"bands": ["CRITICAL"]}, "route": "oncall"}]
        notifier = _notifier(
            {"SLACK_WEBHOOKS_SECRET_ID": secret["ARN"], "ROUTES": json.dumps(routes)}
        )
        batch = _batch(
            minimal_event("f1", severity=9.5), minimal_event("f2", severity=5.0, event_id="e2")
        )
        assert notifier.handle(batch, LocalLambdaContext()) == {"batchItemFailures": []}
        assert len(slack.accepted("/services/T1/B2/oncall")) == 1
        assert len(slack.accepted("/services/T1/B1/default")) == 1
        assert "Critical" in slack.accepted("/services/T1/B2/oncall")[0]["text"]


@mock_aws
def test_secret_holding_a_plain_url() -> None:
    with SlackReceiver() as slack:
        boto3.client("secretsmanager").create_secret(Name="plain-url", SecretString=slack.url())
        notifier = _notifier({"SLACK_WEBHOOKS_SECRET_ID": "plain-url"})
        assert notifier.handle(_batch(minimal_event()), LocalLambdaContext()) == {
            "batchItemFailures": []
        }
        assert len(slack.accepted()) == 1


@mock_aws
def test_missing_secret_fails_the_record_with_a_clear_line(handler_logs: LogLines) -> None:
    notifier = _notifier({"SLACK_WEBHOOKS_SECRET_ID": "does-not-exist"})
    result = notifier.handle(_batch(minimal_event()), LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    entry = handler_logs.outcome_of("m0")
    assert entry["level"] == "ERROR" and "GetParameterError" in entry["reason"]


def test_canary_is_rendered_not_posted_without_a_canary_route(slack: SlackReceiver) -> None:
    event = minimal_event(finding_type="Canary:Gd2Slack/SmokeTest", severity=1.0)
    summary = _notifier({"SLACK_WEBHOOK_URL": slack.url()}).handle(event, LocalLambdaContext())
    assert summary["failed"] == 0 and summary["outcomes"][0]["outcome"] == "rendered"
    assert slack.posts == []


@mock_aws
def test_canary_goes_only_to_the_canary_route() -> None:
    with SlackReceiver() as slack:
        boto3.client("secretsmanager").create_secret(
            Name="hooks",
            SecretString=json.dumps(
                {"default": slack.url("/services/T/B/d"), "canary": slack.url("/services/T/B/c")}
            ),
        )
        event = minimal_event(finding_type="Canary:Gd2Slack/SmokeTest", severity=1.0)
        summary = _notifier({"SLACK_WEBHOOKS_SECRET_ID": "hooks"}).handle(
            event, LocalLambdaContext()
        )
        assert summary["notified"] == 1
        assert (
            slack.accepted("/services/T/B/d") == [] and len(slack.accepted("/services/T/B/c")) == 1
        )


def test_account_names_are_shown(slack: SlackReceiver) -> None:
    env = {"SLACK_WEBHOOK_URL": slack.url(), "ACCOUNT_NAMES": '{"123456789012": "payments-prod"}'}
    _notifier(env).handle(minimal_event(), LocalLambdaContext())
    assert "payments-prod" in json.dumps(slack.accepted()[0])


def test_bad_configuration_stops_the_cold_start() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import app.handler"],
        env={"MIN_SEVERITY": "banana", "PATH": "", "AWS_DEFAULT_REGION": "us-east-1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert (
        "MIN_SEVERITY='banana' is not valid: use one of LOW, MEDIUM, HIGH, CRITICAL"
        in result.stderr
    )


def test_a_bug_on_one_record_fails_only_that_record(
    slack: SlackReceiver, handler_logs: LogLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.batch

    real = app.batch.render_finding

    def flaky(finding: Any, *args: Any) -> dict[str, Any]:
        if finding.id == "boom":
            raise ZeroDivisionError("render bug")
        return real(finding, *args)

    monkeypatch.setattr(app.batch, "render_finding", flaky)
    batch = _batch(minimal_event("boom"), minimal_event("fine", event_id="e2"), "[1, 2]")
    result = _notifier({"SLACK_WEBHOOK_URL": slack.url()}).handle(batch, LocalLambdaContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m2"}]}
    assert len(slack.accepted()) == 1
    assert "ZeroDivisionError" in handler_logs.outcome_of("m0")["reason"]


@mock_aws
def test_a_route_missing_from_the_secret_falls_back_to_default_with_a_warning(
    handler_logs: LogLines,
) -> None:
    with SlackReceiver() as slack:
        boto3.client("secretsmanager").create_secret(
            Name="hooks", SecretString=json.dumps({"default": slack.url()})
        )
        routes = json.dumps([{"match": {}, "route": "oncall"}])
        notifier = _notifier({"SLACK_WEBHOOKS_SECRET_ID": "hooks", "ROUTES": routes})
        notifier.handle(_batch(minimal_event()), LocalLambdaContext())
        assert len(slack.accepted()) == 1
    warnings = [e for e in handler_logs.entries() if e["level"] == "WARNING"]
    assert warnings and warnings[0]["route"] == "oncall"
