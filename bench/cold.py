"""Cold start: a fresh process importing a handler with tracing ready (as in Lambda), against a
fresh process that imports only the libraries that handler cannot do without: boto3 for the
notifier, boto3 and slack_sdk's WebClient for the interactions function (it calls both on
every press, so it imports them at init and its figure is what its own code adds)."""

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
INTERACTIONS = "import app.interactions.handler"
INTERACTIONS_BASELINE = "import boto3, slack_sdk.web, slack_sdk.signature"


def _time(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def _environment(task_root: str) -> dict[str, str]:
    return {
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


def _ratio(code: str, baseline_code: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as task_root:
        env = _environment(task_root)
        _time(code, env)  # warm the file cache for both sides alike
        _time(baseline_code, env)
        ours = [_time(code, env) for _ in range(ROUNDS)]
        baseline = [_time(baseline_code, env) for _ in range(ROUNDS)]
    return median_ms(ours), median_ms(baseline)


def run() -> None:
    ours_ms, baseline_ms = _ratio(HANDLER, BASELINE)
    print(
        f"bench cold: ratio={ours_ms / baseline_ms:.2f} ours_ms={ours_ms:.0f} "
        f"baseline_ms={baseline_ms:.0f} (target ratio <= 1.3; webhook mode imports no boto3)"
    )


def run_interactions() -> None:
    ours_ms, baseline_ms = _ratio(INTERACTIONS, INTERACTIONS_BASELINE)
    print(
        f"bench cold interactions: ratio={ours_ms / baseline_ms:.2f} ours_ms={ours_ms:.0f} "
        f"baseline_ms={baseline_ms:.0f} (target ratio <= 1.3; baseline: boto3 + slack_sdk)"
    )
