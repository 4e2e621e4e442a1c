"""The registry against botocore's GuardDuty model and the fixtures: every member of the model is
registered or deliberately not shown, every kind leads when its type names it, has a summary
where a type names it, and is shown by a realistic event in ``tests/fixtures/events``."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from app.core.read import first_object
from app.render.details import actor_sections, resource_sections, resource_summary
from app.render.details.kinds import ActionKind, Kind, Part, ResourceKind
from app.render.details.registry import ACTIONS, KINDS, RESOURCES
from tests.unit.render.details.support import (
    all_values,
    check_invariants,
    finding,
    model_finding,
    model_members,
    shape_at,
    titles,
)

EVENTS = sorted((Path(__file__).parents[3] / "fixtures" / "events").glob("*.json"))


def kind_id(kind: Kind) -> str:
    return kind.member if not isinstance(kind, Part) else ".".join(kind.path)


def path_of(kind: Kind) -> tuple[str, ...]:
    """Where in ``detail`` the kind reads."""
    if isinstance(kind, ResourceKind):
        return ("resource", kind.member)
    if isinstance(kind, ActionKind):
        return ("service", "action", kind.member)
    return kind.path


def value_at(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        document = document.get(key) if isinstance(document, Mapping) else None
    return document


# --- the whole botocore model --------------------------------------------------------------

# Members of the objects the registry reads into that it deliberately does not show, and why.
NOT_SHOWN = {
    ("resource", "resourceType"): "names the kind shown first (ResourceKind.resource_types)",
    ("service", "action", "actionType"): "names the action shown first (ActionKind.action_type)",
    ("service", "additionalInfo", "type"): "the format of ``value``",
    ("service", "count"): "the message's header (app/core/finding.py)",
    ("service", "eventFirstSeen"): "the message's header (app/core/finding.py)",
    ("service", "eventLastSeen"): "the message's header (app/core/finding.py)",
    ("service", "archived"): "the message's notes (app/core/finding.py)",
    ("service", "detectorId"): "the same for every finding of the account and region",
    ("service", "serviceName"): "always guardduty",
    ("service", "featureName"): "the protection plan, implied by the finding type",
    ("service", "resourceRole"): "not shown yet",
    ("service", "userFeedback"): "a triager's opinion, not evidence",
}
READ = {path_of(kind) for kind in KINDS}


def test_every_path_the_registry_reads_is_in_the_model() -> None:
    assert [path for path in sorted(READ) if shape_at(path) is None] == []


def _containers() -> list[tuple[str, ...]]:
    """The objects the registry reads into but does not read whole."""
    prefixes = {path[:i] for path in READ for i in range(1, len(path))}
    return sorted(prefixes - READ)


@pytest.mark.parametrize("container", _containers(), ids=".".join)
def test_every_model_member_is_registered_or_deliberately_not_shown(
    container: tuple[str, ...],
) -> None:
    """A new member in botocore's model fails here rather than going unnoticed."""
    shape = shape_at(container)
    assert shape is not None
    unread = [
        (*container, member)
        for member in model_members(shape)
        if not any(path[: len(container) + 1] == (*container, member) for path in READ)
        and (*container, member) not in NOT_SHOWN
    ]
    assert unread == []


def test_not_shown_members_are_in_the_model_and_not_registered() -> None:
    assert [path for path in NOT_SHOWN if shape_at(path[:-1]) is None] == []
    assert [
        path for path in NOT_SHOWN if path[-1] not in model_members(str(shape_at(path[:-1])))
    ] == []
    assert set(NOT_SHOWN) & READ == set()


def test_model_fully_populated_finding() -> None:
    detail = model_finding()
    resources = resource_sections(detail)
    actors = actor_sections(detail)
    check_invariants(resources)
    check_invariants(actors)
    assert resources[0].title == "EC2 instance"
    assert "i-0model0000000001" in all_values(resources)
    assert actors[0].title == "Network connection"  # the model's direction is not INBOUND
    assert "192.0.2.200" in all_values(actors)
    assert resource_summary(detail).startswith("Instance i-0model0000000001")


@pytest.mark.parametrize("kind", ACTIONS, ids=kind_id)
def test_model_finding_puts_the_named_action_first(kind: ActionKind) -> None:
    detail = model_finding()
    detail["service"]["action"]["actionType"] = kind.action_type
    first = actor_sections(detail)[0]
    assert first.title.startswith(kind.title)


@pytest.mark.parametrize("member", [m for m in model_members("Action") if m != "actionType"])
def test_every_model_action_member_has_a_builder(member: str) -> None:
    action = {member: model_finding()["service"]["action"][member]}
    sections = actor_sections(finding(action=action))
    assert sections and "Action details" not in titles(sections)


@pytest.mark.parametrize("member", [m for m in model_members("Resource") if m != "resourceType"])
def test_every_model_resource_member_has_a_builder(member: str) -> None:
    resource = {member: model_finding()["resource"][member]}
    sections = [*resource_sections(finding(resource)), *actor_sections(finding(resource))]
    assert sections and "Resource details" not in titles(sections)


TYPED = [(kind, t) for kind in RESOURCES for t in kind.resource_types]


@pytest.mark.parametrize(("kind", "resource_type"), TYPED, ids=[t for _, t in TYPED])
def test_model_finding_puts_the_typed_resource_first(
    kind: ResourceKind, resource_type: str
) -> None:
    """The named kind, then its companions, lead; the summary starts with the type."""
    detail = model_finding()
    detail["resource"]["resourceType"] = resource_type
    companions = [k.title for m in kind.companions for k in RESOURCES if k.member == m]
    assert titles(resource_sections(detail))[: 1 + len(companions)] == [kind.title, *companions]
    assert resource_summary(detail).startswith(resource_type + " ")


# --- the registry itself -------------------------------------------------------------------


def test_members_types_and_action_types_are_registered_once() -> None:
    members = [kind.member for kind in RESOURCES]
    types = [t.lower() for kind in RESOURCES for t in kind.resource_types]
    action_types = [kind.action_type for kind in ACTIONS]
    assert len(set(members)) == len(members)
    assert len(set(types)) == len(types)
    assert len(set(action_types)) == len(action_types)
    assert {m for kind in RESOURCES for m in kind.companions} <= set(members)


# A resource type names the kind shown first; its one-line summary is what digests list.
WITHOUT_SUMMARY = {"ebsVolumeDetails": "a scan's list of volumes: the summary names the instance"}


@pytest.mark.parametrize("kind", [k for k in RESOURCES if k.resource_types], ids=kind_id)
def test_every_typed_kind_has_a_summary(kind: ResourceKind) -> None:
    if kind.member in WITHOUT_SUMMARY:
        assert kind.summary is None
        return
    assert kind.summary is not None
    resource = model_finding()["resource"]
    assert kind.summary(first_object(resource[kind.member]), resource)


@pytest.mark.parametrize("kind", [k for k in RESOURCES if k.summary], ids=kind_id)
def test_only_typed_kinds_have_a_summary(kind: ResourceKind) -> None:
    assert kind.resource_types  # the first is the type word when the finding has none


# --- the fixtures --------------------------------------------------------------------------

WITHOUT_FIXTURE = {
    "ec2ImageDetails": "no public EC2 AMI scan sample yet",
    "recoveryPointDetails": "no public recovery-point scan sample yet",
    "bedrockGuardrailDetails": "no public Bedrock finding sample yet",
    "modelDetails": "no public Bedrock finding sample yet",
    "kubernetesRoleDetails": "no public Kubernetes role finding sample yet",
}


@functools.cache
def _details() -> list[tuple[str, Mapping[str, Any]]]:
    events = [(path.name, json.loads(path.read_text())) for path in EVENTS]
    return [(name, event["detail"]) for name, event in events]


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(k, marks=pytest.mark.xfail(reason=WITHOUT_FIXTURE[k.member], strict=True))
        if isinstance(k, ResourceKind | ActionKind) and k.member in WITHOUT_FIXTURE
        else k
        for k in KINDS
    ],
    ids=kind_id,
)
def test_every_kind_is_shown_by_a_fixture(kind: Kind) -> None:
    """A realistic event in ``tests/fixtures/events`` has the kind's member, and its section."""
    shown = [
        name
        for name, detail in _details()
        if value_at(detail, path_of(kind)) not in (None, "", [], {})
        and any(title.startswith(kind.title) for title in _titles(detail))
    ]
    assert shown, f"add an event with {'.'.join(path_of(kind))} to tests/fixtures/events"


def _titles(detail: Mapping[str, Any]) -> list[str]:
    return [*titles(resource_sections(detail)), *titles(actor_sections(detail))]


@pytest.mark.parametrize("name", [path.name for path in EVENTS])
def test_a_typed_fixture_shows_its_kind_first(name: str) -> None:
    detail = json.loads((EVENTS[0].parent / name).read_text())["detail"]
    resource_type = str(detail.get("resource", {}).get("resourceType", "")).lower()
    named = [k for k in RESOURCES if resource_type in [t.lower() for t in k.resource_types]]
    if named:
        assert resource_sections(detail)[0].title == named[0].title
