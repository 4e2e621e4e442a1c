"""Shared by the details tests: reading sections, the invariants, findings to build, and
botocore's GuardDuty model (a fully populated finding, its paths, its shapes)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import botocore.loaders

from app.render.details import MAX_ITEMS, MAX_SECTIONS, Detail, DetailSection

# --- reading sections ----------------------------------------------------------------------


def section(sections: list[DetailSection], title: str) -> dict[str, str]:
    """The items of the section titled ``title`` as {label: value}."""
    for candidate in sections:
        if candidate.title == title:
            return {item.label: item.value for item in candidate.items}
    raise AssertionError(f"no section {title!r} in {[s.title for s in sections]}")


def titles(sections: list[DetailSection]) -> list[str]:
    return [s.title for s in sections]


def all_values(sections: list[DetailSection]) -> str:
    return "\n".join(item.value for s in sections for item in s.items)


def check_invariants(sections: list[DetailSection]) -> None:
    assert len(sections) <= MAX_SECTIONS
    for sect in sections:
        assert isinstance(sect, DetailSection)
        assert sect.title and sect.items
        assert len(sect.items) <= MAX_ITEMS
        for item in sect.items:
            assert isinstance(item, Detail)
            assert isinstance(item.value, str) and item.value.strip()
            assert item.label and isinstance(item.label, str)
            assert re.fullmatch(r"[A-Za-z0-9 _./()-]{1,40}", item.label), item.label


# --- findings ------------------------------------------------------------------------------


def finding(resource: Mapping[str, Any] | None = None, **service: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "schemaVersion": "2.0",
        "accountId": "123456789012",
        "region": "eu-west-1",
        "id": "e2c7a8f1b3d94c5e8a6f0b1c2d3e4f50",
        "type": "Recon:EC2/PortProbeUnprotectedPort",
        "severity": 5,
        "service": {"serviceName": "guardduty", "count": 3, **service},
    }
    if resource is not None:
        detail["resource"] = resource
    return detail


def action_finding(action: Mapping[str, Any], **service: Any) -> dict[str, Any]:
    return finding(INSTANCE, action=action, **service)


REMOTE_IP = {
    "ipAddressV4": "198.51.100.23",
    "organization": {
        "asn": "14061",
        "asnOrg": "DIGITALOCEAN-ASN",
        "isp": "DigitalOcean",
        "org": "DigitalOcean",
    },
    "country": {"countryName": "Netherlands", "countryCode": "NL"},
    "city": {"cityName": "Amsterdam"},
    "geoLocation": {"lat": 52.35, "lon": 4.91},
}

INSTANCE = {
    "resourceType": "Instance",
    "instanceDetails": {
        "instanceId": "i-0a1b2c3d4e5f60718",
        "instanceType": "t3.medium",
        "instanceState": "running",
        "launchTime": "2024-03-01T08:15:00.000Z",
        "imageId": "ami-0c55b159cbfafe1f0",
        "imageDescription": "Amazon Linux 2023 AMI",
        "availabilityZone": "eu-west-1b",
        "platform": None,
        "iamInstanceProfile": {
            "arn": "arn:aws:iam::123456789012:instance-profile/web-server",
            "id": "AIPAJ2EXAMPLEPROFILE",
        },
        "networkInterfaces": [
            {
                "networkInterfaceId": "eni-0f1e2d3c4b5a69788",
                "privateIpAddress": "10.0.1.25",
                "privateIpAddresses": [
                    {"privateIpAddress": "10.0.1.25", "privateDnsName": "ip-10-0-1-25"},
                    {"privateIpAddress": "10.0.1.26", "privateDnsName": "ip-10-0-1-26"},
                ],
                "publicIp": "203.0.113.10",
                "publicDnsName": "ec2-203-0-113-10.eu-west-1.compute.amazonaws.com",
                "subnetId": "subnet-0123abcd",
                "vpcId": "vpc-0456efgh",
                "securityGroups": [{"groupId": "sg-0aa11bb22", "groupName": "web"}],
                "ipv6Addresses": [],
            }
        ],
        "tags": [
            {"key": "Name", "value": "web-1"},
            {"key": "team", "value": "payments"},
        ],
        "productCodes": [],
    },
}

KUBERNETES = {
    "kubernetesUserDetails": {
        "username": "system:serviceaccount:default:ci-runner",
        "uid": "c0ffee00-1234-4abc-9def-0123456789ab",
        "groups": ["system:serviceaccounts", "system:authenticated"],
        "impersonatedUser": {"username": "cluster-admin-bot", "groups": ["system:masters"]},
    },
    "kubernetesWorkloadDetails": {
        "name": "crypto-7d9f8b6c5-x2x9k",
        "type": "pods",
        "uid": "5b0c1f7e-aaaa-bbbb-cccc-1234567890ab",
        "namespace": "default",
        "hostNetwork": True,
        "hostPID": True,
        "serviceAccountName": "ci-runner",
        "containers": [
            {
                "name": "miner",
                "image": "docker.io/evil/xmrig:latest",
                "imagePrefix": "docker.io/evil",
                "securityContext": {"privileged": True},
                "volumeMounts": [{"name": "host", "mountPath": "/host"}],
            },
            {"name": "sidecar", "image": "busybox:1.36", "securityContext": {}},
        ],
        "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
    },
}

EICAR_SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"


# --- the whole botocore model --------------------------------------------------------------

_MODEL = botocore.loaders.Loader().load_service_model("guardduty", "service-2")
SHAPES: dict[str, Any] = _MODEL["shapes"]
_OVERRIDES: dict[str, Any] = {
    "instanceId": "i-0model0000000001",
    "ipAddressV4": "192.0.2.200",
    "resourceType": "Instance",
    "actionType": "NETWORK_CONNECTION",
    "asn": "64501",
    "launchTime": "2024-01-01T00:00:00Z",
}


def _fill(shape_name: str, member: str, depth: int) -> Any:
    """A plausible value of a botocore shape, every member filled, to a bounded depth."""
    if member in _OVERRIDES:
        return _OVERRIDES[member]
    shape = SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if depth > 8:
            return {}
        return {
            spec.get("locationName", name): _fill(
                spec["shape"], spec.get("locationName", name), depth + 1
            )
            for name, spec in shape["members"].items()
        }
    if kind == "list":
        element = shape["member"]["shape"]
        return [_fill(element, member, depth + 1) for _ in range(2)] if depth <= 8 else []
    if kind == "map":
        value = shape["value"]["shape"]
        return {f"{member}Key": _fill(value, member, depth + 1)} if depth <= 8 else {}
    if "enum" in shape:
        return shape["enum"][0]
    return {
        "string": f"{member}-value",
        "integer": 7,
        "long": 7,
        "double": 5.5,
        "float": 5.5,
        "boolean": True,
        "timestamp": "2024-05-01T12:00:00Z",
    }.get(kind, f"{member}-value")


def model_finding() -> dict[str, Any]:
    return _fill("Finding", "Finding", 0)  # type: ignore[no-any-return]


def model_members(shape: str) -> list[str]:
    """A structure's members, by the names findings use (``locationName``)."""
    return [spec.get("locationName", name) for name, spec in SHAPES[shape]["members"].items()]


def shape_at(path: tuple[str, ...]) -> str | None:
    """The structure at ``path`` from ``Finding`` (through lists), or None if there is none."""
    shape = "Finding"
    for key in path:
        while SHAPES[shape]["type"] == "list":
            shape = SHAPES[shape]["member"]["shape"]
        members = SHAPES[shape].get("members", {})
        specs = [s for n, s in members.items() if s.get("locationName", n) == key]
        if not specs:
            return None
        shape = specs[0]["shape"]
    while SHAPES[shape]["type"] == "list":
        shape = SHAPES[shape]["member"]["shape"]
    return shape


def leaf_and_object_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in a JSON document (objects, lists and leaves alike), first list element only."""
    paths = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += leaf_and_object_paths(child, (*path, key))
    elif isinstance(value, list) and value:
        paths += leaf_and_object_paths(value[0], (*path, 0))
    return paths


def replace_at(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``document`` with the value at ``path`` replaced (paths that no longer exist
    after earlier replacements are ignored)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(document, dict) and head in document:
        return {**document, head: replace_at(document[head], rest, new)}
    if isinstance(document, list) and isinstance(head, int) and head < len(document):
        copy = list(document)
        copy[head] = replace_at(copy[head], rest, new)
        return copy
    return document
