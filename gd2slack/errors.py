"""The CLI's error type: one line for the operator, and an exit code."""

from __future__ import annotations

# argparse's own code for a command line it cannot use; also "cannot ask without a terminal".
EXIT_USAGE = 2


class CliError(Exception):
    """Something the operator can fix; printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class WaitTimedOut(CliError):
    """A bounded wait ran out: the one error a caller may reword as "not there yet"."""
