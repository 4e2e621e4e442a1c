"""Entry point of ``gd2slack``: argument parsing and the one-line error contract.

Every command raises ``CliError`` (or lets ``gd2slack.ops.aws`` translate an AWS error into one) for
anything the operator can fix; ``main`` prints it on one line to stderr, without a traceback,
and exits with its code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from gd2slack.errors import CliError

# Subcommand modules under gd2slack.commands, in --help order.
COMMANDS: tuple[str, ...] = (
    "demo",
    "render",
    "send",
    "synth",
    "deploy-pipeline",
    "deploy-stack",
    "smoke",
    "status",
    "promote",
    "traces",
    "redrive",
    "slack-check",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gd2slack",
        description="GuardDuty-to-Slack operator CLI.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"gd2slack.commands.{name.replace('-', '_')}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except CliError as err:
        print(f"gd2slack {args.command}: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"gd2slack {args.command}: interrupted", file=sys.stderr)
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
