"""``gd2slack smoke --stage S``: a canary finding through the deployed function, then its alarms.

Invokes the stage's ``live`` alias (the version the queue invokes) synchronously with a bare
EventBridge GuardDuty event whose finding type starts with ``Canary:Gd2Slack/``: the handler
recognises it, posts it only to a ``canary`` route if one is configured and otherwise renders it
without posting, and answers with its summary. The smoke test fails on a function error, on any
failed record, and when the stage's composite alarm is in ALARM. INSUFFICIENT_DATA passes: a
freshly created alarm sits there until its metrics have data points, and CloudFormation's
rollback triggers likewise act only on ALARM.

Every failure is one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.constants import STAGES
from gd2slack.commands import add_command
from gd2slack.errors import CliError
from gd2slack.ops import aws
from gd2slack.ops.smoke import smoke


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "smoke",
        help="invoke the stage's live alias with a canary finding; check outcome and alarms",
        run=run,
        doc=__doc__,
        aws_arguments="stage",
        assume_role=True,
    )
    parser.add_argument(
        "--expect-image-uri",
        help="fail unless the stack runs this image (the pipeline passes the one it built)",
    )


def run(args: argparse.Namespace) -> int:
    if args.stage not in STAGES:
        raise CliError(f"--stage must be one of {', '.join(STAGES)}")
    clients = aws.clients_for(args, f"gd2slack-smoke-{args.stage}")
    print(smoke(clients, args.stage, expect_image_uri=args.expect_image_uri))
    return 0
