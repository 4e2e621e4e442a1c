"""The dependency rule, checked by reading imports: the pure core and the renderer import no
I/O library and nothing from the layers above them, so they stay testable without AWS or Slack
and cost nothing at cold start beyond themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IO_LIBRARIES = {"boto3", "botocore", "requests", "urllib3", "aws_lambda_powertools", "aws_xray_sdk"}
# What each pure package may import from the project (besides the standard library).
ALLOWED_PROJECT = {
    "app/core": ("app.constants", "app.config", "app.core"),
    "app/render": ("app.constants", "app.config", "app.core", "app.render"),
}
MAX_MODULE_LINES = 400


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED_PROJECT))
def test_pure_packages_import_no_io_and_nothing_above_them(package: str) -> None:
    problems = []
    for path in _modules(package):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in IO_LIBRARIES:
                problems.append(f"{path.relative_to(ROOT)} imports {name}")
            elif top in {"app", "gd2slack", "stack", "pipeline", "bench", "tests"} and not (
                name.startswith(ALLOWED_PROJECT[package])
            ):
                problems.append(f"{path.relative_to(ROOT)} imports {name} (a layer above)")
    assert not problems, "\n".join(problems)


def test_the_rule_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("import boto3\nfrom app.adapters.slack import post\n")
    assert _imports(bad) == ["boto3", "app.adapters.slack"]


def test_no_module_outgrows_a_readable_size() -> None:
    big = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for package in ("app", "gd2slack", "stack", "pipeline", "bench")
        for path in _modules(package)
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not big, "\n".join(big)
