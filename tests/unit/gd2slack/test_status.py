"""``gd2slack status``: stacks, ECR and SQS in moto; CodePipeline and composite alarms (not in
moto) through ``botocore.stub.Stubber``, which checks every request against the real model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gd2slack import cli
from gd2slack.commands import status
from gd2slack.ops.aws import AwsClients

REGION = "us-east-1"
PIPELINE = "gd2slack-pipeline-Pipeline-1A2B3C"
EXEC_NEW = "11111111-1111-4111-8111-111111111111"
EXEC_OLD = "22222222-2222-4222-8222-222222222222"
COMMIT_NEW = "3f2a9c1e5b7d4a6f8e0c1b2a3d4e5f60718293a4"
COMMIT_OLD = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807"
TOKEN = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a"
REGISTRY = f"123456789012.dkr.ecr.{REGION}.amazonaws.com"
# Times are built with datetime.now() when a response is queued (not at import): the ages the
# command prints ("1h 35m") are then exact even when the suite runs slowly.


@pytest.fixture
def aws_env() -> Iterator[None]:
    # Credentials and region: the autouse fixture in conftest.py.
    with mock_aws():
        yield


def runtime_template(stage: str, commit: str) -> str:
    return json.dumps(
        {
            "Resources": {
                "Dlq": {"Type": "AWS::SQS::Queue"},
                "Queue": {"Type": "AWS::SQS::Queue"},
            },
            "Outputs": {
                "FunctionName": {"Value": f"gd2slack-{stage}-fn"},
                "ImageUri": {"Value": f"{REGISTRY}/gd2slack:{commit}"},
                "CompositeAlarmName": {"Value": f"gd2slack-{stage}-composite"},
                "QueueUrl": {"Value": {"Ref": "Queue"}},
                "DeadLetterQueueUrl": {"Value": {"Ref": "Dlq"}},
                "Stage": {"Value": stage},
            },
        }
    )


def deploy_world(*, prod: bool = True, dlq_messages: int = 0) -> dict[str, str]:
    """Pipeline + runtime stacks and the two images in moto; returns image digests by commit."""
    cfn = boto3.client("cloudformation", region_name=REGION)
    cfn.create_stack(
        StackName="gd2slack-pipeline",
        TemplateBody=json.dumps(
            {
                "Resources": {"Placeholder": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {
                    "PipelineName": {"Value": PIPELINE},
                    "EcrRepositoryUri": {"Value": f"{REGISTRY}/gd2slack"},
                },
            }
        ),
    )
    cfn.create_stack(StackName="gd2slack-dev", TemplateBody=runtime_template("dev", COMMIT_NEW))
    if prod:
        cfn.create_stack(
            StackName="gd2slack-prod", TemplateBody=runtime_template("prod", COMMIT_OLD)
        )
    sqs = boto3.client("sqs", region_name=REGION)
    outputs = cfn.describe_stacks(StackName="gd2slack-dev")["Stacks"][0]["Outputs"]
    dlq = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "DeadLetterQueueUrl")
    for number in range(dlq_messages):
        sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"n": number}))
    ecr = boto3.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="gd2slack")
    digests = {}
    for commit in (COMMIT_NEW, COMMIT_OLD):
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "x", "size": 1, "digest": "sha256:" + commit[:8] * 8},
                "layers": [
                    {"mediaType": "x", "size": 1, "digest": f"sha256:{commit}{commit[:24]}"}
                ],
            }
        )
        image = ecr.put_image(repositoryName="gd2slack", imageManifest=manifest, imageTag=commit)
        digests[commit] = image["image"]["imageId"]["imageDigest"]
    return digests


def action(
    name: str, status_: str, minutes_ago: int, *, token: str | None = None, summary: str = ""
) -> dict[str, Any]:
    latest: dict[str, Any] = {
        "actionExecutionId": f"act-{name}",
        "status": status_,
        "lastStatusChange": datetime.now(UTC) - timedelta(minutes=minutes_ago),
    }
    if token:
        latest["token"] = token
    if summary:
        latest["summary"] = summary
    return {"actionName": name, "latestExecution": latest}


def stage(name: str, execution: str, status_: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "stageName": name,
        "latestExecution": {"pipelineExecutionId": execution, "status": status_},
        "actionStates": actions,
    }


def pipeline_state(*, approval: str = "pending") -> dict[str, Any]:
    """New commit in dev, smoke-tested, waiting at ApproveProd; prod runs the old commit."""
    approve_status = {"pending": "InProgress", "approved": "Succeeded"}[approval]
    approve_action = action(
        "ApproveProd",
        approve_status,
        95,
        token=TOKEN if approval == "pending" else None,
    )
    return {
        "pipelineName": PIPELINE,
        "stageStates": [
            stage("Source", EXEC_NEW, "Succeeded", [action("Source", "Succeeded", 130)]),
            stage("Build", EXEC_NEW, "Succeeded", [action("Build", "Succeeded", 120)]),
            stage(
                "UpdatePipeline", EXEC_NEW, "Succeeded", [action("SelfMutate", "Succeeded", 118)]
            ),
            stage(
                "DeployDev", EXEC_NEW, "Succeeded", [action(f"Deploy-{REGION}", "Succeeded", 110)]
            ),
            stage("TestDev", EXEC_NEW, "Succeeded", [action(f"Smoke-{REGION}", "Succeeded", 100)]),
            stage("ApproveProd", EXEC_NEW, approve_status, [approve_action]),
            stage(
                "DeployProd", EXEC_OLD, "Succeeded", [action(f"Deploy-{REGION}", "Succeeded", 2000)]
            ),
            stage(
                "TestProd", EXEC_OLD, "Succeeded", [action(f"Smoke-{REGION}", "Succeeded", 1990)]
            ),
        ],
    }


def execution(execution_id: str, commit: str, message: str) -> dict[str, Any]:
    return {
        "pipelineExecution": {
            "pipelineName": PIPELINE,
            "pipelineExecutionId": execution_id,
            "status": "InProgress" if execution_id == EXEC_NEW else "Succeeded",
            "artifactRevisions": [
                {
                    "name": "SourceOutput",
                    "revisionId": commit,
                    "revisionSummary": json.dumps(
                        {"ProviderType": "GitHub", "CommitMessage": message}
                    ),
                    "revisionUrl": f"https://github.com/example/guardduty-to-slack/commit/{commit}",
                }
            ],
        }
    }


def action_executions(execution_id: str, author: str | None) -> dict[str, Any]:
    variables = {"CommitId": "x", "AuthorDate": "2026-11-27T10:00:00Z"}
    build: dict[str, Any] = {
        "pipelineExecutionId": execution_id,
        "stageName": "Build",
        "actionName": "Build",
        "status": "Succeeded",
        "output": {"outputVariables": {"COMMIT_AUTHOR": author} if author else {}},
    }
    source = {
        "pipelineExecutionId": execution_id,
        "stageName": "Source",
        "actionName": "Source",
        "status": "Succeeded",
        "output": {"outputVariables": variables},
    }
    return {"actionExecutionDetails": [source, build]}


def expect_revision(
    stub: Stubber, execution_id: str, commit: str, message: str, author: str | None
) -> None:
    stub.add_response(
        "get_pipeline_execution",
        execution(execution_id, commit, message),
        {"pipelineName": PIPELINE, "pipelineExecutionId": execution_id},
    )
    stub.add_response(
        "list_action_executions",
        action_executions(execution_id, author),
        {
            "pipelineName": PIPELINE,
            "filter": {"pipelineExecutionId": execution_id},
            "maxResults": 100,
        },
    )


def composite(name: str, state: str, minutes_ago: int = 300) -> dict[str, Any]:
    return {
        "CompositeAlarms": [
            {
                "AlarmName": name,
                "StateValue": state,
                "StateUpdatedTimestamp": datetime.now(UTC) - timedelta(minutes=minutes_ago),
            }
        ],
        "MetricAlarms": [],
    }


def expect_alarm(stub: Stubber, stage_: str, state: str) -> None:
    name = f"gd2slack-{stage_}-composite"
    stub.add_response(
        "describe_alarms",
        composite(name, state),
        {"AlarmNames": [name], "AlarmTypes": ["CompositeAlarm"]},
    )


def run_status(monkeypatch: pytest.MonkeyPatch, clients: AwsClients, *argv: str) -> int:
    monkeypatch.setattr(cli, "COMMANDS", ("status",))
    monkeypatch.setattr(status, "clients_from_args", lambda args: clients)
    return cli.main(["status", "--region", REGION, *argv])


@pytest.fixture
def clients(aws_env: None) -> AwsClients:
    return AwsClients(boto3.Session(region_name=REGION))


def test_status_shows_stages_environments_and_pending_approval(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    digests = deploy_world(dlq_messages=3)
    pipeline = Stubber(clients.client("codepipeline"))
    alarms = Stubber(clients.client("cloudwatch"))
    pipeline.add_response("get_pipeline_state", pipeline_state(), {"name": PIPELINE})
    expect_revision(pipeline, EXEC_NEW, COMMIT_NEW, "Escape mrkdwn in titles\n\nlong body", "alice")
    expect_revision(pipeline, EXEC_OLD, COMMIT_OLD, "Add digest threshold", None)
    expect_alarm(alarms, "dev", "OK")
    expect_alarm(alarms, "prod", "ALARM")
    with pipeline, alarms:
        assert run_status(monkeypatch, clients) == 0
        pipeline.assert_no_pending_responses()
        alarms.assert_no_pending_responses()
    out = capsys.readouterr().out
    assert f"Pipeline {PIPELINE}" in out
    for name in ("Source", "Build", "UpdatePipeline", "DeployDev", "TestDev", "DeployProd"):
        assert name in out
    assert "Approval: PENDING since" in out and COMMIT_NEW[:12] in out
    assert "(1h 35m)" in out
    dev = next(line for line in out.splitlines() if line.startswith("dev "))
    prod = next(line for line in out.splitlines() if line.startswith("prod "))
    assert COMMIT_NEW[:12] in dev and "alice" in dev and "Escape mrkdwn in titles" in dev
    assert "long body" not in out  # first line of the message only
    assert digests[COMMIT_NEW][:19] in dev and " OK " in dev and dev.rstrip().endswith("3")
    assert COMMIT_OLD[:12] in prod and "Add digest threshold" in prod
    assert "ALARM (5h 0m)" in prod and prod.rstrip().endswith("0")
    assert TOKEN not in out


def test_status_json_and_prod_not_deployed(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_world(prod=False)
    pipeline = Stubber(clients.client("codepipeline"))
    alarms = Stubber(clients.client("cloudwatch"))
    pipeline.add_response(
        "get_pipeline_state", pipeline_state(approval="approved"), {"name": PIPELINE}
    )
    expect_revision(pipeline, EXEC_NEW, COMMIT_NEW, "Escape mrkdwn", None)
    expect_revision(pipeline, EXEC_OLD, COMMIT_OLD, "Older", None)
    expect_alarm(alarms, "dev", "OK")
    with pipeline, alarms:
        assert run_status(monkeypatch, clients, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pipeline"] == PIPELINE
    assert report["approval"] is None
    assert [s["name"] for s in report["stages"]][:3] == ["Source", "Build", "UpdatePipeline"]
    dev, prod = report["environments"]
    assert dev["deployed"] and dev["commit"] == COMMIT_NEW and dev["alarm"]["state"] == "OK"
    assert dev["dlqDepth"] == 0 and dev["imageDigest"].startswith("sha256:")
    assert prod == {**prod, "deployed": False, "commit": None, "stack": "gd2slack-prod"}
    assert prod["notes"] == ["no stack here: if prod is in another account, add --prod-profile"]


def test_status_prefers_the_running_image_over_a_failed_deployment(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DeployDev's last execution failed (and was rolled back): dev still runs the old image."""
    deploy_world(prod=False)
    cfn = boto3.client("cloudformation", region_name=REGION)
    cfn.update_stack(StackName="gd2slack-dev", TemplateBody=runtime_template("dev", COMMIT_OLD))
    state = pipeline_state()
    state["stageStates"][3]["latestExecution"]["status"] = "Failed"
    state["stageStates"][3]["actionStates"][0]["latestExecution"].update(
        status="Failed", errorDetails={"code": "JobFailed", "message": "rollback triggered"}
    )
    pipeline = Stubber(clients.client("codepipeline"))
    alarms = Stubber(clients.client("cloudwatch"))
    pipeline.add_response("get_pipeline_state", state, {"name": PIPELINE})
    expect_revision(pipeline, EXEC_NEW, COMMIT_NEW, "Broken change", None)
    expect_alarm(alarms, "dev", "OK")
    with pipeline, alarms:
        assert run_status(monkeypatch, clients, "--stage", "dev") == 0
    out = capsys.readouterr().out
    dev = next(line for line in out.splitlines() if line.startswith("dev "))
    assert COMMIT_OLD[:12] in dev and "Broken change" not in dev
    assert "Deploy-us-east-1: rollback triggered" in out
    assert f"note: dev {REGION}: image tag {COMMIT_OLD} is not the commit" in out


def test_regions_come_from_deploy_action_names() -> None:
    from gd2slack.ops import pipeline_state as ps

    raw = stage(
        "DeployDev",
        EXEC_NEW,
        "Succeeded",
        [action("Deploy-us-east-1", "Succeeded", 1), action("Deploy-eu-west-1", "Succeeded", 1)],
    )
    state = ps.PipelineState(PIPELINE, (ps._stage_state(raw),))
    assert ps.environment_regions(state, "dev", "ap-south-1") == ["us-east-1", "eu-west-1"]
    assert ps.environment_regions(state, "prod", "ap-south-1") == ["ap-south-1"]


def test_image_uri_parsing() -> None:
    from gd2slack.ops.pipeline_state import parse_image_uri

    digest = "sha256:" + "ab" * 32
    tagged = parse_image_uri(f"{REGISTRY}/team/gd2slack:{COMMIT_NEW}")
    assert (tagged.repository, tagged.region, tagged.tag, tagged.digest) == (
        "team/gd2slack",
        REGION,
        COMMIT_NEW,
        None,
    )
    pinned = parse_image_uri(f"111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/gd2slack@{digest}")
    assert (pinned.region, pinned.registry_id, pinned.tag, pinned.digest) == (
        "cn-north-1",
        "111122223333",
        None,
        digest,
    )


def test_prod_in_another_account_is_read_with_its_own_profile(
    clients: AwsClients, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deploy_world()
    pipeline = Stubber(clients.client("codepipeline"))
    alarms = Stubber(clients.client("cloudwatch"))
    pipeline.add_response("get_pipeline_state", pipeline_state(), {"name": PIPELINE})
    expect_revision(pipeline, EXEC_OLD, COMMIT_OLD, "Old", None)  # prod first, then approval
    expect_revision(pipeline, EXEC_NEW, COMMIT_NEW, "New", None)
    expect_alarm(alarms, "prod", "OK")
    profiles: list[str | None] = []

    def factory(args: Any) -> AwsClients:
        profiles.append(getattr(args, "profile", None))
        return clients  # one moto account stands in for both

    monkeypatch.setattr(cli, "COMMANDS", ("status",))
    monkeypatch.setattr(status, "clients_from_args", factory)
    with pipeline, alarms:
        code = cli.main(["status", "--region", REGION, "--stage", "prod", "--prod-profile", "p"])
    assert code == 0
    assert profiles == [None, "p"]
    assert "prod   us-east-1  9e8d7c6b5a4f" in capsys.readouterr().out
