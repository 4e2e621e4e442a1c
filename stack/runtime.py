"""The runtime stack (docs/architecture.md#runtime-stack): one template for every stage, built
with troposphere.

``build_template()`` assembles it; ``to_json()`` renders it deterministically (sorted keys, no
timestamps) so the synthesized file only changes when the code does.
"""

from __future__ import annotations

from typing import Final

from troposphere import GetAtt, If, Output, Ref, Sub, Tags, Template
from troposphere.dynamodb import (
    AttributeDefinition,
    KeySchema,
    PointInTimeRecoverySpecification,
    SSESpecification,
    Table,
    TimeToLiveSpecification,
)

from stack import alarms, checkov, function, ingest, parameters
from stack.parameters import IS_PROD, PROJECT

STATE_TABLE: Final = "StateTable"
TABLE_PARTITION_KEY: Final = "pk"
TABLE_TTL_ATTRIBUTE: Final = "expires_at"

DESCRIPTION: Final = (
    "guardduty-to-slack runtime: GuardDuty -> EventBridge -> SQS -> Lambda (image) -> Slack"
)


def tags() -> Tags:
    return Tags(Project=PROJECT, Stage=Ref("Stage"))


def state_table() -> Table:
    """Finding state for noise control and idempotency; item kinds live under ``pk``."""
    return Table(
        STATE_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            AttributeDefinition(AttributeName=TABLE_PARTITION_KEY, AttributeType="S")
        ],
        KeySchema=[KeySchema(AttributeName=TABLE_PARTITION_KEY, KeyType="HASH")],
        TimeToLiveSpecification=TimeToLiveSpecification(
            AttributeName=TABLE_TTL_ATTRIBUTE, Enabled=True
        ),
        PointInTimeRecoverySpecification=PointInTimeRecoverySpecification(
            PointInTimeRecoveryEnabled=True
        ),
        SSESpecification=SSESpecification(SSEEnabled=True),
        DeletionProtectionEnabled=If(IS_PROD, True, False),
        # Kept on delete and on replacement: it is what makes redelivery and redrive idempotent.
        # Its name is generated, so a retained table never blocks a new stack of the same name.
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        Tags=tags(),
        Metadata=checkov.TABLE,
    )


def outputs() -> list[Output]:
    """Output keys are a contract: gd2slack.ops.aws reads them by name."""
    values = {
        "FunctionName": Ref(function.FUNCTION),
        "FunctionArn": GetAtt(function.FUNCTION, "Arn"),
        "AliasArn": Ref(function.ALIAS),
        "QueueUrl": Ref(ingest.QUEUE),
        "QueueArn": GetAtt(ingest.QUEUE, "Arn"),
        "DeadLetterQueueUrl": Ref(ingest.DEAD_LETTER_QUEUE),
        "DeadLetterQueueArn": GetAtt(ingest.DEAD_LETTER_QUEUE, "Arn"),
        "StateTableName": Ref(STATE_TABLE),
        # Built from the name rather than Fn::GetAtt: same value, and moto (make demo) can
        # create the stack although it does not model composite alarms.
        "CompositeAlarmArn": Sub(
            "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}"
            f":alarm:${{{alarms.COMPOSITE_ALARM}}}"
        ),
        "CompositeAlarmName": Ref(alarms.COMPOSITE_ALARM),
        "LogGroupName": Ref(function.LOG_GROUP),
        "ImageUri": Ref("ImageUri"),
        "Stage": Ref("Stage"),
    }
    return [Output(key, Value=value) for key, value in values.items()]


def build_template() -> Template:
    template = Template(Description=DESCRIPTION)
    template.set_version("2010-09-09")
    parameters.add_to(template)

    template.add_resource(function.log_group(tags(), checkov.LOG_GROUP))
    template.add_resource(state_table())
    template.add_resource(function.role(STATE_TABLE, tags()))
    template.add_resource(function.secret_key_policy_resource())
    template.add_resource(function.function(STATE_TABLE, tags(), checkov.FUNCTION))
    template.add_resource(function.version())
    template.add_resource(function.alias())
    template.add_resource(function.event_source_mapping(tags()))

    for queue in ingest.queues(tags()):
        template.add_resource(queue)
    for policy in ingest.queue_policies():
        template.add_resource(policy)
    template.add_resource(ingest.rule(tags()))

    children = alarms.alarms(function.FUNCTION, ingest.QUEUE, ingest.DEAD_LETTER_QUEUE, tags())
    for alarm in children:
        template.add_resource(alarm)
    template.add_resource(alarms.composite_alarm(children, tags()))

    for output in outputs():
        template.add_output(output)
    return template


def to_json() -> str:
    """The template as JSON: same code, same bytes."""
    text: str = build_template().to_json(indent=2, sort_keys=True)
    return text + "\n"
