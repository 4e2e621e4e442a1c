"""The one confirmation prompt: ``--yes``, or a "y" typed at a terminal, never a guess.

Without a terminal (a pipe, CI, cron) it refuses with the usage exit code instead of blocking or
assuming an answer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from gd2slack.errors import EXIT_USAGE, CliError


def confirm(
    question: str,
    *,
    assume_yes: bool,
    refusal: str,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
) -> bool:
    """``refusal`` tells the operator what to do instead, e.g. "pass --yes to approve"."""
    if assume_yes:
        return True
    stream = stdin if stdin is not None else sys.stdin
    if stream is None or not stream.isatty():
        raise CliError(f"refusing to prompt: stdin is not a terminal; {refusal}", EXIT_USAGE)
    try:
        answer = (ask or input)(f"{question} [y/N] ")  # input looked up now: tests patch it
    except EOFError:
        return False
    return answer.strip().lower() in {"y", "yes"}
