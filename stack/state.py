"""The state table: finding state for noise control and idempotency (item kinds live under
``pk``; ``app/adapters/state.py`` defines them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from troposphere import If, Tags, Template
from troposphere.dynamodb import (
    AttributeDefinition,
    KeySchema,
    PointInTimeRecoverySpecification,
    SSESpecification,
    Table,
    TimeToLiveSpecification,
)

from stack import checkov
from stack.parameters import IS_PROD

STATE_TABLE: Final = "StateTable"
TABLE_PARTITION_KEY: Final = "pk"
TABLE_TTL_ATTRIBUTE: Final = "expires_at"


@dataclass(frozen=True)
class State:
    """Logical ids of what ``add_to`` created."""

    table: str


def state_table(tags: Tags) -> Table:
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
        Tags=tags,
        Metadata=checkov.TABLE,
    )


def add_to(template: Template, tags: Tags) -> State:
    table = template.add_resource(state_table(tags))
    return State(table=table.title)
