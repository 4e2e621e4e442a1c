"""``gd2slack demo``: the event path end to end, locally (moto + a local Slack receiver), then
the same in Slack app mode (the local Web API; each channel printed as a transcript)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gd2slack.commands import add_command


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "demo",
        help="run the whole event path locally: moto for AWS, a local Slack receiver",
        run=run,
    )
    parser.add_argument("--out", type=Path, default=Path("build/demo"), help="payloads go here")
    parser.add_argument(
        "--mode",
        choices=("webhook", "app", "both"),
        default="both",
        help="webhook mode, Slack app mode (local Web API, channel transcripts) or both",
    )


def run(args: argparse.Namespace) -> int:
    from gd2slack.local.demo import run_demo  # noqa: PLC0415 - moto is heavy; import on use
    from gd2slack.local.demo_app import run_app_demo  # noqa: PLC0415

    code = run_demo(args.out) if args.mode != "app" else 0
    if args.mode != "webhook":
        code = code or run_app_demo()
    return code
