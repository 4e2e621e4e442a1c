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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from app.config_values import (
    DEFAULT_ROUTE,
    ROUTE_MATCH_KEYS,
    SAMPLE_MODES,
    SECRETSMANAGER_ID_PATTERN,
    ConfigError,
    RouteRule,
    _account_names,
    _blank,
    _globs,
    _non_negative,
    _optional_text,
    _sample_mode,
    _text,
    _whole_number,
    parse_min_severity,
    parse_routes,
)
from app.core.mention import parse_mention, parse_on_off
from app.core.severity import BAND_NAMES, Band, band_for
from app.core.triage import parse_triage_allow

__all__ = [
    "DEFAULT_ROUTE",
    "SETTINGS",
    "Config",
    "ConfigError",
    "RouteRule",
    "Setting",
    "load_config",
    "parse_routes",
]


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
    Setting(
        "SLACK_SIGNING_SECRET_ID",
        "signing_secret_id",
        "",
        _optional_text,
        "Triage: ARN or name of the secret holding the Slack app's signing secret (empty: no "
        "triage buttons, no interactions function).",
        StackParameter(
            "SlackSigningSecretArn",
            allowed_pattern=f"^$|{SECRETSMANAGER_ID_PATTERN}",
            constraint_description="empty, or a Secrets Manager secret ARN or name",
        ),
        detail='the secret is the signing secret as text, or JSON `{"signing_secret": "…"}`',
        default_meaning="empty: triage off",
    ),
    Setting(
        "SLACK_TEAM_ID",
        "slack_team_id",
        "",
        _optional_text,
        "Triage: the Slack workspace (team) id requests must come from, T….",
        StackParameter(
            "SlackTeamId",
            allowed_pattern=r"^(T[A-Z0-9]{2,20})?$",
            constraint_description="empty, or a Slack team id like T0123ABCD",
        ),
        default_meaning="required with triage",
    ),
    Setting(
        "SLACK_APP_ID",
        "slack_app_id",
        "",
        _optional_text,
        "Triage: the Slack app id requests must come from, A….",
        StackParameter(
            "SlackAppId",
            allowed_pattern=r"^(A[A-Z0-9]{2,20})?$",
            constraint_description="empty, or a Slack app id like A0123ABCD",
        ),
        default_meaning="required with triage",
    ),
    Setting(
        "GUARDDUTY_DETECTOR_ID",
        "detector_id",
        "",
        _optional_text,
        "Triage: this region's GuardDuty detector id; buttons naming another are refused.",
        StackParameter(
            "DetectorId",
            allowed_pattern=r"^[a-z0-9]{0,300}$",
            constraint_description="empty, or this region's GuardDuty detector id",
        ),
        default_meaning="required with triage",
    ),
    Setting(
        "TRIAGE_ALLOW",
        "triage_allow",
        "{}",
        parse_triage_allow,
        "Triage: JSON map of permission (archive, feedback, snooze, suppress) to Slack user "
        "and user group ids.",
        StackParameter("TriageAllow"),
        detail='e.g. `{"archive": ["S0ONCALL"], "feedback": ["S0ONCALL"], "suppress": '
        '["U0LEAD"]}`; archive covers unarchive, snooze both durations',
        default_meaning="empty: nobody may triage",
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
    signing_secret_id: str | None = _default("signing_secret_id")
    slack_team_id: str | None = _default("slack_team_id")
    slack_app_id: str | None = _default("slack_app_id")
    detector_id: str | None = _default("detector_id")
    triage_allow: Mapping[str, frozenset[str]] = _default("triage_allow")

    @property
    def triage_enabled(self) -> bool:
        """Triage buttons are shown (app mode) and the interactions function accepts presses."""
        return self.signing_secret_id is not None

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
    if values["signing_secret_id"]:
        missing = [
            row.variable
            for row in SETTINGS
            if row.field_name in ("slack_team_id", "slack_app_id", "detector_id")
            and not values[row.field_name]
        ]
        if missing:
            raise ConfigError(
                "SLACK_SIGNING_SECRET_ID is set (triage on): also set " + ", ".join(missing)
            )
    return Config(**values)
