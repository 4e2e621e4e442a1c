"""Containers: the container resource (``containerDetails``, Runtime Monitoring), and the
fields of a list of containers and volumes that Kubernetes workloads and ECS tasks share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import as_list, first_object, is_true, objects
from app.render.details.kinds import Get, ResourceKind, Spec, at, either, fields, line
from app.render.details.model import SCAN
from app.render.details.read import first, flat, listing, members


def host_paths(volumes: Any) -> str:
    """The host paths a list of volumes mounts."""
    return members([first_object(v).get("hostPath") for v in as_list(volumes)[:SCAN]], "path")


def _name(container: Any) -> str:
    return first(first_object(container), "name", "id") or "yes"


def _with(key: str, setting: str) -> Get:
    """The containers of list ``key`` whose security context sets ``setting``."""

    def named(details: Mapping[str, Any]) -> str:
        listed = objects(details.get(key))
        return listing(
            [c for c in listed if is_true(first_object(c.get("securityContext")).get(setting))],
            _name,
        )

    return named


def container_fields(key: str) -> tuple[Spec, ...]:
    """Images, names, privileges and mounts of the list of containers at ``key``."""
    return (
        ("Images", lambda d: members(objects(d.get(key)), "image")),
        ("Containers", lambda d: members(objects(d.get(key)), "name")),
        ("Privileged", _with(key, "privileged")),
        ("Privilege escalation", _with(key, "allowPrivilegeEscalation")),
        (
            "Volume mounts",
            lambda d: members(flat(objects(d.get(key)), "volumeMounts"), "mountPath"),
        ),
    )


def _set(setting: str, shown: str) -> Get:
    return at("securityContext", setting, read=lambda value: shown if is_true(value) else "")


KINDS = (
    ResourceKind(
        "containerDetails",
        "Container",
        fields(
            ("Container", "name"),
            ("Image", "image"),
            ("Container ID", "id"),
            ("Image prefix", "imagePrefix"),
            ("Runtime", "containerRuntime"),
            ("Privileged", _set("privileged", "yes")),
            ("Privilege escalation", _set("allowPrivilegeEscalation", "allowed")),
            ("Volume mounts", at("volumeMounts", read=lambda m: members(m, "mountPath"))),
        ),
        resource_types=("Container",),
        summary=line(either("name", "id"), "image"),
    ),
)
