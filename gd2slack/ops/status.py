"""Collect what runs where: pipeline stages, each environment's image and alarm, the pending
approval, the dead-letter queues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.constants import STAGES
from gd2slack.ops import pipeline_state as ps
from gd2slack.ops.aws import AwsClients


@dataclass
class EnvironmentView:
    env: ps.Environment
    revision: ps.Revision | None
    commit: str | None
    message: str | None
    author: str | None


@dataclass
class StatusReport:
    pipeline: ps.PipelineState
    region: str
    approval: ps.PendingApproval | None
    approval_revision: ps.Revision | None
    environments: list[EnvironmentView]


def collect(
    clients: AwsClients,
    stages: tuple[str, ...] = STAGES,
    *,
    prod_clients: AwsClients | None = None,
) -> StatusReport:
    """Everything status shows; ``prod_clients`` reads prod's stacks in its own account."""
    name = ps.pipeline_name(clients)
    state = ps.read_pipeline_state(clients, name)
    revisions: dict[str, ps.Revision] = {}

    def revision(execution_id: str | None) -> ps.Revision | None:
        if not execution_id:
            return None
        if execution_id not in revisions:
            revisions[execution_id] = ps.read_revision(clients, name, execution_id)
        return revisions[execution_id]

    environments = []
    for stage in stages:
        deploy = state.stage(ps.DEPLOY_STAGES[stage])
        for region in ps.environment_regions(state, stage, clients.region):
            if stage == "prod" and prod_clients is not None:
                env = ps.read_environment(prod_clients, stage, region, registry=clients)
            else:
                env = ps.read_environment(clients, stage, region)
            if not env.deployed and stage == "prod" and prod_clients is None:
                env.notes.append("no stack here: if prod is in another account, add --prod-profile")
            environments.append(_view(env, revision(deploy.execution_id) if deploy else None))
    approval = ps.pending_approval(state)
    return StatusReport(
        pipeline=state,
        region=clients.region,
        approval=approval,
        approval_revision=revision(approval.execution_id) if approval else None,
        environments=environments,
    )


def _view(env: ps.Environment, revision: ps.Revision | None) -> EnvironmentView:
    """Pair what runs (the image tag is the commit id) with the deploy stage's last execution;
    when they disagree (a failed or rolled-back deployment) the image is the truth."""
    if not env.deployed:
        return EnvironmentView(env, None, None, None, None)
    tag = env.image.tag if env.image else None
    if revision and (tag is None or ps.commit_matches(tag, revision.commit)):
        return EnvironmentView(env, revision, revision.commit, revision.message, revision.author)
    if revision:
        env.notes.append(
            f"image tag {tag} is not the commit of the last {ps.DEPLOY_STAGES[env.stage]} "
            f"execution ({revision.execution_id[:8]}, {revision.execution_status}, "
            f"{ps.short_commit(revision.commit)})"
        )
    return EnvironmentView(env, None, tag, None, None)


def to_json(report: StatusReport) -> dict[str, Any]:
    def time(value: Any) -> str | None:
        return value.isoformat() if value else None

    approval = report.approval
    return {
        "pipeline": report.pipeline.name,
        "region": report.region,
        "stages": [
            {
                "name": s.name,
                "status": s.status,
                "changedAt": time(s.changed_at),
                "executionId": s.execution_id,
                "executionType": s.execution_type,
                "actions": [
                    {
                        "name": a.name,
                        "status": a.status,
                        "changedAt": time(a.changed_at),
                        "summary": a.summary,
                        "error": a.error,
                    }
                    for a in s.actions
                ],
            }
            for s in ordered(report.pipeline.stages)
        ],
        "approval": None
        if approval is None
        else {
            "pending": True,
            "since": time(approval.since),
            "executionId": approval.execution_id,
            "commit": report.approval_revision.commit if report.approval_revision else None,
        },
        "environments": [
            {
                "stage": v.env.stage,
                "region": v.env.region,
                "stack": v.env.stack_name,
                "deployed": v.env.deployed,
                "functionName": v.env.function_name,
                "commit": v.commit,
                "author": v.author,
                "message": v.message,
                "imageUri": v.env.image.uri if v.env.image else None,
                "imageDigest": v.env.image_digest,
                "alarm": {
                    "name": v.env.alarm_name,
                    "state": v.env.alarm_state,
                    "since": time(v.env.alarm_since),
                },
                "dlqDepth": v.env.dlq_depth,
                "notes": v.env.notes,
            }
            for v in report.environments
        ],
    }


def ordered(stages: tuple[ps.StageState, ...]) -> list[ps.StageState]:
    known = {name: i for i, name in enumerate(ps.STAGE_ORDER)}
    return sorted(stages, key=lambda s: known.get(s.name, len(known)))
