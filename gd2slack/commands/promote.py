"""``gd2slack promote``: approve (or reject) the dev → prod promotion waiting in the pipeline.

Shows what would go to prod (commit, image digest, the dev smoke test's result, how long it has
run in dev, dev's alarm and DLQ), asks, and answers the ``ApproveProd`` manual approval with its
token. Exit codes: 0 done; 1 error or declined; 2 usage (no TTY to ask on, comment too long);
3 nothing is waiting for approval; 4 refused because a dev composite alarm is in ALARM (pass
``--force`` after you have looked at why).
"""

from __future__ import annotations

import argparse
from typing import Any

from gd2slack.commands import add_command
from gd2slack.errors import CliError
from gd2slack.ops import pipeline_state as ps
from gd2slack.ops.aws import clients_from_args
from gd2slack.ops.promote import EXIT_REFUSED, MAX_SUMMARY, Candidate, decide, find_candidate
from gd2slack.prompt import confirm


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "promote",
        help="approve or reject the pending dev → prod promotion",
        run=run,
        doc=__doc__,
        aws_arguments="account",
    )
    decision = parser.add_mutually_exclusive_group()
    decision.add_argument(
        "--approve", dest="reject", action="store_false", help="approve (the default)"
    )
    decision.add_argument("--reject", dest="reject", action="store_true", help="reject")
    parser.add_argument("--comment", help=f"summary recorded with the decision (≤ {MAX_SUMMARY})")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--force", action="store_true", help="approve even though a dev alarm is in ALARM"
    )
    parser.set_defaults(reject=False)


def run(args: argparse.Namespace) -> int:
    comment = args.comment
    if comment is not None and len(comment) > MAX_SUMMARY:
        raise CliError(f"--comment is {len(comment)} characters; the limit is {MAX_SUMMARY}", 2)
    clients = clients_from_args(args)
    candidate = find_candidate(clients)
    print(describe(candidate))
    verb = "reject" if args.reject else "approve"
    alarmed = [env for env in candidate.dev if env.alarm_state == "ALARM"]
    if alarmed and not args.reject and not args.force:
        where = ", ".join(f"{env.alarm_name} ({env.region})" for env in alarmed)
        raise CliError(
            f"refusing to approve: dev alarm {where} is in ALARM; look at "
            "'gd2slack traces --stage dev --errors', then pass --force if prod should get it",
            EXIT_REFUSED,
        )
    if not confirm(
        f"{verb.capitalize()} promotion of "
        f"{ps.short_commit(candidate.revision.commit) or 'it'} to prod?",
        assume_yes=args.yes,
        refusal=f"pass --yes to {verb}",
    ):
        print("Nothing done.")
        return 1
    decide(clients, candidate.approval, reject=args.reject, comment=comment)
    if args.reject:
        print("Rejected: the execution stops at ApproveProd; prod is unchanged.")
    else:
        print("Approved: DeployProd starts now; follow it with 'gd2slack status'.")
    return 0


def describe(candidate: Candidate) -> str:
    approval, revision = candidate.approval, candidate.revision
    since = ps.format_time(approval.since)
    lines = [
        f"Waiting for approval in {approval.pipeline} ({approval.stage})"
        + (f" since {since} ({ps.format_age(approval.since)})" if since else ""),
        f"  execution  {approval.execution_id}",
        f"  commit     {revision.commit or '?'}",
        f"  message    {ps.first_line(revision.message) or '-'}",
        f"  author     {revision.author or '-'}",
    ]
    if revision.url:
        lines.append(f"  link       {revision.url}")
    if revision.image_uri or revision.image_digest:
        lines.append(f"  built      {revision.image_uri or '?'} ({revision.image_digest or '?'})")
    for env in candidate.dev:
        if not env.deployed:
            lines.append(f"  dev        [{env.region}] not deployed ({env.stack_name} missing)")
            continue
        image = env.image.uri if env.image else "?"
        digest = env.image_digest or "digest unknown"
        lines.append(f"  image      [{env.region}] {image}")
        lines.append(f"  digest     [{env.region}] {digest}")
        if env.image and env.image.tag and not ps.commit_matches(env.image.tag, revision.commit):
            lines.append(f"  WARNING    [{env.region}] dev runs {env.image.tag}, not this commit")
        elif revision.image_digest and env.image_digest not in {None, revision.image_digest}:
            lines.append(f"  WARNING    [{env.region}] dev runs another digest than the build's")
        alarm = env.alarm_state or "unknown"
        if env.alarm_state and env.alarm_state != "OK":
            alarm += f" since {ps.format_age(env.alarm_since) or '?'}"
        lines.append(f"  dev alarm  [{env.region}] {alarm} ({env.alarm_name or 'no alarm output'})")
        lines.append(f"  dev DLQ    [{env.region}] {env.dlq_depth} message(s)")
    lines.append(f"  dev smoke  {candidate.smoke}")
    since_dev = candidate.in_dev_since
    lines.append(
        f"  in dev     {ps.format_age(since_dev)} (since {ps.format_time(since_dev)})"
        if since_dev
        else "  in dev     unknown (DeployDev has not succeeded for this execution)"
    )
    return "\n".join(lines)
