"""Burst: 300 findings through two concurrent worker processes (the stack's MaximumConcurrency)
against a receiver enforcing Slack's pace on one webhook (1 message/s, a burst of 3, 429 +
whole-second Retry-After beyond), time-scaled ``SCALE`` times. Figure: messages delivered ÷
messages the limit allowed over the same (scaled) time; nothing lost, nothing twice."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import re
from typing import Any

from bench.common import sample_event
from bench.harness import aws_env, client, depth, make_queue, moto_server, wait_until, workers

FINDINGS = 300
WORKERS = 2
RATE = 1.0
BURST = 3
SCALE = 5.0


def run() -> None:
    from gd2slack.local.slack_receiver import SlackReceiver

    base = sample_event()
    ids = [f"{n:032x}" for n in range(FINDINGS)]
    with (
        moto_server() as endpoint,
        SlackReceiver(rate_per_second=RATE, burst=BURST, time_scale=SCALE) as slack,
        contextlib.redirect_stdout(io.StringIO()),
    ):
        sqs = client("sqs", endpoint)
        queue, _dlq = make_queue(sqs, "burst", visibility=420)
        enqueue(sqs, queue, base, ids)
        env = aws_env(endpoint) | {
            "SLACK_WEBHOOK_URL": slack.url(),
            "DIGEST_THRESHOLD": "0",  # every finding its own message: the worst case
            "WORKER_QUEUE_URL": queue,
            "WORKER_TIMEOUT": "60",
            "BENCH_TIME_SCALE": str(SCALE),
        }
        with workers(WORKERS, env):
            wait_until(lambda: depth(sqs, queue) == 0, limit=FINDINGS / RATE / SCALE * 3 + 60)
        posts = list(slack.posts)
    accepted = [p for p in posts if p.status == 200]
    known = set(ids)
    seen = [_finding_ids(json.dumps(p.payload), known) for p in accepted]
    delivered = [i for found in seen for i in found]
    elapsed = (accepted[-1].at - accepted[0].at) * SCALE if len(accepted) > 1 else 0.0
    allowed = BURST + RATE * elapsed
    print(
        f"bench burst: ratio={len(accepted) / allowed:.2f} delivered={len(set(delivered))}/"
        f"{FINDINGS} lost={FINDINGS - len(set(delivered))} "
        f"duplicates={len(delivered) - len(set(delivered))} answered_429="
        f"{sum(p.status == 429 for p in posts)} scaled_s={elapsed:.0f} "
        f"(target ratio >= 0.9, lost=0, duplicates=0; {WORKERS} workers, 1 msg/s, burst {BURST},"
        f" time x{SCALE:.0f})"
    )


def enqueue(sqs: Any, queue: str, base: dict[str, Any], ids: list[str]) -> None:
    """One event per finding id, sent in batches of 10."""
    for start in range(0, len(ids), 10):
        entries = []
        for n in range(start, min(start + 10, len(ids))):
            event = copy.deepcopy(base)
            event["id"], event["detail"]["id"] = f"evt-{n}", ids[n]
            entries.append({"Id": str(n), "MessageBody": json.dumps(event)})
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)


def _finding_ids(text: str, known: set[str]) -> set[str]:
    return {match for match in re.findall(r"[0-9a-f]{32}", text) if match in known}
