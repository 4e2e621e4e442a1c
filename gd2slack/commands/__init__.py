"""The CLI's commands: one module per command, each only parsing arguments and printing; the
work is in ``gd2slack.ops`` (AWS) and ``gd2slack.local`` (emulation).

A command module has ``register(subparsers)``, which calls ``add_command``, and ``run(args)``,
which returns the exit code. ``gd2slack.cli.COMMANDS`` lists the modules in ``--help`` order.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Literal

from gd2slack.ops import aws

Run = Callable[[argparse.Namespace], int]


def add_command(
    subparsers: Any,
    name: str,
    *,
    help: str,
    run: Run,
    doc: str | None = None,
    aws_arguments: Literal["stage", "account", None] = None,
    assume_role: bool = False,
) -> argparse.ArgumentParser:
    """The parser of one command. ``doc`` (the module docstring) is shown verbatim by ``--help``;
    ``aws_arguments`` adds ``--region``/``--profile``, and ``--stage`` for "stage"."""
    extra: dict[str, Any] = {}
    if doc:
        extra = {"description": doc, "formatter_class": argparse.RawDescriptionHelpFormatter}
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help, **extra)
    if aws_arguments:
        aws.add_aws_arguments(parser, stage=aws_arguments == "stage")
    if assume_role:
        aws.add_assume_role_argument(parser)
    parser.set_defaults(func=run)
    return parser
