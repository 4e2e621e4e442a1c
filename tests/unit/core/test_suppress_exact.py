"""Suppress similar, exactly: each resource kind's identifier read from the shape GuardDuty
sends, the limits on a usable value, the filter's name and description as GuardDuty stores
them. (The table's readers are built at import, so they are called here directly.)"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from app.core.finding import parse_event
from app.core.suppress import (
    IDENTIFIERS,
    MAX_VALUE,
    SuppressFilter,
    SuppressRefused,
    resource_identifier,
    suppress_filter,
    suppress_options,
)

TYPE = "Recon:EC2/PortProbeUnprotectedPort"
ACCOUNT = "123456789012"

# resource.resourceType → (the resource as GuardDuty sends it, the identifier expected).
RESOURCES: dict[str, tuple[dict[str, Any], str]] = {
    "Instance": ({"instanceDetails": {"instanceId": "i-0abc"}}, "i-0abc"),
    "AccessKey": ({"accessKeyDetails": {"accessKeyId": "AKIAEXAMPLE"}}, "AKIAEXAMPLE"),
    "S3Bucket": ({"s3BucketDetails": [{"name": "logs-bucket"}]}, "logs-bucket"),
    "S3Object": ({"s3BucketDetails": [{"name": "data-bucket"}]}, "data-bucket"),
    "EKSCluster": ({"eksClusterDetails": {"name": "prod-eks"}}, "prod-eks"),
    "ECSCluster": ({"ecsClusterDetails": {"name": "prod-ecs"}}, "prod-ecs"),
    "Container": ({"containerDetails": {"id": "c0ffee"}}, "c0ffee"),
    "Lambda": ({"lambdaDetails": {"functionName": "payments"}}, "payments"),
    "RDSDBInstance": ({"rdsDbInstanceDetails": {"dbInstanceIdentifier": "db-1"}}, "db-1"),
    "RDSLimitlessDB": (
        {"rdsLimitlessDbDetails": {"dbShardGroupIdentifier": "shards-1"}},
        "shards-1",
    ),
    "EBSSnapshot": (
        {"ebsSnapshotDetails": {"snapshotArn": "arn:aws:ec2:us-east-1::snapshot/snap-1"}},
        "arn:aws:ec2:us-east-1::snapshot/snap-1",
    ),
    "EC2Image": (
        {"ec2ImageDetails": {"imageArn": "arn:aws:ec2:us-east-1::image/ami-1"}},
        "arn:aws:ec2:us-east-1::image/ami-1",
    ),
    "EBSVolume": (
        {
            "ebsVolumeDetails": {
                "scannedVolumeDetails": [{"volumeArn": "arn:aws:ec2:us-east-1:1:volume/vol-1"}]
            }
        },
        "arn:aws:ec2:us-east-1:1:volume/vol-1",
    ),
    "RecoveryPoint": (
        {"recoveryPointDetails": {"recoveryPointArn": "arn:aws:backup:us-east-1:1:rp/1"}},
        "arn:aws:backup:us-east-1:1:rp/1",
    ),
    "BedrockGuardrail": (
        {"bedrockGuardrailDetails": {"guardrailArn": "arn:aws:bedrock:us-east-1:1:g/1"}},
        "arn:aws:bedrock:us-east-1:1:g/1",
    ),
}


def finding(
    kind: str, resource: dict[str, Any], *, account: str = ACCOUNT, finding_type: str = TYPE
) -> Any:
    detail = {
        "accountId": account,
        "region": "us-east-1",
        "id": "f1",
        "type": finding_type,
        "severity": 5,
        "updatedAt": "2026-12-01T10:00:00Z",
        "resource": {"resourceType": kind, **resource},
    }
    return parse_event(
        {"source": "aws.guardduty", "detail-type": "GuardDuty Finding", "detail": detail}
    )


def test_every_kind_in_the_table_has_a_case_here() -> None:
    assert set(RESOURCES) == set(IDENTIFIERS)


@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_each_reader_reads_its_kinds_identifier(kind: str) -> None:
    resource, expected = RESOURCES[kind]
    attribute, read = IDENTIFIERS[kind]
    assert read({"resourceType": kind, **resource}) == [expected]
    assert read({"resourceType": kind}) in ([""], [])  # nothing there: no value
    assert resource_identifier(finding(kind, resource)) == (attribute, expected)


def test_a_reader_takes_the_value_from_its_own_member_only() -> None:
    _, read = IDENTIFIERS["Instance"]
    assert read({"accessKeyDetails": {"instanceId": "i-wrong"}}) == [""]
    _, read = IDENTIFIERS["EBSVolume"]
    assert read({"scannedVolumeDetails": [{"volumeArn": "arn:wrong"}]}) == []
    _, read = IDENTIFIERS["S3Bucket"]
    assert read({"s3BucketDetails": [{"name": "a"}, {"name": "b"}]}) == ["a", "b"]


@pytest.mark.parametrize("spelling", ["CONTAINER", "container", "Container"])
def test_the_container_kind_in_any_case(spelling: str) -> None:
    resource, expected = RESOURCES["Container"]
    assert resource_identifier(finding(spelling, resource)) == (
        "resource.containerDetails.id",
        expected,
    )


@pytest.mark.parametrize(
    ("value", "usable"),
    [
        ("i", True),
        ("i" * MAX_VALUE, True),
        ("i" * (MAX_VALUE + 1), False),
        ("", False),
        (" i-0abc", False),
        ("i-0abc ", False),
        ("i-0\nabc", False),
        ("i-0\u200babc", False),  # zero-width space: not printable
    ],
)
def test_only_a_plain_identifier_is_filtered_on(value: str, usable: bool) -> None:
    found = resource_identifier(finding("Instance", {"instanceDetails": {"instanceId": value}}))
    assert found == (("resource.instanceDetails.instanceId", value) if usable else None)


def test_description_says_what_the_filter_covers() -> None:
    resource = ("resource.instanceDetails.instanceId", "i-0abc")
    assert SuppressFilter(TYPE, resource, ACCOUNT).description() == (
        "Created from Slack by gd2slack: one finding type, resource, one account."
    )
    assert SuppressFilter(TYPE, None, ACCOUNT).description() == (
        "Created from Slack by gd2slack: one finding type, no resource, one account."
    )
    assert SuppressFilter(TYPE, resource, None).description() == (
        "Created from Slack by gd2slack: one finding type, resource, every account."
    )


def test_the_name_is_the_hash_of_the_compact_ascii_conditions() -> None:
    rule = SuppressFilter(
        "Recon:EC2/Port\u00e9", ("resource.instanceDetails.instanceId", "i-1"), None
    )
    text = '[["type","Recon:EC2/Port\\u00e9"],["resource.instanceDetails.instanceId","i-1"]]'
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert rule.name == "gd2slack-" + digest[:32]
    assert rule.client_token == digest


@pytest.mark.parametrize("account", ["12345678901", "1234567890123", "12345678901a", ""])
def test_an_account_that_is_not_12_digits_cannot_scope_the_filter(account: str) -> None:
    resource, _ = RESOURCES["Instance"]
    base, offered = suppress_options(finding("Instance", resource, account=account))
    assert offered is None
    assert base.account_id is None
    with pytest.raises(
        SuppressRefused, match=r"^this finding has no account id to limit the filter to$"
    ):
        suppress_filter(finding("Instance", resource, account=account), include_account=True)


@pytest.mark.parametrize("finding_type", ["Unknown", " Recon:EC2/X", "Recon:EC2/\nX"])
def test_no_filter_on_a_type_that_is_missing_or_not_plain(finding_type: str) -> None:
    resource, _ = RESOURCES["Instance"]
    with pytest.raises(SuppressRefused, match=r"^this finding has no type to filter on$"):
        suppress_options(finding("Instance", resource, finding_type=finding_type))


def test_a_plain_type_with_a_resource_is_offered_without_the_account_first() -> None:
    resource, expected = RESOURCES["Lambda"]
    base, offered = suppress_options(finding("Lambda", resource))
    assert base == SuppressFilter(TYPE, ("resource.lambdaDetails.functionName", expected), None)
    assert offered == ACCOUNT
    scoped = suppress_filter(finding("Lambda", resource), include_account=True)
    assert scoped.criteria() == {
        "Criterion": {
            "type": {"Equals": [TYPE]},
            "resource.lambdaDetails.functionName": {"Equals": [expected]},
            "accountId": {"Equals": [ACCOUNT]},
        }
    }


def test_the_reader_factories_read_exactly_their_member_and_key() -> None:
    # The table's readers are made at import; the factories themselves, called here.
    from app.core.suppress import _listed, _member

    one = _member("instanceDetails", "instanceId")
    assert one({"instanceDetails": {"instanceId": "i-1", "other": "x"}}) == ["i-1"]
    assert one({"instanceDetails": {"other": "x"}}) == [""]
    assert one({"other": {"instanceId": "i-1"}}) == [""]
    listed = _listed("s3BucketDetails", "name")
    assert listed({"s3BucketDetails": [{"name": "a"}, {"arn": "x"}]}) == ["a", ""]
    assert listed({"other": [{"name": "a"}]}) == []
    nested = _listed("ebsVolumeDetails", "volumeArn", inner="scannedVolumeDetails")
    assert nested({"ebsVolumeDetails": {"scannedVolumeDetails": [{"volumeArn": "v"}]}}) == ["v"]
    assert nested({"ebsVolumeDetails": {"ebsVolumeDetails": [{"volumeArn": "v"}]}}) == []
    assert nested({"scannedVolumeDetails": [{"volumeArn": "v"}]}) == []


def test_the_refusals_say_exactly_what_to_do() -> None:
    nothing = finding("S3Bucket", {"s3BucketDetails": [{"name": "a"}, {"name": "b"}]}, account="")
    with pytest.raises(SuppressRefused) as err:
        suppress_options(nothing)
    assert str(err.value) == (
        "this finding has neither a single resource identifier nor an account id: "
        "no filter would be narrow enough"
    )
    two = finding("S3Bucket", {"s3BucketDetails": [{"name": "a"}, {"name": "b"}]})
    with pytest.raises(SuppressRefused) as err:
        suppress_filter(two, include_account=False)
    assert str(err.value) == (
        "this finding's resource has no single identifier: a filter on its type alone would "
        "archive that type in every account. Limit it to the account instead."
    )
