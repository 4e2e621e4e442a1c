"""Warm path: one finding through the handler to the local receiver over HTTPS (Slack's
endpoint is HTTPS), against one bare ``http.client`` POST of the same payload on a new
connection: what a notifier without connection reuse pays per message (TCP + TLS handshake)."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import median_ms, offline_aws, sample_event

ROUNDS = 200


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def run() -> None:
    offline_aws()
    from app.adapters.slack import SlackWebhookClient
    from app.config import load_config
    from app.core.finding import parse_event
    from app.handler import Notifier
    from app.render.message import render_finding
    from gd2slack.local.lambda_context import LocalLambdaContext
    from gd2slack.local.slack_receiver import SlackReceiver

    event = sample_event()
    with tempfile.TemporaryDirectory() as folder:
        cert, key = _self_signed(Path(folder))
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(cert, key)
        client_tls = ssl.create_default_context(cafile=str(cert))
        with SlackReceiver(tls=server_tls) as slack, contextlib.redirect_stdout(io.StringIO()):
            client = SlackWebhookClient()
            client.session.verify = str(cert)
            config = load_config({"SLACK_WEBHOOK_URL": slack.url()})
            notifier = Notifier(config, slack=client)
            body = json.dumps(render_finding(parse_event(event)))
            target = urlsplit(slack.url())
            ours, baseline = [], []
            for _ in range(ROUNDS):
                # One delivery's cost, not Slack's pace (bench burst measures that): each round
                # starts with the webhook's pace slot free, as a message after a quiet second does.
                client.pacer.reset()
                started = time.perf_counter()
                summary = notifier.handle(event, LocalLambdaContext())
                ours.append(time.perf_counter() - started)
                assert summary["notified"] == 1, summary
                started = time.perf_counter()
                connection = http.client.HTTPSConnection(
                    target.hostname or "", target.port, timeout=5, context=client_tls
                )
                connection.request("POST", target.path, body, {"Content-Type": "application/json"})
                connection.getresponse().read()
                connection.close()
                baseline.append(time.perf_counter() - started)
    ours_ms, baseline_ms = median_ms(ours), median_ms(baseline)
    print(
        f"bench warm: ratio={ours_ms / baseline_ms:.2f} ours_ms={ours_ms:.2f} "
        f"baseline_ms={baseline_ms:.2f} (target ratio <= 1.0; HTTPS on loopback)"
    )
