"""Which source field wins (docs/architecture.md#handler-contract, "Parsing").

An EventBridge GuardDuty event carries several fields for the same fact: the envelope's
``account``/``region``/``time`` and the finding's own ``detail.accountId``/``detail.region``/
``detail.updatedAt``/``service.eventLastSeen``. The finding's own field wins; the envelope is
the fallback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.finding import MalformedEvent, NotAFinding, parse_event, partition_for
from app.core.severity import Band
from tests.conftest import minimal_event

ADMIN = "111111111111"  # the envelope's account: the GuardDuty administrator
MEMBER = "222222222222"  # detail.accountId: the account the finding is about


def event(**detail: Any) -> dict[str, Any]:
    data = minimal_event(**detail)
    data["account"] = ADMIN
    data["detail"]["accountId"] = MEMBER
    return data


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- account ----------------------------------------------------------------------------------


def test_member_account_wins_over_the_envelope_account() -> None:
    assert parse_event(event()).account_id == MEMBER


@pytest.mark.parametrize("missing", [None, "", {}])
def test_envelope_account_when_the_finding_has_none(missing: Any) -> None:
    data = event()
    data["detail"]["accountId"] = missing
    assert parse_event(data).account_id == ADMIN


def test_no_account_anywhere_is_empty() -> None:
    data = event()
    del data["detail"]["accountId"], data["account"]
    assert parse_event(data).account_id == ""


# --- region -----------------------------------------------------------------------------------


def test_finding_region_wins_over_the_envelope_region() -> None:
    data = event()
    data["region"], data["detail"]["region"] = "us-east-1", "eu-west-1"
    assert parse_event(data).region == "eu-west-1"


def test_envelope_region_when_the_finding_has_none() -> None:
    data = event()
    del data["detail"]["region"]
    data["region"] = "ap-southeast-2"
    assert parse_event(data).region == "ap-southeast-2"


# --- times ------------------------------------------------------------------------------------


def times(data: dict[str, Any]) -> tuple[datetime | None, datetime | None, datetime | None]:
    finding = parse_event(data)
    return finding.first_seen, finding.last_seen, finding.updated_at


def distinct_times() -> dict[str, Any]:
    data = event()
    data["time"] = "2026-11-28T12:00:05Z"
    data["detail"]["createdAt"] = "2026-11-28T08:00:00Z"
    data["detail"]["updatedAt"] = "2026-11-28T11:59:00Z"
    data["detail"]["service"]["eventFirstSeen"] = "2026-11-28T08:30:00Z"
    data["detail"]["service"]["eventLastSeen"] = "2026-11-28T11:45:00Z"
    return data


def test_activity_times_come_from_the_service_block() -> None:
    assert times(distinct_times()) == (
        at("2026-11-28T08:30:00"),
        at("2026-11-28T11:45:00"),
        at("2026-11-28T11:59:00"),
    )


def test_last_seen_falls_back_to_updated_at_not_the_event_time() -> None:
    data = distinct_times()
    del data["detail"]["service"]["eventLastSeen"]
    assert parse_event(data).last_seen == at("2026-11-28T11:59:00")


def test_first_seen_falls_back_to_created_at() -> None:
    data = distinct_times()
    data["detail"]["service"]["eventFirstSeen"] = None
    assert parse_event(data).first_seen == at("2026-11-28T08:00:00")


def test_updated_at_falls_back_to_the_event_time() -> None:
    data = distinct_times()
    data["detail"]["updatedAt"] = "not a time"
    finding = parse_event(data)
    assert finding.updated_at == at("2026-11-28T12:00:05")
    assert finding.last_seen == at("2026-11-28T11:45:00")


def test_no_time_anywhere_is_none() -> None:
    data = distinct_times()
    for key in ("createdAt", "updatedAt"):
        del data["detail"][key]
    for key in ("eventFirstSeen", "eventLastSeen"):
        del data["detail"]["service"][key]
    del data["time"]
    assert times(data) == (None, None, None)


# --- partition --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-west-1", "aws"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-gov-east-1", "aws-us-gov"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("", "aws"),
    ],
)
def test_partition_derived_from_the_region_when_none_is_declared(
    region: str, partition: str
) -> None:
    assert partition_for(region) == partition
    assert partition_for(region, "") == partition
    data = event()
    del data["detail"]["partition"]
    data["detail"]["region"] = region
    data["region"] = region
    assert parse_event(data).partition == partition


@pytest.mark.parametrize("declared", ["aws", "aws-us-gov", "aws-cn"])
@pytest.mark.parametrize("region", ["us-east-1", "us-gov-west-1", "cn-north-1", ""])
def test_a_declared_partition_wins_over_the_region(declared: str, region: str) -> None:
    assert partition_for(region, declared) == declared
    data = event(partition=declared)
    data["detail"]["region"] = region
    assert parse_event(data).partition == declared


@pytest.mark.parametrize("declared", ["aws-iso", "AWS-CN", "banana", " aws-cn "])
def test_an_unknown_declared_partition_is_ignored(declared: str) -> None:
    assert partition_for("cn-north-1", declared) == "aws-cn"
    assert partition_for("us-gov-west-1", declared) == "aws-us-gov"


def test_a_cn_region_without_partition_in_the_envelope_form() -> None:
    data = event()
    del data["detail"]["partition"], data["detail"]["region"]
    data["region"] = "cn-north-1"
    finding = parse_event(data)
    assert (finding.region, finding.partition) == ("cn-north-1", "aws-cn")


# --- the rest of the fields -------------------------------------------------------------------


def test_every_field_of_a_complete_event() -> None:
    data = event(
        finding_id="  " + "f" * 32 + " ",
        severity="7.5",
        count=42,
        finding_type="Recon:EC2/PortProbeUnprotectedPort",
        event_id="evt-42",
        title="Unprotected port on EC2 instance i-0abc is being probed.",
        description="EC2 instance has an unprotected port which is being probed.",
    )
    data["detail"]["service"]["archived"] = False
    finding = parse_event(data)
    assert finding.id == "f" * 32
    assert finding.type == "Recon:EC2/PortProbeUnprotectedPort"
    assert finding.title == "Unprotected port on EC2 instance i-0abc is being probed."
    assert finding.description == "EC2 instance has an unprotected port which is being probed."
    assert finding.score == 7.5
    assert finding.band is Band.HIGH
    assert finding.count == 42
    assert finding.archived is False
    assert finding.sample is False
    assert finding.resource_type == "Instance"
    assert finding.event_id == "evt-42"
    assert finding.is_canary is False
    assert finding.detail["id"] == data["detail"]["id"]


def test_missing_type_is_unknown_and_missing_texts_are_empty() -> None:
    data = event()
    for key in ("type", "title", "description", "resource", "service"):
        del data["detail"][key]
    del data["id"]
    finding = parse_event(data)
    assert (finding.type, finding.title, finding.description) == ("Unknown", "", "")
    assert (finding.resource_type, finding.event_id, finding.count) == ("", "", None)
    assert (finding.archived, finding.sample) == (False, False)


@pytest.mark.parametrize(("archived", "expected"), [(True, True), ("true", True), ("no", False)])
def test_archived_flag(archived: Any, expected: bool) -> None:
    data = event()
    data["detail"]["service"]["archived"] = archived
    assert parse_event(data).archived is expected


def test_sample_flag_from_additional_info() -> None:
    data = event()
    data["detail"]["service"]["additionalInfo"] = {"sample": True}
    assert parse_event(data).sample is True


def test_canary_type() -> None:
    assert parse_event(event(finding_type="Canary:Gd2Slack/Smoke")).is_canary is True
    assert parse_event(event(finding_type="Recon:Canary:Gd2Slack/X")).is_canary is False


def test_pascal_case_detail_is_read_like_the_eventbridge_form() -> None:
    data = event()
    data["detail"] = {
        "Id": "p" * 32,
        "Type": "Recon:EC2/Portscan",
        "AccountId": MEMBER,
        "Region": "cn-north-1",
        "Severity": 9.1,
        "UpdatedAt": "2026-11-28T11:59:00Z",
        "Service": {"Count": 3, "EventLastSeen": "2026-11-28T11:45:00Z"},
        "Resource": {"ResourceType": "Instance"},
    }
    finding = parse_event(data)
    assert (finding.id, finding.account_id) == ("p" * 32, MEMBER)
    assert finding.type == "Recon:EC2/Portscan"
    assert (finding.region, finding.partition, finding.score) == ("cn-north-1", "aws-cn", 9.1)
    assert (finding.count, finding.resource_type) == (3, "Instance")
    assert finding.last_seen == at("2026-11-28T11:45:00")


def test_a_camel_case_detail_with_pascal_case_extras_is_not_converted() -> None:
    data = event()
    data["detail"]["Id"] = "ignored"
    data["detail"]["Type"] = "Ignored:Type/Other"
    assert parse_event(data).type == "UnauthorizedAccess:EC2/SSHBruteForce"


# --- what is not a finding ----------------------------------------------------------------------


def test_not_an_object_is_malformed() -> None:
    with pytest.raises(MalformedEvent, match=r"^event is a JSON list, not an object$"):
        parse_event([event()])


def test_another_source_is_malformed_and_named_in_the_reason() -> None:
    data = event()
    data["source"] = "aws.securityhub"
    with pytest.raises(MalformedEvent) as raised:
        parse_event(data)
    assert str(raised.value) == "event source is 'aws.securityhub', not 'aws.guardduty'"


def test_a_long_source_is_cut_in_the_reason() -> None:
    data = event()
    data["source"] = "x" * 500
    with pytest.raises(MalformedEvent) as raised:
        parse_event(data)
    assert str(raised.value) == f"event source is {'x' * 64!r}, not 'aws.guardduty'"


def test_another_guardduty_detail_type_is_not_a_finding() -> None:
    data = event()
    data["detail-type"] = "AWS API Call via CloudTrail"
    with pytest.raises(NotAFinding) as raised:
        parse_event(data)
    assert str(raised.value) == "detail-type 'AWS API Call via CloudTrail' from aws.guardduty"


def test_a_long_detail_type_is_cut_in_the_reason() -> None:
    data = event()
    data["detail-type"] = "y" * 500
    with pytest.raises(NotAFinding) as raised:
        parse_event(data)
    assert str(raised.value) == f"detail-type {'y' * 64!r} from aws.guardduty"


@pytest.mark.parametrize("detail", [None, [], "{}"])
def test_a_detail_that_is_not_an_object_is_malformed(detail: Any) -> None:
    data = event()
    data["detail"] = detail
    with pytest.raises(MalformedEvent, match=r"^GuardDuty Finding event has no detail object$"):
        parse_event(data)


@pytest.mark.parametrize("finding_id", [None, "", "   ", {}])
def test_a_detail_without_id_is_malformed(finding_id: Any) -> None:
    data = event()
    data["detail"]["id"] = finding_id
    with pytest.raises(MalformedEvent, match=r"^GuardDuty Finding event has no detail\.id$"):
        parse_event(data)
