"""The runtime stack's alarms and the composite alarm the deploy uses as its rollback trigger.

Each child alarm watches one way delivery can break: the function crashing or timing out,
being throttled, messages giving up (DLQ), the queue backing up, or Slack refusing messages.
Notifications go from the composite alarm only (one page, not five), and only when
``AlarmTopicArn`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from troposphere import GetAtt, If, Join, NoValue, Ref, Sub, Tags, Template
from troposphere.cloudwatch import Alarm, CompositeAlarm, MetricDimension

from app.constants import METRICS_NAMESPACE, SERVICE_NAME
from stack.function import Notifier
from stack.ingest import Ingest
from stack.interactions import Interactions
from stack.parameters import HAS_ALARM_TOPIC

COMPOSITE_ALARM: Final = "DeliveryCompositeAlarm"
# A finding waiting this long in the queue is no longer timely for a responder.
MAX_QUEUE_AGE_SECONDS: Final = 900


@dataclass(frozen=True)
class Alarms:
    """Logical ids of what ``add_to`` created."""

    children: tuple[str, ...]
    composite: str


@dataclass(frozen=True)
class AlarmSpec:
    title: str
    suffix: str
    description: str
    namespace: str
    metric: str
    dimensions: dict[str, object]
    statistic: str
    threshold: float
    period: int = 60
    evaluation_periods: int = 1
    operator: str = "GreaterThanOrEqualToThreshold"
    condition: str | None = None  # the alarm exists only when this condition holds


def alarm_specs(function: str, queue: str, dead_letter_queue: str) -> list[AlarmSpec]:
    """Child alarms, given the logical ids of the resources they watch."""
    return [
        AlarmSpec(
            "FunctionErrorsAlarm",
            "function-errors",
            "The function crashed or timed out (record failures are reported, not raised).",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": Ref(function)},
            "Sum",
            1,
        ),
        AlarmSpec(
            "FunctionThrottlesAlarm",
            "function-throttles",
            "Invocations were throttled: reserved concurrency below the mapping's maximum?",
            "AWS/Lambda",
            "Throttles",
            {"FunctionName": Ref(function)},
            "Sum",
            1,
        ),
        AlarmSpec(
            "DeadLetterQueueNotEmptyAlarm",
            "dlq-not-empty",
            "Findings gave up delivery and wait in the DLQ: fix the cause, then gd2slack redrive.",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": GetAtt(dead_letter_queue, "QueueName")},
            "Maximum",
            0,
            operator="GreaterThanThreshold",
        ),
        AlarmSpec(
            "QueueAgeAlarm",
            "queue-age",
            f"A finding has waited more than {MAX_QUEUE_AGE_SECONDS} s for delivery.",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": GetAtt(queue, "QueueName")},
            "Maximum",
            MAX_QUEUE_AGE_SECONDS,
            period=300,
        ),
        AlarmSpec(
            "SlackErrorsAlarm",
            "slack-errors",
            "Slack refused or failed deliveries after retries (see the function's logs).",
            METRICS_NAMESPACE,
            "SlackErrors",
            # stage keeps dev's Slack errors out of prod's rollback alarm (same account/region).
            {"service": SERVICE_NAME, "stage": Ref("Stage")},
            "Sum",
            1,
            period=300,
        ),
    ]


def interactions_alarm_spec(interactions: Interactions) -> AlarmSpec:
    """Triage only. Errors are crashes and timeouts: refusals, GuardDuty and Slack failures are
    answered, not raised, so an error is a defect worth a rollback. Throttles are not alarmed:
    anyone can send requests to a public URL, so reaching the cap says nothing about us."""
    return AlarmSpec(
        "InteractionsErrorsAlarm",
        "interactions-errors",
        "The interactions function crashed or timed out (triage button presses).",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": Ref(interactions.function)},
        "Sum",
        1,
        condition=interactions.condition,
    )


def _alarm(spec: AlarmSpec, tags: Tags) -> Alarm:
    extra = {"Condition": spec.condition} if spec.condition else {}
    return Alarm(
        spec.title,
        **extra,
        AlarmName=Sub(f"${{AWS::StackName}}-{spec.suffix}"),
        AlarmDescription=spec.description,
        Namespace=spec.namespace,
        MetricName=spec.metric,
        Dimensions=[
            MetricDimension(Name=name, Value=value)
            for name, value in sorted(spec.dimensions.items())
        ],
        Statistic=spec.statistic,
        Period=spec.period,
        EvaluationPeriods=spec.evaluation_periods,
        Threshold=spec.threshold,
        ComparisonOperator=spec.operator,
        TreatMissingData="notBreaching",
        Tags=tags,
    )


def alarms(function: str, queue: str, dead_letter_queue: str, tags: Tags) -> list[Alarm]:
    return [_alarm(spec, tags) for spec in alarm_specs(function, queue, dead_letter_queue)]


def alarm_rule(children: list[Alarm]) -> object:
    """``ALARM(a) OR ALARM(b) …`` over the children; the conditional ones (triage's) only when
    their condition holds: the whole rule is chosen by ``Fn::If``, no ``NoValue`` inside a join.
    """

    def rule(included: list[Alarm]) -> Join:
        return Join(" OR ", [Sub(f'ALARM("${{{child.title}.Arn}}")') for child in included])

    always = [child for child in children if _condition(child) is None]
    conditions = {_condition(child) for child in children} - {None}
    if not conditions:
        return rule(always)
    (condition,) = conditions  # one kind of optional alarm: triage's
    return If(condition, rule(children), rule(always))


def _condition(alarm: Alarm) -> str | None:
    condition = alarm.resource.get("Condition")
    return str(condition) if condition else None


def composite_alarm(children: list[Alarm], tags: Tags) -> CompositeAlarm:
    """ALARM when any child is: the single rollback trigger of a deployment."""
    topic = If(HAS_ALARM_TOPIC, [Ref("AlarmTopicArn")], NoValue)
    return CompositeAlarm(
        COMPOSITE_ALARM,
        AlarmName=Sub("${AWS::StackName}-delivery"),
        AlarmDescription=(
            "GuardDuty-to-Slack delivery is failing; rollback trigger of the stack's deployments."
        ),
        AlarmRule=alarm_rule(children),
        ActionsEnabled=True,
        AlarmActions=topic,
        OKActions=topic,
        Tags=tags,
    )


def add_to(
    template: Template,
    tags: Tags,
    notifier: Notifier,
    ingest: Ingest,
    interactions: Interactions,
) -> Alarms:
    """The child alarms on ``notifier``'s function, ``ingest``'s queues and (with triage)
    ``interactions``' function, and the composite."""
    children = alarms(notifier.function, ingest.queue, ingest.dead_letter_queue, tags)
    children.append(_alarm(interactions_alarm_spec(interactions), tags))
    for alarm in children:
        template.add_resource(alarm)
    composite = template.add_resource(composite_alarm(children, tags))
    return Alarms(children=tuple(a.title for a in children), composite=composite.title)
