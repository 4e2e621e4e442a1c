"""``gd2slack deploy-pipeline``: bootstrap and update the pipeline stack (``gd2slack-pipeline``).

Synthesizes the pipeline template in-process from this checkout (``pipeline.to_json``) for the
given regions, creates a change set, shows it, asks (unless ``--yes``; it never prompts without
a terminal), executes and waits. The pipeline's own UpdatePipeline stage runs this same command
with ``--yes --restart-execution <id> --source-revision <commit>``: when the pipeline definition
changed, it starts a new execution on that commit and stops the current one, so the release
continues on the new definition (self-mutation, as CDK Pipelines does).

Stage conditions need each runtime stack's composite alarm name: it is read from the stacks'
``CompositeAlarmName`` outputs in each region; a stage whose stack does not exist yet gets its
condition on a later run.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.constants import STAGES
from gd2slack.commands import add_command
from gd2slack.ops import aws
from gd2slack.ops.deploy_pipeline import PipelineOptions, deploy_pipeline


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "deploy-pipeline",
        help="create/update the pipeline stack: synth, change set, show, ask, execute, wait",
        run=run,
        doc=__doc__,
        aws_arguments="account",
    )
    parser.add_argument("--connection-arn", help="CodeConnections ARN (required on first create)")
    parser.add_argument("--repo", help="GitHub repository owner/name (required on first create)")
    parser.add_argument("--branch", help="branch whose pushes deploy (default: main, or as before)")
    parser.add_argument(
        "--regions",
        help="comma-separated regions for the runtime stacks (default: as before, or the "
        "pipeline's own region)",
    )
    parser.add_argument(
        "--prod-account-role-arn", help="role in a separate prod account that prod deploys assume"
    )
    parser.add_argument("--approval-topic-arn", help="SNS topic told about pending approvals")
    for stage in STAGES:
        parser.add_argument(
            f"--{stage}-webhook-secret",
            metavar="SECRET",
            help=f"webhook secret (ARN or name) the {stage} deploys pass to gd2slack-{stage}",
        )
    parser.add_argument("--yes", action="store_true", help="execute without asking")
    parser.add_argument(
        "--lint",
        action="store_true",
        help="refuse to deploy unless cfn-lint and checkov pass on the exact template synthesized",
    )
    parser.add_argument(
        "--cfn-role-arn", help="CloudFormation execution role (the UpdatePipeline stage's own)"
    )
    parser.add_argument(
        "--template-bucket",
        help="S3 bucket for a template over 51,200 bytes (default: the pipeline's artifact bucket)",
    )
    parser.add_argument(
        "--restart-execution",
        metavar="EXECUTION_ID",
        help="(pipeline use) if the pipeline changed, start a new run and stop this one",
    )
    parser.add_argument(
        "--source-revision", metavar="COMMIT", help="(pipeline use) commit the new run starts on"
    )


def run(args: argparse.Namespace) -> int:
    options = PipelineOptions(
        connection_arn=args.connection_arn,
        repo=args.repo,
        branch=args.branch,
        regions=args.regions,
        prod_account_role_arn=args.prod_account_role_arn,
        approval_topic_arn=args.approval_topic_arn,
        dev_webhook_secret=args.dev_webhook_secret,
        prod_webhook_secret=args.prod_webhook_secret,
        assume_yes=args.yes,
        cfn_role_arn=args.cfn_role_arn,
        template_bucket=args.template_bucket,
        restart_execution=args.restart_execution,
        source_revision=args.source_revision,
        lint=args.lint,
    )
    return deploy_pipeline(aws.clients_from_args(args), options)
