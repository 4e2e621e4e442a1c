"""Real parts for the multi-process runs (``bench burst``/``recovery``, the chaos test): SQS on
``moto_server``, worker processes that drain it the way the event source mapping does, and a
time scale so Slack's one-message-a-second pace can be run faster without lying about it.

A worker (``python -m bench.worker``) receives batches of up to ``BatchSize`` messages, waiting
up to the batching window to fill one, calls the real handler (``Notifier.handle``) with the
event Lambda would build, and deletes what succeeded. Failed records are left alone, as the
mapping does: they come back when their visibility ends (the handler shortens it for transient
failures). ``kill -9`` of a worker is a Lambda environment dying mid-batch.

Time scale ``S``: the worker's clock, sleeps, pace and Lambda deadline run ``S`` times faster
than the wall clock, and so does the receiver's rate limit; ``Retry-After`` stays a whole number
of (scaled) seconds on both sides. HTTP timeouts and SQS visibility stay in real seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """``moto_server`` on a free port; yields its endpoint URL; stopped by its PID."""
    port = free_port()
    binary = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(binary), "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/moto-api/", timeout=1).close()  # noqa: S310
                break
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def client(service: str, endpoint: str) -> Any:
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106 - moto_server's, never real
    )


def make_queue(sqs: Any, name: str, visibility: int, max_receives: int = 5) -> tuple[str, str]:
    """A queue with a DLQ like the stack's; returns (queue URL, DLQ URL)."""
    dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = f'{{"deadLetterTargetArn": "{dlq_arn}", "maxReceiveCount": {max_receives}}}'
    queue = sqs.create_queue(
        QueueName=name,
        Attributes={"VisibilityTimeout": str(visibility), "RedrivePolicy": policy},
    )["QueueUrl"]
    return queue, dlq


def depth(sqs: Any, url: str) -> int:
    """Messages visible or in flight."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[n]) for n in names)


@dataclass
class Workers:
    """Worker processes draining one queue; ``kill`` one with SIGKILL, ``spawn`` another."""

    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]]

    def spawn(self) -> None:
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.worker"],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def kill(self, index: int) -> None:
        process = self.processes.pop(index % len(self.processes))
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)
        self.processes.clear()


@contextlib.contextmanager
def workers(count: int, env: dict[str, str]) -> Iterator[Workers]:
    pool = Workers({**os.environ, **env}, [])
    for _ in range(count):
        pool.spawn()
    try:
        yield pool
    finally:
        pool.stop()


def wait_until(done: Callable[[], bool], limit: float, every: float = 0.2) -> bool:
    """Poll ``done`` until true or ``limit`` seconds passed (a guard, never a measurement)."""
    stop = time.monotonic() + limit
    while time.monotonic() < stop:
        if done():
            return True
        time.sleep(every)
    return done()
