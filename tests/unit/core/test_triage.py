"""The triage contract: what a button may carry, who may press it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.core.finding import parse_event
from app.core.triage import (
    PERMISSIONS,
    Target,
    TriageAction,
    TriageValueError,
    action_from_id,
    groups_to_check,
    is_allowed,
    parse_triage_allow,
    target_of,
)

FINDING_ID = "8ac7a8cc2a1f1e0d6f4b1d7ed5f0c7a2"
DETECTOR = "12abc34d567e8fa901bc2d34e56789f0"


def good() -> dict[str, Any]:
    return {"finding_id": FINDING_ID, "detector_id": DETECTOR, "region": "eu-west-1"}


def test_a_target_survives_its_own_encoding() -> None:
    target = Target(FINDING_ID, DETECTOR, "eu-west-1")
    text = target.encode()
    # Compact and in one key order: the same target is always the same value.
    assert text == (
        f'{{"detector_id":"{DETECTOR}","finding_id":"{FINDING_ID}","region":"eu-west-1"}}'
    )
    assert Target.decode(text) == target


# What the refusal says ends up in the "triage refused" log line: it must name the problem.
@pytest.mark.parametrize(
    ("change", "says"),
    [
        # an extra key: the account is looked up, never carried
        (
            {"account": "123456789012"},
            "the value must hold finding_id, detector_id and region only",
        ),
        ({"region": "eu-west-1; drop"}, "region is not an AWS region"),
        ({"region": "EU-WEST-1"}, "region is not an AWS region"),
        ({"region": 1}, "region is not an AWS region"),
        ({"detector_id": "../other"}, "detector_id is not a GuardDuty detector id"),
        ({"detector_id": DETECTOR.upper()}, "detector_id is not a GuardDuty detector id"),
        ({"detector_id": ""}, "detector_id is not a GuardDuty detector id"),
        ({"detector_id": None}, "detector_id is not a GuardDuty detector id"),
        ({"finding_id": "a" * 301}, "finding_id is not a GuardDuty finding id"),
        ({"finding_id": "id/with/slash"}, "finding_id is not a GuardDuty finding id"),
        ({"finding_id": 42}, "finding_id is not a GuardDuty finding id"),
    ],
)
def test_decode_refuses_anything_but_the_three_well_formed_keys(
    change: dict[str, Any], says: str
) -> None:
    with pytest.raises(TriageValueError) as err:
        Target.decode(json.dumps(good() | change))
    assert str(err.value) == says


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (None, "the value is not a triage target"),
        (42, "the value is not a triage target"),
        ("x" * 2001, "the value is not a triage target"),
        ("x" * 2000, "the value is not JSON"),  # exactly Slack's limit: read, then refused
        ("", "the value is not JSON"),
        ("not json", "the value is not JSON"),
        ("[]", "the value must hold finding_id, detector_id and region only"),
        ('"x"', "the value must hold finding_id, detector_id and region only"),
        ("{}", "the value must hold finding_id, detector_id and region only"),
    ],
)
def test_decode_refuses_what_is_not_a_json_object(text: Any, says: str) -> None:
    with pytest.raises(TriageValueError) as err:
        Target.decode(text)
    assert str(err.value) == says


def test_decode_refuses_a_missing_key() -> None:
    partial = good()
    del partial["region"]
    with pytest.raises(TriageValueError, match="must hold finding_id, detector_id and region"):
        Target.decode(json.dumps(partial))


def test_every_action_round_trips_through_its_action_id() -> None:
    for action in TriageAction:
        assert action.action_id == f"triage_{action.value}"
        assert action_from_id(action.action_id) is action
        assert action.permission in PERMISSIONS


@pytest.mark.parametrize("action_id", ["archive", "triage_", "triage_delete", "open_console", ""])
def test_unknown_action_ids_are_none(action_id: str) -> None:
    assert action_from_id(action_id) is None


def test_permissions_group_the_actions() -> None:
    assert TriageAction.UNARCHIVE.permission == TriageAction.ARCHIVE.permission == "archive"
    assert TriageAction.USEFUL.permission == TriageAction.NOT_USEFUL.permission == "feedback"
    assert TriageAction.SNOOZE_7D.permission == "snooze"
    assert TriageAction.SUPPRESS.permission == "suppress"


def _finding(arn: str, finding_id: str = FINDING_ID, region: str = "eu-west-1") -> Any:
    detail = {
        "schemaVersion": "2.0",
        "accountId": "123456789012",
        "region": region,
        "partition": "aws",
        "id": finding_id,
        "arn": arn,
        "type": "Recon:EC2/PortProbeUnprotectedPort",
        "severity": 2,
        "createdAt": "2026-12-01T10:00:00Z",
        "updatedAt": "2026-12-01T10:00:00Z",
        "resource": {"resourceType": "Instance"},
        "service": {"count": 1, "archived": False},
    }
    return parse_event(
        {
            "id": "e1",
            "source": "aws.guardduty",
            "detail-type": "GuardDuty Finding",
            "detail": detail,
        }
    )


MEMBER_DETECTOR = "9" * 32


def test_target_of_names_the_configured_detector() -> None:
    # A member finding seen in the administrator account: its ARN may name the member's
    # detector; the button names the detector the interactions function acts on.
    arn = (
        f"arn:aws:guardduty:eu-west-1:210987654321:detector/{MEMBER_DETECTOR}/finding/{FINDING_ID}"
    )
    assert target_of(_finding(arn), DETECTOR, "eu-west-1") == Target(
        FINDING_ID, DETECTOR, "eu-west-1"
    )
    china = f"arn:aws-cn:guardduty:cn-north-1:123456789012:detector/{DETECTOR}/finding/{FINDING_ID}"
    assert target_of(_finding(china, region="cn-north-1"), DETECTOR, "cn-north-1") == Target(
        FINDING_ID, DETECTOR, "cn-north-1"
    )
    assert target_of(_finding(""), DETECTOR, "eu-west-1") == Target(
        FINDING_ID, DETECTOR, "eu-west-1"
    )


def test_target_of_needs_a_well_formed_detector() -> None:
    arn = f"arn:aws:guardduty:eu-west-1:123456789012:detector/{DETECTOR}/finding/{FINDING_ID}"
    assert target_of(_finding(arn), None, "eu-west-1") is None
    assert target_of(_finding(arn), "", "eu-west-1") is None
    assert target_of(_finding(arn), "Not/A/Detector", "eu-west-1") is None


@pytest.mark.parametrize(
    "arn",
    [
        # another finding's ARN on this finding
        f"arn:aws:guardduty:eu-west-1:123456789012:detector/{DETECTOR}/finding/{'f' * 32}",
        # another region than the finding's
        f"arn:aws:guardduty:us-east-1:123456789012:detector/{DETECTOR}/finding/{FINDING_ID}",
        f"arn:aws:guardduty:eu-west-1:123456789012:detector/{DETECTOR}/finding/{FINDING_ID}/x",
        f"arn:aws:s3:::bucket/detector/{DETECTOR}/finding/{FINDING_ID}",
    ],
)
def test_target_of_refuses_an_arn_naming_another_finding(arn: str) -> None:
    assert target_of(_finding(arn), DETECTOR, "eu-west-1") is None


def test_target_of_only_in_the_functions_own_region() -> None:
    # One stack per region: a finding of another region is acted on by that region's stack.
    assert target_of(_finding(""), DETECTOR, "us-east-1") is None
    assert target_of(_finding(""), DETECTOR, None) is None


def test_target_of_refuses_ids_the_way_back_would_refuse() -> None:
    assert target_of(_finding("", finding_id="id-with-dash"), DETECTOR, "eu-west-1") is None
    assert target_of(_finding("", region="Mars"), DETECTOR, "Mars") is None


def test_triage_allow_maps_permissions_to_ids() -> None:
    allow = parse_triage_allow('{"archive": ["S0ONCALL", "U0LEAD"], "suppress": ["W0LEAD"]}')
    assert allow == {
        "archive": frozenset({"S0ONCALL", "U0LEAD"}),
        "suppress": frozenset({"W0LEAD"}),
    }
    assert groups_to_check(allow, "archive") == ("S0ONCALL",)
    assert groups_to_check(allow, "feedback") == ()


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("[]", "TRIAGE_ALLOW must be a JSON object, e.g. {"),
        ("{", "TRIAGE_ALLOW must be a JSON object, e.g. {"),
        (
            '{"delete": ["U0LEAD"]}',
            "TRIAGE_ALLOW: unknown permissions ['delete']; known: "
            "['archive', 'feedback', 'snooze', 'suppress']",
        ),
        ('{"archive": "U0LEAD"}', "TRIAGE_ALLOW: 'archive' must be a list of Slack ids"),
        ('{"archive": [1]}', "TRIAGE_ALLOW: 'archive' must be a list of Slack ids"),
        (
            '{"archive": ["@a", "u0lead", "C0CHANNEL", "#d", "U0OK"]}',
            "TRIAGE_ALLOW: 'archive': ['@a', 'u0lead', 'C0CHANNEL'] are not user ids (U…, W…) "
            "or user group ids (S…)",
        ),
    ],
)
def test_triage_allow_refuses_what_is_not_ids(raw: str, says: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_triage_allow(raw)  # the default variable name is the setting's
    assert str(err.value).startswith(says)


def test_triage_allow_names_the_variable_it_was_given() -> None:
    with pytest.raises(ValueError, match=r"^ALLOW_X: unknown permissions"):
        parse_triage_allow('{"x": []}', "ALLOW_X")


def test_is_allowed_by_id_or_by_group() -> None:
    allow = parse_triage_allow('{"archive": ["S0ONCALL", "U0LEAD"], "feedback": []}')
    assert is_allowed(allow, "archive", "U0LEAD", ())
    assert is_allowed(allow, "archive", "U0OTHER", ("S0ONCALL",))
    assert not is_allowed(allow, "archive", "U0OTHER", ("S0ELSE",))
    assert not is_allowed(allow, "feedback", "U0LEAD", ("S0ONCALL",))
    assert not is_allowed(allow, "snooze", "U0LEAD", ())  # not named: nobody's


def test_triage_on_needs_its_workspace_app_and_detector() -> None:
    from app.config import ConfigError, load_config

    base = {"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T0/B0/x"}
    assert not load_config(base).triage_enabled
    with pytest.raises(ConfigError) as err:
        load_config(base | {"SLACK_SIGNING_SECRET_ID": "gd2slack/signing", "SLACK_APP_ID": "A0APP"})
    assert "SLACK_TEAM_ID" in str(err.value)
    assert "GUARDDUTY_DETECTOR_ID" in str(err.value)
    assert "SLACK_APP_ID" not in str(err.value)
    config = load_config(
        base
        | {
            "SLACK_SIGNING_SECRET_ID": " gd2slack/signing ",
            "SLACK_TEAM_ID": "T0TEAM",
            "SLACK_APP_ID": "A0APP",
            "GUARDDUTY_DETECTOR_ID": DETECTOR,
            "TRIAGE_ALLOW": '{"snooze": ["U0LEAD"]}',
        }
    )
    assert config.triage_enabled
    assert config.signing_secret_id == "gd2slack/signing"
    assert config.triage_allow == {"snooze": frozenset({"U0LEAD"})}
