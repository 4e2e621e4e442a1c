"""Change sets for ``deploy-stack`` and ``deploy-pipeline``: create, show, confirm, execute, wait.

Why change sets rather than ``update-stack``: the operator (or the pipeline log) sees exactly
which resources are added, modified or replaced before anything happens, and a rollback trigger
(``RollbackConfiguration``) can be attached, which CodePipeline's own CloudFormation action
cannot do. Failures end with the stack events that explain them, oldest first, and a one-line
``CliError``.

Waiting is polling with an injectable ``Poller`` so tests run without sleeping.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TextIO, TypeVar

import botocore.exceptions

from gd2slack.errors import CliError, WaitTimedOut
from gd2slack.ops.aws import aws_call_errors
from gd2slack.ops.stack_events import failure_events, render_events
from gd2slack.prompt import confirm
from gd2slack.table import render_table

T = TypeVar("T")
ChangeSetType = Literal["CREATE", "UPDATE"]

TEMPLATE_BODY_LIMIT = 51_200  # bytes CloudFormation accepts inline (TemplateBody)
SUCCESS_STATES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
# A stack in one of these cannot take a change set; the message says what to do instead.
BLOCKED_STATES = {
    "ROLLBACK_COMPLETE": "its first create failed and was rolled back: delete it "
    "(aws cloudformation delete-stack --stack-name {name}) and deploy again",
    "ROLLBACK_FAILED": "its first create failed and could not roll back: delete it and retry",
    "CREATE_FAILED": "its first create failed: delete it and deploy again",
    "DELETE_FAILED": "a delete failed: finish deleting it first",
    "UPDATE_ROLLBACK_FAILED": "an update could not roll back: run "
    "'aws cloudformation continue-update-rollback --stack-name {name}' first",
}
NO_CHANGES_MARKERS = ("didn't contain changes", "No updates are to be performed")


@dataclass
class Poller:
    """Poll ``check`` until it returns a value; bounded by ``timeout`` seconds."""

    interval: float = 5.0
    timeout: float = 4 * 3600.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def until(self, check: Callable[[], T | None], what: str) -> T:
        deadline = self.clock() + self.timeout
        while True:
            result = check()
            if result is not None:
                return result
            if self.clock() >= deadline:
                raise WaitTimedOut(f"timed out after {self.timeout:.0f}s waiting for {what}")
            self.sleep(self.interval)


@dataclass(frozen=True)
class StackInfo:
    """What a deploy needs to know about the stack as it is now."""

    name: str
    status: str
    outputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)
    stack_id: str = ""


def describe_stack(cfn: Any, name: str) -> StackInfo | None:
    """The stack, or ``None`` when it does not exist."""
    with aws_call_errors(f"reading stack {name}"):
        try:
            stacks = cfn.describe_stacks(StackName=name)["Stacks"]
        except botocore.exceptions.ClientError as err:
            if "does not exist" in str(err.response.get("Error", {}).get("Message", "")):
                return None
            raise
    if not stacks:
        return None
    stack = stacks[0]
    return StackInfo(
        name=name,
        status=str(stack.get("StackStatus", "")),
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs") or []},
        parameters={
            p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters") or []
        },
        stack_id=str(stack.get("StackId", "")),
    )


def change_set_type(stack: StackInfo | None) -> ChangeSetType:
    """CREATE for a new stack (or one left in REVIEW_IN_PROGRESS by an unexecuted change set),
    UPDATE otherwise; a stack that cannot be changed now is a ``CliError`` saying why."""
    if stack is None or stack.status == "REVIEW_IN_PROGRESS":
        return "CREATE"
    if stack.status in BLOCKED_STATES:
        hint = BLOCKED_STATES[stack.status].format(name=stack.name)
        raise CliError(f"stack {stack.name} is {stack.status}: {hint}")
    if stack.status.endswith("_IN_PROGRESS"):
        raise CliError(
            f"stack {stack.name} is busy ({stack.status}): wait for it to finish, then retry"
        )
    return "UPDATE"


def capabilities_for(template: Mapping[str, Any]) -> list[str]:
    """CAPABILITY_NAMED_IAM when an IAM resource carries a name, CAPABILITY_IAM for unnamed
    IAM resources, CAPABILITY_AUTO_EXPAND for macros: exactly what the template needs."""
    named = {"RoleName", "PolicyName", "ManagedPolicyName", "UserName", "GroupName"}
    caps: set[str] = set()
    resources = template.get("Resources", {})
    for resource in resources.values() if isinstance(resources, Mapping) else ():
        kind = str(resource.get("Type", ""))
        if kind.startswith("AWS::IAM::"):
            props = resource.get("Properties", {}) or {}
            is_named = any(key in props for key in named) and kind != "AWS::IAM::Policy"
            caps.add("CAPABILITY_NAMED_IAM" if is_named else "CAPABILITY_IAM")
    if "Transform" in template:
        caps.add("CAPABILITY_AUTO_EXPAND")
    if "CAPABILITY_NAMED_IAM" in caps:
        caps.discard("CAPABILITY_IAM")
    return sorted(caps)


def template_argument(body: str, upload: Callable[[str], str] | None = None) -> dict[str, str]:
    """``TemplateBody`` when it fits, else ``TemplateURL`` from ``upload`` (or a ``CliError``)."""
    size = len(body.encode("utf-8"))
    if size <= TEMPLATE_BODY_LIMIT:
        return {"TemplateBody": body}
    if upload is None:
        raise CliError(
            f"the template is {size} bytes, over CloudFormation's {TEMPLATE_BODY_LIMIT}-byte "
            "inline limit: pass --template-bucket BUCKET (a bucket in this region you can write)"
        )
    return {"TemplateURL": upload(body)}


def s3_uploader(s3: Any, bucket: str, region: str, prefix: str) -> Callable[[str], str]:
    """Upload under a content-addressed key; CloudFormation reads it with the caller's rights."""

    def upload(body: str) -> str:
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
        key = f"{prefix}/{digest}.json"
        with aws_call_errors(f"uploading the template to s3://{bucket}/{key}"):
            s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
        suffix = ".cn" if region.startswith("cn-") else ""
        return f"https://{bucket}.s3.{region}.amazonaws.com{suffix}/{key}"

    return upload


# Creating and showing --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeSetPlan:
    """A created change set; ``empty`` means CloudFormation found nothing to change."""

    stack_name: str
    name: str
    change_set_id: str
    changes: list[dict[str, Any]]
    empty: bool = False
    reason: str = ""

    def touches(self, logical_id: str) -> bool:
        return any(
            c.get("ResourceChange", {}).get("LogicalResourceId") == logical_id for c in self.changes
        )


def new_change_set_name(prefix: str = "gd2slack") -> str:
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"


def _is_no_changes(text: str) -> bool:
    return any(marker in text for marker in NO_CHANGES_MARKERS)


def create_change_set(
    cfn: Any,
    *,
    stack_name: str,
    kind: ChangeSetType,
    template: Mapping[str, str],
    parameters: Sequence[Mapping[str, Any]],
    capabilities: Sequence[str],
    poller: Poller,
    rollback: Mapping[str, Any] | None = None,
    role_arn: str | None = None,
    description: str = "",
    tags: Sequence[Mapping[str, str]] = (),
) -> ChangeSetPlan:
    """Create the change set and wait until CloudFormation has computed it."""
    name = new_change_set_name()
    request: dict[str, Any] = {
        "StackName": stack_name,
        "ChangeSetName": name,
        "ChangeSetType": kind,
        "Parameters": list(parameters),
        "Capabilities": list(capabilities),
        **template,
    }
    if rollback is not None:
        request["RollbackConfiguration"] = dict(rollback)
    if role_arn:
        request["RoleARN"] = role_arn
    if description:
        request["Description"] = description[:1024]
    if tags:
        request["Tags"] = list(tags)
    with aws_call_errors(f"creating a change set for {stack_name}"):
        try:
            created = cfn.create_change_set(**request)
        except botocore.exceptions.ClientError as err:
            message = str(err.response.get("Error", {}).get("Message", ""))
            if _is_no_changes(message):  # some endpoints refuse up front instead of FAILED
                return ChangeSetPlan(stack_name, name, "", [], empty=True, reason=message)
            raise
    change_set_id = str(created["Id"])

    def computed() -> dict[str, Any] | None:
        with aws_call_errors(f"reading change set {name}"):
            described: dict[str, Any] = cfn.describe_change_set(
                ChangeSetName=change_set_id, StackName=stack_name
            )
        status = described.get("Status")
        return described if status in ("CREATE_COMPLETE", "FAILED") else None

    described = poller.until(computed, f"change set {name} to be computed")
    if described["Status"] == "FAILED":
        reason = str(described.get("StatusReason", ""))
        if _is_no_changes(reason):
            _delete_quietly(cfn, stack_name, change_set_id)
            return ChangeSetPlan(stack_name, name, change_set_id, [], empty=True, reason=reason)
        raise CliError(f"change set for {stack_name} failed: {reason or 'no reason given'}")
    changes = list(described.get("Changes", []))
    token = described.get("NextToken")
    while token:
        with aws_call_errors(f"reading change set {name}"):
            page = cfn.describe_change_set(
                ChangeSetName=change_set_id, StackName=stack_name, NextToken=token
            )
        changes += page.get("Changes", [])
        token = page.get("NextToken")
    return ChangeSetPlan(stack_name, name, change_set_id, changes)


def _delete_quietly(cfn: Any, stack_name: str, change_set_id: str) -> None:
    """Remove an unneeded change set; failing to is not worth failing the deploy for."""
    with contextlib.suppress(botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError):
        cfn.delete_change_set(ChangeSetName=change_set_id, StackName=stack_name)


def discard(cfn: Any, plan: ChangeSetPlan) -> None:
    if plan.change_set_id:
        _delete_quietly(cfn, plan.stack_name, plan.change_set_id)


def render_changes(changes: Iterable[Mapping[str, Any]]) -> str:
    """Action, logical id, type, replacement: the four things a reviewer looks for."""
    rows = []
    for change in changes:
        rc = change.get("ResourceChange", {})
        action = rc.get("Action", "?")
        replacement = rc.get("Replacement") if action == "Modify" else None
        rows.append(
            (action, rc.get("LogicalResourceId"), rc.get("ResourceType"), replacement or "-")
        )
    if not rows:
        return "  (no resource changes listed)"
    return render_table(("Action", "Logical id", "Type", "Replacement"), rows, indent="  ")


# Executing and waiting --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    succeeded: bool


def review_and_execute(
    cfn: Any,
    plan: ChangeSetPlan,
    *,
    heading: str,
    assume_yes: bool,
    poller: Poller,
    wait: bool,
) -> Outcome | None:
    """Show the change set under ``heading``, ask (or ``--yes``), then execute it; ``None`` when
    it holds no changes. A "no" deletes the change set and is an error: nothing was deployed."""
    if plan.empty:
        return None
    print(heading)
    print(render_changes(plan.changes))
    if not confirm(
        f"execute change set {plan.name}?",
        assume_yes=assume_yes,
        refusal="review the change set above and rerun with --yes to execute it",
    ):
        discard(cfn, plan)
        raise CliError(f"not executed; change set {plan.name} deleted")
    return execute(cfn, plan, poller=poller, wait=wait)


def execute(
    cfn: Any,
    plan: ChangeSetPlan,
    *,
    poller: Poller,
    wait: bool = True,
    err: TextIO | None = None,
) -> Outcome:
    """Execute and (if ``wait``) wait for a final stack state.

    The change set's ``ExecutionStatus`` says when CloudFormation is done with it (a stack
    status read too early still shows the previous deploy's ``UPDATE_COMPLETE``); the stack
    status then says whether it succeeded or rolled back. On failure, the failed events of this
    operation (matched by its client request token) are written to ``err`` and a ``CliError``
    is raised.
    """
    token = f"gd2slack-{uuid.uuid4().hex}"
    started = datetime.now(UTC)
    with aws_call_errors(f"executing change set {plan.name}"):
        cfn.execute_change_set(
            ChangeSetName=plan.change_set_id,
            StackName=plan.stack_name,
            ClientRequestToken=token,
        )
    if not wait:
        return Outcome("EXECUTE_IN_PROGRESS", True)

    def executed() -> str | None:
        with aws_call_errors(f"reading change set {plan.name}"):
            try:
                described = cfn.describe_change_set(
                    ChangeSetName=plan.change_set_id, StackName=plan.stack_name
                )
            except botocore.exceptions.ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ChangeSetNotFound":
                    return "GONE"  # a rolled-back create can take its change sets with it
                raise
        status = str(described.get("ExecutionStatus", ""))
        return None if status in ("AVAILABLE", "EXECUTE_IN_PROGRESS", "UNAVAILABLE") else status

    poller.until(executed, f"change set {plan.name} to finish executing")

    def settled() -> str | None:
        with aws_call_errors(f"reading stack {plan.stack_name}"):
            stacks = cfn.describe_stacks(StackName=plan.stack_name)["Stacks"]
        status = str(stacks[0]["StackStatus"])
        return None if status.endswith("_IN_PROGRESS") else status

    status = poller.until(settled, f"stack {plan.stack_name} to settle")
    if status in SUCCESS_STATES:
        return Outcome(status, True)
    events = failure_events(cfn, plan.stack_name, token=token, since=started)
    stream = err if err is not None else sys.stderr
    if events:
        print(f"{plan.stack_name}: what failed (oldest first):", file=stream)
        print(render_events(events), file=stream)
    first = next((e for e in events if e.get("ResourceStatusReason")), None)
    reason = f": {first['LogicalResourceId']}: {first['ResourceStatusReason']}" if first else ""
    raise CliError(f"stack {plan.stack_name} ended {status}{reason}")
