"""cfn-lint and checkov on a template's exact text: the one lint the build, ``deploy-pipeline
--lint`` and ``make test`` share, so what is linted is byte for byte what is deployed.

cfn-lint (a development dependency) is imported on use. checkov pins an old urllib3 and lives in
its own environment: ``$GD2SLACK_CHECKOV`` names its binary, default ``.venv-tools/bin/checkov``
(``make`` installs it). Informational cfn-lint findings (``I…``) are advice, not failures.

Run as ``python -m gd2slack.ops.template_lint FILE...``: exit 1 and one line per problem if any.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gd2slack.errors import CliError

ROOT = Path(__file__).resolve().parents[2]
LINT_REGIONS = ("us-east-1", "eu-west-1")
# No network (no policy download), machine-readable output.
CHECKOV_FLAGS = ("--skip-download", "--quiet", "--compact", "-o", "json")


def checkov_binary() -> Path:
    return Path(os.environ.get("GD2SLACK_CHECKOV", ROOT / ".venv-tools" / "bin" / "checkov"))


def cfn_lint_problems(text: str) -> list[str]:
    try:
        from cfnlint.api import lint  # noqa: PLC0415 (template toolchain only when linting)
    except ModuleNotFoundError as err:
        raise CliError(
            f"cannot lint templates ({err.name} is missing): pip install -e '.[dev]'"
        ) from None
    return [
        f"cfn-lint {m.rule.id} {m.message} (line {m.linenumber})"
        for m in lint(text, regions=list(LINT_REGIONS))
        if m.rule.id[0] in "EW"
    ]


def checkov_problems(text: str) -> list[str]:
    binary = checkov_binary()
    if not binary.exists():
        raise CliError(
            f"checkov not found at {binary}: make .venv-tools/.installed, or set GD2SLACK_CHECKOV"
        )
    with tempfile.TemporaryDirectory(prefix="gd2slack-lint-") as tmp:
        path = Path(tmp) / "template.json"
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [str(binary), "-f", str(path), "--framework", "cloudformation", *CHECKOV_FLAGS],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if not result.stdout.strip():
        raise CliError(f"checkov printed nothing: {' '.join(result.stderr.split())[-500:]}")
    report: Any = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    problems = [
        f"checkov {check['check_id']} {check['resource']}: {check['check_name']}"
        for entry in reports
        for check in entry.get("results", {}).get("failed_checks", [])
    ]
    for entry in reports:
        summary = entry.get("summary", {})
        if summary.get("parsing_errors", 0):
            problems.append("checkov could not parse the template")
        if not summary.get("resource_count", 0):
            problems.append("checkov saw no resources")
    return problems


def problems(text: str) -> list[str]:
    """Every cfn-lint error/warning and checkov failure in ``text``; empty when clean."""
    return cfn_lint_problems(text) + checkov_problems(text)


def main(paths: Sequence[str]) -> int:
    failed = False
    for name in paths:
        found = problems(Path(name).read_text(encoding="utf-8"))
        for line in found:
            print(f"{name}: {line}")
        print(f"{name}: {'FAILED' if found else 'clean'} (cfn-lint + checkov)")
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except CliError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
