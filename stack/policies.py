"""IAM documents of the runtime stack: the function's role and the queues' resource policies.

Least privilege: every statement names this stack's log group, queue, table or secret. Only
X-Ray takes ``*`` (no resource-level permissions). Metrics are EMF log lines
(``app/adapters/observability.py``: Powertools Metrics), so the role has no
``cloudwatch:PutMetricData``.
"""

from __future__ import annotations

from typing import Final

import awacs.dynamodb
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

from stack.parameters import SECRET_IS_ARN

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


def secret_resource() -> AWSHelperFn:
    """The secret's ARN; for a name, its ARN pattern (Secrets Manager appends ``-`` + 6 chars)."""
    return If(
        SECRET_IS_ARN,
        Ref("WebhookSecretArn"),
        Sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}"
            ":secret:${WebhookSecretArn}-??????"
        ),
    )


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


def function_policy(log_group: str, queue: str, table: str) -> PolicyDocument:
    """What the function needs at run time, given the logical ids of its resources."""
    statements = [
        Statement(
            Sid="WriteOwnLogGroup",
            Effect=Allow,
            Action=[awacs.logs.CreateLogStream, awacs.logs.PutLogEvents],
            # A log group's Arn attribute ends in ":*": it covers the group's streams.
            Resource=[GetAtt(log_group, "Arn")],
        ),
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
        Statement(
            Sid="XRayNoResourceLevelPermissions",
            Effect=Allow,
            Action=[awacs.xray.PutTraceSegments, awacs.xray.PutTelemetryRecords],
            Resource=["*"],
        ),
    ]
    return PolicyDocument(Version=VERSION, Statement=statements)


def secret_key_policy() -> PolicyDocument:
    """Decrypt with the secret's customer managed key, only on behalf of Secrets Manager."""
    return PolicyDocument(
        Version=VERSION,
        Statement=[
            Statement(
                Sid="DecryptWebhookSecret",
                Effect=Allow,
                Action=[awacs.kms.Decrypt],
                Resource=[Ref("WebhookSecretKmsKeyArn")],
                Condition=Condition(
                    StringEquals(
                        "kms:ViaService", Sub("secretsmanager.${AWS::Region}.amazonaws.com")
                    )
                ),
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
