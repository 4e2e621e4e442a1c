"""Configuration from environment variables, validated once at cold start.

A bad value stops the function at init with a message naming the variable and what it accepts,
instead of failing every record later with something obscure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.severity import BAND_NAMES, Band, band_by_name, band_for, parse_score

SAMPLE_MODES = ("notify", "skip")
ROUTE_MATCH_KEYS = ("min_severity", "bands", "accounts", "types", "regions")
DEFAULT_ROUTE = "default"


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


@dataclass(frozen=True)
class Config:
    webhook_url: str | None = None
    webhooks_secret_id: str | None = None
    min_score: float = 1.0
    types_include: tuple[str, ...] = ()
    types_exclude: tuple[str, ...] = ()
    routes: tuple[RouteRule, ...] = ()
    sample_mode: str = "notify"
    state_table: str | None = None
    account_names: Mapping[str, str] = field(default_factory=dict)
    digest_threshold: int = 5
    quiet_period_hours: float = 24.0

    @property
    def min_band(self) -> Band:
        return band_for(self.min_score)


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


def _globs(raw: str | None) -> tuple[str, ...]:
    if _blank(raw):
        return ()
    assert raw is not None
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


def parse_routes(raw: str | None) -> tuple[RouteRule, ...]:
    """``ROUTES``: a JSON list of ``{"match": {...}, "route": "name"}``."""
    if _blank(raw):
        return ()
    assert raw is not None
    rules = []
    for index, entry in enumerate(_json(raw, "ROUTES", list)):
        where = f"ROUTES[{index}]"
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


def _positive_number(raw: str | None, variable: str, default: float) -> float:
    if _blank(raw):
        return default
    assert raw is not None
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{variable}={raw!r} is not valid: use a number ≥ 0")
    return value


def load_config(environ: Mapping[str, str]) -> Config:
    """Read and validate every variable of DESIGN §2; raises ``ConfigError``."""
    get = environ.get
    min_raw = get("MIN_SEVERITY")
    sample_mode = (get("SAMPLE_FINDINGS") or "notify").strip().lower()
    if sample_mode not in SAMPLE_MODES:
        raise ConfigError(
            f"SAMPLE_FINDINGS={get('SAMPLE_FINDINGS')!r} is not valid: use one of "
            + ", ".join(SAMPLE_MODES)
        )
    names_raw = get("ACCOUNT_NAMES")
    account_names: dict[str, str] = {}
    if not _blank(names_raw):
        assert names_raw is not None
        parsed = _json(names_raw, "ACCOUNT_NAMES", dict)
        if not all(isinstance(v, str) for v in parsed.values()):
            raise ConfigError("ACCOUNT_NAMES values must be strings (account id → name)")
        account_names = {str(k): v for k, v in parsed.items()}
    threshold = _positive_number(get("DIGEST_THRESHOLD"), "DIGEST_THRESHOLD", 5)
    if threshold != int(threshold):
        raise ConfigError(f"DIGEST_THRESHOLD={get('DIGEST_THRESHOLD')!r} must be a whole number")
    url = None if _blank(get("SLACK_WEBHOOK_URL")) else get("SLACK_WEBHOOK_URL", "").strip()
    secret = (
        None
        if _blank(get("SLACK_WEBHOOKS_SECRET_ID"))
        else get("SLACK_WEBHOOKS_SECRET_ID", "").strip()
    )
    if url and secret:
        raise ConfigError(
            "set only one of SLACK_WEBHOOK_URL and SLACK_WEBHOOKS_SECRET_ID, not both"
        )
    return Config(
        webhook_url=url,
        webhooks_secret_id=secret,
        min_score=1.0 if _blank(min_raw) else parse_min_severity(min_raw or ""),
        types_include=_globs(get("FINDING_TYPES_INCLUDE")),
        types_exclude=_globs(get("FINDING_TYPES_EXCLUDE")),
        routes=parse_routes(get("ROUTES")),
        sample_mode=sample_mode,
        state_table=None if _blank(get("STATE_TABLE")) else get("STATE_TABLE", "").strip(),
        account_names=account_names,
        digest_threshold=int(threshold),
        quiet_period_hours=_positive_number(get("QUIET_PERIOD_HOURS"), "QUIET_PERIOD_HOURS", 24),
    )
