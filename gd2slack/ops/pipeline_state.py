"""What the delivery pipeline and the stages it deploys look like right now.

``status`` and ``promote`` both need the same facts: the pipeline's stage states (CodePipeline's
``GetPipelineState``), which commit an execution carries, whether the prod approval is waiting,
and for each runtime stack the image it runs, its composite alarm and its DLQ depth. They are read
here, once, into plain dataclasses, so the commands only format and decide.

Names come from the contract with ``pipeline/`` and ``stack/``: stage and action names below,
stack outputs from ``gd2slack.ops.aws``. Deploy actions are named ``Deploy-<region>`` and smoke
actions ``Smoke-<region>``, which is how the regions of a multi-region pipeline are discovered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions

from app.constants import PIPELINE_STACK_NAME, runtime_stack_name, valid_region
from gd2slack.ops import aws
from gd2slack.ops.aws import AwsClients
from pipeline import names

# The pipeline's stage and action names, from their one home (pipeline/names.py).
STAGE_ORDER = names.STAGE_ORDER
APPROVAL_STAGE = names.APPROVE_PROD_STAGE
APPROVAL_ACTION = names.APPROVAL_ACTION
DEPLOY_STAGES = names.DEPLOY_STAGES
TEST_STAGES = names.TEST_STAGES
DEPLOY_ACTION_PREFIX = names.DEPLOY_ACTION_PREFIX
SMOKE_ACTION_PREFIX = names.SMOKE_ACTION_PREFIX

# Build-action output variables that may name the commit's author. CodeConnections' source
# variables (CommitId, CommitMessage, AuthorDate, BranchName, ...) carry no author, so the author
# is shown only when the build exports one; otherwise status says "-".
AUTHOR_VARIABLES = ("COMMIT_AUTHOR", "CommitAuthor", "AuthorName", "Author")

_ECR_HOST_RE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$"
)
_IMAGE_RE = re.compile(
    r"^(?P<registry>[^/]+)/(?P<repository>[^:@]+)(?::(?P<tag>[^@]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


# ---------------------------------------------------------------- CodePipeline ----------------


@dataclass(frozen=True)
class ActionState:
    name: str
    status: str | None
    changed_at: datetime | None
    summary: str | None = None
    token: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class StageState:
    name: str
    status: str | None
    execution_id: str | None
    execution_type: str | None
    actions: tuple[ActionState, ...] = ()

    @property
    def changed_at(self) -> datetime | None:
        times = [a.changed_at for a in self.actions if a.changed_at is not None]
        return max(times) if times else None

    def action(self, name: str) -> ActionState | None:
        return next((a for a in self.actions if a.name == name), None)

    def regions(self, prefix: str = DEPLOY_ACTION_PREFIX) -> list[str]:
        """Regions named by ``<prefix><region>`` actions, in action order."""
        found = [a.name[len(prefix) :] for a in self.actions if a.name.startswith(prefix)]
        return [r for r in found if valid_region(r)]


@dataclass(frozen=True)
class PipelineState:
    name: str
    stages: tuple[StageState, ...]

    def stage(self, name: str) -> StageState | None:
        return next((s for s in self.stages if s.name == name), None)


@dataclass(frozen=True)
class PendingApproval:
    pipeline: str
    stage: str
    action: str
    token: str
    since: datetime | None
    execution_id: str | None


@dataclass(frozen=True)
class Revision:
    """The source revision (commit) a pipeline execution carries."""

    execution_id: str
    execution_status: str | None
    commit: str | None
    message: str | None
    author: str | None
    url: str | None
    image_uri: str | None = None  # the Build action's exported IMAGE_URI / IMAGE_DIGEST
    image_digest: str | None = None


def pipeline_name(clients: AwsClients) -> str:
    outputs = clients.require_stack_outputs(PIPELINE_STACK_NAME)
    return aws.require_output(outputs, aws.OUT_PIPELINE_NAME, PIPELINE_STACK_NAME)


def read_pipeline_state(clients: AwsClients, name: str) -> PipelineState:
    client = clients.client("codepipeline")
    with aws.aws_call_errors(f"reading pipeline {name}"):
        response = client.get_pipeline_state(name=name)
    stages = tuple(_stage_state(raw) for raw in response.get("stageStates", []))
    return PipelineState(name=name, stages=stages)


def _stage_state(raw: dict[str, Any]) -> StageState:
    latest = raw.get("latestExecution") or {}
    actions = []
    for action in raw.get("actionStates", []):
        execution = action.get("latestExecution") or {}
        error = execution.get("errorDetails") or {}
        actions.append(
            ActionState(
                name=str(action.get("actionName", "?")),
                status=execution.get("status"),
                changed_at=_utc(execution.get("lastStatusChange")),
                summary=execution.get("summary"),
                token=execution.get("token"),
                error=error.get("message") or error.get("code"),
            )
        )
    return StageState(
        name=str(raw.get("stageName", "?")),
        status=latest.get("status"),
        execution_id=latest.get("pipelineExecutionId"),
        execution_type=latest.get("type"),
        actions=tuple(actions),
    )


def pending_approval(state: PipelineState) -> PendingApproval | None:
    """The prod approval if it is waiting for a decision (in progress, with a token)."""
    stage = state.stage(APPROVAL_STAGE)
    action = stage.action(APPROVAL_ACTION) if stage else None
    if stage is None or action is None or action.status != "InProgress" or not action.token:
        return None
    return PendingApproval(
        pipeline=state.name,
        stage=stage.name,
        action=action.name,
        token=action.token,
        since=action.changed_at,
        execution_id=stage.execution_id,
    )


def read_revision(clients: AwsClients, pipeline: str, execution_id: str) -> Revision:
    """Commit id, message and (when the build exports it) author of one execution."""
    client = clients.client("codepipeline")
    with aws.aws_call_errors(f"reading pipeline execution {execution_id}"):
        execution = client.get_pipeline_execution(
            pipelineName=pipeline, pipelineExecutionId=execution_id
        )["pipelineExecution"]
        details = client.list_action_executions(
            pipelineName=pipeline, filter={"pipelineExecutionId": execution_id}, maxResults=100
        ).get("actionExecutionDetails", [])
    revisions = [r for r in execution.get("artifactRevisions", []) if r.get("revisionId")]
    source = revisions[0] if revisions else {}
    message, author = parse_revision_summary(source.get("revisionSummary"))
    variables: dict[str, str] = {}
    for detail in details:
        variables.update((detail.get("output") or {}).get("outputVariables") or {})
    author = author or next((variables[k] for k in AUTHOR_VARIABLES if variables.get(k)), None)
    return Revision(
        execution_id=execution_id,
        execution_status=execution.get("status"),
        commit=source.get("revisionId"),
        message=message or variables.get("CommitMessage"),
        author=author,
        url=source.get("revisionUrl"),
        image_uri=variables.get("IMAGE_URI"),
        image_digest=variables.get("IMAGE_DIGEST"),
    )


def parse_revision_summary(summary: str | None) -> tuple[str | None, str | None]:
    """(message, author) from a revision summary: CodeConnections sends JSON
    (``{"ProviderType": "GitHub", "CommitMessage": "..."}``), CodeCommit the bare message."""
    if not summary:
        return None, None
    try:
        parsed = json.loads(summary)
    except ValueError:
        return summary, None
    if not isinstance(parsed, dict):
        return summary, None
    message = parsed.get("CommitMessage") or parsed.get("commitMessage")
    author = next(
        (str(parsed[k]) for k in ("AuthorName", "Author", "CommitAuthor") if parsed.get(k)), None
    )
    return (str(message) if message else None), author


def first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text and text.strip() else None


# ---------------------------------------------------------------- runtime stacks ---------------


@dataclass(frozen=True)
class ImageRef:
    uri: str
    repository: str | None
    region: str | None
    registry_id: str | None
    tag: str | None
    digest: str | None


def parse_image_uri(uri: str) -> ImageRef:
    match = _IMAGE_RE.match(uri.strip())
    if not match:
        return ImageRef(uri, None, None, None, None, None)
    host = _ECR_HOST_RE.match(match["registry"])
    return ImageRef(
        uri=uri,
        repository=match["repository"],
        region=host["region"] if host else None,
        registry_id=host["account"] if host else None,
        tag=match["tag"],
        digest=match["digest"],
    )


@dataclass
class Environment:
    """One runtime stack (stage × region) as deployed."""

    stage: str
    region: str
    stack_name: str
    deployed: bool
    function_name: str | None = None
    image: ImageRef | None = None
    image_digest: str | None = None
    alarm_name: str | None = None
    alarm_state: str | None = None
    alarm_since: datetime | None = None
    dlq_depth: int | None = None
    notes: list[str] = field(default_factory=list)


def read_environment(
    clients: AwsClients, stage: str, region: str, registry: AwsClients | None = None
) -> Environment:
    """``registry``: clients for the account holding the ECR repository (the pipeline's),
    when the stage lives in another account."""
    stack_name = runtime_stack_name(stage)
    outputs = clients.stack_outputs(stack_name, region, missing_ok=True)
    env = Environment(
        stage=stage, region=region, stack_name=stack_name, deployed=outputs is not None
    )
    if outputs is None:
        return env
    env.function_name = outputs.get(aws.OUT_FUNCTION_NAME)
    image_uri = outputs.get(aws.OUT_IMAGE_URI)
    if image_uri:
        env.image = parse_image_uri(image_uri)
        env.image_digest = env.image.digest or _resolve_digest(
            registry or clients, env.image, env.notes
        )
    env.alarm_name = outputs.get(aws.OUT_COMPOSITE_ALARM_NAME)
    if env.alarm_name:
        env.alarm_state, env.alarm_since = _alarm_state(clients, env.alarm_name, region)
    dlq_url = outputs.get(aws.OUT_DLQ_URL)
    if dlq_url:
        env.dlq_depth = queue_depth(clients, dlq_url, region)
    return env


def _resolve_digest(clients: AwsClients, image: ImageRef, notes: list[str]) -> str | None:
    """The digest behind an immutable tag, from ECR (a tag alone does not say what runs)."""
    if not (image.tag and image.repository and image.region):
        return None
    ecr = clients.client("ecr", image.region)
    params: dict[str, Any] = {
        "repositoryName": image.repository,
        "imageIds": [{"imageTag": image.tag}],
    }
    if image.registry_id:
        params["registryId"] = image.registry_id
    with aws.aws_call_errors(f"looking up image {image.repository}:{image.tag}"):
        try:
            details = ecr.describe_images(**params).get("imageDetails", [])
        except botocore.exceptions.ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code not in {"ImageNotFoundException", "RepositoryNotFoundException"}:
                raise
            notes.append(f"image tag {image.tag} is no longer in ECR ({code})")
            return None
    return str(details[0]["imageDigest"]) if details else None


def _alarm_state(
    clients: AwsClients, alarm_name: str, region: str
) -> tuple[str | None, datetime | None]:
    cloudwatch = clients.client("cloudwatch", region)
    with aws.aws_call_errors(f"reading alarm {alarm_name}"):
        response = cloudwatch.describe_alarms(
            AlarmNames=[alarm_name], AlarmTypes=["CompositeAlarm"]
        )
    alarms = response.get("CompositeAlarms", [])
    if not alarms:
        return "MISSING", None
    return alarms[0].get("StateValue"), _utc(alarms[0].get("StateUpdatedTimestamp"))


def queue_depth(clients: AwsClients, queue_url: str, region: str | None = None) -> int:
    sqs = clients.client("sqs", region)
    with aws.aws_call_errors(f"reading queue {queue_url}"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0))


def environment_regions(state: PipelineState, stage: str, default: str) -> list[str]:
    """Regions the pipeline deploys ``stage`` to, from its ``Deploy-<region>`` actions."""
    deploy = state.stage(DEPLOY_STAGES[stage])
    regions = deploy.regions() if deploy else []
    return regions or [default]


# ---------------------------------------------------------------- time -------------------------


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def format_time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else None


def format_age(value: datetime | None, now: datetime | None = None) -> str | None:
    """``3d 4h`` / ``2h 5m`` / ``42s``: how long ago, for "pending since" and "in dev for"."""
    if value is None:
        return None
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    if seconds < 0:
        return "0s"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def short_commit(commit: str | None) -> str | None:
    return commit[:12] if commit else None


def commit_matches(tag: str | None, commit: str | None) -> bool:
    """An image tag names a commit when one is a prefix (≥ 7 chars) of the other."""
    if not tag or not commit or min(len(tag), len(commit)) < 7:
        return False
    return commit.startswith(tag) or tag.startswith(commit)
