"""Create or update the pipeline stack: synthesize for the regions and alarms found, lint the
exact text, change set, execute, and restart the pipeline on its new definition if it changed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from app.constants import PIPELINE_STACK_NAME, STAGES, runtime_stack_name
from gd2slack.errors import CliError
from gd2slack.ops import aws, template_lint
from gd2slack.ops import changesets as cs
from gd2slack.ops.aws import AwsClients
from gd2slack.ops.parameters import resolve_parameters
from pipeline.config import PIPELINE_NAME, PipelineConfig, parse_regions

SOURCE_ACTION = "Source"
PIPELINE_LOGICAL_ID = "Pipeline"
OUT_DEPLOY_REGIONS = "DeployRegions"
OUT_CONSOLE_URL = "PipelineConsoleUrl"
PARAMETER_HINTS = {
    "ConnectionArn": "--connection-arn ARN",
    "FullRepositoryId": "--repo owner/name",
}
_CONNECTION_RE = re.compile(
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[A-Za-z0-9-]+$"
)
_REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class PipelineOptions:
    connection_arn: str | None = None
    repo: str | None = None
    branch: str | None = None
    regions: str | None = None
    prod_account_role_arn: str | None = None
    approval_topic_arn: str | None = None
    dev_webhook_secret: str | None = None
    prod_webhook_secret: str | None = None
    assume_yes: bool = False
    cfn_role_arn: str | None = None
    template_bucket: str | None = None
    restart_execution: str | None = None
    source_revision: str | None = None
    lint: bool = False


def _validate(options: PipelineOptions) -> None:
    if options.connection_arn is not None and not _CONNECTION_RE.match(options.connection_arn):
        raise CliError(
            f"--connection-arn {options.connection_arn!r} is not a CodeConnections connection ARN"
        )
    if options.repo is not None and not _REPO_RE.match(options.repo):
        raise CliError(f"--repo {options.repo!r}: expected owner/name")


def deploy_regions(
    options: PipelineOptions, stack: cs.StackInfo | None, home: str
) -> tuple[str, ...]:
    """``--regions``, else the regions the pipeline already deploys to, else its own region."""
    text = options.regions or (stack.outputs.get(OUT_DEPLOY_REGIONS) if stack else None) or home
    try:
        return parse_regions(text)
    except ValueError as err:
        raise CliError(f"--regions: {err}") from None


def composite_alarms(clients: AwsClients, regions: tuple[str, ...]) -> dict[tuple[str, str], str]:
    """``(stage, region) → CompositeAlarmName`` for the runtime stacks that exist."""
    found: dict[tuple[str, str], str] = {}
    for stage in STAGES:
        for region in regions:
            outputs = clients.stack_outputs(runtime_stack_name(stage), region, missing_ok=True)
            name = (outputs or {}).get(aws.OUT_COMPOSITE_ALARM_NAME)
            if name:
                found[(stage, region)] = name
            else:
                print(f"note: no alarm condition for {stage} in {region} yet (stack not deployed)")
    return found


def synthesize(
    regions: tuple[str, ...], alarms: dict[tuple[str, str], str], home: str
) -> tuple[str, dict[str, Any]]:
    """Minified template text (what CloudFormation receives) and the parsed template."""
    try:
        # troposphere is needed only here: imported on use, not at CLI start.
        from pipeline import pipeline as pipeline_module  # noqa: PLC0415
    except ModuleNotFoundError as err:
        raise CliError(
            f"cannot synthesize the pipeline ({err.name} is missing): install the development "
            "dependencies (pip install -e '.[dev]')"
        ) from None
    config = PipelineConfig.create(regions, alarms, home_region=home)
    template: dict[str, Any] = json.loads(pipeline_module.to_json(config))
    return json.dumps(template, separators=(",", ":"), sort_keys=True), template


def lint_deployed(body: str) -> None:
    """The template CloudFormation is about to receive, linted as is (not a ``synth`` copy)."""
    problems = template_lint.problems(body)
    if problems:
        shown = "; ".join(problems[:5]) + (
            f"; +{len(problems) - 5} more" if len(problems) > 5 else ""
        )
        raise CliError(f"pipeline template fails lint ({len(problems)} problems): {shown}")
    print("pipeline template: cfn-lint and checkov clean")


def deploy_pipeline(
    clients: AwsClients, options: PipelineOptions, *, poller: cs.Poller | None = None
) -> int:
    poller = poller or cs.Poller()
    _validate(options)
    home = clients.region
    stack_name = PIPELINE_STACK_NAME
    cfn = clients.client("cloudformation")
    stack = cs.describe_stack(cfn, stack_name)
    kind = cs.change_set_type(stack)

    regions = deploy_regions(options, stack, home)
    alarms = composite_alarms(clients, regions)
    body, template = synthesize(regions, alarms, home)
    if options.lint:
        lint_deployed(body)

    explicit = {
        key: value
        for key, value in (
            ("ConnectionArn", options.connection_arn),
            ("FullRepositoryId", options.repo),
            ("BranchName", options.branch),
            ("ProdAccountRoleArn", options.prod_account_role_arn),
            ("ApprovalTopicArn", options.approval_topic_arn),
            ("DevWebhookSecretArn", options.dev_webhook_secret),
            ("ProdWebhookSecretArn", options.prod_webhook_secret),
        )
        if value is not None
    }
    parameters = resolve_parameters(
        template.get("Parameters", {}),
        explicit,
        stack.parameters if kind == "UPDATE" and stack else None,
        hints=PARAMETER_HINTS,
    )
    bucket = options.template_bucket or (
        stack.outputs.get(aws.OUT_ARTIFACT_BUCKET) if stack else None
    )
    upload = (
        cs.s3_uploader(clients.client("s3"), bucket, home, "templates/pipeline") if bucket else None
    )
    plan = cs.create_change_set(
        cfn,
        stack_name=stack_name,
        kind=kind,
        template=cs.template_argument(body, upload),
        parameters=parameters,
        capabilities=cs.capabilities_for(template),
        poller=poller,
        role_arn=options.cfn_role_arn,
        description=f"gd2slack deploy-pipeline, regions {','.join(regions)}",
    )
    outcome = cs.review_and_execute(
        cfn,
        plan,
        heading=f"{kind} {stack_name} in {home}, deploying to {', '.join(regions)}:",
        assume_yes=options.assume_yes,
        poller=poller,
        wait=True,
    )
    if outcome is None:
        print(f"{stack_name} in {home}: no changes (regions {', '.join(regions)})")
        return 0
    print(f"{stack_name} in {home}: {outcome.status}")
    outputs = (cs.describe_stack(cfn, stack_name) or cs.StackInfo(stack_name, "")).outputs
    for key in (aws.OUT_PIPELINE_NAME, aws.OUT_ECR_REPOSITORY_URI, OUT_CONSOLE_URL):
        if key in outputs:
            print(f"  {key}: {outputs[key]}")
    if options.restart_execution and plan.touches(PIPELINE_LOGICAL_ID):
        restart(clients, outputs, options.restart_execution, options.source_revision)
    return 0


def restart(
    clients: AwsClients, outputs: dict[str, str], execution_id: str, revision: str | None
) -> None:
    """Start the updated pipeline on the same commit, then stop the running (old) execution.

    Start first: if stopping fails, the old run finishes and the queued new one still runs
    (QUEUED mode), so the release is never left without a run on the new definition.
    """
    name = outputs.get(aws.OUT_PIPELINE_NAME, PIPELINE_NAME)
    codepipeline = clients.client("codepipeline")
    request: dict[str, Any] = {"name": name}
    if revision:
        request["sourceRevisions"] = [
            {"actionName": SOURCE_ACTION, "revisionType": "COMMIT_ID", "revisionValue": revision}
        ]
    with aws.aws_call_errors(f"starting pipeline {name}"):
        started = codepipeline.start_pipeline_execution(**request)["pipelineExecutionId"]
    print(f"pipeline definition changed: started execution {started} on the new definition")
    try:
        with aws.aws_call_errors(f"stopping execution {execution_id}"):
            codepipeline.stop_pipeline_execution(
                pipelineName=name,
                pipelineExecutionId=execution_id,
                abandon=False,
                reason=f"pipeline definition updated; continued in execution {started}",
            )
    except CliError as err:
        print(f"warning: {err} (it will finish on the old definition; {started} runs after it)")
        return
    print(f"stopping execution {execution_id} (superseded by {started})")
