"""The one-line error contract (docs/architecture.md#cli-errors) for status, promote, traces and
redrive: missing credentials, a missing stack and access denied each give a non-zero exit and
exactly one line on stderr that says what is wrong and what to do, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gd2slack import cli
from gd2slack.commands import promote, redrive, status, traces
from gd2slack.ops.aws import AwsClients

REGION = "eu-west-1"
COMMANDS = {
    "status": (status, []),
    "promote": (promote, ["--yes"]),
    "traces": (traces, ["--since", "1h"]),
    "redrive": (redrive, []),
}
DENIED = (
    "User: arn:aws:sts::123456789012:assumed-role/ReadOnly/alice is not authorized to perform "
    "this action"
)
# The first call each command makes after reading its stack: where a narrow policy bites.
FIRST_SERVICE_CALL = {
    "status": ("codepipeline", "get_pipeline_state"),
    "promote": ("codepipeline", "get_pipeline_state"),
    "traces": ("xray", "get_trace_summaries"),
    "redrive": ("sqs", "get_queue_attributes"),
}
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ENDPOINT_URL",
)


def single_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def main(command: str, *argv: str) -> int:
    return cli.main([command, "--region", REGION, *COMMANDS[command][1], *argv])


@pytest.fixture(autouse=True)
def only_these_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build the parser from the command under test alone (others are written in parallel)."""
    monkeypatch.setattr(cli, "COMMANDS", tuple(COMMANDS))


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    empty_credentials, empty_config = tmp_path / "credentials", tmp_path / "config"
    empty_credentials.write_text("")
    empty_config.write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty_credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty_config))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata wait


@pytest.fixture
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with mock_aws():
        yield


@pytest.mark.parametrize("command", COMMANDS)
def test_no_credentials(
    no_credentials: None, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) != 0
    captured = capsys.readouterr()
    line = single_line(captured.err)
    assert line.startswith(f"gd2slack {command}: ")
    assert "no AWS credentials found" in line and "aws sso login" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_stack(
    fake_credentials: None, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) != 0
    line = single_line(capsys.readouterr().err)
    stack = "gd2slack-pipeline" if command in {"status", "promote"} else "gd2slack-dev"
    assert line.startswith(f"gd2slack {command}: stack {stack} does not exist in {REGION}: ")
    assert "deploy it first" in line


def deploy_stacks() -> None:
    cfn = boto3.client("cloudformation", region_name=REGION)
    placeholder = {"Placeholder": {"Type": "AWS::SQS::Queue"}}
    cfn.create_stack(
        StackName="gd2slack-pipeline",
        TemplateBody=json.dumps(
            {"Resources": placeholder, "Outputs": {"PipelineName": {"Value": "gd2slack"}}}
        ),
    )
    cfn.create_stack(
        StackName="gd2slack-dev",
        TemplateBody=json.dumps(
            {
                "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {
                    "FunctionName": {"Value": "gd2slack-dev-fn"},
                    "QueueUrl": {"Value": {"Ref": "Queue"}},
                    "DeadLetterQueueUrl": {"Value": {"Ref": "Queue"}},
                },
            }
        ),
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_access_denied_on_the_service(
    fake_credentials: None,
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    deploy_stacks()
    clients = AwsClients(boto3.Session(region_name=REGION))
    service, operation = FIRST_SERVICE_CALL[command]
    stub = Stubber(clients.client(service))
    stub.add_client_error(
        operation,
        service_error_code="AccessDeniedException",
        service_message=DENIED,
        http_status_code=403,
    )
    monkeypatch.setattr(COMMANDS[command][0], "clients_from_args", lambda args: clients)
    with stub:
        assert main(command) != 0
        stub.assert_no_pending_responses()
    line = single_line(capsys.readouterr().err)
    assert line.startswith(f"gd2slack {command}: ")
    assert f"access denied ({DENIED}): the credentials in use lack this permission" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_access_denied_reading_the_stack(
    fake_credentials: None,
    command: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    stub = Stubber(clients.client("cloudformation"))
    stub.add_client_error(
        "describe_stacks",
        service_error_code="AccessDenied",
        service_message=DENIED,
        http_status_code=403,
    )
    monkeypatch.setattr(COMMANDS[command][0], "clients_from_args", lambda args: clients)
    with stub:
        assert main(command) != 0
    line = single_line(capsys.readouterr().err)
    assert "reading stack gd2slack-" in line and "access denied" in line


def test_unknown_profile_is_one_line(
    no_credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main("status", "--profile", "nope") != 0
    assert "check --profile" in single_line(capsys.readouterr().err)
