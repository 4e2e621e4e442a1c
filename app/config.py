"""Configuration from environment variables, validated once at cold start.

Every setting is one row of ``SETTINGS``: its variable, its ``Config`` field, its raw default
(as the variable and the stack parameter hold it), its parser, its description and, when the
runtime stack sets it, its stack parameter. ``load_config``, ``Config``'s defaults, the stack's
parameters and the function's environment (``stack/``) are all read from the rows, and
``tests/unit/app/test_settings.py`` holds README.md's configuration table to them: a new
setting is one row.

A bad value stops the function at init with a message naming the variable and what it accepts,
instead of failing every record later with something obscure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from app.core.mention import parse_mention, parse_on_off
from app.core.severity import BAND_NAMES, Band, band_by_name, band_for, parse_score

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


@dataclass(frozen=True)
class StackParameter:
    """The runtime stack's parameter that sets a variable, with the constraints it declares.

    ``stack/parameters.py`` makes the CloudFormation parameter from it (``Default`` is the
    setting's raw default; none, so the parameter is required, when that is ``None``).
    """

    name: str
    type: Literal["String", "Number"] = "String"
    allowed_values: tuple[str, ...] = ()
    allowed_pattern: str | None = None
    constraint_description: str | None = None
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Setting:
    """One configuration setting, in every place it appears.

    ``default`` is the raw text the function uses when the variable is unset or blank (and the
    stack parameter's ``Default``); ``None`` means unset. ``parse(raw, variable)`` turns raw text
    into the ``Config`` value or raises ``ConfigError`` naming the variable. ``description`` is
    the stack parameter's ``Description`` (or, without a parameter, the README's meaning);
    ``detail`` and ``default_meaning`` are for the README only.
    """

    variable: str
    field_name: str
    default: str | None
    parse: Callable[[str, str], Any]
    description: str
    parameter: StackParameter | None = None
    detail: str = ""
    default_meaning: str = ""

    def read(self, environ: Mapping[str, str]) -> Any:
        """The ``Config`` value: the variable's, or the default's when it is unset or blank."""
        raw = environ.get(self.variable)
        text = self.default if _blank(raw) else raw
        try:
            return None if text is None else self.parse(text, self.variable)
        except ValueError as err:  # a parser from app.core raises ValueError with the message
            raise err if isinstance(err, ConfigError) else ConfigError(str(err)) from None


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SLACK_WEBHOOK_URL",
        "webhook_url",
        None,
        _text,
        "One webhook URL, for local use, demos and tests (the stack sets "
        "`SLACK_WEBHOOKS_SECRET_ID`).",
    ),
    Setting(
        "SLACK_WEBHOOKS_SECRET_ID",
        "webhooks_secret_id",
        None,
        _text,
        "ARN or name of an existing Secrets Manager secret with the webhook URL(s)",
        StackParameter(
            "WebhookSecretArn",
            allowed_pattern=SECRETSMANAGER_ID_PATTERN,
            constraint_description="a Secrets Manager secret ARN (full, with its suffix) or name",
        ),
        detail='the secret is a URL, or JSON `{"default": URL, "<route>": URL}`',
    ),
    Setting(
        "MIN_SEVERITY",
        "min_score",
        "LOW",
        parse_min_severity,
        "Lowest severity band notified: filters in EventBridge and in the function.",
        StackParameter("MinSeverity", allowed_values=BAND_NAMES),
        detail="`LOW`, `MEDIUM`, `HIGH` or `CRITICAL` (the variable also takes a number 0–10)",
    ),
    Setting(
        "FINDING_TYPES_INCLUDE",
        "types_include",
        "",
        _globs,
        "Comma-separated finding type globs to keep.",
        StackParameter("FindingTypesInclude"),
        detail="case-sensitive, e.g. `Recon:EC2/*`",
        default_meaning="empty: every type",
    ),
    Setting(
        "FINDING_TYPES_EXCLUDE",
        "types_exclude",
        "",
        _globs,
        "Comma-separated finding type globs to drop.",
        StackParameter("FindingTypesExclude"),
        detail="a type matching both lists is dropped",
        default_meaning="empty: none",
    ),
    Setting(
        "ROUTES",
        "routes",
        "[]",
        parse_routes,
        "ROUTES: JSON list of {match, route} rules.",
        StackParameter("Routes"),
        detail='each `{"match": {...}, "route": "<name>"}`, first match wins; match keys '
        + ", ".join(f"`{key}`" for key in ROUTE_MATCH_KEYS),
        default_meaning=f"everything → `{DEFAULT_ROUTE}`",
    ),
    Setting(
        "SAMPLE_FINDINGS",
        "sample_mode",
        "notify",
        _sample_mode,
        "notify (marked as sample) or skip sample findings.",
        StackParameter("SampleFindings", allowed_values=SAMPLE_MODES),
        detail="the mark is `[SAMPLE]`",
    ),
    Setting(
        "STATE_TABLE",
        "state_table",
        None,
        _text,
        "DynamoDB table for noise control and idempotency (the stack sets its own table).",
        default_meaning="unset: no state",
    ),
    Setting(
        "ACCOUNT_NAMES",
        "account_names",
        "{}",
        _account_names,
        "JSON map of account id to friendly name.",
        StackParameter("AccountNames"),
    ),
    Setting(
        "DIGEST_THRESHOLD",
        "digest_threshold",
        "5",
        _whole_number,
        "Findings per route and batch before a digest.",
        StackParameter("DigestThreshold", type="Number", min_value=0, max_value=1000),
        detail="more notifiable findings than this for one route in one batch become one "
        "digest (0 disables)",
    ),
    Setting(
        "QUIET_PERIOD_HOURS",
        "quiet_period_hours",
        "24",
        _non_negative,
        "Re-notify a finding after this long without activity.",
        StackParameter("QuietPeriodHours", type="Number", min_value=0, max_value=8760),
        detail="hours: a suppressed finding active again after this long is notified again "
        "(0 disables)",
    ),
    Setting(
        "MENTION_ON_CRITICAL",
        "mention_on_critical",
        None,
        parse_mention,
        "App mode: who a Critical finding mentions, the only mention ever produced.",
        detail="one user group id `S…` or user ids `U…,U…`",
        default_meaning="unset: nobody",
    ),
    Setting(
        "REFRESH_ON_REPEAT",
        "refresh_on_repeat",
        "on",
        parse_on_off,
        "App mode: `on` or `off`: a suppressed re-publication quietly edits the root's count.",
    ),
)


def _default(field_name: str) -> Any:
    """``Config``'s default for a field: its row's default, parsed (a factory for a dict)."""
    row = next(row for row in SETTINGS if row.field_name == field_name)
    value = row.read({})
    if isinstance(value, dict):
        return field(default_factory=lambda: row.read({}))
    return value


@dataclass(frozen=True)
class Config:
    """The validated settings; each default comes from its row in ``SETTINGS``."""

    webhook_url: str | None = _default("webhook_url")
    webhooks_secret_id: str | None = _default("webhooks_secret_id")
    min_score: float = _default("min_score")
    types_include: tuple[str, ...] = _default("types_include")
    types_exclude: tuple[str, ...] = _default("types_exclude")
    routes: tuple[RouteRule, ...] = _default("routes")
    sample_mode: str = _default("sample_mode")
    state_table: str | None = _default("state_table")
    account_names: Mapping[str, str] = _default("account_names")
    digest_threshold: int = _default("digest_threshold")
    quiet_period_hours: float = _default("quiet_period_hours")
    mention_on_critical: str | None = _default("mention_on_critical")
    refresh_on_repeat: bool = _default("refresh_on_repeat")

    @property
    def min_band(self) -> Band:
        return band_for(self.min_score)


def load_config(environ: Mapping[str, str]) -> Config:
    """Read and validate every setting of ``SETTINGS``; raises ``ConfigError``."""
    values = {row.field_name: row.read(environ) for row in SETTINGS}
    # The one check across settings: two webhook sources would leave it unclear which is used.
    if values["webhook_url"] and values["webhooks_secret_id"]:
        raise ConfigError(
            "set only one of SLACK_WEBHOOK_URL and SLACK_WEBHOOKS_SECRET_ID, not both"
        )
    return Config(**values)
