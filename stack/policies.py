"""IAM documents of the runtime stack: the functions' roles and the queues' resource policies.

Least privilege: every statement names this stack's log group, queue, table or secret. Only
X-Ray takes ``*`` (no resource-level permissions), and the interactions role's GuardDuty
findings actions (none has a resource type in the Service Authorization Reference: only ``*``
with this region). Metrics are EMF log lines (``app/adapters/observability.py``: Powertools
Metrics), so no role has ``cloudwatch:PutMetricData``.
"""

from __future__ import annotations

from typing import Final

import awacs.awslambda
import awacs.dynamodb
import awacs.guardduty
import awacs.kms
import awacs.logs
import awacs.secretsmanager
import awacs.sqs
import awacs.sts
import awacs.xray
from awacs.aws import (
    Allow,
    ArnEquals,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import AWSHelperFn, GetAtt, If, Ref, Sub

from stack.parameters import (
    HAS_SECRET_KMS_KEY,
    HAS_SIGNING_SECRET_KMS_KEY,
    SECRET_IS_ARN,
    SIGNING_SECRET_IS_ARN,
)

VERSION: Final = "2012-10-17"

QUEUE_CONSUMER_ACTIONS: Final = (
    awacs.sqs.ReceiveMessage,
    awacs.sqs.DeleteMessage,
    awacs.sqs.GetQueueAttributes,
    awacs.sqs.ChangeMessageVisibility,
)
# What app/adapters/state.py calls: GetItem, UpdateItem, and TransactWriteItems with Update and
# Put items (IAM authorizes each item with its own action). The IAM coverage gate checks this list.
TABLE_ACTIONS: Final = (
    awacs.dynamodb.GetItem,
    awacs.dynamodb.PutItem,
    awacs.dynamodb.UpdateItem,
)
# What the interactions function does with the table: replay marks (a conditional put),
# snoozes and the triage note (updates), reads.
INTERACTIONS_TABLE_ACTIONS: Final = (
    awacs.dynamodb.GetItem,
    awacs.dynamodb.PutItem,
    awacs.dynamodb.UpdateItem,
)
# GuardDuty actions of the triage buttons. The Service Authorization Reference lists no
# resource type for these four: IAM accepts them only with Resource "*" (a detector ARN would
# deny them), so the statement is bounded by aws:RequestedRegion instead. A GuardDuty account
# has one detector per region and these calls reach only the caller's own account's detector,
# so "*" in this region is this region's detector; the code refuses any other detector id.
FINDINGS_ACTIONS: Final = (
    awacs.guardduty.GetFindings,
    awacs.guardduty.ArchiveFindings,
    awacs.guardduty.UnarchiveFindings,
    awacs.guardduty.UpdateFindingsFeedback,
)
DETECTOR_ARN: Final = (
    "arn:${AWS::Partition}:guardduty:${AWS::Region}:${AWS::AccountId}:detector/${DetectorId}"
)


def _secret_arn(parameter: str, is_arn: str) -> AWSHelperFn:
    """The secret ``parameter`` names: its ARN; for a name, its ARN pattern (Secrets Manager
    appends ``-`` + 6 characters)."""
    return If(
        is_arn,
        Ref(parameter),
        Sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}"
            f":secret:${{{parameter}}}-??????"
        ),
    )


def secret_resource() -> AWSHelperFn:
    """The webhook (or bot-token) secret: ``WebhookSecretArn``."""
    return _secret_arn("WebhookSecretArn", SECRET_IS_ARN)


def signing_secret_resource() -> AWSHelperFn:
    """The Slack app's signing secret: ``SlackSigningSecretArn``."""
    return _secret_arn("SlackSigningSecretArn", SIGNING_SECRET_IS_ARN)


def assume_role_policy() -> PolicyDocument:
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", "lambda.amazonaws.com"),
                Action=[awacs.sts.AssumeRole],
            )
        ],
    )


def write_own_log_group(log_group: str) -> Statement:
    """A function's own log group (logical id); its Arn attribute ends in ":*", which covers
    the group's streams."""
    return Statement(
        Sid="WriteOwnLogGroup",
        Effect=Allow,
        Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
        Resource=[GetAtt(log_group, "Arn")],
    )


def write_traces() -> Statement:
    """X-Ray has no resource-level permissions."""
    return Statement(
        Sid="XRayNoResourceLevelPermissions",
        Effect=Allow,
        Action=[awacs.xray.PutTraceSegments, awacs.xray.PutTelemetryRecords],
        Resource=["*"],
    )


def function_policy(log_group: str, queue: str, table: str) -> PolicyDocument:
    """What the function needs at run time, given the logical ids of its resources."""
    statements = [
        write_own_log_group(log_group),
        Statement(
            Sid="ConsumeFindingsQueue",
            Effect=Allow,
            Action=list(QUEUE_CONSUMER_ACTIONS),
            Resource=[GetAtt(queue, "Arn")],
        ),
        Statement(
            Sid="FindingState",
            Effect=Allow,
            Action=list(TABLE_ACTIONS),
            Resource=[GetAtt(table, "Arn")],
        ),
        Statement(
            Sid="ReadWebhookSecret",
            Effect=Allow,
            Action=[awacs.secretsmanager.GetSecretValue],
            Resource=[secret_resource()],
        ),
        write_traces(),
    ]
    return PolicyDocument(Version=VERSION, Statement=statements)


def _decrypt_via_secrets_manager(sid: str, keys: list[object]) -> Statement:
    return Statement(
        Sid=sid,
        Effect=Allow,
        Action=[awacs.kms.Decrypt],
        Resource=keys,
        Condition=Condition(
            StringEquals("kms:ViaService", Sub("secretsmanager.${AWS::Region}.amazonaws.com"))
        ),
    )


def secret_key_policy() -> PolicyDocument:
    """Decrypt with the secret's customer managed key, only on behalf of Secrets Manager."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            _decrypt_via_secrets_manager("DecryptWebhookSecret", [Ref("WebhookSecretKmsKeyArn")])
        ],
    )


def interactions_key_policy() -> PolicyDocument:
    """Decrypt the interactions function's two secrets where they are on a customer managed key
    (each key only when given), only on behalf of Secrets Manager."""
    keys: list[object] = [
        If(HAS_SECRET_KMS_KEY, Ref("WebhookSecretKmsKeyArn"), Ref("AWS::NoValue")),
        If(HAS_SIGNING_SECRET_KMS_KEY, Ref("SlackSigningSecretKmsKeyArn"), Ref("AWS::NoValue")),
    ]
    return PolicyDocument(
        Version=VERSION, Statement=[_decrypt_via_secrets_manager("DecryptSlackSecrets", keys)]
    )


def interactions_policy(log_group: str, table: str) -> PolicyDocument:
    """What the interactions function needs at run time, given the logical ids of its log
    group and the state table; its own ``lambda:InvokeFunction`` is a separate document
    (``self_invoke_policy``), attached once the function exists."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            write_own_log_group(log_group),
            Statement(
                Sid="ReadSlackSecrets",
                Effect=Allow,
                Action=[awacs.secretsmanager.GetSecretValue],
                # The signing secret verifies requests; the bot token answers in Slack.
                Resource=[signing_secret_resource(), secret_resource()],
            ),
            Statement(
                Sid="TriageState",
                Effect=Allow,
                Action=list(INTERACTIONS_TABLE_ACTIONS),
                Resource=[GetAtt(table, "Arn")],
            ),
            Statement(
                Sid="TriageFindingsInThisRegion",
                Effect=Allow,
                Action=list(FINDINGS_ACTIONS),
                Resource=["*"],
                Condition=Condition(StringEquals("aws:RequestedRegion", Ref("AWS::Region"))),
            ),
            Statement(
                Sid="SuppressSimilarOnThisDetector",
                Effect=Allow,
                Action=[awacs.guardduty.CreateFilter],
                # The filter is the resource the reference lists; the detector as well, for the
                # older form of the reference (CreateFilter on detector*).
                Resource=[Sub(DETECTOR_ARN), Sub(DETECTOR_ARN + "/filter/*")],
            ),
            write_traces(),
        ],
    )


def self_invoke_policy(function: str) -> PolicyDocument:
    """The interactions function invokes itself asynchronously (the deferred, slow part of a
    button press): ``lambda:InvokeFunction`` on its own unqualified ARN only."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid="DeferToItself",
                Effect=Allow,
                Action=[awacs.awslambda.InvokeFunction],
                Resource=[GetAtt(function, "Arn")],
            )
        ],
    )


def _deny_insecure_transport(queue: str) -> Statement:
    return Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[awacs.sqs.Action("*")],
        Resource=[GetAtt(queue, "Arn")],
        Condition=Condition(Bool("aws:SecureTransport", "false")),
    )


def queue_policy(queue: str, rule: str) -> PolicyDocument:
    """Only this stack's EventBridge rule may send; TLS only."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid="AllowGuardDutyRuleOnly",
                Effect=Allow,
                Principal=Principal("Service", "events.amazonaws.com"),
                Action=[awacs.sqs.SendMessage],
                Resource=[GetAtt(queue, "Arn")],
                Condition=Condition(ArnEquals("aws:SourceArn", GetAtt(rule, "Arn"))),
            ),
            _deny_insecure_transport(queue),
        ],
    )
