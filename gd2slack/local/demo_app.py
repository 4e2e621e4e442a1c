"""``make demo``'s second part: the same story in Slack app mode, against the local Slack Web
API (``gd2slack.local.slack_web_api``) and moto's DynamoDB, printed as each channel's transcript:
roots, their edits, thread replies and broadcasts.

Findings: the bundled samples (attack sequences and executions go to ``#security-critical``
by a route); one
finding re-published (quiet refreshes of its root, a count milestone, an escalation that is
broadcast); a burst that becomes one digest, and a later change of one digested finding (it
replies in the digest's thread); one post whose answer is lost after Slack accepted it (found by
its metadata, not posted twice) and the same event delivered a second time. Slack's pace runs
on a virtual clock, so the demo takes seconds, not the minute Slack's 1 message/s would.
Triage is on, so every root carries the triage buttons; at the end the on-call user presses
Archive on one of them, handled by the real interactions function (``demo_triage``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from typing import Any

from gd2slack.local import demo_triage
from gd2slack.local.demo import bundled_samples, burst, noise_steps
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_web_api import ACCEPT_THEN_CLOSE, SlackWebApiServer, SlackWorkspace
from gd2slack.local.state_table import create_state_table
from gd2slack.local.virtual_clock import VirtualClock

TABLE = "gd2slack-demo-app-state"
APP_SECRET_ID = "gd2slack/local/demo/app"  # noqa: S105 - the secret's name
CHANNELS = {"default": "C0ALERTS", "critical": "C0CRITICAL"}
ROUTES = [{"match": {"types": ["AttackSequence:*", "Execution:*"]}, "route": "critical"}]


def run_app_demo() -> int:
    """The app-mode story; the handler's log level is quieted for it and put back after (the
    demo also runs inside test processes)."""
    from app.adapters.observability import logger  # noqa: PLC0415

    level = logger.log_level
    logger.setLevel("WARNING")  # the transcript is the output, not the handler's log lines
    try:
        return _run_app_demo()
    finally:
        logger.setLevel(level)


def _run_app_demo() -> int:
    import boto3  # noqa: PLC0415 - heavy, only for the demo
    from moto import mock_aws  # noqa: PLC0415

    from app.adapters.pacing import Pacer  # noqa: PLC0415
    from app.adapters.slack_app import SlackAppClient  # noqa: PLC0415
    from app.adapters.state import StateStore  # noqa: PLC0415
    from app.adapters.webhooks import WebhookDirectory  # noqa: PLC0415
    from app.config import load_config  # noqa: PLC0415
    from app.handler import Notifier  # noqa: PLC0415
    from app.interactions.handler import Interactions  # noqa: PLC0415

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    ws = SlackWorkspace(limits={})
    ws.add_channel(CHANNELS["default"], "security-alerts")
    ws.add_channel(CHANNELS["critical"], "security-critical")
    clock = VirtualClock()
    pacer = Pacer(clock=clock)
    samples = bundled_samples()
    pressed = demo_triage.pressed(samples)
    signing_secret = demo_triage.prepare(ws, CHANNELS["default"])
    with mock_aws(), SlackWebApiServer(ws) as server:
        dynamodb = boto3.client("dynamodb")
        create_state_table(dynamodb, TABLE)
        app_secret = json.dumps({"bot_token": ws.bot_token, "channels": CHANNELS})
        secrets = {APP_SECRET_ID: app_secret, demo_triage.SIGNING_ID: signing_secret}
        config = load_config(
            {
                "SLACK_WEBHOOKS_SECRET_ID": APP_SECRET_ID,
                "STATE_TABLE": TABLE,
                "ROUTES": json.dumps(ROUTES),
                "DIGEST_THRESHOLD": "9",
                **demo_triage.triage_settings(ws, demo_triage.detector_of(pressed)),
            }
        )

        def client(token: str) -> SlackAppClient:
            return SlackAppClient(
                token, base_url=server.base_url, clock=clock, sleep=clock.sleep, pacer=pacer
            )

        def deliver(*events: dict[str, Any]) -> int:
            notifier = Notifier(
                config,
                webhooks=WebhookDirectory(config, fetch_secret=secrets.__getitem__),
                state=StateStore(TABLE, dynamodb),
                clock=clock,
                app_client=client,
            )
            records = [{"messageId": f"m{i}", "body": json.dumps(e)} for i, e in enumerate(events)]
            with contextlib.redirect_stdout(io.StringIO()):  # the handler's JSON log lines
                result = notifier.handle({"Records": records}, LocalLambdaContext())
            return len(result["batchItemFailures"])

        def interactions_for(**parts: Any) -> Interactions:
            return Interactions(
                config,
                state=StateStore(TABLE, dynamodb),
                fetch_secret=secrets.__getitem__,
                app_client=client,
                region=demo_triage.REGION,
                clock=clock,
                **parts,
            )

        failed = 0
        failed += deliver(*samples)
        medium = next(e for e in samples if 4.0 <= float(e["detail"].get("severity") or 0) < 7.0)
        steps = noise_steps(medium)
        for n, (_label, event) in enumerate(steps):
            event["id"] = f"demo-app-step-{n}"  # each re-publication is its own EventBridge event
        ws.inject("chat.postMessage", ACCEPT_THEN_CLOSE)  # the milestone's answer is lost
        for _label, event in steps:
            failed += deliver(event)
        failed += deliver(steps[-2][1])  # the escalation's event delivered a second time
        probe = next(e for e in samples if e["detail"]["type"].startswith("Recon:EC2/PortProbe"))
        wave = burst(probe)
        for n, event in enumerate(wave):
            event["id"] = f"demo-app-burst-{n}"
        failed += deliver(*wave)
        later = json.loads(json.dumps(wave[3]))
        later["id"] = "demo-later-change"
        later["detail"]["service"]["count"] = 10
        later["detail"]["updatedAt"] = "2026-11-28T12:00:00Z"
        failed += deliver(later)
        root = next(
            m
            for m in ws.visible(CHANNELS["default"])
            if not m.thread_ts
            and (m.metadata or {}).get("event_payload", {}).get("finding_id")
            == pressed["detail"]["id"]
        )
        triage, problems = demo_triage.press_archive(
            ws,
            root,
            event=pressed,
            interactions_for=interactions_for,
            signing_secret=signing_secret,
        )
        print("\nSlack app mode (local Web API): each channel as people see it")
        for channel in CHANNELS.values():
            print()
            print(ws.transcript(channel))
        roots = sum(1 for c in CHANNELS.values() for m in ws.visible(c) if not m.thread_ts)
        replies = sum(1 for c in CHANNELS.values() for m in ws.visible(c) if m.thread_ts)
        broadcasts = sum(1 for c in CHANNELS.values() for m in ws.visible(c) if m.broadcast)
        edits = sum(len(m.edits) for c in CHANNELS.values() for m in ws.visible(c))
        print(
            f"\n{roots} roots, {replies} thread replies ({broadcasts} sent to the channel too), "
            f"{edits} edits; {failed} record(s) failed"
        )
        print("\n".join(triage))
    return 0 if failed == 0 and problems == 0 else 1
