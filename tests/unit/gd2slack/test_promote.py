"""``gd2slack promote``: stacks, ECR and SQS in moto; CodePipeline (approvals are not in moto)
and composite alarms through ``botocore.stub.Stubber``, so every request, including the exact
``put_approval_result`` parameters, is checked against the real service model."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gd2slack import cli
from gd2slack.commands import promote
from gd2slack.ops.aws import AwsClients

REGION = "us-east-1"
PIPELINE = "gd2slack-pipeline-Pipeline-1A2B3C"
EXEC = "11111111-1111-4111-8111-111111111111"
EXEC_PROD = "22222222-2222-4222-8222-222222222222"
COMMIT = "3f2a9c1e5b7d4a6f8e0c1b2a3d4e5f60718293a4"
TOKEN = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"
REGISTRY = f"123456789012.dkr.ecr.{REGION}.amazonaws.com"
# Times are built with datetime.now() when a response is queued (not at import): the ages the
# command prints ("1h 35m") are then exact even when the suite runs slowly.
ALARM = "gd2slack-dev-composite"


@pytest.fixture
def clients() -> Iterator[AwsClients]:
    # Credentials and region: the autouse fixture in conftest.py.
    with mock_aws():
        deploy_world()
        yield AwsClients(boto3.Session(region_name=REGION))


def deploy_world() -> None:
    cfn = boto3.client("cloudformation", region_name=REGION)
    cfn.create_stack(
        StackName="gd2slack-pipeline",
        TemplateBody=json.dumps(
            {
                "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {"PipelineName": {"Value": PIPELINE}},
            }
        ),
    )
    cfn.create_stack(
        StackName="gd2slack-dev",
        TemplateBody=json.dumps(
            {
                "Resources": {"Dlq": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {
                    "ImageUri": {"Value": f"{REGISTRY}/gd2slack:{COMMIT}"},
                    "CompositeAlarmName": {"Value": ALARM},
                    "DeadLetterQueueUrl": {"Value": {"Ref": "Dlq"}},
                },
            }
        ),
    )
    ecr = boto3.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="gd2slack")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"digest": "sha256:" + "c" * 64},
        "layers": [],
    }
    ecr.put_image(repositoryName="gd2slack", imageManifest=json.dumps(manifest), imageTag=COMMIT)


def pipeline_state(*, pending: bool = True, smoke: str = "Succeeded") -> dict[str, Any]:
    def stage(name: str, execution: str, status: str, act: str, minutes: int) -> dict[str, Any]:
        latest: dict[str, Any] = {
            "status": status,
            "lastStatusChange": datetime.now(UTC) - timedelta(minutes=minutes),
        }
        if name == "ApproveProd" and pending:
            latest["token"] = TOKEN
        return {
            "stageName": name,
            "latestExecution": {"pipelineExecutionId": execution, "status": status},
            "actionStates": [{"actionName": act, "latestExecution": latest}],
        }

    approval = "InProgress" if pending else "Succeeded"
    return {
        "pipelineName": PIPELINE,
        "stageStates": [
            stage("Source", EXEC, "Succeeded", "Source", 130),
            stage("Build", EXEC, "Succeeded", "Build", 120),
            stage("DeployDev", EXEC, "Succeeded", f"Deploy-{REGION}", 110),
            stage("TestDev", EXEC, smoke, f"Smoke-{REGION}", 100),
            stage("ApproveProd", EXEC, approval, "ApproveProd", 95),
            stage("DeployProd", EXEC_PROD, "Succeeded", f"Deploy-{REGION}", 3000),
        ],
    }


class World:
    """The stubbed CodePipeline and CloudWatch clients the command will use."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients
        self.pipeline = Stubber(clients.client("codepipeline"))
        self.alarms = Stubber(clients.client("cloudwatch"))

    def expect_candidate(
        self, *, alarm: str = "OK", smoke: str = "Succeeded", build_digest: str | None = None
    ) -> None:
        if build_digest is None:  # what the build pushed: the digest ECR (moto) holds
            ecr = boto3.client("ecr", region_name=REGION)
            image = ecr.describe_images(repositoryName="gd2slack", imageIds=[{"imageTag": COMMIT}])
            build_digest = image["imageDetails"][0]["imageDigest"]
        build_variables = {
            "COMMIT_AUTHOR": "bob",
            "IMAGE_URI": f"{REGISTRY}/gd2slack:{COMMIT}",
            "IMAGE_DIGEST": build_digest,
        }
        self.pipeline.add_response(
            "get_pipeline_state", pipeline_state(smoke=smoke), {"name": PIPELINE}
        )
        summary = json.dumps({"ProviderType": "GitHub", "CommitMessage": "Escape mrkdwn"})
        self.pipeline.add_response(
            "get_pipeline_execution",
            {
                "pipelineExecution": {
                    "pipelineExecutionId": EXEC,
                    "status": "InProgress",
                    "artifactRevisions": [
                        {"name": "SourceOutput", "revisionId": COMMIT, "revisionSummary": summary}
                    ],
                }
            },
            {"pipelineName": PIPELINE, "pipelineExecutionId": EXEC},
        )
        self.pipeline.add_response(
            "list_action_executions",
            {
                "actionExecutionDetails": [
                    {"actionName": "Build", "output": {"outputVariables": build_variables}}
                ]
            },
            {"pipelineName": PIPELINE, "filter": {"pipelineExecutionId": EXEC}, "maxResults": 100},
        )
        self.alarms.add_response(
            "describe_alarms",
            {
                "CompositeAlarms": [
                    {
                        "AlarmName": ALARM,
                        "StateValue": alarm,
                        "StateUpdatedTimestamp": datetime.now(UTC) - timedelta(minutes=12),
                    }
                ]
            },
            {"AlarmNames": [ALARM], "AlarmTypes": ["CompositeAlarm"]},
        )

    def expect_decision(self, status: str, summary: str) -> None:
        self.pipeline.add_response(
            "put_approval_result",
            {"approvedAt": datetime.now(UTC)},
            {
                "pipelineName": PIPELINE,
                "stageName": "ApproveProd",
                "actionName": "ApproveProd",
                "result": {"summary": summary, "status": status},
                "token": TOKEN,
            },
        )

    def run(self, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
        monkeypatch.setattr(cli, "COMMANDS", ("promote",))
        monkeypatch.setattr(promote, "clients_from_args", lambda args: self.clients)
        with self.pipeline, self.alarms:
            code = cli.main(["promote", "--region", REGION, *argv])
            self.pipeline.assert_no_pending_responses()
            self.alarms.assert_no_pending_responses()
        return code


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_approve_shows_the_candidate_then_approves(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.expect_candidate()
    world.expect_decision("Approved", "Approved with gd2slack promote")
    assert world.run(monkeypatch, "--yes") == 0
    out = capsys.readouterr().out
    assert f"Waiting for approval in {PIPELINE} (ApproveProd) since" in out
    assert f"commit     {COMMIT}" in out and "Escape mrkdwn" in out and "author     bob" in out
    assert f"image      [{REGION}] {REGISTRY}/gd2slack:{COMMIT}" in out
    assert f"digest     [{REGION}] sha256:" in out
    assert f"built      {REGISTRY}/gd2slack:{COMMIT} (sha256:" in out
    assert "WARNING" not in out
    assert f"dev alarm  [{REGION}] OK ({ALARM})" in out
    assert f"dev DLQ    [{REGION}] 0 message(s)" in out
    assert f"dev smoke  Succeeded (Smoke-{REGION}: Succeeded)" in out
    assert "in dev     1h 50m" in out
    assert "Approved: DeployProd starts now" in out
    assert TOKEN not in out


def test_warns_when_dev_runs_another_digest_than_the_build(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.expect_candidate(build_digest="sha256:" + "0" * 64)
    world.expect_decision("Approved", "Approved with gd2slack promote")
    assert world.run(monkeypatch, "--yes") == 0
    assert f"WARNING    [{REGION}] dev runs another digest than the build's" in (
        capsys.readouterr().out
    )


def test_nothing_pending_exits_3(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.pipeline.add_response(
        "get_pipeline_state", pipeline_state(pending=False), {"name": PIPELINE}
    )
    assert world.run(monkeypatch, "--yes") == 3
    captured = capsys.readouterr()
    assert one_line(captured.err) == (
        f"gd2slack promote: nothing is waiting for approval in {PIPELINE} (ApproveProd: Succeeded)"
    )
    assert captured.out == ""


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ApprovalAlreadyCompletedException", "already answered"),
        ("InvalidApprovalTokenException", "approval token is no longer valid"),
    ],
)
def test_stale_approval_is_one_line(
    clients: AwsClients,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: str,
    expected: str,
) -> None:
    world = World(clients)
    world.expect_candidate()
    world.pipeline.add_client_error(
        "put_approval_result", service_error_code=code, service_message="nope", http_status_code=400
    )
    assert world.run(monkeypatch, "--yes") == 1
    line = one_line(capsys.readouterr().err)
    assert expected in line and "gd2slack status" in line


def test_dev_alarm_in_alarm_refuses_without_force(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.expect_candidate(alarm="ALARM")
    assert world.run(monkeypatch, "--yes") == 4  # no put_approval_result queued: none was made
    line = one_line(capsys.readouterr().err)
    assert f"dev alarm {ALARM} ({REGION}) is in ALARM" in line and "--force" in line


def test_force_approves_despite_the_dev_alarm(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.expect_candidate(alarm="ALARM")
    world.expect_decision("Approved", "Alarm is the known flaky canary, see INC-42")
    code = world.run(
        monkeypatch, "--yes", "--force", "--comment", "Alarm is the known flaky canary, see INC-42"
    )
    assert code == 0
    assert f"dev alarm  [{REGION}] ALARM since 12m" in capsys.readouterr().out


def test_reject_with_comment_sends_exactly_that(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.expect_candidate(alarm="ALARM", smoke="Failed")  # rejecting is never refused
    world.expect_decision("Rejected", "Smoke test posted twice to #sec-alerts")
    code = world.run(
        monkeypatch, "--reject", "--comment", "Smoke test posted twice to #sec-alerts", "--yes"
    )
    assert code == 0
    out = capsys.readouterr().out
    assert f"dev smoke  Failed (Smoke-{REGION}: Failed)" in out
    assert "Rejected: the execution stops at ApproveProd" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_tty_it_refuses_to_prompt(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    world.expect_candidate()
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert world.run(monkeypatch) == 2
    assert "pass --yes to approve" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize(("answer", "expected"), [("y", 0), ("n", 1), ("", 1)])
def test_prompt_on_a_terminal(
    clients: AwsClients,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    expected: int,
) -> None:
    world = World(clients)
    world.expect_candidate()
    if expected == 0:
        world.expect_decision("Approved", "Approved with gd2slack promote")
    monkeypatch.setattr("sys.stdin", _Terminal())
    questions: list[str] = []
    monkeypatch.setattr("builtins.input", lambda q: questions.append(q) or answer)
    assert world.run(monkeypatch) == expected
    assert questions == [f"Approve promotion of {COMMIT[:12]} to prod? [y/N] "]
    if expected:
        assert "Nothing done." in capsys.readouterr().out


def test_comment_longer_than_codepipeline_allows(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    world = World(clients)
    assert world.run(monkeypatch, "--comment", "x" * 513, "--yes") == 2
    assert "limit is 512" in one_line(capsys.readouterr().err)
