"""The "suppress similar" filter: GuardDuty's documented attribute names, the identifier read
from the finding's JSON, and no filter broader than type + account."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest

from app.core.finding import parse_event
from app.core.suppress import SuppressRefused, suppress_filter, suppress_options
from app.core.triage import SUPPRESS_MODAL, Target, TriageAction
from app.render.triage import ModalContext, suppress_modal
from tests.conftest import load_event
from tests.slack_checks import assert_valid_view

# fixture → (attribute, the path of its value in the fixture's detail, read below)
CASES = {
    "ec2-port-probe.json": (
        "resource.instanceDetails.instanceId",
        ("instanceDetails", "instanceId"),
    ),
    "iam-credential-exfiltration.json": (
        "resource.accessKeyDetails.accessKeyId",
        ("accessKeyDetails", "accessKeyId"),
    ),
    "s3-anomalous-behavior.json": ("resource.s3BucketDetails.name", ("s3BucketDetails", 0, "name")),
    "malware-s3-object.json": ("resource.s3BucketDetails.name", ("s3BucketDetails", 0, "name")),
    "eks-privileged-container.json": (
        "resource.eksClusterDetails.name",
        ("eksClusterDetails", "name"),
    ),
    "runtime-ecs-reverse-shell.json": (
        "resource.ecsClusterDetails.name",
        ("ecsClusterDetails", "name"),
    ),
    "lambda-malicious-ip-caller.json": (
        "resource.lambdaDetails.functionName",
        ("lambdaDetails", "functionName"),
    ),
    "rds-anomalous-successful-login.json": (
        "resource.rdsDbInstanceDetails.dbInstanceIdentifier",
        ("rdsDbInstanceDetails", "dbInstanceIdentifier"),
    ),
    "rds-limitless-malicious-ip-failed-login.json": (
        "resource.rdsLimitlessDbDetails.dbShardGroupIdentifier",
        ("rdsLimitlessDbDetails", "dbShardGroupIdentifier"),
    ),
    "malware-backup-ebs-snapshot.json": (
        "resource.ebsSnapshotDetails.snapshotArn",
        ("ebsSnapshotDetails", "snapshotArn"),
    ),
    "malware-container-malicious-file.json": (
        "resource.containerDetails.id",
        ("containerDetails", "id"),
    ),
}


def _documented_attributes() -> set[str]:
    """The fields CreateFilter's FindingCriteria documentation lists (botocore's model holds
    AWS's API reference text, HTML)."""
    model = botocore.session.get_session().get_service_model("guardduty")
    shape = model.operation_model("CreateFilter").input_shape
    text = re.sub(r"<[^>]+>", " ", str(shape.members["FindingCriteria"].documentation))
    return set(text.split())


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_filter_is_type_and_the_resources_identifier(name: str) -> None:
    event = load_event(name)
    attribute, path = CASES[name]
    expected = _at(event["detail"]["resource"], path)
    rule = suppress_filter(parse_event(event), include_account=False)
    assert rule.criteria() == {
        "Criterion": {
            "type": {"Equals": [event["detail"]["type"]]},
            attribute: {"Equals": [expected]},
        }
    }
    assert attribute in _documented_attributes()


def test_every_attribute_we_use_is_documented_by_guardduty() -> None:
    from app.core.suppress import ACCOUNT_ATTRIBUTE, IDENTIFIERS, TYPE_ATTRIBUTE

    words = _documented_attributes()
    used = {attribute for attribute, _ in IDENTIFIERS.values()} | {
        ACCOUNT_ATTRIBUTE,
        TYPE_ATTRIBUTE,
    }
    assert used <= words, sorted(used - words)


def test_the_account_is_added_only_when_asked() -> None:
    event = load_event("ec2-port-probe.json")
    rule = suppress_filter(parse_event(event), include_account=True)
    assert rule.criteria()["Criterion"]["accountId"] == {"Equals": [event["detail"]["accountId"]]}
    assert list(rule.criteria()["Criterion"]) == [
        "type",
        "resource.instanceDetails.instanceId",
        "accountId",
    ]


def test_name_and_token_are_deterministic_and_valid_for_create_filter() -> None:
    finding = parse_event(load_event("ec2-port-probe.json"))
    one = suppress_filter(finding, include_account=False)
    again = suppress_filter(finding, include_account=False)
    scoped = suppress_filter(finding, include_account=True)
    assert one.name == again.name and one.client_token == again.client_token
    assert one.name != scoped.name
    assert 3 <= len(one.name) <= 64 and all(c.isalnum() or c in "._-" for c in one.name)
    assert len(one.client_token) <= 64


def test_several_buckets_have_no_single_identifier_so_only_type_and_account() -> None:
    event = load_event("attack-sequence-s3.json")
    assert len(event["detail"]["resource"]["s3BucketDetails"]) > 1
    finding = parse_event(event)
    with pytest.raises(SuppressRefused, match="no single identifier"):
        suppress_filter(finding, include_account=False)
    rule = suppress_filter(finding, include_account=True)
    assert rule.criteria() == {
        "Criterion": {
            "type": {"Equals": [event["detail"]["type"]]},
            "accountId": {"Equals": ["210987654321"]},
        }
    }


def test_no_identifier_and_no_account_cannot_be_suppressed() -> None:
    event = load_event("attack-sequence-s3.json")
    event["detail"]["accountId"] = "not-an-account"
    event["account"] = "not-an-account"
    with pytest.raises(SuppressRefused):
        suppress_options(parse_event(event))


def test_an_unknown_resource_kind_has_no_identifier() -> None:
    event = load_event("ec2-port-probe.json")
    event["detail"]["resource"]["resourceType"] = "QuantumComputer"
    base, account = suppress_options(parse_event(event))
    assert base.resource is None and account == "123456789012"


TARGET = Target("a" * 32, "ab18df82b4ea1901b83d6683bab3dd5c", "us-east-1")
CTX = ModalContext(TARGET, TriageAction.SUPPRESS, "C0ALERTS", "1764321240.000100")


def test_the_modal_shows_the_exact_filter_and_what_guardduty_will_do() -> None:
    event = load_event("ec2-port-probe.json")
    base, account = suppress_options(parse_event(event))
    view = suppress_modal(CTX, base, account)
    assert_valid_view(view)
    assert view["callback_id"] == SUPPRESS_MODAL
    assert ModalContext.decode(view["private_metadata"]) == CTX
    text = json.dumps(view)
    instance = event["detail"]["resource"]["instanceDetails"]["instanceId"]
    criteria = view["blocks"][1]["text"]["text"]
    assert f"`type` equals `{event['detail']['type']}`" in criteria
    assert f"`resource.instanceDetails.instanceId` equals `{instance}`" in criteria
    assert "automatically archive" in text and "stop exporting" in text
    scope = next(b for b in view["blocks"] if b.get("block_id") == "scope")
    assert scope["optional"] is True
    assert scope["element"]["options"][0]["value"] == "account"
    assert "123456789012" in scope["element"]["options"][0]["text"]["text"]


def test_without_an_identifier_the_account_option_is_required() -> None:
    base, account = suppress_options(parse_event(load_event("attack-sequence-s3.json")))
    view = suppress_modal(CTX, base, account)
    assert_valid_view(view)
    scope = next(b for b in view["blocks"] if b.get("block_id") == "scope")
    assert scope["optional"] is False
    assert "no single identifier" in json.dumps(view)


def test_a_type_with_an_ampersand_is_escaped_and_a_backtick_falls_back_to_plain_text() -> None:
    event = load_event("ec2-port-probe.json")
    event["detail"]["type"] = "Backdoor:EC2/C&CActivity.B!DNS"
    base, account = suppress_options(parse_event(event))
    criteria = suppress_modal(CTX, base, account)["blocks"][1]
    assert "`Backdoor:EC2/C&amp;CActivity.B!DNS`" in criteria["text"]["text"]
    event["detail"]["type"] = "Odd:EC2/Back`tick"
    base, account = suppress_options(parse_event(event))
    criteria = suppress_modal(CTX, base, account)["blocks"][1]
    assert criteria["text"]["type"] == "plain_text"
    assert "type equals Odd:EC2/Back`tick" in criteria["text"]["text"]
