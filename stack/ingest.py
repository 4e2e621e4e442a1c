"""EventBridge rule -> SQS queue (+ DLQ): how findings reach the function, throttled.

The queue absorbs bursts that would otherwise become concurrent POSTs against a webhook that
takes about one message per second; the DLQ keeps what could not be delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from troposphere import GetAtt, Ref, Sub, Tags, Template
from troposphere.events import DeadLetterConfig, Rule, Target
from troposphere.sqs import Queue, QueuePolicy, RedrivePolicy

from app.core.severity import BAND_NAMES
from stack import checkov
from stack.parameters import by_min_severity, severity_floor, visibility_timeout_ref
from stack.policies import queue_policy

RULE: Final = "GuardDutyEventRule"
QUEUE: Final = "FindingsQueue"
DEAD_LETTER_QUEUE: Final = "FindingsDeadLetterQueue"
QUEUE_RETENTION_SECONDS: Final = 4 * 24 * 3600
# Longer than the source queue's: SQS keeps a message's original enqueue time in the DLQ.
DLQ_RETENTION_SECONDS: Final = 14 * 24 * 3600


@dataclass(frozen=True)
class Ingest:
    """Logical ids of what ``add_to`` created."""

    rule: str
    queue: str
    dead_letter_queue: str
    queue_policies: tuple[str, ...]


def event_pattern(floor: int) -> dict[str, Any]:
    """GuardDuty findings at or above ``floor``; ``detail-type`` keeps CloudTrail events out."""
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", floor]}]},
    }


def rule(tags: Tags) -> Rule:
    # One literal pattern per band, chosen by condition: CloudFormation turns Fn::FindInMap or
    # Ref results into strings, and EventBridge rejects a string in a numeric match.
    return Rule(
        RULE,
        Description=Sub("GuardDuty findings at or above ${MinSeverity} to the Slack queue"),
        EventPattern=by_min_severity(
            {band: event_pattern(severity_floor(band)) for band in BAND_NAMES}
        ),
        State="ENABLED",
        Targets=[
            Target(
                Id="FindingsQueue",
                Arn=GetAtt(QUEUE, "Arn"),
                # What EventBridge cannot put on the queue is kept, not dropped.
                DeadLetterConfig=DeadLetterConfig(Arn=GetAtt(DEAD_LETTER_QUEUE, "Arn")),
            )
        ],
        Tags=tags,
    )


def queues(tags: Tags) -> list[Queue]:
    """Both queues are kept on stack deletion and on replacement: they hold findings not yet
    delivered (the DLQ for up to 14 days). Their names are generated, so a kept queue never
    blocks a new stack of the same name; a kept queue is drained with ``gd2slack redrive``."""
    return [
        Queue(
            QUEUE,
            SqsManagedSseEnabled=True,
            VisibilityTimeout=visibility_timeout_ref(),
            MessageRetentionPeriod=QUEUE_RETENTION_SECONDS,
            RedrivePolicy=RedrivePolicy(
                deadLetterTargetArn=GetAtt(DEAD_LETTER_QUEUE, "Arn"),
                maxReceiveCount=Ref("MaxReceiveCount"),
            ),
            Tags=tags,
            Metadata=checkov.QUEUE,
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        ),
        Queue(
            DEAD_LETTER_QUEUE,
            SqsManagedSseEnabled=True,
            MessageRetentionPeriod=DLQ_RETENTION_SECONDS,
            Tags=tags,
            Metadata=checkov.QUEUE,
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        ),
    ]


def queue_policies() -> list[QueuePolicy]:
    """Both queues accept messages from the rule only (the DLQ as the rule's dead letter)."""
    return [
        QueuePolicy(
            f"{queue}Policy",
            Queues=[Ref(queue)],
            PolicyDocument=queue_policy(queue, RULE),
        )
        for queue in (QUEUE, DEAD_LETTER_QUEUE)
    ]


def add_to(template: Template, tags: Tags) -> Ingest:
    for queue in queues(tags):
        template.add_resource(queue)
    policies = [template.add_resource(policy).title for policy in queue_policies()]
    event_rule = template.add_resource(rule(tags))
    return Ingest(
        rule=event_rule.title,
        queue=QUEUE,
        dead_letter_queue=DEAD_LETTER_QUEUE,
        queue_policies=tuple(policies),
    )
