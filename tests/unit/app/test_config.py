from __future__ import annotations

import json

import pytest

from app.config import SETTINGS, Config, ConfigError, load_config
from app.core.severity import Band


def test_defaults_notify_everything_from_low() -> None:
    config = load_config({})
    assert config.min_band is Band.LOW
    assert config.sample_mode == "notify"
    assert config.digest_threshold == 5
    assert config.quiet_period_hours == 24
    assert config.state_table is None
    assert config.routes == ()


def test_min_severity_banana_names_variable_and_allowed_values() -> None:
    with pytest.raises(ConfigError) as err:
        load_config({"MIN_SEVERITY": "banana"})
    message = str(err.value)
    assert "MIN_SEVERITY" in message
    for band in ("LOW", "MEDIUM", "HIGH", "CRITICAL"):
        assert band in message


@pytest.mark.parametrize(
    ("raw", "score"), [("high", 7.0), ("CRITICAL", 9.0), ("5.5", 5.5), ("0", 0)]
)
def test_min_severity_accepts_bands_and_numbers(raw: str, score: float) -> None:
    assert load_config({"MIN_SEVERITY": raw}).min_score == score


@pytest.mark.parametrize("raw", ["11", "-1", "nan?", ""])
def test_min_severity_rejects_out_of_range(raw: str) -> None:
    if raw == "":
        assert load_config({"MIN_SEVERITY": raw}).min_score == 1.0
        return
    with pytest.raises(ConfigError, match="MIN_SEVERITY"):
        load_config({"MIN_SEVERITY": raw})


def test_both_webhook_settings_is_an_error() -> None:
    with pytest.raises(ConfigError, match="only one"):
        load_config(
            {
                "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x",
                "SLACK_WEBHOOKS_SECRET_ID": "name",
            }
        )


@pytest.mark.parametrize(
    ("routes", "fragment"),
    [
        ("not json", "ROUTES is not valid JSON"),
        ('{"route": "x"}', "must be a JSON list"),
        ('[{"match": {}}]', 'ROUTES[0] must be an object with a string "route"'),
        ('[{"match": {"colour": "red"}, "route": "x"}]', "unknown keys ['colour']"),
        ('[{"match": {"bands": ["SEVERE"]}, "route": "x"}]', "ROUTES[0].match.bands"),
        ('[{"match": {"min_severity": "x"}, "route": "x"}]', "ROUTES[0].match.min_severity"),
        ('[{"match": {"accounts": [1]}, "route": "x"}]', "ROUTES[0].match.accounts"),
    ],
)
def test_bad_routes_say_where(routes: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config({"ROUTES": routes})
    assert fragment in str(err.value)


def test_routes_parse() -> None:
    config = load_config(
        {
            "ROUTES": json.dumps(
                [
                    {
                        "match": {"bands": ["critical"], "accounts": "111122223333"},
                        "route": "oncall",
                    },
                    {"match": {"types": ["Recon:*"]}, "route": "noise"},
                ]
            )
        }
    )
    first, second = config.routes
    assert first.route == "oncall" and first.bands == frozenset({Band.CRITICAL})
    assert first.accounts == frozenset({"111122223333"})
    assert second.types == ("Recon:*",)


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"SAMPLE_FINDINGS": "maybe"}, "SAMPLE_FINDINGS"),
        ({"ACCOUNT_NAMES": "[1]"}, "ACCOUNT_NAMES must be a JSON dict"),
        ({"ACCOUNT_NAMES": '{"1": 2}'}, "ACCOUNT_NAMES values"),
        ({"DIGEST_THRESHOLD": "-2"}, "DIGEST_THRESHOLD"),
        ({"DIGEST_THRESHOLD": "2.5"}, "whole number"),
        ({"QUIET_PERIOD_HOURS": "soon"}, "QUIET_PERIOD_HOURS"),
    ],
)
def test_other_bad_values_name_the_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(env)
    assert fragment in str(err.value)


@pytest.mark.parametrize("variable", [setting.variable for setting in SETTINGS])
def test_a_blank_value_is_the_default(variable: str) -> None:
    assert load_config({variable: "  "}) == load_config({}) == Config()


def test_values_are_trimmed_and_whole_numbers_may_be_written_as_floats() -> None:
    config = load_config(
        {"SAMPLE_FINDINGS": " Skip ", "DIGEST_THRESHOLD": "2.0", "STATE_TABLE": " state "}
    )
    assert (config.sample_mode, config.digest_threshold, config.state_table) == ("skip", 2, "state")
