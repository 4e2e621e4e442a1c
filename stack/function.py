"""The notifier function: role, log group, image function, version + ``live`` alias, and the
SQS mapping that feeds it from the ingest queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from troposphere import GetAtt, If, NoValue, Ref, Sub, Tags, Template
from troposphere.awslambda import (
    Alias,
    Code,
    Environment,
    EventSourceMapping,
    Function,
    LoggingConfig,
    ScalingConfig,
    SnapStart,
    TracingConfig,
    Version,
)
from troposphere.iam import Policy, PolicyType, Role
from troposphere.logs import LogGroup
from troposphere.validators import integer

from app.config import SETTINGS
from app.constants import METRICS_NAMESPACE, SERVICE_NAME
from stack import checkov
from stack.ingest import Ingest
from stack.parameters import HAS_RESERVED_CONCURRENCY, HAS_SECRET_KMS_KEY
from stack.policies import assume_role_policy, function_policy, secret_key_policy
from stack.state import State

FUNCTION: Final = "GuardDutyToSlackFunction"
ROLE: Final = "GuardDutyToSlackLambdaRole"
SECRET_KEY_POLICY: Final = "WebhookSecretKeyPolicy"  # noqa: S105 (a logical id)
LOG_GROUP: Final = "FunctionLogGroup"
VERSION: Final = "FunctionVersion"
ALIAS: Final = "LiveAlias"
ALIAS_NAME: Final = "live"
EVENT_SOURCE_MAPPING: Final = "QueueEventSourceMapping"


@dataclass(frozen=True)
class Notifier:
    """Logical ids of what ``add_to`` created."""

    function: str
    role: str
    secret_key_policy: str
    log_group: str
    version: str
    alias: str
    event_source_mapping: str


class FunctionLoggingConfig(LoggingConfig):  # type: ignore[misc]
    """troposphere 4.11 types Function.LoggingConfig with another resource's shape."""

    props: ClassVar[dict[str, tuple[object, bool]]] = {
        "ApplicationLogLevel": (str, False),
        "LogFormat": (str, False),
        "LogGroup": (str, False),
        "SystemLogLevel": (str, False),
    }


class MappingScalingConfig(ScalingConfig):  # type: ignore[misc]
    """troposphere 4.11 types EventSourceMapping.ScalingConfig with another resource's shape."""

    props: ClassVar[dict[str, tuple[object, bool]]] = {"MaximumConcurrency": (integer, False)}


def role(tags: Tags, log_group: str, queue: str, table: str) -> Role:
    return Role(
        ROLE,
        Description="GuardDuty-to-Slack function: this stack's queue, table, secret, logs only.",
        AssumeRolePolicyDocument=assume_role_policy(),
        Policies=[
            Policy(
                PolicyName="runtime",
                PolicyDocument=function_policy(log_group, queue, table),
            ),
        ],
        Tags=tags,
    )


def secret_key_policy_resource(role: str) -> PolicyType:
    """kms:Decrypt for a secret on a customer managed key; only when the key is given."""
    return PolicyType(
        SECRET_KEY_POLICY,
        Condition=HAS_SECRET_KMS_KEY,
        PolicyName="webhook-secret-key",
        Roles=[Ref(role)],
        PolicyDocument=secret_key_policy(),
    )


def log_group(tags: Tags, metadata: dict[str, object]) -> LogGroup:
    return function_log_group(LOG_GROUP, "", tags, metadata)


def function_log_group(
    logical: str, suffix: str, tags: Tags, metadata: dict[str, object], **extra: object
) -> LogGroup:
    """``/aws/lambda/<stack name><suffix>``, the stack's retention.

    Deleted with the stack, deliberately: the group has a fixed name, so a retained one would
    make the next create of this stack fail ("already exists"). Logs needed beyond the stack's
    life belong in a subscription or export, not in an orphaned group.
    """
    return LogGroup(
        logical,
        LogGroupName=Sub("/aws/lambda/${AWS::StackName}" + suffix),
        RetentionInDays=Ref("LogRetentionDays"),
        Tags=tags,
        Metadata=metadata,
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
        **extra,
    )


def environment(table: str) -> dict[str, object]:
    """The handler's configuration (docs/architecture.md#configuration): each setting that has
    a stack parameter (``app.config.SETTINGS``) from it, the state table from this stack."""
    return {
        **{
            setting.variable: Ref(setting.parameter.name)
            for setting in SETTINGS
            if setting.parameter
        },
        "STATE_TABLE": Ref(table),
        "STAGE": Ref("Stage"),
        "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        "POWERTOOLS_LOG_LEVEL": "INFO",
    }


def function(
    tags: Tags, role: str, log_group: str, table: str, metadata: dict[str, object]
) -> Function:
    return Function(
        FUNCTION,
        Description="GuardDuty findings to Slack",
        PackageType="Image",
        Code=Code(ImageUri=Ref("ImageUri")),
        Architectures=["arm64"],
        Role=GetAtt(role, "Arn"),
        Timeout=Ref("FunctionTimeout"),
        MemorySize=Ref("FunctionMemory"),
        ReservedConcurrentExecutions=If(
            HAS_RESERVED_CONCURRENCY, Ref("ReservedConcurrency"), NoValue
        ),
        TracingConfig=TracingConfig(Mode="Active"),
        # Off by default (stack/README.md, "SnapStart"). SnapStart needs what this function
        # already is: published versions (the live alias), ephemeral storage at the 512 MB
        # default (no EphemeralStorage here), no provisioned concurrency, no EFS.
        SnapStart=SnapStart(ApplyOn=Ref("SnapStart")),
        Environment=Environment(Variables=environment(table)),
        LoggingConfig=FunctionLoggingConfig(LogGroup=Ref(log_group), LogFormat="JSON"),
        Tags=tags,
        Metadata=metadata,
    )


def version(function: str) -> Version:
    # Every property of a Version forces a new one: the image and the deployment id in the
    # description make each deployment publish the function's current code and configuration.
    return Version(
        VERSION,
        FunctionName=Ref(function),
        Description=Sub("${ImageUri} ${DeploymentId}"),
    )


def alias(function: str, version: str) -> Alias:
    return Alias(
        ALIAS,
        Name=ALIAS_NAME,
        FunctionName=Ref(function),
        FunctionVersion=GetAtt(version, "Version"),
        Description="What the queue invokes; moves with each deployment.",
    )


def event_source_mapping(tags: Tags, queue: str, alias: str) -> EventSourceMapping:
    return EventSourceMapping(
        EVENT_SOURCE_MAPPING,
        EventSourceArn=GetAtt(queue, "Arn"),
        FunctionName=Ref(alias),  # Ref of an alias is its ARN
        Enabled=True,
        BatchSize=Ref("BatchSize"),
        MaximumBatchingWindowInSeconds=Ref("MaximumBatchingWindow"),
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig=MappingScalingConfig(MaximumConcurrency=Ref("MaximumConcurrency")),
        Tags=tags,
    )


def add_to(template: Template, tags: Tags, ingest: Ingest, state: State) -> Notifier:
    """The notifier, reading ``ingest``'s queue and writing ``state``'s table."""
    table = state.table
    group = template.add_resource(log_group(tags, checkov.LOG_GROUP)).title
    role_id = template.add_resource(role(tags, group, ingest.queue, table)).title
    key_policy = template.add_resource(secret_key_policy_resource(role_id)).title
    function_id = template.add_resource(
        function(tags, role_id, group, table, checkov.FUNCTION)
    ).title
    version_id = template.add_resource(version(function_id)).title
    alias_id = template.add_resource(alias(function_id, version_id)).title
    mapping = template.add_resource(event_source_mapping(tags, ingest.queue, alias_id)).title
    return Notifier(
        function=function_id,
        role=role_id,
        secret_key_policy=key_policy,
        log_group=group,
        version=version_id,
        alias=alias_id,
        event_source_mapping=mapping,
    )
