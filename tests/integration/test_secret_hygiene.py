"""The webhook URL is a secret: across every delivery path, it never reaches logs (any level),
metrics, trace segments or exception text. Trace annotations are asserted from real segments.

The handler runs in a child process configured like Lambda (``LAMBDA_TASK_ROOT``, a trace id,
``AWS_XRAY_DAEMON_ADDRESS`` pointing at a UDP socket here), so Powertools' Tracer is live.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from gd2slack.local.slack_receiver import RATE_LIMITED, REVOKED, SERVER_ERROR, Reply, SlackReceiver
from gd2slack.local.slack_web_api import (
    ACCEPT_THEN_CLOSE,
    SlackWebApiServer,
    SlackWorkspace,
)
from gd2slack.local.slack_web_api import SERVER_ERROR as API_SERVER_ERROR
from tests.conftest import minimal_event

TOKEN = "xoxSECRETwebhookTOKEN0123456789"
SECRET_PATH = f"/services/T0SECRET42/B0SECRET42/{TOKEN}"

CHILD = textwrap.dedent(
    """
    import json, sys
    from app import handler
    from app.config import load_config
    from app.handler import Notifier
    from app.adapters.slack import SlackWebhookClient
    from gd2slack.local.lambda_context import LocalLambdaContext

    event = json.loads(sys.argv[1])
    closed_url = sys.argv[2]
    batch = {"Records": [{"messageId": "m1", "body": json.dumps(event)}]}
    no_wait = SlackWebhookClient(sleep=lambda s: None)
    handler.NOTIFIER.slack = no_wait
    for _ in range(4):  # ok; 429 then ok; 5xx forever; revoked webhook
        print("RESULT", json.dumps(handler.lambda_handler(batch, LocalLambdaContext())))
    short = LocalLambdaContext(timeout_seconds=4)  # a hanging Slack vs. the deadline
    print("RESULT", json.dumps(handler.lambda_handler(batch, short)))
    refused = Notifier(load_config({"SLACK_WEBHOOK_URL": closed_url}), slack=no_wait)
    print("RESULT", json.dumps(refused.handle(batch, LocalLambdaContext())))
    strict = load_config({"SLACK_WEBHOOK_URL": closed_url, "MIN_SEVERITY": "CRITICAL"})
    print("RESULT", json.dumps(Notifier(strict, slack=no_wait).handle(batch, LocalLambdaContext())))
    for bad in (closed_url.replace("http", "ftp"), "not a url " + closed_url):
        try:
            load_config({"SLACK_WEBHOOK_URL": bad})
            Notifier(load_config({"SLACK_WEBHOOK_URL": bad})).webhooks.url_for("default")
        except Exception as err:
            print("EXCEPTION", type(err).__name__, err)
    """
)


def test_webhook_token_never_leaks_and_traces_carry_annotations(tmp_path: Path) -> None:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    closed = SlackReceiver()
    closed_url = closed.url(SECRET_PATH)
    closed.stop()
    with SlackReceiver() as slack:
        slack.script(Reply(), RATE_LIMITED, Reply(), *[SERVER_ERROR] * 4, REVOKED, Reply(delay=10))
        env = {
            **os.environ,
            "SLACK_WEBHOOK_URL": slack.url(SECRET_PATH),
            "LAMBDA_TASK_ROOT": str(tmp_path),
            "AWS_LAMBDA_FUNCTION_NAME": "gd2slack-test",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{udp.getsockname()[1]}",
            "_X_AMZN_TRACE_ID": (
                "Root=1-6748a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
            ),
            "POWERTOOLS_LOG_LEVEL": "DEBUG",
            "POWERTOOLS_TRACE_DISABLED": "false",
        }
        child = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(minimal_event()), closed_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    datagrams = []
    while True:
        try:
            datagrams.append(udp.recv(65_536).decode())
        except TimeoutError:
            break
    udp.close()

    output = child.stdout + child.stderr
    assert child.returncode == 0, output[-3000:]
    results = [
        json.loads(line[7:]) for line in child.stdout.splitlines() if line.startswith("RESULT ")
    ]
    failures = [r["batchItemFailures"] for r in results]
    assert failures == [[], [], [{"itemIdentifier": "m1"}]] + [[{"itemIdentifier": "m1"}]] * 3 + [
        []
    ]
    assert output.count("EXCEPTION") == 2
    assert '"level":"ERROR"' in output and '"SlackErrors"' in output  # logs + EMF captured

    everything = output + "\n".join(datagrams)
    for secret in (TOKEN, "B0SECRET42", "T0SECRET42/B0SECRET42"):
        assert secret not in everything, f"webhook secret {secret!r} leaked"
    assert "127.0.0.1" in everything  # the redacted host is shown, so failures stay diagnosable

    documents = [json.loads(d.split("\n", 1)[1]) for d in datagrams if "\n" in d]
    annotated = [doc for doc in documents if doc.get("name") == "## process_finding"]
    assert annotated, f"no process_finding subsegments among {[d.get('name') for d in documents]}"
    annotations = annotated[0]["annotations"]
    assert annotations["finding_id"] == "a" * 32
    assert annotations["finding_type"] == "UnauthorizedAccess:EC2/SSHBruteForce"
    assert annotations["severity_band"] == "High"
    assert annotations["account_id"] == "123456789012"
    assert annotations["route"] == "default"
    # Every outcome has its subsegment, also one decided before any delivery (filtered).
    assert {doc["annotations"]["outcome"] for doc in annotated} == {
        "delivered",
        "failed",
        "filtered",
    }
    posts = [s for s in _walk(documents) if s.get("name") == "slack.post"]
    assert {p["annotations"]["http_status"] for p in posts} >= {200, 500, 404}


def _walk(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every (sub)segment, whether streamed on its own or nested in its parent."""
    found = []
    for segment in segments:
        found.append(segment)
        found.extend(_walk(segment.get("subsegments", [])))
    return found


APP_TOKEN = "xoxb-4242-SECRETappTOKEN-0123456789"
APP_CHILD = textwrap.dedent(
    """
    import json, sys
    from app.adapters.slack_app import SlackAppClient
    from app.adapters.webhooks import WebhookDirectory
    from app.config import load_config
    from app.handler import Notifier
    from gd2slack.local.lambda_context import LocalLambdaContext

    event, base_url, token = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
    batch = {"Records": [{"messageId": "m1", "body": json.dumps(event)}]}
    config = load_config({"SLACK_WEBHOOKS_SECRET_ID": "gd2slack/app"})

    def notifier(secret_token, channel="C0ALERTS"):
        secret = json.dumps({"bot_token": secret_token, "channels": {"default": channel}})
        return Notifier(
            config,
            webhooks=WebhookDirectory(config, fetch_secret=lambda _id: secret),
            app_client=lambda t: SlackAppClient(t, base_url=base_url, sleep=lambda s: None),
        )

    # accepted then closed (found by metadata); 5xx then ok; not_in_channel; revoked; bad token
    for n in (notifier(token), notifier(token), notifier(token, "C0NOTIN"),
              notifier(token.replace("SECRET", "REVOKED")), notifier(token + "!")):
        try:
            print("RESULT", json.dumps(n.handle(batch, LocalLambdaContext())))
        except Exception as err:
            print("EXCEPTION", type(err).__name__, err)
    """
)


def test_app_mode_bot_token_never_leaks(tmp_path: Path) -> None:

    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(0.2)
    ws = SlackWorkspace(limits={})
    ws.add_token(APP_TOKEN, ws.bot_user, ["chat:write", "channels:history"], ws.bot_id)
    revoked = ws.add_token(APP_TOKEN.replace("SECRET", "REVOKED"), ws.bot_user, [], ws.bot_id)
    ws.tokens[revoked].state = "revoked"
    ws.add_channel("C0ALERTS", "alerts")
    ws.add_channel("C0NOTIN", "elsewhere")
    ws.kick("C0NOTIN")
    ws.inject("chat.postMessage", ACCEPT_THEN_CLOSE)
    ws.inject("chat.postMessage", API_SERVER_ERROR, times=1)
    with SlackWebApiServer(ws) as server:
        env = {
            **os.environ,
            "LAMBDA_TASK_ROOT": str(tmp_path),
            "AWS_LAMBDA_FUNCTION_NAME": "gd2slack-test",
            "AWS_XRAY_DAEMON_ADDRESS": f"127.0.0.1:{udp.getsockname()[1]}",
            "_X_AMZN_TRACE_ID": (
                "Root=1-6748a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"
            ),
            "POWERTOOLS_LOG_LEVEL": "DEBUG",
            "POWERTOOLS_TRACE_DISABLED": "false",
            "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/unused",
        }
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                APP_CHILD,
                json.dumps(minimal_event()),
                server.base_url,
                APP_TOKEN,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    datagrams = []
    while True:
        try:
            datagrams.append(udp.recv(65_536).decode())
        except TimeoutError:
            break
    udp.close()
    output = child.stdout + child.stderr
    assert child.returncode == 0, output[-3000:]
    results = [
        json.loads(line[7:]) for line in child.stdout.splitlines() if line.startswith("RESULT")
    ]
    assert [r["batchItemFailures"] for r in results] == [[], []] + [[{"itemIdentifier": "m1"}]] * 3
    assert "not_in_channel" in output and "token_revoked" in output and "bot_token" in output
    assert len([m for m in ws.messages["C0ALERTS"] if not m.thread_ts]) == 2  # no duplicate
    everything = output + "\n".join(datagrams)
    for secret in (APP_TOKEN, "SECRETappTOKEN", "REVOKEDappTOKEN"):
        assert secret not in everything, f"bot token {secret!r} leaked"
