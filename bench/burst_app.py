"""Burst in Slack app mode: the findings of ``bench burst`` through two worker processes
(``bench.harness``) against the local Slack Web API (``gd2slack.local.slack_web_api``) with
Slack's limits: ``chat.postMessage`` 1/s per channel with a burst of 3, 429 + whole-second
``Retry-After`` beyond; the bot token and channel in a Secrets Manager secret on
``moto_server``, a state table there too; time-scaled ``SCALE`` times (the workspace's clock
and the workers' alike). Each finding is a root and its details reply, two posts in one
channel. Figure: posts accepted ÷ posts the limit allowed over the same (scaled) time; each
finding one root, nothing lost, nothing twice."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections import Counter

from bench.burst import BURST, RATE, SCALE, WORKERS, enqueue
from bench.common import sample_event
from bench.harness import aws_env, client, depth, make_queue, moto_server, wait_until, workers
from gd2slack.local.state_table import create_state_table

FINDINGS = 150
CHANNEL = "C0BURST"
TABLE = "bench-burst-app"
SECRET_ID = "gd2slack/bench/app"  # noqa: S105 - a secret's name on moto_server, no secret


def run() -> None:
    from gd2slack.local.slack_web_api import SlackWebApiServer, SlackWorkspace

    origin = time.time()
    ws = SlackWorkspace(clock=lambda: origin + (time.time() - origin) * SCALE)
    ws.add_channel(CHANNEL, "security-alerts")
    ids = [f"{n:032x}" for n in range(FINDINGS)]
    with (
        moto_server() as endpoint,
        SlackWebApiServer(ws) as server,
        contextlib.redirect_stdout(io.StringIO()),
    ):
        sqs = client("sqs", endpoint)
        queue, _dlq = make_queue(sqs, "burst-app", visibility=420)
        client("secretsmanager", endpoint).create_secret(
            Name=SECRET_ID,
            SecretString=json.dumps({"bot_token": ws.bot_token, "channels": {"default": CHANNEL}}),
        )
        create_state_table(client("dynamodb", endpoint), TABLE)
        enqueue(sqs, queue, sample_event(), ids)
        env = aws_env(endpoint) | {
            "SLACK_WEBHOOKS_SECRET_ID": SECRET_ID,
            "STATE_TABLE": TABLE,
            "DIGEST_THRESHOLD": "0",  # every finding its own root: the worst case
            "WORKER_QUEUE_URL": queue,
            "WORKER_TIMEOUT": "60",
            "BENCH_TIME_SCALE": str(SCALE),
            "BENCH_SLACK_API_URL": server.base_url,
        }
        with workers(WORKERS, env):
            wait_until(lambda: depth(sqs, queue) == 0, limit=FINDINGS * 2 / RATE / SCALE * 3 + 60)
    posted = ws.visible(CHANNEL)
    roots = [m for m in posted if not m.thread_ts]
    found = Counter(
        str((m.metadata or {}).get("event_payload", {}).get("finding_id", "")) for m in roots
    )
    delivered = {i for i in ids if found[i]}
    duplicates = sum(found[i] - 1 for i in delivered)
    stamps = sorted(float(m.ts) for m in posted)
    elapsed = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0  # scaled: the workspace's clock
    allowed = BURST + RATE * elapsed
    limited = sum(c.method == "chat.postMessage" and c.status == 429 for c in ws.calls)
    print(
        f"bench burst app: ratio={len(posted) / allowed:.2f} delivered={len(delivered)}/"
        f"{FINDINGS} lost={FINDINGS - len(delivered)} duplicates={duplicates} "
        f"posts={len(posted)} answered_429={limited} scaled_s={elapsed:.0f} "
        f"(target ratio >= 0.9, lost=0, duplicates=0; Slack app mode, {WORKERS} workers, "
        f"chat.postMessage 1/s per channel, burst {BURST}, time x{SCALE:.0f})"
    )
