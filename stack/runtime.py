"""The runtime stack (docs/architecture.md#runtime-stack): one template for every stage, built
with troposphere.

``build_template()`` assembles it; ``to_json()`` renders it deterministically (sorted keys, no
timestamps) so the synthesized file only changes when the code does.
"""

from __future__ import annotations

from typing import Final

from troposphere import GetAtt, Output, Ref, Sub, Tags, Template

from stack import alarms, function, ingest, interactions, parameters, state
from stack.parameters import PROJECT

DESCRIPTION: Final = (
    "guardduty-to-slack runtime: GuardDuty -> EventBridge -> SQS -> Lambda (image) -> Slack"
)


def tags() -> Tags:
    return Tags(Project=PROJECT, Stage=Ref("Stage"))


def outputs(
    notifier: function.Notifier,
    queues: ingest.Ingest,
    stored: state.State,
    alarmed: alarms.Alarms,
    triage: interactions.Interactions,
) -> list[Output]:
    """Output keys are a contract: gd2slack.ops.aws reads them by name. The interactions ones
    exist only with triage (their resources' condition)."""
    values = {
        "FunctionName": Ref(notifier.function),
        "FunctionArn": GetAtt(notifier.function, "Arn"),
        "AliasArn": Ref(notifier.alias),
        "QueueUrl": Ref(queues.queue),
        "QueueArn": GetAtt(queues.queue, "Arn"),
        "DeadLetterQueueUrl": Ref(queues.dead_letter_queue),
        "DeadLetterQueueArn": GetAtt(queues.dead_letter_queue, "Arn"),
        "StateTableName": Ref(stored.table),
        # Built from the name rather than Fn::GetAtt: same value, and moto (make demo) can
        # create the stack although it does not model composite alarms.
        "CompositeAlarmArn": Sub(
            "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}"
            f":alarm:${{{alarmed.composite}}}"
        ),
        "CompositeAlarmName": Ref(alarmed.composite),
        "LogGroupName": Ref(notifier.log_group),
        "ImageUri": Ref("ImageUri"),
        "Stage": Ref("Stage"),
    }
    triage_values = {
        # Slack's interactivity request URL (docs/slack-app.md).
        "InteractionsUrl": GetAtt(triage.url, "FunctionUrl"),
        "InteractionsFunctionName": Ref(triage.function),
    }
    return [Output(key, Value=value) for key, value in values.items()] + [
        Output(key, Value=value, Condition=triage.condition) for key, value in triage_values.items()
    ]


def build_template() -> Template:
    """Each construct adds its resources and returns their logical ids (its handle); what one
    construct needs of another is passed here, never imported."""
    template = Template(Description=DESCRIPTION)
    template.set_version("2010-09-09")
    parameters.add_to(template)
    stored = state.add_to(template, tags())
    queues = ingest.add_to(template, tags())
    notifier = function.add_to(template, tags(), queues, stored)
    triage = interactions.add_to(template, tags(), stored)
    alarmed = alarms.add_to(template, tags(), notifier, queues, triage)
    for output in outputs(notifier, queues, stored, alarmed, triage):
        template.add_output(output)
    return template


def to_json() -> str:
    """The template as JSON: same code, same bytes."""
    text: str = build_template().to_json(indent=2, sort_keys=True)
    return text + "\n"
