"""How each setting's raw text becomes its value: the parsers ``app.config.SETTINGS``
names, and the errors they raise (naming the variable and what it accepts)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.core.severity import BAND_NAMES, Band, band_by_name, parse_score

SAMPLE_MODES = ("notify", "skip")
ROUTE_MATCH_KEYS = ("min_severity", "bands", "accounts", "types", "regions")
DEFAULT_ROUTE = "default"
# What the stack accepts for the secret (the function passes any id on to Secrets Manager).
SECRETSMANAGER_ID_PATTERN = (
    r"^(?:arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+"
    r"|[A-Za-z0-9/_+=.@-]{1,512})$"
)


class ConfigError(ValueError):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class RouteRule:
    """One entry of ``ROUTES``: every present criterion must match (first matching rule wins)."""

    route: str
    min_score: float | None = None
    bands: frozenset[Band] | None = None
    accounts: frozenset[str] | None = None
    types: tuple[str, ...] | None = None
    regions: frozenset[str] | None = None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def parse_min_severity(raw: str, variable: str = "MIN_SEVERITY") -> float:
    """A band name or a number between 0 and 10."""
    text = raw.strip()
    try:
        return band_by_name(text).floor if text.upper() in BAND_NAMES else _number(text)
    except ValueError:
        raise ConfigError(
            f"{variable}={raw!r} is not valid: use one of {', '.join(BAND_NAMES)} "
            "or a number between 0 and 10"
        ) from None


def _number(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 10:
        raise ValueError(text)
    return parse_score(value)


def _globs(raw: str, variable: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _json(raw: str, variable: str, expected: type) -> Any:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"{variable} is not valid JSON: {err.msg} at position {err.pos}"
        ) from None
    if not isinstance(value, expected):
        raise ConfigError(f"{variable} must be a JSON {expected.__name__}")
    return value


def _string_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a string or a list of strings")
    return value


def parse_routes(raw: str | None, variable: str = "ROUTES") -> tuple[RouteRule, ...]:
    """``ROUTES``: a JSON list of ``{"match": {...}, "route": "name"}``."""
    if _blank(raw):
        return ()
    assert raw is not None
    rules = []
    for index, entry in enumerate(_json(raw, variable, list)):
        where = f"{variable}[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("route"), str):
            raise ConfigError(f'{where} must be an object with a string "route"')
        match = entry.get("match", {})
        if not isinstance(match, dict):
            raise ConfigError(f"{where}.match must be an object")
        unknown = sorted(set(match) - set(ROUTE_MATCH_KEYS))
        if unknown:
            raise ConfigError(
                f"{where}.match has unknown keys {unknown}: allowed {list(ROUTE_MATCH_KEYS)}"
            )
        rules.append(_route_rule(entry["route"].strip(), match, where))
    return tuple(rules)


def _route_rule(route: str, match: dict[str, Any], where: str) -> RouteRule:
    if not route:
        raise ConfigError(f"{where}.route must not be empty")
    min_score = None
    if "min_severity" in match:
        min_score = parse_min_severity(str(match["min_severity"]), f"{where}.match.min_severity")
    bands = None
    if "bands" in match:
        names = _string_list(match["bands"], f"{where}.match.bands")
        try:
            bands = frozenset(band_by_name(name) for name in names)
        except KeyError:
            raise ConfigError(
                f"{where}.match.bands accepts {', '.join(BAND_NAMES)}, got {names}"
            ) from None
    accounts = match.get("accounts")
    regions = match.get("regions")
    types = match.get("types")
    return RouteRule(
        route=route,
        min_score=min_score,
        bands=bands,
        accounts=None
        if accounts is None
        else frozenset(_string_list(accounts, f"{where}.match.accounts")),
        types=None if types is None else tuple(_string_list(types, f"{where}.match.types")),
        regions=None
        if regions is None
        else frozenset(_string_list(regions, f"{where}.match.regions")),
    )


def _text(raw: str, variable: str) -> str:
    return raw.strip()


def _optional_text(raw: str, variable: str) -> str | None:
    """Blank is unset: for settings whose stack parameter defaults to empty."""
    return raw.strip() or None


def _sample_mode(raw: str, variable: str) -> str:
    mode = raw.strip().lower()
    if mode not in SAMPLE_MODES:
        raise ConfigError(f"{variable}={raw!r} is not valid: use one of " + ", ".join(SAMPLE_MODES))
    return mode


def _account_names(raw: str, variable: str) -> dict[str, str]:
    parsed = _json(raw, variable, dict)
    if not all(isinstance(v, str) for v in parsed.values()):
        raise ConfigError(f"{variable} values must be strings (account id → name)")
    return {str(k): v for k, v in parsed.items()}


def _non_negative(raw: str, variable: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{variable}={raw!r} is not valid: use a number ≥ 0")
    return value


def _whole_number(raw: str, variable: str) -> int:
    """A number ≥ 0 that is also whole (``2.0`` is 2, ``2.5`` is refused)."""
    value = _non_negative(raw, variable)
    if value != int(value):
        raise ConfigError(f"{variable}={raw!r} must be a whole number")
    return int(value)
