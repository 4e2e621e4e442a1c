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
    except botocore.exceptions.NoRegionError:
        raise CliError(f"{what}: no AWS region: pass --region or set AWS_REGION") from None
    except botocore.exceptions.EndpointConnectionError as err:
        raise CliError(
            f"{what}: cannot reach AWS ({err.kwargs.get('endpoint_url', '?')})"
        ) from None
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


# --- Injectable clients, multi-region outputs ------------------------------------------------


@contextlib.contextmanager
def aws_call_errors(what: str) -> Iterator[None]:
    """``aws_errors`` plus any other botocore failure (expired SSO token, partial credentials,
    read timeouts): those carry no traceback worth showing an operator either."""
    try:
        with aws_errors(what):
            yield
    except botocore.exceptions.BotoCoreError as err:
        raise CliError(f"{what}: {' '.join(str(err).split())}") from None


class AwsClients:
    """One client per (service, region) for the lifetime of a command.

    Commands take this instead of creating clients ad hoc so that tests can fetch the very
    client a command will use and wrap it in ``botocore.stub.Stubber`` (CodePipeline approvals,
    composite alarms and SQS move tasks are not in moto), while everything else goes to moto.
    """

    def __init__(self, session: boto3.Session) -> None:
        self.session = session
        region = session.region_name
        if region is None:
            raise CliError("no AWS region: pass --region or set AWS_REGION")
        self.region: str = region
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        if key not in self._clients:
            with aws_call_errors(f"creating the {service} client"):
                self._clients[key] = self.session.client(service, region_name=key[1])
        return self._clients[key]

    def stack_outputs(
        self, stack_name: str, region: str | None = None, *, missing_ok: bool = False
    ) -> dict[str, str] | None:
        """Outputs of ``stack_name`` in ``region``; ``None`` for a missing stack if
        ``missing_ok`` (status shows "not deployed" for prod before its first deployment)."""
        where = region or self.region
        client = self.client("cloudformation", where)
        with aws_call_errors(f"reading stack {stack_name} in {where}"):
            try:
                stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
            except botocore.exceptions.ClientError as err:
                if "does not exist" not in str(err.response.get("Error", {}).get("Message", "")):
                    raise
                if missing_ok:
                    return None
                raise CliError(
                    f"stack {stack_name} does not exist in {where}: deploy it first "
                    "(gd2slack deploy-pipeline / the pipeline), or check --region/--stage"
                ) from None
        outputs: list[dict[str, Any]] = stacks[0].get("Outputs", []) if stacks else []
        return {o["OutputKey"]: o["OutputValue"] for o in outputs}

    def require_stack_outputs(self, stack_name: str, region: str | None = None) -> dict[str, str]:
        outputs = self.stack_outputs(stack_name, region)
        if outputs is None:  # unreachable: missing_ok=False raises instead
            raise CliError(f"stack {stack_name} does not exist")
        return outputs


def clients_from_args(args: argparse.Namespace) -> AwsClients:
    """The command's clients, from ``--profile``/``--region``; tests monkeypatch this seam."""
    return AwsClients(session_from_args(args))


# --- Acting in another account (cross-account prod) ------------------------------------------


def add_assume_role_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--assume-role-arn",
        help="assume this role first (e.g. the prod account's deployment role)",
    )


def assumed_session(session: boto3.Session, role_arn: str, session_name: str) -> boto3.Session:
    """A session acting as ``role_arn``, with credentials that refresh themselves.

    Refreshing matters: a role assumed from CodeBuild's own role is role chaining, capped at one
    hour, and a deploy with a monitoring period can outlast that.
    """
    from botocore.credentials import RefreshableCredentials  # noqa: PLC0415
    from botocore.session import get_session  # noqa: PLC0415

    sts = session.client("sts")

    def fetch() -> dict[str, str]:
        with aws_call_errors(f"assuming role {role_arn}"):
            creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name[:64])[
                "Credentials"
            ]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role"
    )
    core = get_session()
    core._credentials = credentials
    return boto3.Session(botocore_session=core, region_name=session.region_name)


def clients_for(args: argparse.Namespace, session_name: str) -> AwsClients:
    """``clients_from_args``, then ``--assume-role-arn`` if given."""
    clients = clients_from_args(args)
    role_arn = getattr(args, "assume_role_arn", None)
    if role_arn:
        return AwsClients(assumed_session(clients.session, role_arn, session_name))
    return clients
