"""Noise control: a day of GuardDuty re-publications (every 15 minutes, counts growing, one
escalation) through the handler with a state table (moto): messages sent vs events received."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from datetime import UTC, datetime, timedelta

from bench.common import offline_aws, sample_event

FINDINGS = 10
PUBLICATIONS_PER_DAY = 96  # every 15 minutes


def run() -> None:
    offline_aws()
    import boto3
    from moto import mock_aws

    from app.adapters.state import StateStore
    from app.config import load_config
    from app.handler import Notifier
    from gd2slack.local.lambda_context import LocalLambdaContext
    from gd2slack.local.slack_receiver import SlackReceiver

    base = sample_event()
    start = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    with mock_aws(), SlackReceiver() as slack, contextlib.redirect_stdout(io.StringIO()):
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="bench",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": "bench"})
        notifier = Notifier(config, state=StateStore("bench", client))
        received = 0
        for tick in range(PUBLICATIONS_PER_DAY):
            records = []
            for n in range(FINDINGS):
                event = copy.deepcopy(base)
                seen = (start + timedelta(minutes=15 * tick)).isoformat()
                event["id"] = f"evt-{n}-{tick}"
                event["detail"].update(id=f"{n:032x}", updatedAt=seen)
                event["detail"]["severity"] = 8.5 if n == 0 and tick > 48 else 5.0
                event["detail"]["service"].update(count=tick + 1, eventLastSeen=seen)
                records.append({"messageId": event["id"], "body": json.dumps(event)})
            notifier.handle({"Records": records}, LocalLambdaContext())
            received += len(records)
        sent = len(slack.accepted())
    print(
        f"bench noise: ratio={sent / received:.3f} messages_sent={sent} events_received={received} "
        f"(a notifier without noise control sends {received})"
    )
