"""Stack parameters for a change set: explicit values, previous values, defaults, hints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from gd2slack.errors import CliError


def resolve_parameters(
    declared: Mapping[str, Any],
    explicit: Mapping[str, str],
    previous: Mapping[str, str] | None,
    *,
    hints: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Explicit values win; on updates everything else keeps its previous value
    (``UsePreviousValue``); on creates, defaults apply and a parameter without one is an error
    naming the option to pass (``hints``: parameter → option, else ``--parameter KEY=VALUE``)."""
    unknown = sorted(set(explicit) - set(declared))
    if unknown:
        raise CliError(
            f"unknown stack parameter(s): {', '.join(unknown)} "
            f"(the template has: {', '.join(sorted(declared))})"
        )
    result: list[dict[str, Any]] = []
    missing: list[str] = []
    for key in sorted(declared):
        if key in explicit:
            result.append({"ParameterKey": key, "ParameterValue": explicit[key]})
        elif previous is not None and key in previous:
            result.append({"ParameterKey": key, "UsePreviousValue": True})
        elif "Default" not in (declared[key] or {}):
            missing.append(key)
    if missing:
        options = [(hints or {}).get(key, f"--parameter {key}=VALUE") for key in missing]
        raise CliError(f"no value for {', '.join(missing)}: pass {' and '.join(options)}")
    return result


def parse_key_values(pairs: Iterable[str], what: str = "--parameter") -> dict[str, str]:
    """``["A=1", "B=x=y"]`` → ``{"A": "1", "B": "x=y"}``; a malformed pair is a ``CliError``."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CliError(f"{what} {pair!r}: expected KEY=VALUE")
        result[key.strip()] = value
    return result
