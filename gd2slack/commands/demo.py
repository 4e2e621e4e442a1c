"""``gd2slack demo``: the event path end to end, locally (moto + a local Slack receiver)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the whole event path locally: moto for AWS, a local Slack receiver"
    )
    parser.add_argument("--out", type=Path, default=Path("build/demo"), help="payloads go here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from gd2slack.local.demo import run_demo  # noqa: PLC0415 - moto is heavy; import on use

    return run_demo(args.out)
