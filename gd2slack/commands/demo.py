"""``gd2slack demo``: the event path end to end, locally (moto + a local Slack receiver)."""

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


def run(args: argparse.Namespace) -> int:
    from gd2slack.local.demo import run_demo  # noqa: PLC0415 - moto is heavy; import on use

    return run_demo(args.out)
