"""``gd2slack status``: one screen that answers "what is deployed, and is it healthy?".

Each pipeline stage with its latest status and time; the commit (id, message, author) and image
digest running in dev and prod; whether the prod approval is waiting and since when; per stage
and region the composite alarm (the rollback trigger) and the DLQ depth. Everything is read from
the stacks' outputs and CodePipeline, never from hand-copied names.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from typing import Any

from gd2slack.ops import aws
from gd2slack.ops import pipeline_state as ps
from gd2slack.ops.aws import AwsClients, clients_from_args
from gd2slack.table import render_table


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


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "status",
        help="pipeline stages, what runs in dev and prod, pending approval, alarms, DLQs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    aws.add_aws_arguments(parser, stage=False)
    parser.add_argument(
        "--stage", choices=aws.STAGES, help="show only this stage's environments (default: all)"
    )
    parser.add_argument(
        "--prod-profile",
        help="profile for the prod account when prod is deployed cross-account "
        "(default: --profile)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    clients = clients_from_args(args)
    stages = (args.stage,) if getattr(args, "stage", None) else aws.STAGES
    prod = None
    if getattr(args, "prod_profile", None):
        prod_args = argparse.Namespace(profile=args.prod_profile, region=clients.region)
        prod = clients_from_args(prod_args)
    report = collect(clients, stages, prod_clients=prod)
    print(json.dumps(to_json(report), indent=2) if args.json else render(report))
    return 0


def collect(
    clients: AwsClients,
    stages: tuple[str, ...] = aws.STAGES,
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


def render(report: StatusReport) -> str:
    lines = [f"Pipeline {report.pipeline.name} ({report.region})", ""]
    stage_rows: list[list[object]] = []
    for stage in _ordered(report.pipeline.stages):
        failed = next((a for a in stage.actions if a.status == "Failed"), None)
        note = f"{failed.name}: {failed.error or failed.summary or 'failed'}" if failed else None
        if stage.execution_type == "ROLLBACK":
            note = "rollback" + (f"; {note}" if note else "")
        stage_rows.append(
            [
                stage.name,
                stage.status or "never run",
                ps.format_time(stage.changed_at),
                stage.execution_id[:8] if stage.execution_id else None,
                note,
            ]
        )
    lines.append(render_table(["STAGE", "STATUS", "CHANGED", "EXECUTION", "NOTE"], stage_rows))
    lines += ["", _approval_line(report), ""]
    env_rows: list[list[object]] = []
    notes: list[str] = []
    for view in report.environments:
        env = view.env
        notes += [f"{env.stage} {env.region}: {note}" for note in env.notes]
        if not env.deployed:
            env_rows.append([env.stage, env.region, "not deployed", *[None] * 5])
            continue
        env_rows.append(
            [
                env.stage,
                env.region,
                ps.short_commit(view.commit),
                view.author,
                ps.first_line(view.message),
                _short_digest(env.image_digest),
                _alarm_text(env),
                env.dlq_depth,
            ]
        )
    headers = ["STAGE", "REGION", "COMMIT", "AUTHOR", "MESSAGE", "IMAGE", "ALARM", "DLQ"]
    lines.append(render_table(headers, env_rows, max_width=50, right_align=[7]))
    if notes:
        lines += ["", *(f"note: {n}" for n in notes)]
    return "\n".join(lines)


def _ordered(stages: tuple[ps.StageState, ...]) -> list[ps.StageState]:
    known = {name: i for i, name in enumerate(ps.STAGE_ORDER)}
    return sorted(stages, key=lambda s: known.get(s.name, len(known)))


def _approval_line(report: StatusReport) -> str:
    approval = report.approval
    if approval is None:
        return "Approval: none pending"
    revision = report.approval_revision
    what = ""
    if revision and revision.commit:
        message = ps.first_line(revision.message)
        what = f" for {ps.short_commit(revision.commit)}" + (f' "{message}"' if message else "")
    since = ps.format_time(approval.since)
    age = ps.format_age(approval.since)
    when = f" since {since} ({age})" if since else ""
    return f"Approval: PENDING{when}{what}: review, then run 'gd2slack promote'"


def _alarm_text(env: ps.Environment) -> str | None:
    if env.alarm_state is None:
        return None
    since = ps.format_age(env.alarm_since)
    return f"{env.alarm_state} ({since})" if since and env.alarm_state != "OK" else env.alarm_state


def _short_digest(digest: str | None) -> str | None:
    return digest[: len("sha256:") + 12] if digest else None


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
            for s in _ordered(report.pipeline.stages)
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
