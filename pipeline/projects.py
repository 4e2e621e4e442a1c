"""The CodeBuild projects the pipeline's actions run, each with its own log group.

Build (the image), UpdatePipeline (``gd2slack deploy-pipeline``), and per stage a deploy
(``gd2slack deploy-stack``) and a smoke project (``gd2slack smoke``). The ARM image matches the
Lambda architecture (arm64), so the image is built natively.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from troposphere import GetAtt, If, Ref, Tags, Template
from troposphere import codebuild as cb
from troposphere.logs import LogGroup

from app.constants import RESOURCE_PREFIX, STAGES
from pipeline.config import PipelineConfig
from pipeline.names import (
    BUILD_PROJECT,
    UPDATE_PIPELINE_PROJECT,
    deploy_project,
    log_group_name,
    smoke_project,
)
from pipeline.parameters import (
    APPROVAL_TOPIC_ARN,
    BRANCH_NAME,
    CONNECTION_ARN,
    FULL_REPOSITORY_ID,
    LOG_RETENTION_DAYS,
    MONITORING_MINUTES,
    PROD_ACCOUNT_ROLE_ARN,
    SAME_ACCOUNT_PROD,
    webhook_secret,
)
from pipeline.roles import Roles
from pipeline.storage import Storage
from stack.checkov import skip

CODEBUILD_IMAGE: Final = "aws/codebuild/amazonlinux-aarch64-standard:3.0"
CODEBUILD_COMPUTE: Final = "BUILD_GENERAL1_LARGE"
CODEBUILD_COMPUTE_SMALL: Final = "BUILD_GENERAL1_SMALL"


@dataclass(frozen=True)
class Projects:
    """Logical ids of the projects ``add_to`` created; per-stage ones keyed by stage."""

    build: str
    update_pipeline: str
    deploy: Mapping[str, str]
    smoke: Mapping[str, str]


def logical_id(name: str) -> str:
    """``gd2slack-deploy-dev`` → ``Gd2slackDeployDev`` (CloudFormation logical ids are alnum)."""
    return "".join(part.capitalize() for part in name.replace("/", "-").split("-") if part)


def regions_value(config: PipelineConfig) -> Any:
    """The target regions as one comma-separated value (the pipeline's own when none)."""
    return ",".join(config.regions) if config.regions else Ref("AWS::Region")


def _env(name: str, value: Any) -> cb.EnvironmentVariable:
    return cb.EnvironmentVariable(Name=name, Type="PLAINTEXT", Value=value)


def project(
    name: str,
    role: str,
    buildspec: str,
    env: list[cb.EnvironmentVariable],
    *,
    privileged: bool = False,
    timeout: int = 60,
    compute: str = CODEBUILD_COMPUTE_SMALL,
) -> tuple[LogGroup, cb.Project]:
    """A project named ``name`` and its log group (created first: the project writes to it)."""
    logical = logical_id(name)
    logs = LogGroup(
        f"{logical}Logs",
        LogGroupName=log_group_name(name),
        RetentionInDays=Ref(LOG_RETENTION_DAYS),
        Metadata=skip(
            ("CKV_AWS_158", "Encrypted at rest by CloudWatch Logs; build logs carry no secrets."),
        ),
        # Deleted with the stack, deliberately: the name is fixed, so a retained group would
        # make the next create of the pipeline stack fail ("already exists").
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
    )
    build = cb.Project(
        logical,
        Name=name,
        Description=f"{RESOURCE_PREFIX} pipeline: {name}",
        ServiceRole=GetAtt(role, "Arn"),
        Source=cb.Source(Type="CODEPIPELINE", BuildSpec=buildspec),
        Artifacts=cb.Artifacts(Type="CODEPIPELINE"),
        Environment=cb.Environment(
            Type="ARM_CONTAINER",
            ComputeType=compute,
            Image=CODEBUILD_IMAGE,
            ImagePullCredentialsType="CODEBUILD",
            PrivilegedMode=privileged,
            EnvironmentVariables=env,
        ),
        LogsConfig=cb.LogsConfig(
            CloudWatchLogs=cb.CloudWatchLogs(Status="ENABLED", GroupName=log_group_name(name))
        ),
        TimeoutInMinutes=timeout,
        DependsOn=[logs.title],
        Tags=Tags(Project=RESOURCE_PREFIX),
    )
    return logs, build


def build_project(storage: Storage, roles: Roles) -> tuple[LogGroup, cb.Project]:
    return project(
        BUILD_PROJECT,
        roles.build,
        "buildspec.yml",
        [_env("ECR_REPOSITORY_URI", GetAtt(storage.repository, "RepositoryUri"))],
        privileged=True,
        timeout=60,
        compute=CODEBUILD_COMPUTE,
    )


def update_pipeline_project(config: PipelineConfig, roles: Roles) -> tuple[LogGroup, cb.Project]:
    return project(
        UPDATE_PIPELINE_PROJECT,
        roles.update_pipeline,
        "pipeline/buildspecs/update-pipeline.yml",
        [
            _env("CONNECTION_ARN", Ref(CONNECTION_ARN)),
            _env("FULL_REPOSITORY_ID", Ref(FULL_REPOSITORY_ID)),
            _env("BRANCH_NAME", Ref(BRANCH_NAME)),
            _env("DEPLOY_REGIONS", regions_value(config)),
            _env("PROD_ACCOUNT_ROLE_ARN", Ref(PROD_ACCOUNT_ROLE_ARN)),
            _env("APPROVAL_TOPIC_ARN", Ref(APPROVAL_TOPIC_ARN)),
            _env("PIPELINE_CFN_ROLE_ARN", GetAtt(roles.pipeline_execution, "Arn")),
        ],
        timeout=60,
    )


def stage_projects(stage: str, roles: Roles) -> list[tuple[LogGroup, cb.Project]]:
    """Deploy and smoke for ``stage``. Prod deploys through its execution role only when it is
    in this account; otherwise both assume ``ProdAccountRoleArn``."""
    execution_role_arn: Any = GetAtt(roles.runtime_execution[stage], "Arn")
    assume_role_arn: Any = ""
    if stage == "prod":
        execution_role_arn = If(SAME_ACCOUNT_PROD, execution_role_arn, "")
        assume_role_arn = Ref(PROD_ACCOUNT_ROLE_ARN)
    deploy = project(
        deploy_project(stage),
        roles.stage[stage],
        "pipeline/buildspecs/deploy.yml",
        [
            _env("STAGE", stage),
            _env("MONITORING_MINUTES", Ref(MONITORING_MINUTES)),
            _env("CFN_EXECUTION_ROLE_ARN", execution_role_arn),
            _env("ASSUME_ROLE_ARN", assume_role_arn),
            _env("WEBHOOK_SECRET_ARN", Ref(webhook_secret(stage))),
        ],
        # Stack update + monitoring period + the wait for image replication.
        timeout=120,
    )
    smoke = project(
        smoke_project(stage),
        roles.stage[stage],
        "pipeline/buildspecs/smoke.yml",
        [_env("STAGE", stage), _env("ASSUME_ROLE_ARN", assume_role_arn)],
        timeout=20,
    )
    return [deploy, smoke]


def add_to(template: Template, config: PipelineConfig, storage: Storage, roles: Roles) -> Projects:
    def add(pair: tuple[LogGroup, cb.Project]) -> str:
        for resource in pair:
            template.add_resource(resource)
        return str(pair[1].title)

    build = add(build_project(storage, roles))
    update = add(update_pipeline_project(config, roles))
    deploy: dict[str, str] = {}
    smoke: dict[str, str] = {}
    for stage in STAGES:
        deploy_pair, smoke_pair = stage_projects(stage, roles)
        deploy[stage], smoke[stage] = add(deploy_pair), add(smoke_pair)
    return Projects(build=build, update_pipeline=update, deploy=deploy, smoke=smoke)
