"""Every role of the pipeline stack, and every grant between its parts, wired in one place.

One module rather than a role beside each construct: the roles name each other (the
UpdatePipeline role passes ``PipelineExecutionRole``, a stage's role passes that stage's runtime
execution role), a security review reads them together, and the projects and the pipeline only
need the roles' logical ids (``Roles``). What CloudFormation itself needs to deploy a stack is
beside that stack: ``pipeline/deploy_permissions.py`` (this stack), ``stack/deploy_permissions.py``
(the runtime stack).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from awacs.aws import Action, Statement
from troposphere import GetAtt, Ref, Sub, Tags, Template
from troposphere.iam import Role

from app.constants import RESOURCE_PREFIX, STAGES, runtime_stack_name
from pipeline import deploy_permissions as pipeline_deploy
from pipeline.config import PipelineConfig
from pipeline.iam import (
    When,
    actions,
    allow,
    bucket_arns,
    in_regions,
    log_group_arns,
    pass_role_to,
    pipeline_arn,
    project_arn,
    repository_arn,
    role_policies,
    scope_regions,
    stack_arn,
    trust,
)
from pipeline.names import (
    BUILD_PROJECT,
    PIPELINE_STACK,
    PROJECT_NAMES,
    RUNTIME_STACKS,
    UPDATE_PIPELINE_PROJECT,
    deploy_project,
    log_group_name,
    smoke_project,
)
from pipeline.parameters import (
    APPROVAL_TOPIC_ARN,
    CONNECTION_ARN,
    HAS_APPROVAL_TOPIC,
    HAS_PROD_ACCOUNT_ROLE,
    PROD_ACCOUNT_ROLE_ARN,
    SAME_ACCOUNT_PROD,
)
from pipeline.storage import Storage
from stack import deploy_permissions as runtime_deploy

TO_CLOUDFORMATION: Final = "cloudformation.amazonaws.com"
CHANGE_SET_ACTIONS: Final = (
    "CreateChangeSet",
    "DeleteChangeSet",
    "DescribeChangeSet",
    "DescribeStackEvents",
    "DescribeStacks",
    "ExecuteChangeSet",
)


@dataclass(frozen=True)
class Roles:
    """Logical ids of the roles ``add_to`` created; per-stage ones keyed by stage."""

    pipeline: str
    build: str
    update_pipeline: str
    pipeline_execution: str
    stage: Mapping[str, str]  # deploy + smoke projects of a stage
    runtime_execution: Mapping[str, str]  # CloudFormation, for that stage's runtime stack


# Statements -------------------------------------------------------------------------------------


def codebuild_basics(log_group: str, bucket: str, *, write: bool) -> list[Statement]:
    """Write its own log group, read (and for Build write) pipeline artifacts."""
    bucket_arn, objects = bucket_arns(bucket)
    object_actions = ["GetObject", "GetObjectVersion"] + (["PutObject"] if write else [])
    return [
        allow(actions("logs", "CreateLogStream", "PutLogEvents"), log_group_arns(log_group)),
        allow(actions("s3", *object_actions), [objects]),
        allow(actions("s3", "GetBucketAcl", "GetBucketLocation"), [bucket_arn]),
    ]


def pipeline_role_statements(bucket: str, project_names: Sequence[str]) -> list[Statement | When]:
    """CodePipeline itself: artifacts, the source connection, the builds, alarm rules, SNS."""
    bucket_arn, objects = bucket_arns(bucket)
    statements = [
        allow(actions("s3", "GetObject", "GetObjectVersion", "PutObject"), [objects]),
        allow(
            actions("s3", "GetBucketVersioning", "GetBucketAcl", "GetBucketLocation"), [bucket_arn]
        ),
        # The service was renamed CodeConnections; the IAM prefix must match the ARN's, and an
        # operator may hold either kind of ARN.
        allow(
            [
                Action("codeconnections", "UseConnection"),
                Action("codestar-connections", "UseConnection"),
            ],
            [Ref(CONNECTION_ARN)],
        ),
        allow(
            actions("codebuild", "StartBuild", "BatchGetBuilds", "StopBuild"),
            [project_arn(name) for name in project_names],
        ),
        # CloudWatchAlarm condition rules; DescribeAlarms on composite alarms needs "*".
        allow(actions("cloudwatch", "DescribeAlarms"), ["*"]),
    ]
    return [
        *statements,
        When(HAS_APPROVAL_TOPIC, allow(actions("sns", "Publish"), [Ref(APPROVAL_TOPIC_ARN)])),
    ]


def build_role_statements(log_group: str, bucket: str) -> list[Statement]:
    """Build: push images to this repository only."""
    return [
        *codebuild_basics(log_group, bucket, write=True),
        # GetAuthorizationToken has no resource-level permission.
        allow(actions("ecr", "GetAuthorizationToken"), ["*"]),
        allow(
            actions(
                "ecr",
                "BatchCheckLayerAvailability",
                "BatchGetImage",
                "CompleteLayerUpload",
                "DescribeImages",
                "GetDownloadUrlForLayer",
                "InitiateLayerUpload",
                "PutImage",
                "UploadLayerPart",
            ),
            [repository_arn(None)],
        ),
    ]


def update_pipeline_role_statements(
    log_group: str,
    bucket: str,
    execution_role: str,
    regions: Sequence[str | None],
) -> list[Statement]:
    """UpdatePipeline: change sets on the pipeline stack (through its execution role), read the
    runtime stacks' outputs (alarm names for stage conditions), restart the pipeline."""
    return [
        *codebuild_basics(log_group, bucket, write=False),
        # A template over CloudFormation's inline limit (many regions) is passed by S3 URL.
        allow(actions("s3", "PutObject"), [Sub(f"${{{bucket}.Arn}}/templates/pipeline/*")]),
        allow(actions("cloudformation", *CHANGE_SET_ACTIONS), [stack_arn(PIPELINE_STACK, None)]),
        allow(
            actions("cloudformation", "DescribeStacks"),
            [stack_arn(stack, r) for stack in RUNTIME_STACKS for r in regions],
        ),
        pass_role_to(TO_CLOUDFORMATION, [GetAtt(execution_role, "Arn")]),
        allow(
            actions(
                "codepipeline",
                "GetPipeline",
                "GetPipelineExecution",
                "StartPipelineExecution",
                "StopPipelineExecution",
            ),
            [pipeline_arn()],
        ),
    ]


def stage_role_statements(
    stage: str,
    bucket: str,
    regions: Sequence[str | None],
    extra: Sequence[Statement | When] = (),
) -> list[Statement | When]:
    """Deploy + smoke for one stage: its stack only, its function only.

    ``extra`` carries the stage-specific grants decided by the template (``iam:PassRole`` on
    the stage's execution role, or ``sts:AssumeRole`` into the prod account), possibly wrapped
    in ``If``.
    """
    stack = runtime_stack_name(stage)
    deploy_logs = log_group_name(deploy_project(stage))
    smoke_logs = log_group_name(smoke_project(stage))
    return [
        *codebuild_basics(deploy_logs, bucket, write=False),
        allow(actions("logs", "CreateLogStream", "PutLogEvents"), log_group_arns(smoke_logs)),
        allow(
            actions("cloudformation", *CHANGE_SET_ACTIONS),
            [stack_arn(stack, r) for r in regions],
        ),
        # deploy-stack checks the image exists (and waits for replication) before deploying.
        allow(actions("ecr", "DescribeImages"), [repository_arn(r) for r in regions]),
        allow(
            actions("lambda", "InvokeFunction"),
            in_regions(
                "arn:${{AWS::Partition}}:lambda:{region}:${{AWS::AccountId}}:function:"
                + stack
                + "*",
                regions,
            ),
        ),
        # DescribeAlarms on composite alarms requires "*" (a narrower scope hides them).
        allow(actions("cloudwatch", "DescribeAlarms"), ["*"]),
        *extra,
    ]


# Resources --------------------------------------------------------------------------------------


def role(
    logical_id: str, service: str, statements: Sequence[Statement | When], **extra: Any
) -> Role:
    return Role(
        logical_id,
        AssumeRolePolicyDocument=trust(service),
        Policies=role_policies("least-privilege", statements),
        Tags=Tags(Project=RESOURCE_PREFIX),
        **extra,
    )


def _stage_grants(stage: str, execution_role: str) -> list[Statement | When]:
    """Dev passes its execution role; prod passes its own when in this account, else assumes
    the prod account's role."""
    pass_role = pass_role_to(TO_CLOUDFORMATION, [GetAtt(execution_role, "Arn")])
    if stage != "prod":
        return [pass_role]
    return [
        When(SAME_ACCOUNT_PROD, pass_role),
        When(
            HAS_PROD_ACCOUNT_ROLE,
            allow(actions("sts", "AssumeRole"), [Ref(PROD_ACCOUNT_ROLE_ARN)]),
        ),
    ]


def add_to(template: Template, config: PipelineConfig, storage: Storage) -> Roles:
    regions = scope_regions(config.target_regions)
    bucket = storage.bucket

    def add(logical_id: str, service: str, statements: Sequence[Any], **extra: Any) -> str:
        return str(template.add_resource(role(logical_id, service, statements, **extra)).title)

    pipeline_role = add(
        "PipelineRole", "codepipeline", pipeline_role_statements(bucket, PROJECT_NAMES)
    )
    build = add(
        "BuildRole", "codebuild", build_role_statements(log_group_name(BUILD_PROJECT), bucket)
    )
    execution = add(
        "PipelineExecutionRole",
        "cloudformation",
        pipeline_deploy.statements(PIPELINE_STACK, PROJECT_NAMES),
    )
    update = add(
        "UpdatePipelineRole",
        "codebuild",
        update_pipeline_role_statements(
            log_group_name(UPDATE_PIPELINE_PROJECT), bucket, execution, regions
        ),
    )
    runtime_execution: dict[str, str] = {}
    stage_roles: dict[str, str] = {}
    for stage in STAGES:
        runtime_execution[stage] = add(
            f"RuntimeExecutionRole{stage.capitalize()}",
            "cloudformation",
            runtime_deploy.statements(stage, regions, [repository_arn(r) for r in regions]),
            **({"Condition": SAME_ACCOUNT_PROD} if stage == "prod" else {}),
        )
        stage_roles[stage] = add(
            f"{stage.capitalize()}StageRole",
            "codebuild",
            stage_role_statements(
                stage, bucket, regions, _stage_grants(stage, runtime_execution[stage])
            ),
        )
    return Roles(
        pipeline=pipeline_role,
        build=build,
        update_pipeline=update,
        pipeline_execution=execution,
        stage=stage_roles,
        runtime_execution=runtime_execution,
    )
