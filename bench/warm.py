"""Warm path: one finding through the handler to the local receiver, against one bare
``http.client`` POST of the same payload on a new connection (what a naive notifier does)."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import time
from urllib.parse import urlsplit

from bench.common import median_ms, offline_aws, sample_event

ROUNDS = 200


def run() -> None:
    offline_aws()
    from app.config import load_config
    from app.finding import parse_event
    from app.handler import Notifier
    from app.render import render_finding
    from gd2slack.lambda_context import LocalLambdaContext
    from gd2slack.slack_receiver import SlackReceiver

    event = sample_event()
    with SlackReceiver() as slack, contextlib.redirect_stdout(io.StringIO()):
        notifier = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
        body = json.dumps(render_finding(parse_event(event)))
        target = urlsplit(slack.url())
        ours, baseline = [], []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            notifier.handle(event, LocalLambdaContext())
            ours.append(time.perf_counter() - started)
            started = time.perf_counter()
            connection = http.client.HTTPConnection(target.hostname or "", target.port, timeout=5)
            connection.request("POST", target.path, body, {"Content-Type": "application/json"})
            connection.getresponse().read()
            connection.close()
            baseline.append(time.perf_counter() - started)
    ours_ms, baseline_ms = median_ms(ours), median_ms(baseline)
    print(
        f"bench warm: ratio={ours_ms / baseline_ms:.2f} ours_ms={ours_ms:.2f} "
        f"baseline_ms={baseline_ms:.2f} (target ratio <= 1.0)"
    )
