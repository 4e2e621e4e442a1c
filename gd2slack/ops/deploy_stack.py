"""Deploy one stage's runtime stack: image check in the region's ECR, a change set carrying the
stage's composite alarm as rollback trigger, execute, wait, and the events that explain a
failure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.exceptions

from app.constants import runtime_stack_name
from gd2slack.errors import CliError, WaitTimedOut
from gd2slack.ops import aws
from gd2slack.ops import changesets as cs
from gd2slack.ops.aws import AwsClients
from gd2slack.ops.parameters import resolve_parameters
from pipeline.imagedetail import EcrImage

COMPOSITE_ALARM_TYPE = "AWS::CloudWatch::CompositeAlarm"
MAX_MONITORING_MINUTES = 180  # CloudFormation's limit
PARAMETER_HINTS = {"WebhookSecretArn": "--webhook-secret ARN"}


@dataclass(frozen=True)
class DeployOptions:
    stage: str
    image_uri: str
    wait: bool = False
    monitoring_minutes: int = 10
    template_path: Path | None = None
    webhook_secret: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    assume_yes: bool = False
    cfn_role_arn: str | None = None
    image_wait_minutes: float = 10.0
    check_image: bool = True
    rollback_trigger: bool = True
    check_alarm: bool = True


# Template and parameters ------------------------------------------------------------------------


def load_template(path: Path | None) -> str:
    """The template text: the given file, or ``stack.runtime`` synthesized in-process."""
    if path is None:
        try:
            # troposphere is needed only here: imported on use, not at CLI start.
            from stack import to_json  # noqa: PLC0415
        except ModuleNotFoundError as err:
            raise CliError(
                f"cannot synthesize the runtime stack ({err.name} is missing): pass --template "
                "or install the development dependencies"
            ) from None
        return to_json()
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror}") from None


def parse_template(text: str, where: str) -> dict[str, Any]:
    try:
        template = json.loads(text)
    except json.JSONDecodeError as err:
        raise CliError(f"{where} is not JSON: {err}") from None
    if not isinstance(template, dict) or "Resources" not in template:
        raise CliError(f"{where} is not a CloudFormation template (no Resources)")
    return template


def deployment_id(template_text: str, values: dict[str, str]) -> str:
    """Stable for identical inputs, different when anything changes: a configuration-only
    change still publishes a new Lambda version (the runtime stack's ``DeploymentId``), and an
    unchanged redeploy stays an empty change set."""
    digest = hashlib.sha256(template_text.encode("utf-8"))
    digest.update(json.dumps(values, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]


# Image check ------------------------------------------------------------------------------------


def check_image(clients: AwsClients, uri: str, region: str, poller: cs.Poller) -> None:
    """The image must be in ``region``'s ECR: Lambda pulls nowhere else. A replica may still be
    on its way (replication takes seconds to minutes), so absence is retried until the poller's
    timeout."""
    try:
        image = EcrImage.parse(uri)
    except ValueError as err:
        raise CliError(str(err)) from None
    if image.region != region:
        raise CliError(
            f"image {uri} is in {image.region}'s registry but the stack is in {region}: Lambda "
            f"pulls only from its own region (use {image.in_region(region).uri})"
        )
    ecr = clients.client("ecr", region)
    image_id = {"imageDigest": image.digest} if image.digest else {"imageTag": image.tag}
    absent = ("ImageNotFoundException", "RepositoryNotFoundException")
    last = ""

    def present() -> bool | None:
        nonlocal last
        with aws.aws_call_errors(f"looking up image {uri}"):
            try:
                ecr.describe_images(
                    registryId=image.account,
                    repositoryName=image.repository,
                    imageIds=[image_id],
                )
            except botocore.exceptions.ClientError as err:
                code = str(err.response.get("Error", {}).get("Code", ""))
                if code in absent:
                    last = code
                    return None
                raise
        return True

    # Only running out of time means "not found": a denied or failed lookup surfaces as it is.
    try:
        poller.until(present, f"image {uri}")
    except WaitTimedOut:
        raise CliError(
            f"image {uri} not found in {region} ({last}) after {poller.timeout / 60:.0f} min: "
            "check the digest, or ECR replication to this region"
        ) from None


# Deploy -----------------------------------------------------------------------------------------


def refuse_if_in_alarm(clients: AwsClients, alarm_arn: str, stage: str) -> None:
    """A stage already in ALARM (a stale DLQ, say) would roll this deploy back as soon as it
    finishes, the fix included: say so before changing anything."""
    name = alarm_arn.split(":alarm:", 1)[-1]
    region = alarm_arn.split(":")[3] or None
    with aws.aws_call_errors(f"reading alarm {name}"):
        alarms = clients.client("cloudwatch", region).describe_alarms(
            AlarmNames=[name], AlarmTypes=["CompositeAlarm"]
        )["CompositeAlarms"]
    if alarms and alarms[0].get("StateValue") == "ALARM":
        raise CliError(
            f"{name} is already in ALARM ({alarms[0].get('StateReason', 'no reason given')}): "
            "this deploy would roll back when it finishes. Clear the cause first (a non-empty "
            f"DLQ: gd2slack redrive --stage {stage}), or ship a fix with --no-rollback-trigger"
        )


def deploy(
    clients: AwsClients,
    options: DeployOptions,
    *,
    poller: cs.Poller | None = None,
    image_poller: cs.Poller | None = None,
) -> int:
    poller = poller or cs.Poller()
    region = clients.region
    stack_name = runtime_stack_name(options.stage)
    template_text = load_template(options.template_path)
    template = parse_template(template_text, str(options.template_path or "stack.runtime"))
    declared: dict[str, Any] = template.get("Parameters", {}) or {}

    if options.check_image:
        check_image(
            clients,
            options.image_uri,
            region,
            image_poller or cs.Poller(interval=15.0, timeout=options.image_wait_minutes * 60),
        )

    cfn = clients.client("cloudformation")
    stack = cs.describe_stack(cfn, stack_name)
    kind = cs.change_set_type(stack)
    previous = stack.parameters if kind == "UPDATE" and stack else None

    explicit = dict(options.parameters)
    explicit["Stage"] = options.stage
    explicit["ImageUri"] = options.image_uri
    if options.webhook_secret:
        explicit["WebhookSecretArn"] = options.webhook_secret
    if "DeploymentId" in declared and "DeploymentId" not in explicit:
        effective = {**(previous or {}), **explicit}
        effective.pop("DeploymentId", None)
        explicit["DeploymentId"] = deployment_id(template_text, effective)
    parameters = resolve_parameters(declared, explicit, previous, hints=PARAMETER_HINTS)

    rollback: dict[str, Any] | None = None
    alarm_arn = stack.outputs.get(aws.OUT_COMPOSITE_ALARM_ARN) if stack else None
    if not options.rollback_trigger:
        # An empty trigger list also clears triggers saved by earlier deploys.
        rollback = {"RollbackTriggers": [], "MonitoringTimeInMinutes": 0}
        print("rollback trigger: disabled (--no-rollback-trigger)")
    elif kind == "CREATE":
        print(
            f"first deploy of {stack_name}: no rollback trigger (its composite alarm is created "
            "by this deploy; later deploys watch it)"
        )
    elif alarm_arn:
        if options.check_alarm:
            refuse_if_in_alarm(clients, alarm_arn, options.stage)
        rollback = {
            "RollbackTriggers": [{"Arn": alarm_arn, "Type": COMPOSITE_ALARM_TYPE}],
            "MonitoringTimeInMinutes": options.monitoring_minutes,
        }
        print(
            f"rollback trigger: {alarm_arn} (monitored for {options.monitoring_minutes} min "
            "after the update)"
        )
    else:
        print(
            f"warning: {stack_name} has no {aws.OUT_COMPOSITE_ALARM_ARN} output: deploying "
            "without a rollback trigger"
        )

    plan = cs.create_change_set(
        cfn,
        stack_name=stack_name,
        kind=kind,
        template=cs.template_argument(template_text),
        parameters=parameters,
        capabilities=cs.capabilities_for(template),
        poller=poller,
        rollback=rollback,
        role_arn=options.cfn_role_arn,
        description=f"gd2slack deploy-stack {options.image_uri}",
    )
    outcome = cs.review_and_execute(
        cfn,
        plan,
        heading=f"{kind} {stack_name} in {region}, image {options.image_uri}:",
        assume_yes=options.assume_yes,
        poller=poller,
        wait=options.wait,
    )
    if outcome is None:
        print(f"{stack_name} in {region}: no changes, nothing to deploy")
        return 0
    if not options.wait:
        print(
            f"executing change set {plan.name}; follow it with: aws cloudformation "
            f"describe-stack-events --stack-name {stack_name} --region {region}"
        )
        return 0
    print(f"{stack_name} in {region}: {outcome.status}")
    return 0
