"""``gd2slack deploy-stack --stage S --image-uri U``: what the pipeline's deploy actions run.

A change set on the stage's runtime stack (``gd2slack-<stage>``) with a **rollback trigger**: the
stack's own composite alarm, read from its previous outputs, watched for
``--monitoring-minutes`` after the update. CodePipeline's CloudFormation action cannot pass a
``RollbackConfiguration``; this command can, which is why the pipeline deploys through it.
The very first create has no alarm to watch yet, and says so.

Before anything changes, the image is checked in the target region's ECR (by digest), waiting a
while for cross-region replication to deliver it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.constants import STAGES
from gd2slack.commands import add_command
from gd2slack.errors import CliError
from gd2slack.ops import aws
from gd2slack.ops.deploy_stack import MAX_MONITORING_MINUTES, DeployOptions, deploy
from gd2slack.ops.parameters import parse_key_values


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "deploy-stack",
        help="deploy a stage's runtime stack: change set with rollback trigger, execute, wait",
        run=run,
        doc=__doc__,
        aws_arguments="stage",
        assume_role=True,
    )
    parser.add_argument("--image-uri", required=True, help="ECR image URI, by digest")
    parser.add_argument("--wait", action="store_true", help="wait for the stack to settle")
    parser.add_argument(
        "--monitoring-minutes",
        type=int,
        default=10,
        help="rollback-trigger monitoring period after the update (0-180, default 10)",
    )
    parser.add_argument(
        "--template", type=Path, help="template JSON (default: synthesize stack.runtime)"
    )
    parser.add_argument(
        "--webhook-secret",
        help="Secrets Manager secret (ARN) holding the webhook URL(s); required on first create",
    )
    parser.add_argument(
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set a stack parameter (repeatable); others keep their previous values",
    )
    parser.add_argument("--yes", action="store_true", help="execute without asking")
    parser.add_argument(
        "--cfn-role-arn", help="CloudFormation execution role (the pipeline passes its own)"
    )
    parser.add_argument(
        "--image-wait-minutes",
        type=float,
        default=10.0,
        help="how long to wait for the image to appear in the region's ECR (default 10)",
    )
    parser.add_argument(
        "--no-image-check", action="store_true", help="do not check the image exists in ECR"
    )
    parser.add_argument(
        "--no-rollback-trigger",
        action="store_true",
        help="deploy without the composite-alarm rollback trigger (e.g. to fix a stage that is "
        "already in ALARM)",
    )


def run(args: argparse.Namespace) -> int:
    if args.stage not in STAGES:
        raise CliError(f"--stage must be one of {', '.join(STAGES)}")
    if not 0 <= args.monitoring_minutes <= MAX_MONITORING_MINUTES:
        raise CliError(f"--monitoring-minutes must be 0-{MAX_MONITORING_MINUTES}")
    options = DeployOptions(
        stage=args.stage,
        image_uri=args.image_uri,
        wait=args.wait,
        monitoring_minutes=args.monitoring_minutes,
        template_path=args.template,
        webhook_secret=args.webhook_secret,
        parameters=parse_key_values(args.parameter),
        assume_yes=args.yes,
        cfn_role_arn=args.cfn_role_arn,
        image_wait_minutes=args.image_wait_minutes,
        check_image=not args.no_image_check,
        rollback_trigger=not args.no_rollback_trigger,
    )
    clients = aws.clients_for(args, f"gd2slack-deploy-{args.stage}")
    return deploy(clients, options)
