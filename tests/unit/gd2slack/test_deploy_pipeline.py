"""``gd2slack deploy-pipeline`` against moto's CloudFormation: bootstrap, then an update with a
change; the prompt refusal without a terminal; the self-mutation restart (CodePipeline's
start/stop are not in moto: ``Stubber``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gd2slack.cli import main
from gd2slack.errors import EXIT_USAGE, CliError
from gd2slack.ops import aws
from gd2slack.ops import deploy_pipeline as dp
from gd2slack.ops.aws import AwsClients

CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-4e5f"
BOOTSTRAP = ["deploy-pipeline", "--connection-arn", CONNECTION, "--repo", "example/gd2slack"]

# moto resolves ``Fn::If`` → ``AWS::NoValue`` inside a role's Policies list to None and crashes;
# CloudFormation removes the entry. Resolve those (and only those) as CloudFormation would, for
# the default parameters (no approval topic, prod in the same account).
DEFAULT_CONDITIONS = {
    "HasApprovalTopic": False,
    "SameAccountProd": True,
    "HasProdAccountRole": False,
}


def _resolve_policy_ifs(node: Any) -> Any:
    if isinstance(node, list):
        resolved = []
        for entry in node:
            item = entry
            if isinstance(entry, dict) and set(entry) == {"Fn::If"}:
                condition, yes, no = entry["Fn::If"]
                if condition in DEFAULT_CONDITIONS:
                    item = yes if DEFAULT_CONDITIONS[condition] else no
                    if item == {"Ref": "AWS::NoValue"}:
                        continue
            resolved.append(_resolve_policy_ifs(item))
        return resolved
    if isinstance(node, dict):
        return {key: _resolve_policy_ifs(value) for key, value in node.items()}
    return node


@pytest.fixture
def moto_synth(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Synthesize as the command does, then make the template digestible for moto; keeps each
    synthesized template for inspection."""
    seen: list[dict[str, Any]] = []
    real = dp.synthesize

    def synthesize(*args: Any) -> tuple[str, dict[str, Any]]:
        _, template = real(*args)
        seen.append(template)
        template = _resolve_policy_ifs(template)
        return json.dumps(template), template

    monkeypatch.setattr(dp, "synthesize", synthesize)
    return seen


@pytest.fixture
def cloud(moto_synth: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    with mock_aws():
        yield moto_synth


def _stack() -> dict[str, Any]:
    stack: dict[str, Any] = boto3.client("cloudformation").describe_stacks(
        StackName="gd2slack-pipeline"
    )["Stacks"][0]
    return stack


def _params() -> dict[str, str]:
    return {p["ParameterKey"]: p["ParameterValue"] for p in _stack()["Parameters"]}


def _stage(template: dict[str, Any], name: str) -> dict[str, Any]:
    stages = template["Resources"]["Pipeline"]["Properties"]["Stages"]
    return next(s for s in stages if s["Name"] == name)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_bootstrap_then_update_with_a_change(
    cloud: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*BOOTSTRAP, "--dev-webhook-secret", "gd2slack/dev-webhooks", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "CREATE gd2slack-pipeline in us-east-1, deploying to us-east-1" in out
    assert _params()["DevWebhookSecretArn"] == "gd2slack/dev-webhooks"
    assert "Add     Pipeline" in out and "CREATE_COMPLETE" in out
    assert _stack()["StackStatus"] == "CREATE_COMPLETE"
    assert _params()["ConnectionArn"] == CONNECTION and _params()["BranchName"] == "main"
    assert [a["Name"] for a in _stage(cloud[-1], "DeployDev")["Actions"]] == ["Deploy-us-east-1"]

    # Update: a second region and another branch; the connection and repo keep their values.
    assert main(["deploy-pipeline", "--regions", "us-east-1,eu-west-1", "--branch", "release",
                 "--yes"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "UPDATE gd2slack-pipeline in us-east-1, deploying to us-east-1, eu-west-1" in out
    assert "Add     EcrReplication" in out and "Modify  Pipeline" in out
    assert _stack()["StackStatus"] == "UPDATE_COMPLETE"
    params = _params()
    assert params["BranchName"] == "release"
    assert params["ConnectionArn"] == CONNECTION  # UsePreviousValue
    assert params["DevWebhookSecretArn"] == "gd2slack/dev-webhooks"
    assert [a["Name"] for a in _stage(cloud[-1], "DeployProd")["Actions"]] == [
        "Deploy-us-east-1",
        "Deploy-eu-west-1",
    ]

    # Nothing changed: success, nothing executed.
    assert main(["deploy-pipeline", "--regions", "us-east-1,eu-west-1", "--yes"]) == 0
    assert "no changes" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_runtime_stack_alarms_become_stage_conditions(
    cloud: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.client("cloudformation").create_stack(
        StackName="gd2slack-dev",
        TemplateBody=json.dumps(
            {
                "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {"CompositeAlarmName": {"Value": "gd2slack-dev-delivery"}},
            }
        ),
    )
    assert main([*BOOTSTRAP, "--yes"]) == 0
    out = capsys.readouterr().out
    assert "note: no alarm condition for prod in us-east-1 yet" in out
    assert "for dev in" not in out
    (condition,) = _stage(cloud[-1], "DeployDev")["OnSuccess"]["Conditions"]
    assert condition["Rules"][0]["Configuration"]["AlarmName"] == "gd2slack-dev-delivery"
    assert "OnSuccess" not in _stage(cloud[-1], "DeployProd")


def test_without_yes_and_without_a_terminal_nothing_is_executed(
    cloud: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(BOOTSTRAP)
    captured = capsys.readouterr()
    assert rc == EXIT_USAGE  # as promote: "cannot ask" is a usage error
    assert "Add     Pipeline" in captured.out  # the change set was shown
    err_lines = captured.err.strip().splitlines()
    assert err_lines == [
        "gd2slack deploy-pipeline: refusing to prompt: stdin is not a terminal; review the "
        "change set above and rerun with --yes to execute it"
    ]
    assert _stack()["StackStatus"] == "REVIEW_IN_PROGRESS"


def test_first_create_needs_the_connection_and_repository(
    cloud: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy-pipeline", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "no value for ConnectionArn, FullRepositoryId" in err
    assert "--connection-arn ARN and --repo owner/name" in err


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--repo", "not-a-repo", "expected owner/name"),
        ("--connection-arn", "arn:aws:s3:::bucket", "not a CodeConnections connection ARN"),
        ("--regions", "us-east-1,mars-north-1", "not an AWS region name"),
    ],
)
def test_bad_input_is_one_line(
    cloud: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
    message: str,
) -> None:
    args = [*BOOTSTRAP, "--yes"]
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


# --- self-mutation restart ---------------------------------------------------------------------


@pytest.fixture
def stubbed_pipeline(
    cloud: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stubber]:
    clients = AwsClients(boto3.Session(region_name="us-east-1"))
    monkeypatch.setattr(aws, "clients_from_args", lambda args: clients)
    stubber = Stubber(clients.client("codepipeline"))
    with stubber:
        yield stubber
        stubber.assert_no_pending_responses()


RESTART = ["--yes", "--restart-execution", "exec-old", "--source-revision", "abc1234"]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_changed_pipeline_restarts_on_the_same_commit(
    stubbed_pipeline: Stubber, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*BOOTSTRAP, "--yes"]) == 0  # bootstrap: nothing to restart
    stubbed_pipeline.add_response(
        "start_pipeline_execution",
        {"pipelineExecutionId": "exec-new"},
        {
            "name": "gd2slack",
            "sourceRevisions": [
                {"actionName": "Source", "revisionType": "COMMIT_ID", "revisionValue": "abc1234"}
            ],
        },
    )
    stubbed_pipeline.add_response(
        "stop_pipeline_execution",
        {"pipelineExecutionId": "exec-old"},
        {
            "pipelineName": "gd2slack",
            "pipelineExecutionId": "exec-old",
            "abandon": False,
            "reason": "pipeline definition updated; continued in execution exec-new",
        },
    )
    capsys.readouterr()
    assert main(["deploy-pipeline", "--regions", "us-east-1,eu-west-1", *RESTART]) == 0
    out = capsys.readouterr().out
    assert "started execution exec-new on the new definition" in out
    assert "stopping execution exec-old (superseded by exec-new)" in out


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_an_unchanged_pipeline_does_not_restart(
    stubbed_pipeline: Stubber, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*BOOTSTRAP, "--yes"]) == 0
    assert main(["deploy-pipeline", *RESTART]) == 0  # no stubbed responses: no calls allowed
    assert "no changes" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_failed_stop_leaves_the_new_run_queued(
    stubbed_pipeline: Stubber, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*BOOTSTRAP, "--yes"]) == 0
    stubbed_pipeline.add_response("start_pipeline_execution", {"pipelineExecutionId": "exec-new"})
    stubbed_pipeline.add_client_error(
        "stop_pipeline_execution",
        service_error_code="PipelineExecutionNotStoppableException",
        service_message="Unable to stop pipeline execution",
    )
    assert main(["deploy-pipeline", "--regions", "us-east-1,eu-west-1", *RESTART]) == 0
    assert "exec-new runs after it" in capsys.readouterr().out


def test_template_too_large_without_a_bucket_says_what_to_do() -> None:
    from gd2slack.ops.changesets import template_argument

    with pytest.raises(CliError, match="pass --template-bucket"):
        template_argument("x" * 60_000)
    assert template_argument("x" * 60_000, lambda body: "https://b.s3/k") == {
        "TemplateURL": "https://b.s3/k"
    }


MANY_REGIONS = (
    "us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2,eu-central-1,ap-northeast-1"
)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_large_template_goes_through_s3(
    cloud: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="templates-bucket")
    rc = main([*BOOTSTRAP, "--regions", MANY_REGIONS, "--template-bucket", "templates-bucket",
               "--yes"])  # fmt: skip
    assert rc == 0, capsys.readouterr().err
    (stored,) = s3.list_objects_v2(Bucket="templates-bucket")["Contents"]
    assert stored["Key"].startswith("templates/pipeline/") and stored["Size"] > 51_200
    assert _stack()["StackStatus"] == "CREATE_COMPLETE"


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_lint_runs_on_the_exact_template_before_any_change(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--lint`` (the UpdatePipeline action passes it) lints the body CloudFormation receives:
    the real synthesized one here, so the deploy stops at the prompt (no terminal)."""
    with mock_aws():
        assert main([*BOOTSTRAP, "--lint"]) != 0
    captured = capsys.readouterr()
    assert captured.out.index("pipeline template: cfn-lint and checkov clean") < (
        captured.out.index("CREATE gd2slack-pipeline")
    )
    assert "refusing to prompt" in captured.err


def test_lint_without_checkov_refuses_to_deploy(
    cloud: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GD2SLACK_CHECKOV", "/nonexistent/checkov")
    assert main([*BOOTSTRAP, "--lint", "--yes"]) != 0
    assert "checkov not found at /nonexistent/checkov" in capsys.readouterr().err
    stacks = boto3.client("cloudformation").list_stacks()["StackSummaries"]
    assert not [s for s in stacks if s["StackName"] == "gd2slack-pipeline"]


def test_a_template_that_fails_lint_is_refused() -> None:
    broken = json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Bogus": {"Ref": "X"}}}}}
    )
    with pytest.raises(
        CliError, match=r"pipeline template fails lint \(\d+ problems\): cfn-lint E"
    ):
        dp.lint_deployed(broken)
