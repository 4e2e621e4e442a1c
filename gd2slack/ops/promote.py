"""Find the execution waiting at the prod approval, what it would ship and how dev did with it,
and answer the approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import botocore.exceptions

from gd2slack.errors import CliError
from gd2slack.ops import aws
from gd2slack.ops import pipeline_state as ps
from gd2slack.ops.aws import AwsClients

EXIT_NOTHING_PENDING = 3
EXIT_REFUSED = 4
MAX_SUMMARY = 512  # CodePipeline's ApprovalSummary limit


@dataclass
class Candidate:
    approval: ps.PendingApproval
    revision: ps.Revision
    dev: list[ps.Environment]
    smoke: str
    in_dev_since: datetime | None


def find_candidate(clients: AwsClients) -> Candidate:
    name = ps.pipeline_name(clients)
    state = ps.read_pipeline_state(clients, name)
    approval = ps.pending_approval(state)
    if approval is None:
        stage = state.stage(ps.APPROVAL_STAGE)
        where = f" (ApproveProd: {stage.status or 'never run'})" if stage else ""
        raise CliError(f"nothing is waiting for approval in {name}{where}", EXIT_NOTHING_PENDING)
    if not approval.execution_id:
        raise CliError(f"the approval in {name} names no pipeline execution; see the console")
    revision = ps.read_revision(clients, name, approval.execution_id)
    dev = [
        ps.read_environment(clients, "dev", region)
        for region in ps.environment_regions(state, "dev", clients.region)
    ]
    return Candidate(
        approval=approval,
        revision=revision,
        dev=dev,
        smoke=smoke_result(state, approval.execution_id),
        in_dev_since=deployed_at(state, approval.execution_id),
    )


def decide(
    clients: AwsClients, approval: ps.PendingApproval, *, reject: bool, comment: str | None
) -> None:
    status = "Rejected" if reject else "Approved"
    summary = comment or f"{status} with gd2slack promote"
    client = clients.client("codepipeline")
    with aws.aws_call_errors(f"answering {approval.action}"):
        try:
            client.put_approval_result(
                pipelineName=approval.pipeline,
                stageName=approval.stage,
                actionName=approval.action,
                result={"summary": summary, "status": status},
                token=approval.token,
            )
        except botocore.exceptions.ClientError as err:
            code = err.response.get("Error", {}).get("Code")
            if code == "ApprovalAlreadyCompletedException":
                raise CliError(
                    "this approval was already answered (approved or rejected) meanwhile: "
                    "run 'gd2slack status'"
                ) from None
            if code == "InvalidApprovalTokenException":
                raise CliError(
                    "the approval token is no longer valid (answered, expired after 7 days, or "
                    "superseded by a newer execution): run 'gd2slack status'"
                ) from None
            raise


def smoke_result(state: ps.PipelineState, execution_id: str) -> str:
    test = state.stage(ps.TEST_STAGES["dev"])
    if test is None or test.execution_id != execution_id:
        return "not run for this execution"
    smokes = [a for a in test.actions if a.name.startswith(ps.SMOKE_ACTION_PREFIX)]
    detail = ", ".join(f"{a.name}: {a.status or '?'}" for a in smokes)
    return f"{test.status or '?'}" + (f" ({detail})" if detail else "")


def deployed_at(state: ps.PipelineState, execution_id: str) -> datetime | None:
    deploy = state.stage(ps.DEPLOY_STAGES["dev"])
    if deploy is None or deploy.execution_id != execution_id or deploy.status != "Succeeded":
        return None
    return deploy.changed_at
