"""``gd2slack smoke``: the canary event, the handler's answer, the composite alarm.

moto's Lambda cannot run our image (without Docker it echoes the payload), so the invoke and
the alarms go through ``botocore.stub.Stubber``; the stack outputs come from moto. The canary
is also fed to the real handler, and its summary checked the way smoke checks a live one.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from moto import mock_aws

from app.config import load_config
from app.constants import CANARY_TYPE_PREFIX
from app.core.finding import parse_event
from app.handler import Notifier
from gd2slack.cli import main
from gd2slack.errors import CliError
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from gd2slack.ops import aws
from gd2slack.ops.aws import AwsClients
from gd2slack.ops.smoke import canary_event, check_response, smoke

ACCOUNT = "123456789012"
ALIAS = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:gd2slack-dev:live"
ALARM = "gd2slack-dev-delivery"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/gd2slack@sha256:" + "2" * 64
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
OK_SUMMARY = {
    "received": 1,
    "notified": 0,
    "suppressed": 0,
    "failed": 0,
    "outcomes": [{"finding_id": "gd2slack-canary-x", "outcome": "rendered", "reason": ""}],
}


class World:
    def __init__(self) -> None:
        self.clients = AwsClients(boto3.Session(region_name="us-east-1"))
        self.lambda_client = boto3.client("lambda", region_name="us-east-1")
        self.invoke = Stubber(self.lambda_client)
        self.alarms = Stubber(self.clients.client("cloudwatch"))

    def deploy_outputs(self) -> None:
        outputs = {
            "AliasArn": ALIAS,
            "CompositeAlarmName": ALARM,
            "CompositeAlarmArn": f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{ALARM}",
            "ImageUri": IMAGE,
        }
        self.clients.client("cloudformation").create_stack(
            StackName="gd2slack-dev",
            TemplateBody=json.dumps(
                {
                    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                    "Outputs": {k: {"Value": v} for k, v in outputs.items()},
                }
            ),
        )

    def answer(self, payload: Any, function_error: str | None = None) -> None:
        body = json.dumps(payload).encode()
        response: dict[str, Any] = {
            "StatusCode": 200,
            "ExecutedVersion": "7",
            "Payload": StreamingBody(io.BytesIO(body), len(body)),
        }
        if function_error:
            response["FunctionError"] = function_error
        self.invoke.add_response(
            "invoke",
            response,
            {"FunctionName": ALIAS, "InvocationType": "RequestResponse", "Payload": ANY},
        )

    def alarm_state(self, state: str) -> None:
        self.alarms.add_response(
            "describe_alarms",
            {"CompositeAlarms": [{"AlarmName": ALARM, "StateValue": state}], "MetricAlarms": []},
            {"AlarmNames": [ALARM], "AlarmTypes": ["CompositeAlarm", "MetricAlarm"]},
        )

    def run(self, **kwargs: Any) -> str:
        return smoke(self.clients, "dev", lambda_client=self.lambda_client, **kwargs)


@pytest.fixture
def world() -> Iterator[World]:
    with mock_aws():
        w = World()
        w.deploy_outputs()
        with w.invoke, w.alarms:
            yield w
            w.invoke.assert_no_pending_responses()
            w.alarms.assert_no_pending_responses()


def test_canary_event_is_a_marked_guardduty_finding() -> None:
    event = canary_event(ACCOUNT, "us-east-1", NOW)
    assert event["source"] == "aws.guardduty" and event["detail-type"] == "GuardDuty Finding"
    detail = event["detail"]
    assert detail["type"] == "Canary:Gd2Slack/SmokeTest"
    assert detail["type"].startswith(CANARY_TYPE_PREFIX)
    assert detail["severity"] == 1.0
    assert detail["id"] == event["id"] == "gd2slack-canary-20261128T093000000000Z"
    finding = parse_event(event)
    assert finding.is_canary and finding.account_id == ACCOUNT
    later = canary_event(ACCOUNT, "us-east-1", NOW.replace(microsecond=1))
    assert later["id"] != event["id"]  # unique per run: idempotency must not swallow it


def test_the_real_handler_answers_what_smoke_accepts(slack: SlackReceiver) -> None:
    notifier = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
    summary = notifier.handle(canary_event(ACCOUNT, "us-east-1"), LocalLambdaContext())
    body = json.dumps(summary).encode()
    checked = check_response(
        {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}
    )
    assert checked["failed"] == 0
    assert slack.posts == []  # no canary route: rendered, not posted


@pytest.mark.parametrize("state", ["OK", "INSUFFICIENT_DATA"])
def test_ok(world: World, state: str) -> None:
    world.answer(OK_SUMMARY)
    world.alarm_state(state)
    line = world.run(expect_image_uri=IMAGE)
    assert line.startswith("smoke dev in us-east-1: ok: canary gd2slack-canary-")
    assert f"rendered, composite alarm {state}" in line


def test_function_error_fails(world: World) -> None:
    world.answer(
        {"errorType": "WebhookConfigError", "errorMessage": "set SLACK_WEBHOOKS_SECRET_ID"},
        function_error="Unhandled",
    )
    with pytest.raises(CliError, match=r"function error \(Unhandled\): WebhookConfigError: set"):
        world.run()


def test_a_failed_record_fails_with_its_reason(world: World) -> None:
    world.answer(
        {
            **OK_SUMMARY,
            "failed": 1,
            "outcomes": [
                {"finding_id": "x", "outcome": "failed", "reason": "slack 404 no_service"}
            ],
        }
    )
    with pytest.raises(CliError, match=r"canary failed in the handler \(1 failed\): slack 404"):
        world.run()


def test_an_alarm_in_alarm_fails_and_names_the_children(world: World) -> None:
    world.answer(OK_SUMMARY)
    world.alarm_state("ALARM")
    world.alarms.add_response(
        "describe_alarms",
        {
            "MetricAlarms": [
                {"AlarmName": "gd2slack-dev-function-errors", "StateValue": "ALARM"},
                {"AlarmName": "gd2slack-dev-queue-age", "StateValue": "OK"},
            ]
        },
        {"ChildrenOfAlarmName": ALARM},
    )
    with pytest.raises(
        CliError,
        match=r"composite alarm gd2slack-dev-delivery is in ALARM \(gd2slack-dev-function-errors\)",
    ):
        world.run()


def test_a_different_image_fails_before_invoking(world: World) -> None:
    with pytest.raises(CliError, match=r"runs .* expected"):
        world.run(expect_image_uri=IMAGE.replace("2", "3"))


def test_unexpected_response_fails(world: World) -> None:
    world.answer({"statusCode": 200})
    with pytest.raises(CliError, match="unexpected handler response"):
        world.run()


def test_missing_stack_is_one_line_and_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_aws():
        rc = main(["smoke", "--stage", "prod"])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.count("\n") == 1
    assert err.startswith("gd2slack smoke: stack gd2slack-prod does not exist in us-east-1")


def test_access_denied_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = AwsClients(boto3.Session(region_name="us-east-1"))
    monkeypatch.setattr(aws, "clients_from_args", lambda args: clients)
    with Stubber(clients.client("cloudformation")) as stubber:
        stubber.add_client_error(
            "describe_stacks",
            service_error_code="AccessDenied",
            service_message="not authorized to perform: cloudformation:DescribeStacks",
        )
        assert main(["smoke"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "access denied" in err and "Traceback" not in err
