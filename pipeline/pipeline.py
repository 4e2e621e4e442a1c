"""The pipeline stack: push to main → tested image → dev → approval → prod, with rollbacks.

CodePipeline V2, QUEUED executions, a CodeConnections source with a push trigger on one branch
(docs-only pushes do not start it), then Build → UpdatePipeline → DeployDev → TestDev →
ApproveProd → DeployProd → TestProd. Deploys are CodeBuild actions running
``gd2slack deploy-stack``, because CodePipeline's CloudFormation action cannot pass a
``RollbackConfiguration`` (the composite-alarm rollback trigger). See docs/pipeline.md.

``build_template(config)`` is a pure function of its input: the same config gives the same JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from awacs.aws import Statement
from troposphere import (
    Equals,
    GetAtt,
    If,
    Join,
    Not,
    NoValue,
    Output,
    Parameter,
    Ref,
    Select,
    Split,
    Sub,
    Tags,
    Template,
)
from troposphere import codebuild as cb
from troposphere import codepipeline as cp
from troposphere.ecr import (
    EncryptionConfiguration,
    ImageScanningConfiguration,
    LifecyclePolicy,
    ReplicationConfiguration,
    ReplicationConfigurationProperty,
    ReplicationDestination,
    ReplicationRule,
    Repository,
    RepositoryFilter,
)
from troposphere.iam import Role
from troposphere.logs import LogGroup
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    LifecycleConfiguration,
    LifecycleRule,
    NoncurrentVersionExpiration,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from pipeline import iam
from pipeline.config import (
    APPROVAL_ACTION,
    APPROVE_PROD_STAGE,
    BUILD_ARTIFACT,
    BUILD_NAMESPACE,
    BUILD_STAGE,
    DEPLOY_DEV_STAGE,
    DEPLOY_PROD_STAGE,
    ECR_REPOSITORY_NAME,
    MAX_CONDITION_RULES,
    PIPELINE_NAME,
    RESOURCE_PREFIX,
    SOURCE_ACTION,
    SOURCE_ARTIFACT,
    SOURCE_NAMESPACE,
    SOURCE_STAGE,
    TEST_DEV_STAGE,
    TEST_PROD_STAGE,
    TRIGGER_EXCLUDED_PATHS,
    UPDATE_PIPELINE_STAGE,
    PipelineConfig,
)

PIPELINE_STACK = f"{RESOURCE_PREFIX}-pipeline"
RUNTIME_STAGES = ("dev", "prod")
RUNTIME_STACKS = tuple(f"{RESOURCE_PREFIX}-{stage}" for stage in RUNTIME_STAGES)

# CodeBuild: the ARM image matches the Lambda architecture (arm64), so the image is built natively.
CODEBUILD_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0"
CODEBUILD_COMPUTE = "BUILD_GENERAL1_LARGE"
CODEBUILD_COMPUTE_SMALL = "BUILD_GENERAL1_SMALL"

BUILD_PROJECT = f"{RESOURCE_PREFIX}-build"
UPDATE_PIPELINE_PROJECT = f"{RESOURCE_PREFIX}-update-pipeline"


def deploy_project(stage: str) -> str:
    return f"{RESOURCE_PREFIX}-deploy-{stage}"


def smoke_project(stage: str) -> str:
    return f"{RESOURCE_PREFIX}-smoke-{stage}"


PROJECT_NAMES = (
    BUILD_PROJECT,
    UPDATE_PIPELINE_PROJECT,
    *(name for stage in RUNTIME_STAGES for name in (deploy_project(stage), smoke_project(stage))),
)


def log_group_name(project: str) -> str:
    return f"/aws/codebuild/{project}"


def _logical(name: str) -> str:
    """``gd2slack-deploy-dev`` → ``Gd2slackDeployDev`` (CloudFormation logical ids are alnum)."""
    return "".join(part.capitalize() for part in name.replace("/", "-").split("-") if part)


def _skip(*entries: tuple[str, str]) -> dict[str, Any]:
    return {"checkov": {"skip": [{"id": check, "comment": why} for check, why in entries]}}


def action_name(kind: str, region: str | None, config: PipelineConfig) -> str:
    """``Deploy-<region>`` (``status`` reads regions from it); plain ``Deploy`` only when the
    template targets "wherever it is deployed" (synthesized without regions)."""
    return f"{kind}-{region}" if region else kind


def target_regions(config: PipelineConfig) -> list[str | None]:
    """The regions to deploy to; ``None`` stands for the pipeline's own region."""
    return list(config.regions) if config.regions else [None]


# Parameters and conditions ----------------------------------------------------------------------


def _parameters(t: Template) -> None:
    t.add_parameter(
        Parameter(
            "ConnectionArn",
            Type="String",
            Description="CodeConnections (or CodeStar Connections) ARN of the GitHub connection",
            AllowedPattern=r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[A-Za-z0-9-]+$",
        )
    )
    t.add_parameter(
        Parameter(
            "FullRepositoryId",
            Type="String",
            Description="GitHub repository, owner/name",
            AllowedPattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        )
    )
    t.add_parameter(
        Parameter(
            "BranchName",
            Type="String",
            Default="main",
            Description="Branch whose pushes deploy",
            AllowedPattern=r"^[A-Za-z0-9._/-]+$",
        )
    )
    t.add_parameter(
        Parameter(
            "ProdAccountRoleArn",
            Type="String",
            Default="",
            Description="Optional: role in a separate prod account that DeployProd/TestProd assume",
            AllowedPattern=r"^(arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+)?$",
        )
    )
    t.add_parameter(
        Parameter(
            "ApprovalTopicArn",
            Type="String",
            Default="",
            Description="Optional: SNS topic notified when a release waits for prod approval",
            AllowedPattern=r"^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+)?$",
        )
    )
    for stage in RUNTIME_STAGES:
        t.add_parameter(
            Parameter(
                f"{stage.capitalize()}WebhookSecretArn",
                Type="String",
                Default="",
                Description=(
                    f"Secrets Manager secret (ARN or name) with the {stage} webhook URL(s): the "
                    f"{stage} deploys pass it, so the pipeline can create gd2slack-{stage}. "
                    "Empty: the stack's current value is kept (create it with deploy-stack)."
                ),
                AllowedPattern=r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})?$",
            )
        )
    t.add_parameter(
        Parameter(
            "MonitoringMinutes",
            Type="Number",
            Default=10,
            MinValue=0,
            MaxValue=60,
            Description="Rollback-trigger monitoring period after each runtime stack update",
        )
    )
    t.add_parameter(
        Parameter(
            "ImageRetentionCount",
            Type="Number",
            Default=50,
            MinValue=5,
            MaxValue=1000,
            Description="Images kept in ECR (older ones expire; rollbacks need recent ones)",
        )
    )
    t.add_parameter(
        Parameter(
            "LogRetentionDays",
            Type="Number",
            Default=90,
            AllowedValues=[30, 60, 90, 180, 365, 731],
            Description="Retention of the CodeBuild log groups",
        )
    )
    t.add_condition("HasProdAccountRole", Not(Equals(Ref("ProdAccountRoleArn"), "")))
    t.add_condition("SameAccountProd", Equals(Ref("ProdAccountRoleArn"), ""))
    t.add_condition("HasApprovalTopic", Not(Equals(Ref("ApprovalTopicArn"), "")))


# Storage: artifact bucket, image repository ----------------------------------------------------


def _artifact_bucket(t: Template) -> None:
    t.add_resource(
        Bucket(
            "ArtifactBucket",
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            BucketEncryption=BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(
                            SSEAlgorithm="aws:kms"
                        ),
                        BucketKeyEnabled=True,
                    )
                ]
            ),
            VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
            PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
                BlockPublicAcls=True,
                BlockPublicPolicy=True,
                IgnorePublicAcls=True,
                RestrictPublicBuckets=True,
            ),
            OwnershipControls=OwnershipControls(
                Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            LifecycleConfiguration=LifecycleConfiguration(
                Rules=[
                    LifecycleRule(
                        Id="expire-old-artifacts",
                        Status="Enabled",
                        # Stage rollbacks redeploy an earlier execution's artifacts: keep them a
                        # quarter, far longer than any release stays current.
                        ExpirationInDays=90,
                        NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=30),
                        AbortIncompleteMultipartUpload=AbortIncompleteMultipartUpload(
                            DaysAfterInitiation=7
                        ),
                    )
                ]
            ),
            Tags=Tags(Project=RESOURCE_PREFIX),
            Metadata=_skip(
                (
                    "CKV_AWS_18",
                    "Only this stack's roles use the bucket; CloudTrail records access. An "
                    "access-log bucket would need a log bucket of its own.",
                ),
            ),
        )
    )
    t.add_resource(
        BucketPolicy(
            "ArtifactBucketPolicy",
            Bucket=Ref("ArtifactBucket"),
            PolicyDocument={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [
                            GetAtt("ArtifactBucket", "Arn"),
                            Sub("${ArtifactBucket.Arn}/*"),
                        ],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            },
        )
    )


def _lifecycle_policy_text() -> Sub:
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": "keep the last ImageRetentionCount images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 999999,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    text = json.dumps(policy, sort_keys=True).replace("999999", "${ImageRetentionCount}")
    return Sub(text)


def _repository(t: Template, config: PipelineConfig) -> None:
    lambda_pull = {
        "Sid": "LambdaPull",
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {
            "StringLike": {
                "aws:sourceArn": Sub(
                    f"arn:${{AWS::Partition}}:lambda:*:${{AWS::AccountId}}:function:{RESOURCE_PREFIX}-*"
                )
            }
        },
    }
    prod_account = Select(4, Split(":", Ref("ProdAccountRoleArn")))
    cross_account_pull = {
        "Sid": "ProdAccountLambdaPull",
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {
            "StringLike": {
                "aws:sourceArn": Join(
                    "",
                    [
                        "arn:",
                        Ref("AWS::Partition"),
                        ":lambda:*:",
                        prod_account,
                        f":function:{RESOURCE_PREFIX}-*",
                    ],
                )
            }
        },
    }
    cross_account_role_pull = {
        "Sid": "ProdAccountPull",
        "Effect": "Allow",
        "Principal": {
            "AWS": Join("", ["arn:", Ref("AWS::Partition"), ":iam::", prod_account, ":root"])
        },
        # DescribeImages: deploy-stack's image check runs with the prod account's credentials.
        "Action": ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"],
    }
    t.add_resource(
        Repository(
            "EcrRepository",
            RepositoryName=ECR_REPOSITORY_NAME,
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            ImageTagMutability="IMMUTABLE",
            ImageScanningConfiguration=ImageScanningConfiguration(ScanOnPush=True),
            EncryptionConfiguration=EncryptionConfiguration(EncryptionType="AES256"),
            LifecyclePolicy=LifecyclePolicy(LifecyclePolicyText=_lifecycle_policy_text()),
            RepositoryPolicyText={
                "Version": "2012-10-17",
                "Statement": [
                    lambda_pull,
                    If("HasProdAccountRole", cross_account_pull, NoValue),
                    If("HasProdAccountRole", cross_account_role_pull, NoValue),
                ],
            },
            Tags=Tags(Project=RESOURCE_PREFIX),
            Metadata=_skip(
                (
                    "CKV_AWS_136",
                    "AES256: a customer key would need grants for Lambda and replication in "
                    "every region, for no added separation.",
                ),
            ),
        )
    )
    # Lambda pulls only from ECR in its own region: replicate to every other target region.
    replicas = config.replica_regions
    if not replicas:
        return
    t.add_resource(
        ReplicationConfiguration(
            "EcrReplication",
            ReplicationConfiguration=ReplicationConfigurationProperty(
                Rules=[
                    ReplicationRule(
                        Destinations=[
                            ReplicationDestination(Region=r, RegistryId=Ref("AWS::AccountId"))
                            for r in replicas
                        ],
                        RepositoryFilters=[
                            RepositoryFilter(Filter=ECR_REPOSITORY_NAME, FilterType="PREFIX_MATCH")
                        ],
                    )
                ]
            ),
        )
    )


# Roles ------------------------------------------------------------------------------------------


def _role(
    t: Template,
    logical_id: str,
    service: str,
    statements: Sequence[Statement | iam.When],
    **extra: Any,
) -> None:
    t.add_resource(
        Role(
            logical_id,
            AssumeRolePolicyDocument=iam.trust(service),
            Policies=iam.role_policies("least-privilege", statements),
            Tags=Tags(Project=RESOURCE_PREFIX),
            **extra,
        )
    )


def _roles(t: Template, config: PipelineConfig) -> None:
    regions = iam.scope_regions(target_regions(config))
    _role(
        t,
        "PipelineRole",
        "codepipeline",
        iam.pipeline_role_statements("ArtifactBucket", PROJECT_NAMES),
    )
    _role(
        t,
        "BuildRole",
        "codebuild",
        iam.build_role_statements(log_group_name(BUILD_PROJECT), "ArtifactBucket"),
    )
    _role(
        t,
        "UpdatePipelineRole",
        "codebuild",
        iam.update_pipeline_role_statements(
            log_group_name(UPDATE_PIPELINE_PROJECT),
            "ArtifactBucket",
            PIPELINE_STACK,
            RUNTIME_STACKS,
            regions,
        ),
    )
    _role(
        t,
        "PipelineExecutionRole",
        "cloudformation",
        iam.pipeline_execution_statements(PIPELINE_STACK, PROJECT_NAMES),
    )
    for stage in RUNTIME_STAGES:
        execution_role = f"RuntimeExecutionRole{stage.capitalize()}"
        extra: dict[str, Any] = {}
        if stage == "prod":
            extra["Condition"] = "SameAccountProd"
        _role(
            t,
            execution_role,
            "cloudformation",
            iam.runtime_execution_statements(stage, regions),
            **extra,
        )
        pass_role = iam.pass_execution_role(GetAtt(execution_role, "Arn"))
        grants: list[Any]
        if stage == "prod":
            grants = [
                iam.When("SameAccountProd", pass_role),
                iam.When(
                    "HasProdAccountRole",
                    iam.allow(iam.actions("sts", "AssumeRole"), [Ref("ProdAccountRoleArn")]),
                ),
            ]
        else:
            grants = [pass_role]
        _role(
            t,
            f"{stage.capitalize()}StageRole",
            "codebuild",
            iam.stage_role_statements(
                stage,
                [log_group_name(deploy_project(stage)), log_group_name(smoke_project(stage))],
                "ArtifactBucket",
                regions,
                grants,
            ),
        )


# CodeBuild --------------------------------------------------------------------------------------


def _env(name: str, value: Any) -> cb.EnvironmentVariable:
    return cb.EnvironmentVariable(Name=name, Type="PLAINTEXT", Value=value)


def _project(
    t: Template,
    name: str,
    role: str,
    buildspec: str,
    env: list[cb.EnvironmentVariable],
    *,
    privileged: bool = False,
    timeout: int = 60,
    compute: str = CODEBUILD_COMPUTE_SMALL,
) -> None:
    logical = _logical(name)
    t.add_resource(
        LogGroup(
            f"{logical}Logs",
            LogGroupName=log_group_name(name),
            RetentionInDays=Ref("LogRetentionDays"),
            Metadata=_skip(
                (
                    "CKV_AWS_158",
                    "Encrypted at rest by CloudWatch Logs; build logs carry no secrets.",
                ),
            ),
            # Deleted with the stack, deliberately: the name is fixed, so a retained group would
            # make the next create of the pipeline stack fail ("already exists").
            DeletionPolicy="Delete",
            UpdateReplacePolicy="Delete",
        )
    )
    t.add_resource(
        cb.Project(
            logical,
            Name=name,
            Description=f"gd2slack pipeline: {name}",
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
            DependsOn=[f"{logical}Logs"],
            Tags=Tags(Project=RESOURCE_PREFIX),
        )
    )


def _regions_text(config: PipelineConfig) -> Any:
    return ",".join(config.regions) if config.regions else Ref("AWS::Region")


def _projects(t: Template, config: PipelineConfig) -> None:
    _project(
        t,
        BUILD_PROJECT,
        "BuildRole",
        "buildspec.yml",
        [_env("ECR_REPOSITORY_URI", GetAtt("EcrRepository", "RepositoryUri"))],
        privileged=True,
        timeout=60,
        compute=CODEBUILD_COMPUTE,
    )
    _project(
        t,
        UPDATE_PIPELINE_PROJECT,
        "UpdatePipelineRole",
        "pipeline/buildspecs/update-pipeline.yml",
        [
            _env("CONNECTION_ARN", Ref("ConnectionArn")),
            _env("FULL_REPOSITORY_ID", Ref("FullRepositoryId")),
            _env("BRANCH_NAME", Ref("BranchName")),
            _env("DEPLOY_REGIONS", _regions_text(config)),
            _env("PROD_ACCOUNT_ROLE_ARN", Ref("ProdAccountRoleArn")),
            _env("APPROVAL_TOPIC_ARN", Ref("ApprovalTopicArn")),
            _env("PIPELINE_CFN_ROLE_ARN", GetAtt("PipelineExecutionRole", "Arn")),
        ],
        timeout=60,
    )
    for stage in RUNTIME_STAGES:
        execution_role_arn: Any = GetAtt(f"RuntimeExecutionRole{stage.capitalize()}", "Arn")
        assume_role_arn: Any = ""
        if stage == "prod":
            execution_role_arn = If("SameAccountProd", execution_role_arn, "")
            assume_role_arn = Ref("ProdAccountRoleArn")
        role = f"{stage.capitalize()}StageRole"
        _project(
            t,
            deploy_project(stage),
            role,
            "pipeline/buildspecs/deploy.yml",
            [
                _env("STAGE", stage),
                _env("MONITORING_MINUTES", Ref("MonitoringMinutes")),
                _env("CFN_EXECUTION_ROLE_ARN", execution_role_arn),
                _env("ASSUME_ROLE_ARN", assume_role_arn),
                _env("WEBHOOK_SECRET_ARN", Ref(f"{stage.capitalize()}WebhookSecretArn")),
            ],
            # Stack update + monitoring period + the wait for image replication.
            timeout=120,
        )
        _project(
            t,
            smoke_project(stage),
            role,
            "pipeline/buildspecs/smoke.yml",
            [_env("STAGE", stage), _env("ASSUME_ROLE_ARN", assume_role_arn)],
            timeout=20,
        )


# The pipeline -----------------------------------------------------------------------------------


def _codebuild_action(
    name: str,
    project: str,
    inputs: list[str],
    *,
    env: dict[str, str] | None = None,
    outputs: list[str] | None = None,
    namespace: str | None = None,
    run_order: int = 1,
) -> cp.Actions:
    configuration: dict[str, Any] = {
        "ProjectName": Ref(_logical(project)),
        "PrimarySource": inputs[0],
    }
    if env:
        configuration["EnvironmentVariables"] = json.dumps(
            [{"name": k, "value": v, "type": "PLAINTEXT"} for k, v in sorted(env.items())],
            sort_keys=True,
        )
    extra: dict[str, Any] = {}
    if outputs:
        extra["OutputArtifacts"] = [cp.OutputArtifacts(Name=o) for o in outputs]
    if namespace:
        extra["Namespace"] = namespace
    return cp.Actions(
        Name=name,
        ActionTypeId=cp.ActionTypeId(
            Category="Build", Owner="AWS", Provider="CodeBuild", Version="1"
        ),
        InputArtifacts=[cp.InputArtifacts(Name=i) for i in inputs],
        Configuration=configuration,
        RunOrder=run_order,
        **extra,
    )


def _alarm_condition(
    stage: str, config: PipelineConfig, result: str, rule_prefix: str
) -> cp.Condition | None:
    """One condition whose rules check each region's composite alarm (≤ 5 rules)."""
    rules = []
    for region in target_regions(config):
        name = config.alarm_name(stage, region or "")
        if name is None:
            continue
        extra: dict[str, Any] = {"Region": region} if region else {}
        rules.append(
            cp.RuleDeclaration(
                Name=f"{rule_prefix}-{region}" if region else rule_prefix,
                RuleTypeId=cp.RuleTypeId(
                    Category="Rule", Owner="AWS", Provider="CloudWatchAlarm", Version="1"
                ),
                Configuration={"AlarmName": name, "AlarmStates": "ALARM", "WaitTime": "5"},
                **extra,
            )
        )
    if not rules:
        return None
    return cp.Condition(Result=result, Rules=rules[:MAX_CONDITION_RULES])


def _deploy_stage(stage_name: str, stage: str, config: PipelineConfig) -> cp.Stages:
    actions = [
        _codebuild_action(
            action_name("Deploy", region, config),
            deploy_project(stage),
            [SOURCE_ARTIFACT, BUILD_ARTIFACT],
            env={"TARGET_REGION": region} if region else None,
        )
        for region in target_regions(config)
    ]
    extra: dict[str, Any] = {}
    # After a successful deploy, a stage whose composite alarm is in ALARM rolls back to the
    # previous successful execution's artifacts.
    on_success = _alarm_condition(stage, config, "ROLLBACK", "HealthyAfterDeploy")
    if on_success is not None:
        extra["OnSuccess"] = cp.SuccessConditions(Conditions=[on_success])
    if stage == "prod":
        # Before prod: the version being promoted must still be healthy in dev (an approval can
        # wait for days).
        before = _alarm_condition("dev", config, "FAIL", "DevStillHealthy")
        if before is not None:
            extra["BeforeEntry"] = cp.BeforeEntryConditions(Conditions=[before])
    return cp.Stages(
        Name=stage_name,
        Actions=actions,
        OnFailure=cp.FailureConditions(Result="ROLLBACK"),
        **extra,
    )


def _test_stage(stage_name: str, stage: str, config: PipelineConfig) -> cp.Stages:
    return cp.Stages(
        Name=stage_name,
        Actions=[
            _codebuild_action(
                action_name("Smoke", region, config),
                smoke_project(stage),
                [SOURCE_ARTIFACT, BUILD_ARTIFACT],
                env={"TARGET_REGION": region} if region else None,
                namespace=f"{stage_name}-{region}" if region else stage_name,
            )
            for region in target_regions(config)
        ],
    )


def _approval_stage(config: PipelineConfig) -> cp.Stages:
    first = target_regions(config)[0]
    smoke_namespace = f"{TEST_DEV_STAGE}-{first}" if first else TEST_DEV_STAGE
    regions = ", ".join(config.regions) if config.regions else "this region"
    configuration: dict[str, Any] = {
        "CustomData": (
            f"Promote commit #{{{SOURCE_NAMESPACE}.CommitId}} "
            f"(image #{{{BUILD_NAMESPACE}.IMAGE_URI}}) from dev to prod in {regions}. "
            "Dev smoke test passed; the link opens its build log."
        ),
        "ExternalEntityLink": f"#{{{smoke_namespace}.SMOKE_BUILD_URL}}",
        "NotificationArn": If("HasApprovalTopic", Ref("ApprovalTopicArn"), NoValue),
    }
    return cp.Stages(
        Name=APPROVE_PROD_STAGE,
        Actions=[
            cp.Actions(
                Name=APPROVAL_ACTION,
                ActionTypeId=cp.ActionTypeId(
                    Category="Approval", Owner="AWS", Provider="Manual", Version="1"
                ),
                Configuration=configuration,
                RunOrder=1,
            )
        ],
    )


def _pipeline(t: Template, config: PipelineConfig) -> None:
    source = cp.Stages(
        Name=SOURCE_STAGE,
        Actions=[
            cp.Actions(
                Name=SOURCE_ACTION,
                ActionTypeId=cp.ActionTypeId(
                    Category="Source",
                    Owner="AWS",
                    Provider="CodeStarSourceConnection",
                    Version="1",
                ),
                Configuration={
                    "ConnectionArn": Ref("ConnectionArn"),
                    "FullRepositoryId": Ref("FullRepositoryId"),
                    "BranchName": Ref("BranchName"),
                    "OutputArtifactFormat": "CODE_ZIP",
                },
                OutputArtifacts=[cp.OutputArtifacts(Name=SOURCE_ARTIFACT)],
                Namespace=SOURCE_NAMESPACE,
                RunOrder=1,
            )
        ],
    )
    build = cp.Stages(
        Name=BUILD_STAGE,
        Actions=[
            _codebuild_action(
                "Build",
                BUILD_PROJECT,
                [SOURCE_ARTIFACT],
                env={"SOURCE_COMMIT_ID": f"#{{{SOURCE_NAMESPACE}.CommitId}}"},
                outputs=[BUILD_ARTIFACT],
                namespace=BUILD_NAMESPACE,
            )
        ],
    )
    update = cp.Stages(
        Name=UPDATE_PIPELINE_STAGE,
        Actions=[
            _codebuild_action(
                "UpdatePipeline",
                UPDATE_PIPELINE_PROJECT,
                [SOURCE_ARTIFACT, BUILD_ARTIFACT],
                env={
                    "PIPELINE_EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
                    "SOURCE_COMMIT_ID": f"#{{{SOURCE_NAMESPACE}.CommitId}}",
                },
            )
        ],
    )
    t.add_resource(
        cp.Pipeline(
            "Pipeline",
            Name=PIPELINE_NAME,
            PipelineType="V2",
            ExecutionMode="QUEUED",
            RoleArn=GetAtt("PipelineRole", "Arn"),
            # The UpdatePipeline stage restarts the run itself (on the same commit); a second,
            # CloudFormation-started execution would only queue a duplicate.
            RestartExecutionOnUpdate=False,
            ArtifactStore=cp.ArtifactStore(Type="S3", Location=Ref("ArtifactBucket")),
            Triggers=[
                cp.PipelineTriggerDeclaration(
                    ProviderType="CodeStarSourceConnection",
                    GitConfiguration=cp.GitConfiguration(
                        SourceActionName=SOURCE_ACTION,
                        Push=[
                            cp.GitPushFilter(
                                Branches=cp.GitBranchFilterCriteria(Includes=[Ref("BranchName")]),
                                FilePaths=cp.GitFilePathFilterCriteria(
                                    Excludes=list(TRIGGER_EXCLUDED_PATHS)
                                ),
                            )
                        ],
                    ),
                )
            ],
            Stages=[
                source,
                build,
                update,
                _deploy_stage(DEPLOY_DEV_STAGE, "dev", config),
                _test_stage(TEST_DEV_STAGE, "dev", config),
                _approval_stage(config),
                _deploy_stage(DEPLOY_PROD_STAGE, "prod", config),
                _test_stage(TEST_PROD_STAGE, "prod", config),
            ],
            Tags=Tags(Project=RESOURCE_PREFIX),
        )
    )


def _outputs(t: Template, config: PipelineConfig) -> None:
    t.add_output(Output("PipelineName", Value=Ref("Pipeline")))
    t.add_output(Output("EcrRepositoryUri", Value=GetAtt("EcrRepository", "RepositoryUri")))
    t.add_output(Output("ArtifactBucketName", Value=Ref("ArtifactBucket")))
    t.add_output(
        Output(
            "DeployRegions",
            Description="Regions the runtime stacks are deployed to (synthesis input)",
            Value=_regions_text(config),
        )
    )
    t.add_output(Output("PipelineExecutionRoleArn", Value=GetAtt("PipelineExecutionRole", "Arn")))
    t.add_output(
        Output(
            "PipelineConsoleUrl",
            Value=Sub(
                "https://${AWS::Region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/"
                "${Pipeline}/view?region=${AWS::Region}"
            ),
        )
    )


def build_template(config: PipelineConfig | None = None) -> Template:
    """The pipeline stack for ``config`` (default: deploy to the pipeline's own region only)."""
    config = config or PipelineConfig()
    t = Template(
        Description=(
            "gd2slack pipeline: GitHub push -> tested arm64 image -> dev -> approval -> prod, "
            "with composite-alarm rollback triggers"
        )
    )
    t.set_version("2010-09-09")
    _parameters(t)
    _artifact_bucket(t)
    _repository(t, config)
    _roles(t, config)
    _projects(t, config)
    _pipeline(t, config)
    _outputs(t, config)
    return t


def to_json(config: PipelineConfig | None = None) -> str:
    """Deterministic JSON (sorted keys): byte-identical for the same config."""
    return json.dumps(json.loads(build_template(config).to_json()), indent=1, sort_keys=True) + "\n"
