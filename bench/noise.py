"""Noise control: a day of GuardDuty re-publications (every 15 minutes, counts growing, one
escalation) through the handler with a state table (moto): messages sent vs events received.

In Slack app mode (``run_app``, against the local Slack Web API) the same day counts what
notifies people, the channel's roots plus thread replies also sent to the channel, apart from
the edits that keep each root current (quiet, no notification) and the thread replies. Each
finding gets its own root there (no digest), so its re-publications have a root to edit."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import offline_aws, sample_event
from gd2slack.local.state_table import create_state_table
from gd2slack.local.virtual_clock import VirtualClock

FINDINGS = 10
PUBLICATIONS_PER_DAY = 96  # every 15 minutes
CHANNEL = "C0NOISE"


def day() -> Iterator[list[dict[str, Any]]]:
    """One batch of SQS records per 15-minute re-publication of the ``FINDINGS`` findings."""
    base = sample_event()
    start = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
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
        yield records


def _table(client: Any, name: str) -> None:
    create_state_table(client, name)


def run() -> None:
    offline_aws()
    import boto3
    from moto import mock_aws

    from app.adapters.state import StateStore
    from app.config import load_config
    from app.handler import Notifier
    from gd2slack.local.lambda_context import LocalLambdaContext
    from gd2slack.local.slack_receiver import SlackReceiver

    with mock_aws(), SlackReceiver() as slack, contextlib.redirect_stdout(io.StringIO()):
        client = boto3.client("dynamodb")
        _table(client, "bench")
        config = load_config({"SLACK_WEBHOOK_URL": slack.url(), "STATE_TABLE": "bench"})
        notifier = Notifier(config, state=StateStore("bench", client))
        received = 0
        for records in day():
            notifier.handle({"Records": records}, LocalLambdaContext())
            received += len(records)
        sent = len(slack.accepted())
    print(
        f"bench noise: ratio={sent / received:.3f} messages_sent={sent} events_received={received} "
        f"(a notifier without noise control sends {received})"
    )


def run_app() -> None:
    offline_aws()
    import boto3
    from moto import mock_aws

    from app.adapters.observability import logger
    from app.adapters.pacing import Pacer
    from app.adapters.slack_app import SlackAppClient
    from app.adapters.state import StateStore
    from app.adapters.webhooks import WebhookDirectory
    from app.config import load_config
    from app.handler import Notifier
    from gd2slack.local.lambda_context import LocalLambdaContext
    from gd2slack.local.slack_web_api import SlackWebApiServer, SlackWorkspace

    logger.setLevel("WARNING")
    clock = VirtualClock()
    ws = SlackWorkspace(clock=clock)  # Slack's limits, on the virtual clock
    ws.add_channel(CHANNEL, "security-alerts")
    secret = json.dumps({"bot_token": ws.bot_token, "channels": {"default": CHANNEL}})
    pacer = Pacer(clock=clock)
    with mock_aws(), SlackWebApiServer(ws) as server, contextlib.redirect_stdout(io.StringIO()):
        client = boto3.client("dynamodb")
        _table(client, "bench-app")
        config = load_config(
            {
                "SLACK_WEBHOOKS_SECRET_ID": "gd2slack/bench/noise",
                "STATE_TABLE": "bench-app",
                "DIGEST_THRESHOLD": "0",  # each finding its own root: its re-publications edit it
            }
        )

        def app_client(token: str) -> SlackAppClient:
            return SlackAppClient(
                token, base_url=server.base_url, clock=clock, sleep=clock.sleep, pacer=pacer
            )

        notifier = Notifier(
            config,
            webhooks=WebhookDirectory(config, fetch_secret=lambda _id: secret),
            state=StateStore("bench-app", client),
            clock=clock,
            app_client=app_client,
        )
        received = failed = 0
        for records in day():
            result = notifier.handle({"Records": records}, LocalLambdaContext())
            received += len(records)
            failed += len(result["batchItemFailures"])
            clock.sleep(15 * 60)  # the next re-publication comes 15 minutes later
    posted = ws.visible(CHANNEL)
    roots = sum(1 for m in posted if not m.thread_ts)
    broadcasts = sum(1 for m in posted if m.broadcast)
    replies = sum(1 for m in posted if m.thread_ts)
    edits = sum(len(m.edits) for m in posted)
    print(
        f"bench noise app: notifications={roots + broadcasts} (roots={roots} "
        f"broadcasts={broadcasts}) edits={edits} thread_replies={replies} "
        f"events_received={received} failed={failed} (Slack app mode, a root per finding: edits "
        f"keep it current without notifying; a notifier without noise control sends {received})"
    )
