"""``app.config.SETTINGS`` is the one home of every setting: ``Config``, ``load_config``, the
runtime stack's parameters and environment follow it, and the READMEs cannot drift from it.

When a README check fails, its message holds the table as the rows say it: paste it over the old.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import stack
from app.config import SETTINGS, Config, Setting, load_config

ROOT = Path(__file__).resolve().parents[3]
README_HEADER = ("variable", "meaning", "default", "stack parameter")
# Set by the stack but not handler settings (they are not in ``Config``).
STACK_ONLY_ENVIRONMENT = {
    "STATE_TABLE",  # a setting, from the stack's own table rather than a parameter
    "STAGE",
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
}


def markdown_rows(text: str, heading: str) -> list[tuple[str, ...]]:
    """The cells of the first table under ``heading`` (header row first, separator dropped)."""
    lines = text.splitlines()
    start = lines.index(heading)
    rows: list[tuple[str, ...]] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if line.startswith("|"):
            rows.append(tuple(cell.strip() for cell in line.strip().strip("|").split("|")))
        elif rows:
            break
    return [row for row in rows if set("".join(row)) - set("-:")]


def readme_row(setting: Setting) -> tuple[str, ...]:
    meaning = setting.description.removesuffix(".")
    if setting.detail:
        meaning += f"; {setting.detail}"
    shown = f"`{setting.default}`" if setting.default else ""
    default = ": ".join(part for part in (shown, setting.default_meaning) if part) or "—"
    parameter = f"`{setting.parameter.name}`" if setting.parameter else "—"
    return f"`{setting.variable}`", meaning, default, parameter


def as_markdown(rows: list[tuple[str, ...]]) -> str:
    header, *body = ("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join([header, "|" + "---|" * len(rows[0]), *body])


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stack.to_json())
    return data


def test_each_config_field_has_exactly_one_row() -> None:
    fields = [f.name for f in dataclasses.fields(Config)]
    assert sorted(s.field_name for s in SETTINGS) == sorted(fields)
    assert len({s.variable for s in SETTINGS}) == len(SETTINGS)


def test_config_defaults_are_the_rows_defaults() -> None:
    assert Config() == load_config({})
    for setting in SETTINGS:
        assert getattr(Config(), setting.field_name) == setting.read({}), setting.variable


def test_each_row_default_is_valid_for_its_parameter() -> None:
    for setting in SETTINGS:
        spec = setting.parameter
        if spec is None or setting.default is None:
            continue
        if spec.allowed_values:
            assert setting.default in spec.allowed_values, setting.variable
        if spec.type == "Number":
            assert spec.min_value is not None and spec.max_value is not None
            assert spec.min_value <= int(setting.default) <= spec.max_value, setting.variable


def test_stack_parameters_follow_the_rows(template: dict[str, Any]) -> None:
    for setting in SETTINGS:
        if setting.parameter is None:
            continue
        parameter = template["Parameters"][setting.parameter.name]
        assert parameter["Description"] == setting.description
        assert parameter["Type"] == setting.parameter.type
        assert str(parameter.get("Default")) == str(setting.default)


def test_function_environment_is_the_rows_with_a_parameter(template: dict[str, Any]) -> None:
    function = template["Resources"]["GuardDutyToSlackFunction"]["Properties"]
    environment = function["Environment"]["Variables"]
    from_parameters = {s.variable: {"Ref": s.parameter.name} for s in SETTINGS if s.parameter}
    assert {k: v for k, v in environment.items() if k not in STACK_ONLY_ENVIRONMENT} == (
        from_parameters
    )
    assert environment["STATE_TABLE"] == {"Ref": "StateTable"}


def test_readme_configuration_table_is_the_rows() -> None:
    actual = markdown_rows((ROOT / "README.md").read_text(encoding="utf-8"), "## Configuration")
    expected = [README_HEADER, *(readme_row(setting) for setting in SETTINGS)]
    assert actual == expected, "README.md's configuration table, from the rows:\n" + as_markdown(
        expected
    )


def test_stack_readme_states_every_parameter_default(template: dict[str, Any]) -> None:
    """stack/README.md's parameter table has its own wording, but the defaults are the
    template's (``(required)`` for none)."""
    rows = markdown_rows(
        (ROOT / "stack" / "README.md").read_text(encoding="utf-8"), "## Parameters"
    )
    assert rows[0][:2] == ("parameter", "default")
    documented = {
        name.strip().strip("`"): default
        for names, default, *_ in rows[1:]
        for name in names.split("/")
    }
    for name, parameter in template["Parameters"].items():
        default = parameter.get("Default")
        shown = '""' if default == "" else default
        expected = "(required)" if default is None else f"`{shown}`"
        assert documented.get(name) == expected, name
