"""The image's contents, tested without Docker.

Installs exactly what the Dockerfile installs (``bench.footprint`` parses its pip line) into a
temporary task root, copies ``app/`` there as the Dockerfile does, and runs the handler in a
fresh ``python -I -S`` with nothing else on ``sys.path``: if the runtime requirement set missed
a package, or the handler needed a dev dependency, this fails. (The host interpreter stands in
for the image's Python 3.13; the requirement closure is the same.)
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import footprint
from gd2slack.local.slack_receiver import SlackReceiver
from tests.conftest import load_event
from tests.slack_checks import assert_valid_payload

ROOT = Path(__file__).resolve().parents[2]

# Runs inside the isolated interpreter: task root first on sys.path, a Lambda-like context.
BOOTSTRAP = """
import json, sys
task_root, event_file, result_file = sys.argv[1:4]
sys.path.insert(0, task_root)

class Context:
    function_name = "gd2slack-dev-GuardDutyToSlackFunction-TEST"
    function_version = "1"
    invoked_function_arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:" + function_name + ":live"
    )
    memory_limit_in_mb = 512
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = "/aws/lambda/gd2slack-dev"
    log_stream_name = "2026/11/28/[1]abcdef"

    def get_remaining_time_in_millis(self):
        return 60000

from app.handler import lambda_handler

with open(event_file) as f:
    event = json.load(f)
result = lambda_handler(event, Context())
loaded = sorted(
    {m.__file__ for m in list(sys.modules.values()) if getattr(m, "__file__", None)}
)
with open(result_file, "w") as f:
    json.dump({"result": result, "modules": loaded}, f)
"""

# A realistic finding from the shared fixtures (the image test needs no special shape).
FINDING_EVENT = load_event("ec2-ssh-brute-force.json")


def sqs_event(body: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(body)
    return {
        "Records": [
            {
                "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
                "body": text,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795857240000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795857240001",
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:gd2slack-dev-FindingsQueue",
                "awsRegion": "us-east-1",
            }
        ]
    }


@pytest.fixture(scope="session")
def task_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The image's ``${LAMBDA_TASK_ROOT}``: runtime dependencies plus ``app/``."""
    root = tmp_path_factory.mktemp("image") / "task"
    try:
        footprint.install(root)
    except subprocess.CalledProcessError as err:
        output = (err.stderr or "") + (err.stdout or "")
        if any(s in output for s in ("NewConnectionError", "Temporary failure", "timed out")):
            pytest.skip(f"PyPI unreachable, cannot reproduce the image: {output[-300:]}")
        raise AssertionError(f"the image's pip install fails:\n{output}") from None
    shutil.copytree(
        ROOT / "app", root / "app", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return root


@pytest.fixture
def xray_socket() -> Iterator[socket.socket]:
    """Somewhere for the X-Ray SDK to send segments, so nothing leaves the machine."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock
    finally:
        sock.close()


def test_dockerfile_copies_only_requirements_and_app() -> None:
    sources = set(footprint.copies().values())
    assert sources == {"requirements/runtime.txt", "app/"}
    assert footprint.requirements_file() == ROOT / "requirements" / "runtime.txt"
    keywords = dict(footprint.instructions())
    assert keywords["CMD"] == '["app.handler.lambda_handler"]'
    base = keywords["FROM"]
    assert base.startswith("public.ecr.aws/lambda/python:3.1")
    tag = base.split("@")[0].rsplit(":", 1)[1]
    assert tag.count(".") >= 3 or "@sha256:" in base, "pin the base image (exact tag or digest)"


def test_dockerignore_admits_only_the_build_inputs() -> None:
    lines = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "exclude everything, then admit what the build needs"
    admitted = {line[1:] for line in lines if line.startswith("!")}
    assert admitted <= {"requirements/runtime.txt", "app/", "app/**"}


def test_runtime_requirements_are_the_pinned_closure() -> None:
    lines = [
        line.split("#")[0].strip()
        for line in footprint.requirements_file().read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert all("==" in line for line in lines), "every runtime requirement is pinned"
    names = {line.split("==")[0].lower().replace("_", "-") for line in lines}
    assert {"aws-lambda-powertools", "aws-xray-sdk", "boto3", "requests", "slack-sdk"} <= names
    dev_only = {"moto", "troposphere", "awacs", "cfn-lint", "pytest", "hypothesis"}
    assert not names & dev_only


def test_handler_runs_from_the_image_contents_alone(
    task_root: Path, tmp_path: Path, xray_socket: socket.socket
) -> None:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(sqs_event(FINDING_EVENT)))
    result_file = tmp_path / "result.json"
    xray_port = xray_socket.getsockname()[1]
    with SlackReceiver() as slack:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "LAMBDA_TASK_ROOT": str(task_root),
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_LAMBDA_FUNCTION_NAME": "gd2slack-dev-GuardDutyToSlackFunction-TEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_FUNCTION_VERSION": "1",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/gd2slack-dev",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{xray_port}",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "_X_AMZN_TRACE_ID": (
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
            ),
            "SLACK_WEBHOOK_URL": slack.url(),
            "MIN_SEVERITY": "LOW",
            "STAGE": "dev",
            "POWERTOOLS_SERVICE_NAME": "guardduty-to-slack",
            "POWERTOOLS_METRICS_NAMESPACE": "GuardDutyToSlack",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        run = subprocess.run(
            [
                sys.executable, "-I", "-S", "-c", BOOTSTRAP,
                str(task_root), str(event_file), str(result_file),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=tmp_path,
        )  # fmt: skip
        assert run.returncode == 0, f"handler failed from the image contents:\n{run.stderr}"
        posts = slack.accepted()

    outcome = json.loads(result_file.read_text())
    assert outcome["result"] == {"batchItemFailures": []}
    assert len(posts) == 1, posts
    assert_valid_payload(posts[0])

    # Nothing came from the project's virtualenv: only the task root and the standard library.
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    strays = [
        path
        for path in outcome["modules"]
        if not Path(path).resolve().is_relative_to(task_root.resolve())
        and not Path(path).resolve().is_relative_to(stdlib)
    ]
    assert not strays, f"modules loaded from outside the image contents: {strays}"
    # slack_sdk is in the image for Slack app mode only: webhook mode never loads it.
    assert not [path for path in outcome["modules"] if "/slack_sdk/" in path]
