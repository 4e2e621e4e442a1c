"""One stand-in Lambda execution environment draining an SQS queue (see ``bench.harness``).

Configuration comes from the environment like the function's, plus ``WORKER_QUEUE_URL``,
``WORKER_TIMEOUT`` (function timeout, scaled seconds), ``WORKER_BATCH_WINDOW`` (real seconds),
``WORKER_MAX_RETRY_DELAY`` (real seconds; caps the visibility a transient failure gets, so a
bounded test never waits out the 125-250 s of a fourth receive), ``BENCH_TIME_SCALE`` and, for
Slack app mode, ``BENCH_SLACK_API_URL`` (the local Web API's base URL; the bot token and channels
come from the secret, as in the function).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from app.adapters.pacing import Pacer
from app.adapters.requeue import MAX_DELAY, Requeuer
from app.adapters.slack import SlackWebhookClient
from app.config import load_config
from app.handler import Notifier
from bench.harness import REGION, client
from gd2slack.local.event_source_mapping import sqs_event
from gd2slack.local.lambda_context import LocalLambdaContext

BATCH_SIZE = 10


class ScaledTime:
    """A clock ``scale`` times faster than the wall clock, and its sleep."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.origin = time.monotonic()

    def __call__(self) -> float:
        return self.origin + (time.monotonic() - self.origin) * self.scale

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / self.scale)


def receive_batch(sqs: Any, url: str, window: float) -> list[dict[str, Any]]:
    """Up to ``BATCH_SIZE`` messages, waiting at most ``window`` s after the first to fill."""
    messages: list[dict[str, Any]] = []
    first = None
    while len(messages) < BATCH_SIZE:
        wait = 1 if first is None else max(0, round(window - (time.monotonic() - first)))
        got = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=BATCH_SIZE - len(messages),
            WaitTimeSeconds=wait,
            AttributeNames=["All"],
        ).get("Messages", [])
        messages.extend(got)
        if messages and first is None:
            first = time.monotonic()
        if first is not None and (not got or time.monotonic() - first >= window):
            break
    return messages


def _app_client(scaled: ScaledTime, base_url: str) -> Callable[[str], Any] | None:
    """App mode's client on the scaled clock, one pace for the whole process (as ``SHARED``)."""
    if not base_url:
        return None
    from app.adapters.slack_app import SlackAppClient

    pacer = Pacer(clock=scaled)

    def make(token: str) -> SlackAppClient:
        return SlackAppClient(
            token, base_url=base_url, clock=scaled, sleep=scaled.sleep, pacer=pacer
        )

    return make


def main() -> None:
    scaled = ScaledTime(float(os.environ.get("BENCH_TIME_SCALE", "1")))
    config = load_config(os.environ)
    slack = SlackWebhookClient(clock=scaled, sleep=scaled.sleep)
    max_delay = float(os.environ.get("WORKER_MAX_RETRY_DELAY", MAX_DELAY))
    notifier = Notifier(
        config,
        slack=slack,
        requeuer=Requeuer(max_delay=max_delay),
        clock=scaled,
        app_client=_app_client(scaled, os.environ.get("BENCH_SLACK_API_URL", "")),
    )
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    sqs, url = client("sqs", endpoint), os.environ["WORKER_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    timeout = float(os.environ.get("WORKER_TIMEOUT", "60"))
    window = float(os.environ.get("WORKER_BATCH_WINDOW", "0"))
    while True:
        messages = receive_batch(sqs, url, window)
        if not messages:
            continue
        # Remaining time is in scaled seconds: the handler's deadline is on the scaled clock.
        result = notifier.handle(
            sqs_event(messages, arn, REGION), LocalLambdaContext(timeout_seconds=timeout)
        )
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(done[start : start + 10])
                ],
            )


if __name__ == "__main__":
    main()
