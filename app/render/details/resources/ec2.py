"""EC2: the instance (``instanceDetails``), and the security-group reader Lambda shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import first_object, objects
from app.render.details.kinds import ResourceKind, at, fields, line, prose
from app.render.details.read import first, flat, join, listing, name_tag, scalars, tags, text, when


def security_groups(value: Any) -> str:
    """``sg-1 web, sg-2``: group ids with their names, from objects or plain ids."""
    return listing(value, _group)


def _group(group: Any) -> str:
    if isinstance(group, Mapping):
        return join(text(group.get("groupId")), text(group.get("groupName")), sep=" ")
    return text(group)


def _nics(details: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return objects(details.get("networkInterfaces"))


def _private_ips(details: Mapping[str, Any]) -> str:
    nics = _nics(details)
    listed = [first_object(p).get("privateIpAddress") for p in flat(nics, "privateIpAddresses")]
    return scalars([n.get("privateIpAddress") for n in nics] + listed)


def _vpc_subnet(details: Mapping[str, Any]) -> str:
    nic = next(iter(_nics(details)), {})
    return join(text(nic.get("vpcId")), text(nic.get("subnetId")), sep=" / ")


KINDS = (
    ResourceKind(
        "instanceDetails",
        "EC2 instance",
        fields(
            ("Instance", "instanceId"),
            ("Name", at("tags", read=name_tag)),
            ("Type", "instanceType"),
            ("State", "instanceState"),
            ("Public IPs", lambda d: scalars([n.get("publicIp") for n in _nics(d)])),
            ("Private IPs", _private_ips),
            (
                "Instance profile",
                at("iamInstanceProfile", read=lambda p: first(first_object(p), "arn", "id")),
            ),
            ("Image", "imageId"),
            ("Tags", at("tags", read=lambda t: tags(t, skip_name=True))),
            ("VPC / subnet", _vpc_subnet),
            ("Security groups", lambda d: security_groups(flat(_nics(d), "securityGroups"))),
            ("Launched", at("launchTime", read=when)),
            ("Availability zone", "availabilityZone"),
            ("Platform", "platform"),
            prose("Image description", "imageDescription"),
            ("IPv6 addresses", lambda d: scalars(flat(_nics(d), "ipv6Addresses"))),
            ("Outpost", "outpostArn"),
        ),
        resource_types=("Instance",),
        summary=line("instanceId", at("tags", read=name_tag)),
    ),
)
