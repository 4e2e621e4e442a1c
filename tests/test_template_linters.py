"""cfn-lint (0 errors, 0 warnings) and checkov (0 failed) on every synthesized template.

checkov lives in its own environment (it pins an old urllib3): ``$GD2SLACK_CHECKOV`` names the
binary (``make test`` sets it), default ``.venv-tools/bin/checkov``. Skips are allowed only in a
resource's ``Metadata`` with a reason (tests/test_runtime_template.py checks the reasons).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint

import stack

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = Path(os.environ.get("GD2SLACK_CHECKOV", ROOT / ".venv-tools" / "bin" / "checkov"))


def _templates() -> dict[str, Callable[[], str]]:
    """Every template the project synthesizes: the pipeline one once its package exists."""
    found: dict[str, Callable[[], str]] = {"runtime": stack.to_json}
    try:
        pipeline = importlib.import_module("pipeline.pipeline")
    except ModuleNotFoundError as err:
        if err.name not in {"pipeline", "pipeline.pipeline"}:
            raise
    else:
        if callable(getattr(pipeline, "to_json", None)):
            found["pipeline"] = pipeline.to_json
    return found


TEMPLATES = _templates()


@pytest.fixture(scope="module", params=sorted(TEMPLATES))
def template_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name: str = request.param
    path = tmp_path_factory.mktemp("templates") / f"{name}.json"
    path.write_text(TEMPLATES[name]())
    return path


def test_cfn_lint_clean(template_file: Path) -> None:
    matches = lint(template_file.read_text(), regions=["us-east-1", "eu-west-1"])
    # Informational (I…) findings are advice; errors and warnings fail.
    problems = [m for m in matches if m.rule.id[0] in "EW"]
    assert not problems, "\n".join(
        f"{m.rule.id} {m.message} (line {m.linenumber})" for m in problems
    )


def test_checkov_clean(template_file: Path) -> None:
    if not CHECKOV.exists():
        pytest.skip(f"checkov not installed at {CHECKOV} (make test installs it)")
    result = subprocess.run(
        [
            str(CHECKOV),
            "-f",
            str(template_file),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.stdout.strip(), f"checkov printed nothing: {result.stderr[-2000:]}"
    report: Any = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [
        f"{check['check_id']} {check['resource']}: {check['check_name']}"
        for entry in reports
        for check in entry.get("results", {}).get("failed_checks", [])
    ]
    summary = [entry.get("summary", {}) for entry in reports]
    assert all(s.get("parsing_errors", 0) == 0 for s in summary), summary
    assert all(s.get("resource_count", 0) > 0 for s in summary), "checkov saw no resources"
    assert not failed, "\n".join(failed)
