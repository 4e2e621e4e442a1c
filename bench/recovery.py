"""Recovery: latency from enqueue to Slack when 20 % of first POSTs fail transiently (HTTP 500,
a reset connection, an answer slower than the read timeout), with the stack's defaults: 60 s
function timeout, 420 s visibility timeout, 5 s batching window, two concurrent workers, one
webhook at Slack's real pace (no time scaling). A batch of 10 findings, ``ROUNDS`` times."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import statistics
import time

from bench.common import sample_event
from bench.harness import aws_env, client, depth, make_queue, moto_server, wait_until, workers

ROUNDS = 3
BATCH = 10
FAILING = 2  # of each batch: 20 %
FUNCTION_TIMEOUT = 60  # stack/parameters.py defaults
VISIBILITY = 6 * FUNCTION_TIMEOUT + 60
BATCHING_WINDOW = 5


def run() -> None:
    from gd2slack.local.slack_receiver import RESET, SERVER_ERROR, Reply, SlackReceiver

    faults = [SERVER_ERROR, RESET, Reply(delay=5)]
    base = sample_event()
    latencies: list[float] = []
    with (
        moto_server() as endpoint,
        SlackReceiver(rate_per_second=1.0, burst=3) as slack,
        contextlib.redirect_stdout(io.StringIO()),
    ):
        sqs = client("sqs", endpoint)
        queue, _ = make_queue(sqs, "recovery", visibility=VISIBILITY)
        env = aws_env(endpoint) | {
            "SLACK_WEBHOOK_URL": slack.url(),
            "DIGEST_THRESHOLD": "0",  # one message per finding: every one is timed
            "WORKER_QUEUE_URL": queue,
            "WORKER_TIMEOUT": str(FUNCTION_TIMEOUT),
            "WORKER_BATCH_WINDOW": str(BATCHING_WINDOW),
        }
        with workers(2, env):
            for round_ in range(ROUNDS):
                ids = [f"{round_:08x}{n:024x}" for n in range(BATCH)]
                for n, finding_id in enumerate(ids[:FAILING]):
                    slack.answer_matching(finding_id.encode(), faults[(round_ + n) % 3], times=1)
                enqueued = time.monotonic()
                for finding_id in ids:
                    event = copy.deepcopy(base)
                    event["id"], event["detail"]["id"] = f"evt-{finding_id}", finding_id
                    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(event))
                wait_until(lambda: depth(sqs, queue) == 0, limit=VISIBILITY)
                for finding_id in ids:
                    first = next(
                        (
                            p.at
                            for p in slack.posts
                            if p.status == 200 and finding_id in json.dumps(p.payload)
                        ),
                        None,
                    )
                    latencies.append(float("inf") if first is None else first - enqueued)
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1]
    lost = sum(latency == float("inf") for latency in latencies)
    print(
        f"bench recovery: p95_s={p95:.1f} max_s={max(latencies):.1f} "
        f"median_s={statistics.median(latencies):.1f} lost={lost} findings={len(latencies)} "
        f"(target p95 <= 15 s; 20 % first POSTs fail: 500, reset, slow answer; stack defaults)"
    )
