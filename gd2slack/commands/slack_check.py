"""``gd2slack slack-check --stage S``: can the stage's Slack app post where its routes say?

Reads the stage's secret (the runtime stack's ``WebhookSecretArn``, or ``--secret-id``) holding
``{"bot_token": …, "channels": {…}}``, then asks Slack: ``auth.test``; each route's channel
exists, is not archived and has the bot as a member; the granted scopes cover
slack/manifest.yml. One line per problem with its fix; exit 1 if any. The token is never shown.
"""

from __future__ import annotations

import argparse
from typing import Any

from gd2slack.commands import add_command
from gd2slack.ops import aws
from gd2slack.ops.slack_check import check, stage_app


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "slack-check",
        help="check the stage's Slack app: token, channels, membership, scopes",
        run=run,
        doc=__doc__,
        aws_arguments="stage",
    )
    parser.add_argument("--secret-id", help="the secret to read instead of the stage's")
    parser.add_argument("--slack-api-url", help=argparse.SUPPRESS)  # the local stand-in


def run(args: argparse.Namespace) -> int:
    app = stage_app(aws.clients_from_args(args), args.stage, args.secret_id)
    problems = check(app, base_url=args.slack_api_url)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: token, scopes and {len(app.channels)} channel(s) ready")
    return 1 if problems else 0
