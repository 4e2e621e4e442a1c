"""The fixtures are honest: realistic events are real GuardDuty findings, hostile ones parse.

Realistic events (``tests/fixtures/events``) are checked against botocore's own GuardDuty model,
shape ``Finding``: every key is a member's wire name (its ``locationName``, or the member name
where the model gives none), every value has the member's type, and enums, lengths, patterns and
required members hold. ``Timestamp`` members travel as epoch seconds (rest-json); the model's
``String`` times (``createdAt``, ``eventFirstSeen``, ``launchTime``…) are ISO-8601 strings.
Hostile fixtures (``tests/fixtures/hostile``) are exempt from the model by design.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import ListShape, MapShape, ServiceModel, Shape, StructureShape

FIXTURES = Path(__file__).parent / "fixtures"
EVENTS = FIXTURES / "events"
HOSTILE = FIXTURES / "hostile"
SAMPLES = Path(__file__).parent.parent / "gd2slack" / "local" / "samples"

EVENT_FILES = sorted(EVENTS.glob("*.json"))
HOSTILE_FILES = sorted(HOSTILE.glob("*.json"))
SAMPLE_FILES = sorted(SAMPLES.glob("*.json"))

ENVELOPE_KEYS = {
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
FINDING_ID = re.compile(r"^[0-9a-f]{32}$")
INSTANCE_ID = re.compile(r"^i-0[0-9a-f]{16}$")
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EPOCH_RANGE = (1.0e9, 1.0e10)  # seconds, not milliseconds

# Band of the documented default severity per finding type (GuardDuty finding-type pages).
# Types whose severity "varies" (malware scans, RDS anomalous logins) are not listed.
DEFAULT_BAND = {
    "Recon:EC2/PortProbeUnprotectedPort": "LOW",
    "UnauthorizedAccess:EC2/SSHBruteForce": "LOW",  # Low while the instance is the target
    "UnauthorizedAccess:EC2/RDPBruteForce": "LOW",
    "Backdoor:EC2/C&CActivity.B!DNS": "HIGH",
    "CryptoCurrency:EC2/BitcoinTool.B": "HIGH",
    "UnauthorizedAccess:EC2/TorClient": "HIGH",
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": "HIGH",
    "UnauthorizedAccess:IAMUser/TorIPCaller": "MEDIUM",
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller": "MEDIUM",
    "Discovery:S3/AnomalousBehavior": "LOW",
    "Policy:S3/BucketBlockPublicAccessDisabled": "LOW",
    "Object:S3/MaliciousFile": "HIGH",
    "PrivilegeEscalation:Kubernetes/PrivilegedContainer": "MEDIUM",
    "Execution:Kubernetes/ExecInKubeSystemPod": "MEDIUM",
    "Discovery:Kubernetes/AnomalousBehavior.PermissionChecked": "LOW",
    # RoleBindingCreated is High when the binding involves ClusterRole admin or cluster-admin
    "PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated": "MEDIUM",
    "CredentialAccess:RDS/MaliciousIPCaller.FailedLogin": "MEDIUM",
    "Execution:Runtime/NewBinaryExecuted": "MEDIUM",
    "Execution:Runtime/ReverseShell": "HIGH",
    "UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom": "MEDIUM",
}

# File-name prefix -> (resource types, finding-type pattern). Longest prefix wins; every realistic
# file must match one, so a fixture is named by what it is.
NAME_RULES: dict[str, tuple[set[str], str]] = {
    "attack-sequence-iam": ({"AccessKey"}, r"^AttackSequence:IAM/"),
    "attack-sequence-s3": ({"S3Bucket"}, r"^AttackSequence:S3/"),
    "attack-sequence-eks": ({"EKSCluster"}, r"^AttackSequence:EKS/"),
    "ec2-": ({"Instance"}, r"^[A-Za-z]+:EC2/"),
    "china-ec2-": ({"Instance"}, r"^[A-Za-z]+:EC2/"),
    "iam-": ({"AccessKey"}, r"^[A-Za-z]+:IAMUser/"),
    "govcloud-iam-": ({"AccessKey"}, r"^[A-Za-z]+:IAMUser/"),
    "sample-iam-": ({"AccessKey"}, r"^[A-Za-z]+:IAMUser/"),
    "s3-": ({"S3Bucket"}, r"^[A-Za-z]+:S3/"),
    "eks-": ({"EKSCluster"}, r"^[A-Za-z]+:Kubernetes/"),
    "rds-limitless-": ({"RDSLimitlessDB"}, r"^[A-Za-z]+:RDS/"),
    "rds-": ({"RDSDBInstance"}, r"^[A-Za-z]+:RDS/"),
    "runtime-ecs-": ({"ECSCluster"}, r"^[A-Za-z]+:Runtime/"),
    "runtime-eks-": ({"EKSCluster"}, r"^[A-Za-z]+:Runtime/"),
    "lambda-": ({"Lambda"}, r"^[A-Za-z]+:Lambda/"),
    "malware-ec2-": ({"Instance"}, r"^Execution:EC2/MaliciousFile$"),
    "malware-container-": ({"Container"}, r"^Execution:Container/MaliciousFile$"),
    "malware-s3-": ({"S3Object"}, r"^Object:S3/MaliciousFile$"),
    "malware-backup-ebs-snapshot": ({"EBSSnapshot"}, r"^Execution:EC2/MaliciousFile!Snapshot$"),
}

RESOURCE_DETAILS = {
    "Instance": "instanceDetails",
    "AccessKey": "accessKeyDetails",
    "S3Bucket": "s3BucketDetails",
    "S3Object": "s3BucketDetails",
    "EKSCluster": "eksClusterDetails",
    "ECSCluster": "ecsClusterDetails",
    "Container": "containerDetails",
    "RDSDBInstance": "rdsDbInstanceDetails",
    "RDSLimitlessDB": "rdsLimitlessDbDetails",
    "Lambda": "lambdaDetails",
    "EBSSnapshot": "ebsSnapshotDetails",
}
ACTION_DETAILS = {
    "AWS_API_CALL": "awsApiCallAction",
    "DNS_REQUEST": "dnsRequestAction",
    "NETWORK_CONNECTION": "networkConnectionAction",
    "PORT_PROBE": "portProbeAction",
    "KUBERNETES_API_CALL": "kubernetesApiCallAction",
    "KUBERNETES_PERMISSION_CHECKED": "kubernetesPermissionCheckedDetails",
    "RDS_LOGIN_ATTEMPT": "rdsLoginAttemptAction",
}

# The injection strings every free-text field of an injection-* fixture carries one of.
INJECTION_MARKERS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U012ABCDEF>",
    "<#C012ABCDEF>",
    "<!subteam^S012ABC>",
    "<https://evil.example/|click here>",
    "https://evil.example/login",
    "www.evil.example",
    "*bold* _it_ ~s~ `code`",
    "&amp;lt;",
    "\u202e",
    "\u200b",
    "\x00",
    "\n",
    "\U0001f6a8",
    "<!date^",
    "```",
)
# Fields the injection-* fixtures deliberately keep well-formed so the finding still reaches its
# resource and action renderers (injection-identifiers.json attacks these instead).
STRUCTURAL_KEYS = {
    "schemaVersion",
    "accountId",
    "region",
    "partition",
    "id",
    "arn",
    "type",
    "resourceType",
    "actionType",
    "detectorId",
    "createdAt",
    "updatedAt",
    "eventFirstSeen",
    "eventLastSeen",
    "launchTime",
    "connectionDirection",
    "version",
    "detail-type",
    "source",
    "account",
    "time",
    "cloudPartition",
}


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def band(score: float) -> str:
    if score >= 9.0:
        return "CRITICAL"
    if score >= 7.0:
        return "HIGH"
    if score >= 4.0:
        return "MEDIUM"
    return "LOW"


# ---- the model check ---------------------------------------------------------------------------


@functools.cache
def guardduty_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("guardduty")


def wire_name(member: str, shape: Shape) -> str:
    """JSON key of a member: its locationName, or the member name where the model has none."""
    return str(shape.serialization.get("name", member))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def model_errors(value: Any, shape: Shape, path: str) -> Iterator[str]:
    """Every way ``value`` departs from ``shape`` (keys, types, enums, lengths, required)."""
    if value is None:
        yield f"{path}: null (leave the key out instead)"
        return
    meta = shape.metadata
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            yield f"{path}: expected an object ({shape.name}), got {type(value).__name__}"
            return
        members = {wire_name(name, s): s for name, s in shape.members.items()}
        for key, item in value.items():
            if key not in members:
                known = ", ".join(sorted(members))
                yield f"{path}.{key}: not a member of {shape.name} (has: {known})"
            else:
                yield from model_errors(item, members[key], f"{path}.{key}")
        for name in shape.required_members:
            key = wire_name(name, shape.members[name])
            if key not in value:
                yield f"{path}: required member {key} of {shape.name} missing"
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            yield f"{path}: expected a list ({shape.name}), got {type(value).__name__}"
            return
        if "min" in meta and len(value) < meta["min"]:
            yield f"{path}: {len(value)} items, fewer than {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} items, more than {meta['max']}"
        for i, item in enumerate(value):
            yield from model_errors(item, shape.member, f"{path}[{i}]")
    elif isinstance(shape, MapShape):
        if not isinstance(value, dict):
            yield f"{path}: expected a map ({shape.name}), got {type(value).__name__}"
            return
        for key, item in value.items():
            yield from model_errors(key, shape.key, f"{path}{{key {key!r}}}")
            yield from model_errors(item, shape.value, f"{path}[{key!r}]")
    elif kind == "string":
        if not isinstance(value, str):
            yield f"{path}: expected a string ({shape.name}), got {type(value).__name__} {value!r}"
            return
        if "enum" in meta and value not in meta["enum"]:
            yield f"{path}: {value!r} not one of {shape.name}'s {meta['enum']}"
        if "min" in meta and len(value) < meta["min"]:
            yield f"{path}: shorter than {meta['min']}"
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: longer than {meta['max']} ({len(value)})"
        if "pattern" in meta and not re.search(meta["pattern"], value):
            yield f"{path}: {value!r} does not match {meta['pattern']!r}"
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            yield f"{path}: expected an integer ({shape.name}), got {value!r}"
    elif kind in ("double", "float"):
        if not _is_number(value) or not math.isfinite(value):
            yield f"{path}: expected a number ({shape.name}), got {value!r}"
    elif kind == "boolean":
        if not isinstance(value, bool):
            yield f"{path}: expected a boolean ({shape.name}), got {value!r}"
    elif kind == "timestamp":
        if not _is_number(value) or not EPOCH_RANGE[0] <= value < EPOCH_RANGE[1]:
            yield f"{path}: expected epoch seconds ({shape.name}), got {value!r}"
    else:
        yield f"{path}: model type {kind} not handled by this check"


# ---- helpers -----------------------------------------------------------------------------------


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str, str]]:
    """(path, last key, text) for every string leaf."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield f"{path}.{key}", key, item
            else:
                yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield f"{path}[{i}]", path.rsplit(".", 1)[-1], item
            else:
                yield from strings(item, f"{path}[{i}]")


def name_rule(stem: str) -> tuple[set[str], str]:
    matches = [p for p in NAME_RULES if stem.startswith(p)]
    assert matches, f"{stem}.json: name it by what it is (one of {sorted(NAME_RULES)})"
    return NAME_RULES[max(matches, key=len)]


def ids(path: Path) -> str:
    return path.name


# ---- every file --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", EVENT_FILES + HOSTILE_FILES + SAMPLE_FILES, ids=ids)
def test_every_fixture_is_json_pretty_printed_with_two_spaces(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    ascii_only = not any(ord(c) > 127 for c in text)
    assert text == json.dumps(data, indent=2, ensure_ascii=ascii_only) + "\n"


def test_there_are_fixtures() -> None:
    assert len(EVENT_FILES) >= 25
    assert len(HOSTILE_FILES) >= 30
    assert 8 <= len(SAMPLE_FILES) <= 10


# ---- realistic events --------------------------------------------------------------------------


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_detail_matches_the_botocore_finding_shape(path: Path) -> None:
    detail = load(path)["detail"]
    errors = list(model_errors(detail, guardduty_model().shape_for("Finding"), "detail"))
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_envelope_is_an_eventbridge_guardduty_finding(path: Path) -> None:
    event = load(path)
    assert set(event) == ENVELOPE_KEYS
    assert event["version"] == "0"
    assert UUID.match(event["id"])
    assert event["source"] == "aws.guardduty"
    assert event["detail-type"] == "GuardDuty Finding"
    assert event["resources"] == []
    assert re.match(r"^\d{12}$", event["account"])
    detail = event["detail"]
    assert event["region"] == detail["region"]
    # EventBridge's time is the publication: the finding's last update, to the second.
    assert event["time"] == detail["updatedAt"][:19] + "Z"


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_identifiers_are_consistent(path: Path) -> None:
    detail = load(path)["detail"]
    region, account, partition = detail["region"], detail["accountId"], detail["partition"]
    expected_partition = (
        "aws-us-gov"
        if region.startswith("us-gov-")
        else "aws-cn"
        if region.startswith("cn-")
        else "aws"
    )
    assert partition == expected_partition
    assert FINDING_ID.match(detail["id"])
    assert detail["schemaVersion"] == "2.0"
    detector = detail["service"]["detectorId"]
    assert FINDING_ID.match(detector)
    assert detail["arn"] == (
        f"arn:{partition}:guardduty:{region}:{account}:detector/{detector}/finding/{detail['id']}"
    )
    for where, _key, text in strings(detail):
        for arn in re.findall(r"arn:[^\s,;\"']+", text):
            parts = arn.split(":")
            assert len(parts) >= 6, f"{where}: malformed ARN {arn}"
            assert parts[1] == partition, f"{where}: {arn} not in partition {partition}"
            if parts[3] and parts[2] not in ("iam", "sts", "s3"):
                assert parts[3] == region, f"{where}: {arn} not in region {region}"
            if parts[4]:
                assert parts[4] == account, f"{where}: {arn} not in account {account}"
    instance = detail["resource"].get("instanceDetails")
    if instance:
        assert INSTANCE_ID.match(instance["instanceId"])
        assert ISO_MS.match(instance["launchTime"])


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_times_counts_and_flags(path: Path) -> None:
    detail = load(path)["detail"]
    service = detail["service"]
    for key in ("createdAt", "updatedAt"):
        assert ISO_MS.match(detail[key]), key
    for key in ("eventFirstSeen", "eventLastSeen"):
        assert ISO_MS.match(service[key]), key

    def when(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    assert when(detail["createdAt"]) <= when(detail["updatedAt"])
    assert when(service["eventFirstSeen"]) <= when(service["eventLastSeen"])
    assert when(service["eventFirstSeen"]) <= when(detail["updatedAt"])
    assert service["count"] >= 1
    assert service["serviceName"] == "guardduty"
    assert service["resourceRole"] in ("TARGET", "ACTOR")
    info = json.loads(service["additionalInfo"]["value"])  # JSON inside a string
    assert isinstance(info, dict)
    assert (info.get("sample") is True) == path.stem.startswith("sample-")
    assert service["archived"] is path.stem.endswith("-archived")


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_resource_and_type_fit_the_file_name(path: Path) -> None:
    detail = load(path)["detail"]
    resource_types, type_pattern = name_rule(path.stem)
    resource_type = detail["resource"]["resourceType"]
    assert resource_type in resource_types
    assert re.search(type_pattern, detail["type"]), detail["type"]
    details_key = RESOURCE_DETAILS[resource_type]
    assert detail["resource"].get(details_key), f"{resource_type} without {details_key}"


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_severity_is_in_the_documented_band(path: Path) -> None:
    detail = load(path)["detail"]
    score = detail["severity"]
    assert isinstance(score, float)
    assert 1.0 <= score <= 10.0
    if detail["type"].startswith("AttackSequence:"):
        assert band(score) == "CRITICAL"
        assert path.stem.startswith("attack-sequence-")
    elif detail["type"] in DEFAULT_BAND:
        assert band(score) == DEFAULT_BAND[detail["type"]]
    else:  # "varies": anything but Critical, which only attack sequences reach
        assert band(score) != "CRITICAL"


@pytest.mark.parametrize("path", EVENT_FILES, ids=ids)
def test_realistic_action_names_its_details(path: Path) -> None:
    action = load(path)["detail"]["service"].get("action")
    if not action:
        return  # absent, or {} as runtime findings can carry
    kind = action["actionType"]
    assert kind in ACTION_DETAILS, kind
    assert action.get(ACTION_DETAILS[kind]), f"{kind} without {ACTION_DETAILS[kind]}"


@pytest.mark.parametrize(
    "path", [p for p in EVENT_FILES if p.stem.startswith("attack-sequence-")], ids=ids
)
def test_attack_sequences_carry_signals_actors_resources_and_tactics(path: Path) -> None:
    detail = load(path)["detail"]
    sequence = detail["service"]["detection"]["sequence"]
    assert "\n" in detail["description"] and len(detail["description"]) > 800
    assert len(sequence["signals"]) >= 5
    assert sequence["actors"] and sequence["resources"] and sequence["endpoints"]
    keys = {i["key"] for i in sequence["sequenceIndicators"]}
    assert {"ATTACK_TACTIC", "ATTACK_TECHNIQUE"} <= keys
    actors = {a["id"] for a in sequence["actors"]}
    endpoints = {e["id"] for e in sequence["endpoints"]}
    resources = {r["uid"] for r in sequence["resources"]}
    for s in sequence["signals"]:
        assert set(s["actorIds"]) <= actors
        assert set(s.get("endpointIds", [])) <= endpoints
        assert set(s["resourceUids"]) <= resources, s["uid"]


def test_realistic_ids_are_unique() -> None:
    events = [load(p) for p in EVENT_FILES]
    assert len({e["id"] for e in events}) == len(events)
    assert len({e["detail"]["id"] for e in events}) == len(events)


def test_realistic_set_covers_every_resource_action_band_and_partition() -> None:
    details = [load(p)["detail"] for p in EVENT_FILES]
    resource_types = {d["resource"]["resourceType"] for d in details}
    assert {
        "Instance",
        "AccessKey",
        "S3Bucket",
        "S3Object",
        "EKSCluster",
        "ECSCluster",
        "Container",
        "RDSDBInstance",
        "RDSLimitlessDB",
        "Lambda",
    } <= resource_types
    actions = [d["service"].get("action") for d in details]
    assert set(ACTION_DETAILS) <= {a.get("actionType") for a in actions if a}
    assert {} in actions
    directions = {
        a["networkConnectionAction"]["connectionDirection"]
        for a in actions
        if a and a.get("actionType") == "NETWORK_CONNECTION"
    }
    assert {"INBOUND", "OUTBOUND"} <= directions
    assert any(a and "kubernetesRoleBindingDetails" in a for a in actions)
    assert {band(d["severity"]) for d in details} == {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    assert {d["partition"] for d in details} == {"aws", "aws-us-gov", "aws-cn"}
    assert any(d["service"]["archived"] for d in details)
    assert any("&" in d["type"] for d in details)
    services = [d["service"] for d in details]
    for feature in ("runtimeDetails", "ebsVolumeScanDetails", "malwareScanDetails", "evidence"):
        assert any(feature in s for s in services), feature
    assert any("anomaly" in s.get("detection", {}) for s in services)
    assert {
        "AttackSequence:IAM/CompromisedCredentials",
        "AttackSequence:S3/CompromisedData",
        "AttackSequence:EKS/CompromisedCluster",
    } <= {d["type"] for d in details}


# ---- bundled samples ---------------------------------------------------------------------------


def test_samples_are_copies_of_realistic_fixtures() -> None:
    for path in SAMPLE_FILES:
        twin = EVENTS / path.name
        assert twin.exists(), f"{path.name} is not one of tests/fixtures/events"
        assert path.read_bytes() == twin.read_bytes(), f"{path.name} differs from its fixture"


def test_samples_are_a_representative_demo_set() -> None:
    events = [load(p) for p in SAMPLE_FILES]
    details = [e["detail"] for e in events]
    assert len({e["id"] for e in events}) == len(events)
    assert len({d["id"] for d in details}) == len(details)
    assert {band(d["severity"]) for d in details} == {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    assert any(json.loads(d["service"]["additionalInfo"]["value"]).get("sample") for d in details)
    resource_types = {d["resource"]["resourceType"] for d in details}
    assert {
        "Instance",
        "AccessKey",
        "S3Bucket",
        "EKSCluster",
        "RDSDBInstance",
        "ECSCluster",
    } <= resource_types
    assert any(d["type"].startswith("Execution:Runtime/") for d in details)
    # gd2slack demo replays a Medium finding as re-publications: it needs one with a service.count
    assert any(band(d["severity"]) == "MEDIUM" and d["service"].get("count") for d in details)


# ---- hostile -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [p for p in HOSTILE_FILES if p.stem.startswith("injection-")], ids=ids
)
def test_injection_fixtures_attack_every_free_text_field(path: Path) -> None:
    event = load(path)
    detail = event["detail"]
    for marker in ("<!channel>", "<!here>", "<@U012ABCDEF>", "<https://evil.example/|click here>"):
        assert marker in detail["title"] and marker in detail["description"]
    structural = set() if path.stem == "injection-identifiers" else STRUCTURAL_KEYS
    for where, key, text in strings(detail):
        if key in structural or where.endswith("additionalInfo.value"):
            continue
        assert any(m in text for m in INJECTION_MARKERS), f"{where} has no injection: {text!r}"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("0", 0),
        ("3.95", 3.95),
        ("4.0", 4.0),
        ("6.95", 6.95),
        ("7.0", 7.0),
        ("8.95", 8.95),
        ("9.0", 9.0),
        ("10", 10),
    ],
)
def test_severity_edge_fixtures_hold_the_exact_value(name: str, value: float) -> None:
    score = load(HOSTILE / f"severity-{name}.json")["detail"]["severity"]
    assert score == value
    assert type(score) is type(value)


def test_hostile_shapes_are_what_their_names_say() -> None:
    def detail(name: str) -> Any:
        return load(HOSTILE / f"{name}.json")["detail"]

    assert detail("severity-string")["severity"] == "8.0"
    assert detail("severity-null")["severity"] is None
    assert "severity" not in detail("severity-missing")
    assert detail("service-null")["service"] is None
    assert isinstance(detail("resource-list")["resource"], list)
    assert isinstance(detail("action-string")["service"]["action"], str)
    probes = detail("asn-number")["service"]["action"]["portProbeAction"]["portProbeDetails"]
    assert all(p["remoteIpDetails"]["organization"]["asn"] == -1 for p in probes)
    assert isinstance(detail("launchtime-epoch")["resource"]["instanceDetails"]["launchTime"], int)
    assert detail("count-string")["service"]["count"] == "47"
    assert len(detail("huge-description")["description"].encode()) >= 50 * 1024
    assert len(detail("many-tags")["resource"]["instanceDetails"]["tags"]) >= 200
    many = detail("many-port-probes")["service"]["action"]["portProbeAction"]["portProbeDetails"]
    assert len(many) >= 200
    assert "id" not in detail("no-detail-id")
    assert "detail" not in load(HOSTILE / "no-detail.json")
    cloudtrail = load(HOSTILE / "cloudtrail-guardduty-api-call.json")
    assert cloudtrail["source"] == "aws.guardduty"
    assert cloudtrail["detail-type"] == "AWS API Call via CloudTrail"
    assert not isinstance(load(HOSTILE / "not-an-event-array.json"), dict)
    bare = load(HOSTILE / "not-an-event-bare-finding.json")
    assert "source" not in bare and "detail" not in bare


# ---- the README --------------------------------------------------------------------------------


def test_readme_lists_every_fixture_and_nothing_else() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`((?:events|hostile)/[^`]+\.json)`", readme))
    present = {f"events/{p.name}" for p in EVENT_FILES} | {
        f"hostile/{p.name}" for p in HOSTILE_FILES
    }
    assert listed == present, {
        "missing": sorted(present - listed),
        "stale": sorted(listed - present),
    }
