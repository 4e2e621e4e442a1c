"""The pipeline's names: stages, actions, artifacts, namespaces, projects, log groups.

One home for every name that ``gd2slack status``/``promote`` (``gd2slack.ops.pipeline_state``)
read back from CodePipeline and that the template builders write. Pure and troposphere-free:
the CLI imports it at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from app.constants import PIPELINE_STACK_NAME, RESOURCE_PREFIX, STAGES, runtime_stack_name

PIPELINE_NAME: Final = RESOURCE_PREFIX
ECR_REPOSITORY_NAME: Final = RESOURCE_PREFIX
PIPELINE_STACK: Final = PIPELINE_STACK_NAME
RUNTIME_STACKS: Final = tuple(runtime_stack_name(stage) for stage in STAGES)

# Stages, in pipeline order.
SOURCE_STAGE: Final = "Source"
BUILD_STAGE: Final = "Build"
UPDATE_PIPELINE_STAGE: Final = "UpdatePipeline"
DEPLOY_STAGES: Final[Mapping[str, str]] = {stage: f"Deploy{stage.capitalize()}" for stage in STAGES}
TEST_STAGES: Final[Mapping[str, str]] = {stage: f"Test{stage.capitalize()}" for stage in STAGES}
APPROVE_PROD_STAGE: Final = "ApproveProd"
STAGE_ORDER: Final = (
    SOURCE_STAGE,
    BUILD_STAGE,
    UPDATE_PIPELINE_STAGE,
    DEPLOY_STAGES["dev"],
    TEST_STAGES["dev"],
    APPROVE_PROD_STAGE,
    DEPLOY_STAGES["prod"],
    TEST_STAGES["prod"],
)

# Actions. Deploy and smoke actions are ``<kind>-<region>``: that is how ``status`` finds the
# regions of a multi-region pipeline.
SOURCE_ACTION: Final = "Source"
BUILD_ACTION: Final = "Build"
UPDATE_PIPELINE_ACTION: Final = "UpdatePipeline"
APPROVAL_ACTION: Final = "ApproveProd"
DEPLOY_ACTION: Final = "Deploy"
SMOKE_ACTION: Final = "Smoke"
DEPLOY_ACTION_PREFIX: Final = f"{DEPLOY_ACTION}-"
SMOKE_ACTION_PREFIX: Final = f"{SMOKE_ACTION}-"


def action_name(kind: str, region: str | None) -> str:
    """``Deploy-<region>``; plain ``Deploy`` only when the template targets "wherever it is
    deployed" (synthesized without regions)."""
    return f"{kind}-{region}" if region else kind


# Artifacts and variable namespaces.
SOURCE_NAMESPACE: Final = "SourceVariables"
BUILD_NAMESPACE: Final = "BuildVariables"
SOURCE_ARTIFACT: Final = "SourceOutput"
BUILD_ARTIFACT: Final = "BuildOutput"

# CodeBuild projects and their log groups.
BUILD_PROJECT: Final = f"{RESOURCE_PREFIX}-build"
UPDATE_PIPELINE_PROJECT: Final = f"{RESOURCE_PREFIX}-update-pipeline"


def deploy_project(stage: str) -> str:
    return f"{RESOURCE_PREFIX}-deploy-{stage}"


def smoke_project(stage: str) -> str:
    return f"{RESOURCE_PREFIX}-smoke-{stage}"


PROJECT_NAMES: Final = (
    BUILD_PROJECT,
    UPDATE_PIPELINE_PROJECT,
    *(name for stage in STAGES for name in (deploy_project(stage), smoke_project(stage))),
)


def log_group_name(project: str) -> str:
    return f"/aws/codebuild/{project}"
