"""Shared plumbing for the AWS-facing commands: sessions, stack outputs, one-line errors.

Every command that talks to AWS takes ``--region``, ``--profile`` and (where it acts on a
runtime stack) ``--stage``, finds resource names in the stacks' outputs, and turns credential,
missing-stack and permission errors into a ``CliError`` that says what to do.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.exceptions

from gd2slack.errors import CliError

PIPELINE_STACK_NAME = "gd2slack-pipeline"
STAGES = ("dev", "prod")

# Runtime stack outputs (stack/runtime.py defines them; these names are the contract).
OUT_FUNCTION_NAME = "FunctionName"
OUT_FUNCTION_ARN = "FunctionArn"
OUT_ALIAS_ARN = "AliasArn"
OUT_QUEUE_URL = "QueueUrl"
OUT_DLQ_URL = "DeadLetterQueueUrl"
OUT_STATE_TABLE = "StateTableName"
OUT_COMPOSITE_ALARM_ARN = "CompositeAlarmArn"
OUT_COMPOSITE_ALARM_NAME = "CompositeAlarmName"
OUT_LOG_GROUP = "LogGroupName"
OUT_IMAGE_URI = "ImageUri"

# Pipeline stack outputs (pipeline/pipeline.py).
OUT_PIPELINE_NAME = "PipelineName"
OUT_ECR_REPOSITORY_URI = "EcrRepositoryUri"
OUT_ARTIFACT_BUCKET = "ArtifactBucketName"


def runtime_stack_name(stage: str) -> str:
    return f"gd2slack-{stage}"


def add_aws_arguments(parser: argparse.ArgumentParser, *, stage: bool = True) -> None:
    parser.add_argument("--region", help="AWS region (default: from the profile/environment)")
    parser.add_argument("--profile", help="AWS named profile (default: the environment's)")
    if stage:
        parser.add_argument(
            "--stage", default="dev", help="runtime stage: dev or prod (default: dev)"
        )


def session_from_args(args: argparse.Namespace) -> boto3.Session:
    try:
        session = boto3.Session(
            profile_name=getattr(args, "profile", None), region_name=getattr(args, "region", None)
        )
    except botocore.exceptions.ProfileNotFound as err:
        raise CliError(f"{err}: check --profile or ~/.aws/config") from None
    if session.region_name is None:
        raise CliError("no AWS region: pass --region or set AWS_REGION")
    return session


@contextlib.contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """Translate boto errors raised inside the block into one-line ``CliError``s."""
    try:
        yield
    except botocore.exceptions.NoCredentialsError:
        raise CliError(
            f"{what}: no AWS credentials found: set AWS_PROFILE (or --profile), or run "
            "'aws sso login' / 'aws configure'"
        ) from None
    except (
        botocore.exceptions.NoRegionError
    ):
        raise CliError(f"{what}: no AWS region: pass --region or set AWS_REGION") from None
    except botocore.exceptions.EndpointConnectionError as err:
        raise CliError(f"{what}: cannot reach AWS ({err.kwargs.get('endpoint_url', '?')})") from None
    except botocore.exceptions.ClientError as err:
        raise CliError(f"{what}: {describe_client_error(err)}") from None


def describe_client_error(err: botocore.exceptions.ClientError) -> str:
    error = err.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")).strip()
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
        return f"access denied ({message or code}): the credentials in use lack this permission"
    if code in {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"}:
        return f"credentials rejected ({code}): refresh them (e.g. 'aws sso login') and retry"
    return f"{code}: {message}" if message else code


def stack_outputs(session: boto3.Session, stack_name: str) -> dict[str, str]:
    """A stack's outputs by key; a missing stack is a ``CliError`` naming it and the fix."""
    client = session.client("cloudformation")
    with aws_errors(f"reading stack {stack_name}"):
        try:
            stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
        except botocore.exceptions.ClientError as err:
            if "does not exist" in str(err.response.get("Error", {}).get("Message", "")):
                raise CliError(
                    f"stack {stack_name} does not exist in {session.region_name}: deploy it "
                    "first (gd2slack deploy-pipeline / the pipeline), or check --region/--stage"
                ) from None
            raise
    outputs: list[dict[str, Any]] = stacks[0].get("Outputs", []) if stacks else []
    return {o["OutputKey"]: o["OutputValue"] for o in outputs}


def require_output(outputs: dict[str, str], key: str, stack_name: str) -> str:
    try:
        return outputs[key]
    except KeyError:
        raise CliError(
            f"stack {stack_name} has no output {key}: it predates this CLI; redeploy it"
        ) from None
