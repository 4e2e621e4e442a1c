"""``gd2slack send FILE --webhook URL``: post one finding's message to a real channel.

The check an operator runs before wiring a webhook into the stack. The URL is a secret: it is
never printed, only its redacted form.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from app.adapters.slack import DeliveryError, SlackWebhookClient, redact_url, validate_webhook_url
from gd2slack.commands import add_command
from gd2slack.commands.render import load_finding_payload
from gd2slack.errors import CliError


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "send",
        help="send one finding's message to a webhook",
        run=run,
    )
    parser.add_argument("file", type=Path, help="EventBridge GuardDuty event (JSON)")
    parser.add_argument(
        "--webhook",
        default=os.environ.get("SLACK_WEBHOOK_URL"),
        help="incoming webhook URL (default: $SLACK_WEBHOOK_URL; prefer the variable: "
        "arguments show up in shell history and process lists)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="overall seconds (default 30)")


def run(args: argparse.Namespace) -> int:
    if not args.webhook:
        raise CliError("no webhook: pass --webhook URL or set SLACK_WEBHOOK_URL")
    try:
        url = validate_webhook_url(args.webhook, "--webhook")
    except ValueError as err:
        raise CliError(str(err)) from None
    payload = load_finding_payload(args.file)
    try:
        delivered = SlackWebhookClient().post(url, payload, time.monotonic() + args.timeout)
    except DeliveryError as err:
        raise CliError(str(err)) from None
    print(
        f"sent to {redact_url(url)}: HTTP {delivered.status} after {delivered.attempts} "
        f"attempt(s), {delivered.latency_ms:.0f} ms"
    )
    return 0
