"""The function side: role, log group, image function, version + ``live`` alias, SQS mapping."""

from __future__ import annotations

from typing import ClassVar, Final

from troposphere import GetAtt, If, NoValue, Ref, Sub, Tags
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
from stack.ingest import QUEUE
from stack.parameters import HAS_RESERVED_CONCURRENCY, HAS_SECRET_KMS_KEY
from stack.policies import assume_role_policy, function_policy, secret_key_policy

FUNCTION: Final = "GuardDutyToSlackFunction"
ROLE: Final = "GuardDutyToSlackLambdaRole"
SECRET_KEY_POLICY: Final = "WebhookSecretKeyPolicy"  # noqa: S105 (a logical id)
LOG_GROUP: Final = "FunctionLogGroup"
VERSION: Final = "FunctionVersion"
ALIAS: Final = "LiveAlias"
ALIAS_NAME: Final = "live"
EVENT_SOURCE_MAPPING: Final = "QueueEventSourceMapping"


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


def role(table: str, tags: Tags) -> Role:
    return Role(
        ROLE,
        Description="GuardDuty-to-Slack function: this stack's queue, table, secret, logs only.",
        AssumeRolePolicyDocument=assume_role_policy(),
        Policies=[
            Policy(
                PolicyName="runtime",
                PolicyDocument=function_policy(LOG_GROUP, QUEUE, table),
            ),
        ],
        Tags=tags,
    )


def secret_key_policy_resource() -> PolicyType:
    """kms:Decrypt for a secret on a customer managed key; only when the key is given."""
    return PolicyType(
        SECRET_KEY_POLICY,
        Condition=HAS_SECRET_KMS_KEY,
        PolicyName="webhook-secret-key",
        Roles=[Ref(ROLE)],
        PolicyDocument=secret_key_policy(),
    )


def log_group(tags: Tags, metadata: dict[str, object]) -> LogGroup:
    return LogGroup(
        LOG_GROUP,
        LogGroupName=Sub("/aws/lambda/${AWS::StackName}"),
        RetentionInDays=Ref("LogRetentionDays"),
        Tags=tags,
        Metadata=metadata,
        # Deleted with the stack, deliberately: the group has a fixed name, so a retained one
        # would make the next create of this stack fail ("already exists"). Logs needed beyond
        # the stack's life belong in a subscription or export, not in an orphaned group.
        DeletionPolicy="Delete",
        UpdateReplacePolicy="Delete",
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


def function(table: str, tags: Tags, metadata: dict[str, object]) -> Function:
    return Function(
        FUNCTION,
        Description="GuardDuty findings to Slack",
        PackageType="Image",
        Code=Code(ImageUri=Ref("ImageUri")),
        Architectures=["arm64"],
        Role=GetAtt(ROLE, "Arn"),
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
        LoggingConfig=FunctionLoggingConfig(LogGroup=Ref(LOG_GROUP), LogFormat="JSON"),
        Tags=tags,
        Metadata=metadata,
    )


def version() -> Version:
    # Every property of a Version forces a new one: the image and the deployment id in the
    # description make each deployment publish the function's current code and configuration.
    return Version(
        VERSION,
        FunctionName=Ref(FUNCTION),
        Description=Sub("${ImageUri} ${DeploymentId}"),
    )


def alias() -> Alias:
    return Alias(
        ALIAS,
        Name=ALIAS_NAME,
        FunctionName=Ref(FUNCTION),
        FunctionVersion=GetAtt(VERSION, "Version"),
        Description="What the queue invokes; moves with each deployment.",
    )


def event_source_mapping(tags: Tags) -> EventSourceMapping:
    return EventSourceMapping(
        EVENT_SOURCE_MAPPING,
        EventSourceArn=GetAtt(QUEUE, "Arn"),
        FunctionName=Ref(ALIAS),  # Ref of an alias is its ARN
        Enabled=True,
        BatchSize=Ref("BatchSize"),
        MaximumBatchingWindowInSeconds=Ref("MaximumBatchingWindow"),
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig=MappingScalingConfig(MaximumConcurrency=Ref("MaximumConcurrency")),
        Tags=tags,
    )
