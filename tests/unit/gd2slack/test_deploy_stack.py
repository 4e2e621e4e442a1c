"""``gd2slack deploy-stack``: end to end against moto's CloudFormation (the real runtime template,
first create and update), and with ``botocore.stub.Stubber`` where moto cannot show what matters
(the exact ``RollbackConfiguration`` sent, failed change sets, rollbacks and their events).
Stubber validates every request against the real CloudFormation model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from gd2slack.cli import main
from gd2slack.errors import CliError
from gd2slack.local.moto_compat import for_moto
from gd2slack.ops import aws
from gd2slack.ops import changesets as cs
from gd2slack.ops.aws import AwsClients
from gd2slack.ops.deploy_stack import DeployOptions, deploy, deployment_id
from stack import to_json

ACCOUNT = "123456789012"
REGION = "us-east-1"
STACK = "gd2slack-dev"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{STACK}/0a1b2c3d"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/gd2slack-x/4e5f"
ALARM_ARN = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:gd2slack-dev-delivery"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:gd2slack/webhooks-AbCdEf"
MANIFEST = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {},
    "layers": [],
}
NOW = datetime.now(UTC)
FAST = cs.Poller(interval=0, timeout=5)


def image_uri(digest: str, region: str = REGION) -> str:
    return f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/gd2slack@{digest}"


DIGEST = "sha256:" + "1" * 64
URI = image_uri(DIGEST)


# --- moto, end to end --------------------------------------------------------------------------


class MotoWorld:
    def __init__(self, tmp_path: Path) -> None:
        self.session = boto3.Session(region_name=REGION)
        self.secret = self.session.client("secretsmanager").create_secret(
            Name="gd2slack/webhooks", SecretString="https://hooks.slack.com/services/T0/B0/x"
        )["ARN"]
        ecr = self.session.client("ecr")
        ecr.create_repository(repositoryName="gd2slack")
        self.digests = []
        for tag in ("commit1", "commit2"):
            manifest = json.dumps({**MANIFEST, "annotations": {"tag": tag}})
            image = ecr.put_image(repositoryName="gd2slack", imageManifest=manifest, imageTag=tag)
            self.digests.append(image["image"]["imageId"]["imageDigest"])
        self.template = tmp_path / "runtime.json"
        # moto models no Lambda alias: point the mapping at the function
        # (gd2slack/local/moto_compat.py).
        template = for_moto(json.loads(to_json()))
        # moto 5.2.5 crashes updating an AWS::IAM::Policy in a stack (AttributeError on the
        # original resource); the conditional KMS-key policy is not what these tests are about.
        template["Resources"] = {
            name: resource
            for name, resource in template["Resources"].items()
            if resource["Type"] != "AWS::IAM::Policy"
        }
        self.template.write_text(json.dumps(template))

    def cfn(self) -> Any:
        return self.session.client("cloudformation")

    def args(self, digest: str, *extra: str) -> list[str]:
        return [
            "deploy-stack",
            "--stage",
            "dev",
            "--image-uri",
            image_uri(digest),
            "--template",
            str(self.template),
            "--wait",
            "--yes",
            *extra,
        ]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[MotoWorld]:
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield MotoWorld(tmp_path)


def parameters_of(world: MotoWorld) -> dict[str, str]:
    stack = world.cfn().describe_stacks(StackName=STACK)["Stacks"][0]
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_first_create_has_no_rollback_trigger_and_says_so(
    world: MotoWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(world.args(world.digests[0], "--webhook-secret", world.secret))
    out = capsys.readouterr().out
    assert rc == 0
    assert "first deploy of gd2slack-dev: no rollback trigger" in out
    assert "CREATE gd2slack-dev" in out and "GuardDutyToSlackFunction" in out
    assert "CREATE_COMPLETE" in out
    params = parameters_of(world)
    assert params["ImageUri"] == image_uri(world.digests[0])
    assert params["Stage"] == "dev" and params["WebhookSecretArn"] == world.secret
    assert len(params["DeploymentId"]) == 16


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_update_keeps_previous_values_and_redeploying_is_a_no_op(
    world: MotoWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(world.args(world.digests[0], "--webhook-secret", world.secret)) == 0
    first_id = parameters_of(world)["DeploymentId"]
    capsys.readouterr()
    assert main(world.args(world.digests[1], "--parameter", "MinSeverity=HIGH")) == 0
    out = capsys.readouterr().out
    assert "UPDATE gd2slack-dev" in out and "UPDATE_COMPLETE" in out
    params = parameters_of(world)
    assert params["ImageUri"] == image_uri(world.digests[1])
    assert params["MinSeverity"] == "HIGH"
    assert params["WebhookSecretArn"] == world.secret  # UsePreviousValue
    assert params["DeploymentId"] != first_id
    # Same image and configuration again: an empty change set is success.
    assert main(world.args(world.digests[1], "--parameter", "MinSeverity=HIGH")) == 0
    assert "no changes, nothing to deploy" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_update_watches_the_previous_stacks_composite_alarm(
    world: MotoWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # moto drops outputs of skipped resources (alarms) and of change-set executions, so the
    # "previous deploy" here is a stack whose output is a plain string.
    template = {
        "Parameters": {
            "Stage": {"Type": "String"},
            "ImageUri": {"Type": "String"},
            "WebhookSecretArn": {"Type": "String"},
        },
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {"CompositeAlarmArn": {"Value": ALARM_ARN}},
    }
    world.cfn().create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(template),
        Parameters=[
            {"ParameterKey": "Stage", "ParameterValue": "dev"},
            {"ParameterKey": "ImageUri", "ParameterValue": image_uri(world.digests[0])},
            {"ParameterKey": "WebhookSecretArn", "ParameterValue": world.secret},
        ],
    )
    assert main(world.args(world.digests[1], "--monitoring-minutes", "20")) == 0
    out = capsys.readouterr().out
    assert f"rollback trigger: {ALARM_ARN} (monitored for 20 min" in out
    assert parameters_of(world)["ImageUri"] == image_uri(world.digests[1])


def test_image_missing_from_the_region_fails_before_any_change(
    world: MotoWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    options = DeployOptions(
        stage="dev", image_uri=URI, template_path=world.template, webhook_secret=world.secret
    )
    with pytest.raises(CliError, match=r"not found in us-east-1 \(ImageNotFoundException\)"):
        deploy(AwsClients(world.session), options, image_poller=cs.Poller(interval=0, timeout=0))
    with pytest.raises(CliError, match="Lambda pulls only from its own region"):
        deploy(
            AwsClients(world.session), replace(options, image_uri=image_uri(DIGEST, "eu-west-1"))
        )
    assert "gd2slack-dev" not in json.dumps(world.cfn().list_stacks()["StackSummaries"])


def test_a_denied_image_lookup_is_reported_as_denied_not_as_missing(world: MotoWorld) -> None:
    """Cross-account prod: a repository policy without ecr:DescribeImages must not read as
    "image not found after 10 min"."""
    clients = AwsClients(world.session)
    options = DeployOptions(
        stage="prod", image_uri=URI, template_path=world.template, webhook_secret=world.secret
    )
    ecr = Stubber(clients.client("ecr", REGION))
    ecr.add_client_error(
        "describe_images",
        service_error_code="AccessDeniedException",
        service_message="User: arn:aws:sts::210987654321:assumed-role/deploy is not authorized "
        "to perform: ecr:DescribeImages",
        http_status_code=400,
    )
    with ecr, pytest.raises(CliError) as raised:
        deploy(clients, options, image_poller=cs.Poller(interval=0, timeout=600))
    message = str(raised.value)
    assert "lack this permission" in message
    assert "ecr:DescribeImages" in message
    assert "not found" not in message
    assert "\n" not in message
    ecr.assert_no_pending_responses()


def test_first_create_needs_the_webhook_secret(world: MotoWorld) -> None:
    options = DeployOptions(
        stage="dev", image_uri=image_uri(world.digests[0]), template_path=world.template
    )
    with pytest.raises(CliError, match="no value for WebhookSecretArn: pass --webhook-secret ARN"):
        deploy(AwsClients(world.session), options)


def test_unknown_parameter_is_refused(world: MotoWorld) -> None:
    options = DeployOptions(
        stage="dev",
        image_uri=image_uri(world.digests[0]),
        template_path=world.template,
        parameters={"NoSuchThing": "1"},
    )
    with pytest.raises(CliError, match="unknown stack parameter"):
        deploy(AwsClients(world.session), options)


def test_deployment_id_is_stable_and_sensitive() -> None:
    base = {"ImageUri": URI, "MinSeverity": "LOW"}
    assert deployment_id("{}", base) == deployment_id("{}", dict(reversed(base.items())))
    assert deployment_id("{}", base) != deployment_id("{}", {**base, "MinSeverity": "HIGH"})
    assert deployment_id("{}", base) != deployment_id('{"x": 1}', base)


# --- Stubber: exact requests, failures, rollbacks ------------------------------------------------

TEMPLATE = {
    "Parameters": {
        "Stage": {"Type": "String"},
        "ImageUri": {"Type": "String"},
        "WebhookSecretArn": {"Type": "String"},
        "MinSeverity": {"Type": "String", "Default": "LOW"},
    },
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
    },
}


@pytest.fixture
def stubbed(tmp_path: Path) -> Iterator[tuple[Stubber, DeployOptions, AwsClients]]:
    path = tmp_path / "runtime.json"
    path.write_text(json.dumps(TEMPLATE))
    clients = AwsClients(boto3.Session(region_name=REGION))
    stubber = Stubber(clients.client("cloudformation"))
    options = DeployOptions(
        stage="dev",
        image_uri=URI,
        wait=True,
        template_path=path,
        assume_yes=True,
        check_image=False,
        check_alarm=False,  # the alarm pre-flight has its own test below
        monitoring_minutes=25,
    )
    with stubber:
        yield stubber, options, clients
        stubber.assert_no_pending_responses()


def _stack(status: str, outputs: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "Stacks": [
            {
                "StackName": STACK,
                "StackId": STACK_ID,
                "CreationTime": NOW,
                "StackStatus": status,
                "Parameters": [
                    {"ParameterKey": "Stage", "ParameterValue": "dev"},
                    {"ParameterKey": "ImageUri", "ParameterValue": URI},
                    {"ParameterKey": "WebhookSecretArn", "ParameterValue": SECRET_ARN},
                    {"ParameterKey": "MinSeverity", "ParameterValue": "MEDIUM"},
                ],
                "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in (outputs or {}).items()],
            }
        ]
    }


def _missing(stubber: Stubber) -> None:
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {STACK} does not exist",
        expected_params={"StackName": STACK},
    )


def _change_set(
    status: str, reason: str = "", changes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    response: dict[str, Any] = {
        "ChangeSetId": CHANGE_SET_ID,
        "ChangeSetName": "gd2slack-x",
        "StackName": STACK,
        "Status": status,
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE",
        "Changes": changes
        if changes is not None
        else [
            {
                "Type": "Resource",
                "ResourceChange": {
                    "Action": "Modify",
                    "LogicalResourceId": "GuardDutyToSlackFunction",
                    "ResourceType": "AWS::Lambda::Function",
                    "Replacement": "False",
                },
            }
        ],
    }
    if reason:
        response["StatusReason"] = reason
    return response


def _describe_change_set(stubber: Stubber, response: dict[str, Any]) -> None:
    stubber.add_response(
        "describe_change_set",
        response,
        {"ChangeSetName": CHANGE_SET_ID, "StackName": STACK},
    )


def _created(stubber: Stubber, expected: dict[str, Any]) -> None:
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID}, expected)


def _executed(stubber: Stubber, execution_status: str, final: str) -> None:
    stubber.add_response(
        "execute_change_set",
        {},
        {"ChangeSetName": CHANGE_SET_ID, "StackName": STACK, "ClientRequestToken": ANY},
    )
    _describe_change_set(
        stubber, {**_change_set("CREATE_COMPLETE"), "ExecutionStatus": execution_status}
    )
    stubber.add_response("describe_stacks", _stack(final), {"StackName": STACK})


def test_first_create_request_has_no_rollback_configuration(
    stubbed: tuple[Stubber, DeployOptions, AwsClients], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber, options, clients = stubbed
    _missing(stubber)
    _created(
        stubber,
        {
            "StackName": STACK,
            "ChangeSetName": ANY,
            "ChangeSetType": "CREATE",
            "TemplateBody": json.dumps(TEMPLATE),
            "Parameters": [
                {"ParameterKey": "ImageUri", "ParameterValue": URI},
                {"ParameterKey": "Stage", "ParameterValue": "dev"},
                {"ParameterKey": "WebhookSecretArn", "ParameterValue": SECRET_ARN},
            ],
            "Capabilities": ["CAPABILITY_IAM"],
            "Description": ANY,
        },
    )
    _describe_change_set(stubber, _change_set("CREATE_COMPLETE"))
    _executed(stubber, "EXECUTE_COMPLETE", "CREATE_COMPLETE")
    assert deploy(clients, replace(options, webhook_secret=SECRET_ARN), poller=FAST) == 0
    assert "no rollback trigger" in capsys.readouterr().out


def test_update_request_carries_the_alarm_trigger_and_monitoring_time(
    stubbed: tuple[Stubber, DeployOptions, AwsClients], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber, options, clients = stubbed
    stubber.add_response(
        "describe_stacks",
        _stack("UPDATE_COMPLETE", {"CompositeAlarmArn": ALARM_ARN}),
        {"StackName": STACK},
    )
    _created(
        stubber,
        {
            "StackName": STACK,
            "ChangeSetName": ANY,
            "ChangeSetType": "UPDATE",
            "TemplateBody": ANY,
            "Parameters": [
                {"ParameterKey": "ImageUri", "ParameterValue": URI},
                {"ParameterKey": "MinSeverity", "UsePreviousValue": True},
                {"ParameterKey": "Stage", "ParameterValue": "dev"},
                {"ParameterKey": "WebhookSecretArn", "UsePreviousValue": True},
            ],
            "Capabilities": ["CAPABILITY_IAM"],
            "RollbackConfiguration": {
                "RollbackTriggers": [{"Arn": ALARM_ARN, "Type": "AWS::CloudWatch::CompositeAlarm"}],
                "MonitoringTimeInMinutes": 25,
            },
            "RoleARN": "arn:aws:iam::123456789012:role/gd2slack-pipeline-RuntimeExecutionRoleDev-1",
            "Description": ANY,
        },
    )
    _describe_change_set(stubber, _change_set("CREATE_COMPLETE"))
    _executed(stubber, "EXECUTE_COMPLETE", "UPDATE_COMPLETE")
    role = "arn:aws:iam::123456789012:role/gd2slack-pipeline-RuntimeExecutionRoleDev-1"
    assert deploy(clients, replace(options, cfn_role_arn=role), poller=FAST) == 0
    out = capsys.readouterr().out
    assert f"rollback trigger: {ALARM_ARN}" in out
    assert "Modify  GuardDutyToSlackFunction" in out and "False" in out


def test_no_rollback_trigger_clears_saved_triggers(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
) -> None:
    stubber, options, clients = stubbed
    stubber.add_response(
        "describe_stacks",
        _stack("UPDATE_COMPLETE", {"CompositeAlarmArn": ALARM_ARN}),
        {"StackName": STACK},
    )
    _created(
        stubber,
        {
            "StackName": STACK,
            "ChangeSetName": ANY,
            "ChangeSetType": "UPDATE",
            "TemplateBody": ANY,
            "Parameters": ANY,
            "Capabilities": ANY,
            "RollbackConfiguration": {"RollbackTriggers": [], "MonitoringTimeInMinutes": 0},
            "Description": ANY,
        },
    )
    _describe_change_set(stubber, _change_set("CREATE_COMPLETE"))
    _executed(stubber, "EXECUTE_COMPLETE", "UPDATE_COMPLETE")
    assert deploy(clients, replace(options, rollback_trigger=False), poller=FAST) == 0


def test_no_changes_is_success_and_the_change_set_is_removed(
    stubbed: tuple[Stubber, DeployOptions, AwsClients], capsys: pytest.CaptureFixture[str]
) -> None:
    stubber, options, clients = stubbed
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"), {"StackName": STACK})
    _created(stubber, {"StackName": STACK, "ChangeSetName": ANY, "ChangeSetType": "UPDATE",
                       "TemplateBody": ANY, "Parameters": ANY, "Capabilities": ANY,
                       "Description": ANY})  # fmt: skip
    reason = (
        "The submitted information didn't contain changes. Submit different information to "
        "create a change set."
    )
    _describe_change_set(stubber, _change_set("FAILED", reason, changes=[]))
    stubber.add_response(
        "delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID, "StackName": STACK}
    )
    assert deploy(clients, options, poller=FAST) == 0
    out = capsys.readouterr().out
    assert "no changes, nothing to deploy" in out
    assert "warning: gd2slack-dev has no CompositeAlarmArn output" in out


def test_a_failed_change_set_is_one_line_and_non_zero(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stubber, options, clients = stubbed
    monkeypatch.setattr(aws, "clients_from_args", lambda args: clients)
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"), {"StackName": STACK})
    _created(stubber, {"StackName": STACK, "ChangeSetName": ANY, "ChangeSetType": "UPDATE",
                       "TemplateBody": ANY, "Parameters": ANY, "Capabilities": ANY,
                       "Description": ANY})  # fmt: skip
    _describe_change_set(
        stubber, _change_set("FAILED", "Template format error: Unresolved resource dependencies")
    )
    rc = main(["deploy-stack", "--image-uri", URI, "--template", str(options.template_path),
               "--yes", "--wait", "--no-image-check"])  # fmt: skip
    err = capsys.readouterr().err
    assert rc == 1
    assert err.strip().count("\n") == 0 and "Traceback" not in err
    assert "change set for gd2slack-dev failed: Template format error" in err


def test_a_rollback_exits_non_zero_with_the_events_that_explain_it(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stubber, options, clients = stubbed
    monkeypatch.setattr(aws, "clients_from_args", lambda args: clients)
    alarm_ok = Stubber(clients.client("cloudwatch", REGION))  # the CLI runs the pre-flight
    alarm_ok.add_response(
        "describe_alarms",
        {"CompositeAlarms": [{"AlarmName": "gd2slack-dev-delivery", "StateValue": "OK"}]},
        {"AlarmNames": ["gd2slack-dev-delivery"], "AlarmTypes": ["CompositeAlarm"]},
    )
    alarm_ok.activate()
    stubber.add_response(
        "describe_stacks",
        _stack("UPDATE_COMPLETE", {"CompositeAlarmArn": ALARM_ARN}),
        {"StackName": STACK},
    )
    _created(stubber, {"StackName": STACK, "ChangeSetName": ANY, "ChangeSetType": "UPDATE",
                       "TemplateBody": ANY, "Parameters": ANY, "Capabilities": ANY,
                       "RollbackConfiguration": ANY, "Description": ANY})  # fmt: skip
    _describe_change_set(stubber, _change_set("CREATE_COMPLETE"))
    _executed(stubber, "EXECUTE_FAILED", "UPDATE_ROLLBACK_COMPLETE")
    # After the execution starts (the command keeps only events since then), whenever this runs.
    later = datetime.now(UTC) + timedelta(minutes=1)

    def event(logical: str, kind: str, status: str, reason: str, offset: int) -> dict[str, Any]:
        return {
            "StackId": STACK_ID,
            "EventId": f"e{offset}",
            "StackName": STACK,
            "LogicalResourceId": logical,
            "ResourceType": kind,
            "Timestamp": later + timedelta(seconds=offset),
            "ResourceStatus": status,
            "ResourceStatusReason": reason,
        }

    stubber.add_response(
        "describe_stack_events",
        {
            "StackEvents": [  # newest first, as CloudFormation returns them
                event(STACK, "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", "", 9),
                event(
                    STACK,
                    "AWS::CloudFormation::Stack",
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    f"Rollback triggered by rollback trigger {ALARM_ARN}",
                    5,
                ),
                event(
                    "GuardDutyToSlackFunction",
                    "AWS::Lambda::Function",
                    "UPDATE_FAILED",
                    "Resource handler returned message: image not found",
                    3,
                ),
                event(
                    "GuardDutyToSlackFunction", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS", "", 1
                ),
            ]
        },
        {"StackName": STACK},
    )
    rc = main(["deploy-stack", "--image-uri", URI, "--template", str(options.template_path),
               "--yes", "--wait", "--no-image-check"])  # fmt: skip
    captured = capsys.readouterr()
    assert rc == 1
    lines = captured.err.strip().splitlines()
    assert "what failed (oldest first)" in lines[0]
    failed_at = next(i for i, line in enumerate(lines) if "UPDATE_FAILED" in line)
    rollback_at = next(i for i, line in enumerate(lines) if "Rollback triggered" in line)
    assert failed_at < rollback_at
    assert lines[-1] == (
        "gd2slack deploy-stack: stack gd2slack-dev ended UPDATE_ROLLBACK_COMPLETE: "
        "GuardDutyToSlackFunction: Resource handler returned message: image not found"
    )
    assert "Traceback" not in captured.err


def test_a_stack_whose_first_create_failed_must_be_deleted_first(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
) -> None:
    stubber, options, clients = stubbed
    stubber.add_response("describe_stacks", _stack("ROLLBACK_COMPLETE"), {"StackName": STACK})
    with pytest.raises(CliError, match=r"ROLLBACK_COMPLETE.*delete it"):
        deploy(clients, options, poller=FAST)


def test_without_yes_and_without_a_terminal_it_refuses_to_prompt(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
) -> None:
    stubber, options, clients = stubbed
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"), {"StackName": STACK})
    _created(stubber, {"StackName": STACK, "ChangeSetName": ANY, "ChangeSetType": "UPDATE",
                       "TemplateBody": ANY, "Parameters": ANY, "Capabilities": ANY,
                       "Description": ANY})  # fmt: skip
    _describe_change_set(stubber, _change_set("CREATE_COMPLETE"))
    with pytest.raises(CliError, match="refusing to prompt: stdin is not a terminal"):
        deploy(clients, replace(options, assume_yes=False), poller=FAST)


# --- credentials, permissions ------------------------------------------------------------------


def test_missing_credentials_are_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    path = tmp_path / "t.json"
    path.write_text(json.dumps(TEMPLATE))
    rc = main(["deploy-stack", "--image-uri", URI, "--template", str(path), "--no-image-check"])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.count("\n") == 1 and "no AWS credentials found" in err


def test_access_denied_is_one_line(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
) -> None:
    stubber, options, clients = stubbed
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="AccessDenied",
        service_message="User is not authorized to perform: cloudformation:DescribeStacks",
        expected_params={"StackName": STACK},
    )
    with pytest.raises(CliError, match=r"access denied .* lack this permission"):
        deploy(clients, options, poller=FAST)


@mock_aws
def test_assume_role_acts_as_the_other_accounts_role() -> None:
    import argparse

    role = "arn:aws:iam::210987654321:role/gd2slack-prod-deployer"
    args = argparse.Namespace(region="us-east-1", profile=None, assume_role_arn=role)
    clients = aws.clients_for(args, "gd2slack-deploy-prod")
    identity = clients.client("sts").get_caller_identity()
    assert identity["Account"] == "210987654321"
    assert ":assumed-role/gd2slack-prod-deployer/gd2slack-deploy-prod" in identity["Arn"]
    assert clients.region == "us-east-1"


def test_a_stage_already_in_alarm_is_refused_before_any_change(
    stubbed: tuple[Stubber, DeployOptions, AwsClients],
) -> None:
    stubber, options, clients = stubbed
    stubber.add_response(
        "describe_stacks",
        _stack("UPDATE_COMPLETE", {"CompositeAlarmArn": ALARM_ARN}),
        {"StackName": STACK},
    )
    alarms = Stubber(clients.client("cloudwatch", REGION))
    alarms.add_response(
        "describe_alarms",
        {"CompositeAlarms": [{"AlarmName": "gd2slack-dev-delivery", "StateValue": "ALARM",
                              "StateReason": "DLQ not empty"}]},
        {"AlarmNames": ["gd2slack-dev-delivery"], "AlarmTypes": ["CompositeAlarm"]},
    )  # fmt: skip
    with alarms, pytest.raises(CliError) as refused:
        deploy(clients, replace(options, check_alarm=True), poller=FAST)
    alarms.assert_no_pending_responses()
    message = str(refused.value)
    assert "already in ALARM (DLQ not empty)" in message and "--no-rollback-trigger" in message
