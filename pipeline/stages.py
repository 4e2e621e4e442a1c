"""The pipeline resource: its trigger, stages, actions and stage conditions.

Source → Build → UpdatePipeline → DeployDev → TestDev → ApproveProd → DeployProd → TestProd
(stage and action names: ``pipeline/names.py``). Deploy and smoke stages hold one action per
target region; deploy stages roll back on failure and, once a stage's composite alarm is known,
when it is in ALARM after a deploy.
"""

from __future__ import annotations

import json
from typing import Any, Final

from troposphere import GetAtt, If, NoValue, Ref, Tags, Template
from troposphere import codepipeline as cp

from app.constants import RESOURCE_PREFIX
from pipeline.config import PipelineConfig
from pipeline.names import (
    APPROVAL_ACTION,
    APPROVE_PROD_STAGE,
    BUILD_ACTION,
    BUILD_ARTIFACT,
    BUILD_NAMESPACE,
    BUILD_STAGE,
    DEPLOY_ACTION,
    DEPLOY_STAGES,
    PIPELINE_NAME,
    SMOKE_ACTION,
    SOURCE_ACTION,
    SOURCE_ARTIFACT,
    SOURCE_NAMESPACE,
    SOURCE_STAGE,
    TEST_STAGES,
    UPDATE_PIPELINE_ACTION,
    UPDATE_PIPELINE_STAGE,
    action_name,
)
from pipeline.parameters import (
    APPROVAL_TOPIC_ARN,
    BRANCH_NAME,
    CONNECTION_ARN,
    FULL_REPOSITORY_ID,
    HAS_APPROVAL_TOPIC,
)
from pipeline.projects import Projects
from pipeline.roles import Roles
from pipeline.storage import Storage

PIPELINE: Final = "Pipeline"

# CodePipeline allows at most five rules in one condition: alarm conditions cover the first
# five regions; every region's stack still has its own CloudFormation rollback trigger.
MAX_CONDITION_RULES: Final = 5

# Pushes that touch only these paths do not start the pipeline (CodePipeline glob syntax).
TRIGGER_EXCLUDED_PATHS: Final = ("docs/**", "**/*.md", "*.md", ".github/**", "LICENSE")

SOURCE_COMMIT: Final = f"#{{{SOURCE_NAMESPACE}.CommitId}}"


def action_type(category: str, provider: str) -> cp.ActionTypeId:
    """An AWS-owned action type, version 1."""
    return cp.ActionTypeId(Category=category, Owner="AWS", Provider=provider, Version="1")


def codebuild_action(
    name: str,
    project: str,
    inputs: list[str],
    *,
    env: dict[str, str] | None = None,
    outputs: list[str] | None = None,
    namespace: str | None = None,
    run_order: int = 1,
) -> cp.Actions:
    """An action running the project with logical id ``project`` on ``inputs``."""
    configuration: dict[str, Any] = {"ProjectName": Ref(project), "PrimarySource": inputs[0]}
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
        ActionTypeId=action_type("Build", "CodeBuild"),
        InputArtifacts=[cp.InputArtifacts(Name=i) for i in inputs],
        Configuration=configuration,
        RunOrder=run_order,
        **extra,
    )


def alarm_condition(
    stage: str, config: PipelineConfig, result: str, rule_prefix: str
) -> cp.Condition | None:
    """One condition whose rules check each region's composite alarm (≤ 5 rules)."""
    rules = []
    for region in config.target_regions:
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


def _regional_actions(
    kind: str, project: str, config: PipelineConfig, namespace: str | None = None
) -> list[cp.Actions]:
    """One ``<kind>-<region>`` action per target region, told its region by ``TARGET_REGION``."""
    return [
        codebuild_action(
            action_name(kind, region),
            project,
            [SOURCE_ARTIFACT, BUILD_ARTIFACT],
            env={"TARGET_REGION": region} if region else None,
            namespace=(action_name(namespace, region) if namespace else None),
        )
        for region in config.target_regions
    ]


def deploy_stage(stage: str, config: PipelineConfig, projects: Projects) -> cp.Stages:
    extra: dict[str, Any] = {}
    # After a successful deploy, a stage whose composite alarm is in ALARM rolls back to the
    # previous successful execution's artifacts.
    on_success = alarm_condition(stage, config, "ROLLBACK", "HealthyAfterDeploy")
    if on_success is not None:
        extra["OnSuccess"] = cp.SuccessConditions(Conditions=[on_success])
    if stage == "prod":
        # Before prod: the version being promoted must still be healthy in dev (an approval can
        # wait for days).
        before = alarm_condition("dev", config, "FAIL", "DevStillHealthy")
        if before is not None:
            extra["BeforeEntry"] = cp.BeforeEntryConditions(Conditions=[before])
    return cp.Stages(
        Name=DEPLOY_STAGES[stage],
        Actions=_regional_actions(DEPLOY_ACTION, projects.deploy[stage], config),
        OnFailure=cp.FailureConditions(Result="ROLLBACK"),
        **extra,
    )


def smoke_stage(stage: str, config: PipelineConfig, projects: Projects) -> cp.Stages:
    """Smoke actions; each exports its variables (``SMOKE_BUILD_URL``) under
    ``<stage name>-<region>``."""
    name = TEST_STAGES[stage]
    return cp.Stages(
        Name=name,
        Actions=_regional_actions(SMOKE_ACTION, projects.smoke[stage], config, namespace=name),
    )


def approval_stage(config: PipelineConfig) -> cp.Stages:
    smoke_namespace = action_name(TEST_STAGES["dev"], config.target_regions[0])
    regions = ", ".join(config.regions) if config.regions else "this region"
    configuration: dict[str, Any] = {
        "CustomData": (
            f"Promote commit {SOURCE_COMMIT} "
            f"(image #{{{BUILD_NAMESPACE}.IMAGE_URI}}) from dev to prod in {regions}. "
            "Dev smoke test passed; the link opens its build log."
        ),
        "ExternalEntityLink": f"#{{{smoke_namespace}.SMOKE_BUILD_URL}}",
        "NotificationArn": If(HAS_APPROVAL_TOPIC, Ref(APPROVAL_TOPIC_ARN), NoValue),
    }
    return cp.Stages(
        Name=APPROVE_PROD_STAGE,
        Actions=[
            cp.Actions(
                Name=APPROVAL_ACTION,
                ActionTypeId=action_type("Approval", "Manual"),
                Configuration=configuration,
                RunOrder=1,
            )
        ],
    )


def source_stage() -> cp.Stages:
    return cp.Stages(
        Name=SOURCE_STAGE,
        Actions=[
            cp.Actions(
                Name=SOURCE_ACTION,
                ActionTypeId=action_type("Source", "CodeStarSourceConnection"),
                Configuration={
                    "ConnectionArn": Ref(CONNECTION_ARN),
                    "FullRepositoryId": Ref(FULL_REPOSITORY_ID),
                    "BranchName": Ref(BRANCH_NAME),
                    "OutputArtifactFormat": "CODE_ZIP",
                },
                OutputArtifacts=[cp.OutputArtifacts(Name=SOURCE_ARTIFACT)],
                Namespace=SOURCE_NAMESPACE,
                RunOrder=1,
            )
        ],
    )


def build_stage(projects: Projects) -> cp.Stages:
    action = codebuild_action(
        BUILD_ACTION,
        projects.build,
        [SOURCE_ARTIFACT],
        env={"SOURCE_COMMIT_ID": SOURCE_COMMIT},
        outputs=[BUILD_ARTIFACT],
        namespace=BUILD_NAMESPACE,
    )
    return cp.Stages(Name=BUILD_STAGE, Actions=[action])


def update_pipeline_stage(projects: Projects) -> cp.Stages:
    action = codebuild_action(
        UPDATE_PIPELINE_ACTION,
        projects.update_pipeline,
        [SOURCE_ARTIFACT, BUILD_ARTIFACT],
        env={
            "PIPELINE_EXECUTION_ID": "#{codepipeline.PipelineExecutionId}",
            "SOURCE_COMMIT_ID": SOURCE_COMMIT,
        },
    )
    return cp.Stages(Name=UPDATE_PIPELINE_STAGE, Actions=[action])


def trigger() -> cp.PipelineTriggerDeclaration:
    """Pushes to the branch start a run, unless they touch only ``TRIGGER_EXCLUDED_PATHS``."""
    return cp.PipelineTriggerDeclaration(
        ProviderType="CodeStarSourceConnection",
        GitConfiguration=cp.GitConfiguration(
            SourceActionName=SOURCE_ACTION,
            Push=[
                cp.GitPushFilter(
                    Branches=cp.GitBranchFilterCriteria(Includes=[Ref(BRANCH_NAME)]),
                    FilePaths=cp.GitFilePathFilterCriteria(Excludes=list(TRIGGER_EXCLUDED_PATHS)),
                )
            ],
        ),
    )


def pipeline(
    config: PipelineConfig, storage: Storage, roles: Roles, projects: Projects
) -> cp.Pipeline:
    return cp.Pipeline(
        PIPELINE,
        Name=PIPELINE_NAME,
        PipelineType="V2",
        ExecutionMode="QUEUED",
        RoleArn=GetAtt(roles.pipeline, "Arn"),
        # The UpdatePipeline stage restarts the run itself (on the same commit); a second,
        # CloudFormation-started execution would only queue a duplicate.
        RestartExecutionOnUpdate=False,
        ArtifactStore=cp.ArtifactStore(Type="S3", Location=Ref(storage.bucket)),
        Triggers=[trigger()],
        Stages=[
            source_stage(),
            build_stage(projects),
            update_pipeline_stage(projects),
            deploy_stage("dev", config, projects),
            smoke_stage("dev", config, projects),
            approval_stage(config),
            deploy_stage("prod", config, projects),
            smoke_stage("prod", config, projects),
        ],
        Tags=Tags(Project=RESOURCE_PREFIX),
    )


def add_to(
    template: Template, config: PipelineConfig, storage: Storage, roles: Roles, projects: Projects
) -> str:
    """Adds the pipeline; returns its logical id."""
    return str(template.add_resource(pipeline(config, storage, roles, projects)).title)
