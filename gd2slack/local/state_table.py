"""The state table as the runtime stack declares it (``stack/state.py``: partition key ``pk``,
TTL on ``expires_at``, on demand), for what runs without CloudFormation: the demo, the tests and
the benchmarks create it against moto with this one function."""

from __future__ import annotations

from typing import Any

from stack.state import TABLE_PARTITION_KEY, TABLE_TTL_ATTRIBUTE


def create_state_table(client: Any, name: str) -> str:
    """Create ``name`` with ``client`` (a boto3 DynamoDB client); returns the name."""
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": TABLE_PARTITION_KEY, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": TABLE_PARTITION_KEY, "KeyType": "HASH"}],
    )
    client.update_time_to_live(
        TableName=name,
        TimeToLiveSpecification={"AttributeName": TABLE_TTL_ATTRIBUTE, "Enabled": True},
    )
    return name
