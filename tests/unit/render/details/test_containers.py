"""Containers: the container resource."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import finding, section


def test_container() -> None:
    detail = finding(
        {
            "resourceType": "Container",
            "containerDetails": {
                "containerRuntime": "containerd",
                "id": "3f4e5d6c7b8a91",
                "name": "nginx",
                "image": "nginx:1.25",
                "securityContext": {"privileged": True, "allowPrivilegeEscalation": False},
                "volumeMounts": [{"name": "sock", "mountPath": "/var/run/docker.sock"}],
            },
        }
    )
    container = section(resource_sections(detail), "Container")
    assert container["Container"] == "nginx"
    assert container["Image"] == "nginx:1.25"
    assert container["Runtime"] == "containerd"
    assert container["Privileged"] == "yes"
    assert "Privilege escalation" not in container
    assert container["Volume mounts"] == "/var/run/docker.sock"
    assert resource_summary(detail) == "Container nginx (nginx:1.25)"
