"""Burst delivery: N findings against a receiver enforcing Slack's rate limit with 429 +
Retry-After; achieved rate over allowed rate, and nothing lost or duplicated."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import time

from bench.common import offline_aws, sample_event

FINDINGS = 40
ALLOWED_PER_SECOND = 10.0
BURST = 5


def run() -> None:
    offline_aws()
    from app.config import load_config
    from app.handler import Notifier
    from gd2slack.lambda_context import LocalLambdaContext
    from gd2slack.slack_receiver import SlackReceiver

    base = sample_event()
    events = []
    for n in range(FINDINGS):
        event = copy.deepcopy(base)
        event["detail"]["id"] = f"{n:032x}"
        events.append(event)
    pending = {f"m{n}": json.dumps(e) for n, e in enumerate(events)}
    with (
        SlackReceiver(rate_per_second=ALLOWED_PER_SECOND, burst=BURST) as slack,
        contextlib.redirect_stdout(io.StringIO()),
    ):
        # DIGEST_THRESHOLD=0: every finding is its own message, the worst case for the limit.
        notifier = Notifier(
            load_config({"SLACK_WEBHOOK_URL": slack.url(), "DIGEST_THRESHOLD": "0"})
        )
        started = time.perf_counter()
        while pending:  # the event source mapping: batches of 10, failed records come back
            batch = dict(list(pending.items())[:10])
            records = [{"messageId": k, "body": v} for k, v in batch.items()]
            result = notifier.handle({"Records": records}, LocalLambdaContext(timeout_seconds=60))
            failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            for key in batch:
                if key not in failed:
                    del pending[key]
        elapsed = time.perf_counter() - started
        delivered = [p["blocks"][-2]["elements"][0]["text"] for p in slack.accepted()]
    rejected = sum(1 for p in slack.posts if p.status == 429)
    unique = len(set(delivered))
    rate = len(delivered) / elapsed
    print(
        f"bench burst: ratio={rate / ALLOWED_PER_SECOND:.2f} achieved_per_s={rate:.1f} "
        f"allowed_per_s={ALLOWED_PER_SECOND:.0f} delivered={len(delivered)}/{FINDINGS} "
        f"duplicates={len(delivered) - unique} lost={FINDINGS - unique} answered_429={rejected}"
    )
