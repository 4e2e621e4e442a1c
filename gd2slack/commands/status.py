"""``gd2slack status``: one screen that answers "what is deployed, and is it healthy?".

Each pipeline stage with its latest status and time; the commit (id, message, author) and image
digest running in dev and prod; whether the prod approval is waiting and since when; per stage
and region the composite alarm (the rollback trigger) and the DLQ depth. Everything is read from
the stacks' outputs and CodePipeline, never from hand-copied names.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.constants import STAGES
from gd2slack.commands import add_command
from gd2slack.ops import pipeline_state as ps
from gd2slack.ops.aws import clients_from_args
from gd2slack.ops.status import StatusReport, collect, ordered, to_json
from gd2slack.table import render_table


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "status",
        help="pipeline stages, what runs in dev and prod, pending approval, alarms, DLQs",
        run=run,
        doc=__doc__,
        aws_arguments="account",
    )
    parser.add_argument(
        "--stage", choices=STAGES, help="show only this stage's environments (default: all)"
    )
    parser.add_argument(
        "--prod-profile",
        help="profile for the prod account when prod is deployed cross-account "
        "(default: --profile)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def run(args: argparse.Namespace) -> int:
    clients = clients_from_args(args)
    stages = (args.stage,) if getattr(args, "stage", None) else STAGES
    prod = None
    if getattr(args, "prod_profile", None):
        prod_args = argparse.Namespace(profile=args.prod_profile, region=clients.region)
        prod = clients_from_args(prod_args)
    report = collect(clients, stages, prod_clients=prod)
    print(json.dumps(to_json(report), indent=2) if args.json else render(report))
    return 0


def render(report: StatusReport) -> str:
    lines = [f"Pipeline {report.pipeline.name} ({report.region})", ""]
    stage_rows: list[list[object]] = []
    for stage in ordered(report.pipeline.stages):
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
