"""Cold start: a fresh process importing the handler with tracing ready (as in Lambda),
against a fresh process that only imports boto3."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.common import ROOT, median_ms

ROUNDS = 7
HANDLER = "import app.handler"
BASELINE = "import boto3"


def _time(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def run() -> None:
    with tempfile.TemporaryDirectory() as task_root:
        env = {
            **os.environ,
            "LAMBDA_TASK_ROOT": task_root,
            "AWS_LAMBDA_FUNCTION_NAME": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "SLACK_WEBHOOK_URL": "http://127.0.0.1:9/x",
            "_X_AMZN_TRACE_ID": (
                "Root=1-6748a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
            ),
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        }
        _time(HANDLER, env)  # warm the file cache for both sides alike
        _time(BASELINE, env)
        ours = [_time(HANDLER, env) for _ in range(ROUNDS)]
        baseline = [_time(BASELINE, env) for _ in range(ROUNDS)]
    ours_ms, baseline_ms = median_ms(ours), median_ms(baseline)
    print(
        f"bench cold: ratio={ours_ms / baseline_ms:.2f} ours_ms={ours_ms:.0f} "
        f"baseline_ms={baseline_ms:.0f} (target ratio <= 1.3; webhook mode imports no boto3)"
    )
