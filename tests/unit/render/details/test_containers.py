"""Containers: the container resource."""

from __future__ import annotations

from app.core.read import SCAN
from app.render.details import resource_sections, resource_summary
from app.render.details.resources import containers
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


# --- the shared readers, called directly (the KINDS tables call them once, at import) --------


def test_host_paths_are_the_distinct_paths_volumes_mount_from_the_host() -> None:
    volumes = [
        {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}},
        {"name": "data", "emptyDir": {}},
        {"hostPath": {"path": "/"}},
        {"hostPath": {"path": "/var/run/docker.sock"}},
        "not an object",
    ]
    assert containers.host_paths(volumes) == "/var/run/docker.sock, /"
    assert containers.host_paths({"hostPath": {"path": "/etc"}}) == "/etc"
    assert containers.host_paths(None) == ""


def test_host_paths_look_at_the_first_scan_volumes_only() -> None:
    same = [{"hostPath": {"path": "/p"}}] * (SCAN + 2)
    assert containers.host_paths(same) == "/p"
    many = [{"hostPath": {"path": f"/p{n}"}} for n in range(7)]
    assert containers.host_paths(many) == "/p0, /p1, /p2, /p3, /p4 (+2 more)"


def test_privileged_containers_are_named_by_name_else_id_else_yes() -> None:
    privileged = containers._with("pods", "privileged")
    pods = [
        {"name": "web", "id": "c-1", "securityContext": {"privileged": True}},
        {"id": "c-2", "securityContext": {"privileged": "true"}},
        {"name": "", "id": "", "securityContext": {"privileged": True}},
        {"name": "calm", "securityContext": {"privileged": False}},
        {"name": "other", "securityContext": {"allowPrivilegeEscalation": True}},
        {"name": "none"},
    ]
    assert privileged({"pods": pods}) == "web, c-2, yes"
    assert privileged({"containers": pods}) == ""
    escalation = containers._with("pods", "allowPrivilegeEscalation")
    assert escalation({"pods": pods}) == "other"
    assert privileged({"pods": [{"securityContext": [{"privileged": True}], "name": "l"}]}) == "l"


def test_container_resource_privilege_facts_are_shown_words() -> None:
    privileged = containers._set("privileged", "yes")
    escalation = containers._set("allowPrivilegeEscalation", "allowed")
    assert privileged({"securityContext": {"privileged": True}}) == "yes"
    assert privileged({"securityContext": {"privileged": "TRUE"}}) == "yes"
    assert privileged({"securityContext": {"privileged": False}}) == ""
    assert privileged({"securityContext": {"allowPrivilegeEscalation": True}}) == ""
    assert privileged({"privileged": True}) == ""
    assert escalation({"securityContext": {"allowPrivilegeEscalation": True}}) == "allowed"


def test_the_container_row_and_its_fields_in_order() -> None:
    (kind,) = containers.KINDS
    assert (kind.member, kind.title, kind.resource_types) == (
        "containerDetails",
        "Container",
        ("Container",),
    )
    value = {
        "volumeMounts": [{"mountPath": "/a"}, {"mountPath": "/b"}],
        "securityContext": {"privileged": True, "allowPrivilegeEscalation": True},
        "containerRuntime": "docker",
        "imagePrefix": "public.ecr.aws",
        "id": "c-9",
        "image": "img:1",
        "name": "n",
    }
    (sect,) = kind.build(kind.title, value)
    assert [(d.label, d.value) for d in sect.items] == [
        ("Container", "n"),
        ("Image", "img:1"),
        ("Container ID", "c-9"),
        ("Image prefix", "public.ecr.aws"),
        ("Runtime", "docker"),
        ("Privileged", "yes"),
        ("Privilege escalation", "allowed"),
        ("Volume mounts", "/a, /b"),
    ]
    assert kind.summary is not None
    assert kind.summary({"id": "c-9", "image": "img:1"}, {}) == "c-9 (img:1)"
