"""The registry: every kind, in the order shown, and the three walks over a finding.

The order of ``_MODULES`` is the order members are shown in when the finding's type does not
put one first (resources), after the named one (actions), or always (parts). A new kind goes
into its service's module; a new service module goes into this list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import as_mapping, first_object, scalar
from app.render.details.actions import aws_api, dns, kubernetes, network, rds_login
from app.render.details.generic import generic
from app.render.details.kinds import ActionKind, Kind, Part, ResourceKind
from app.render.details.model import (
    MAX_SECTIONS,
    SUMMARY_CHARS,
    DetailSection,
    Sections,
    cut,
    item,
    section,
)
from app.render.details.read import text
from app.render.details.resources import (
    backup,
    bedrock,
    containers,
    ebs,
    ec2,
    ecs,
    eks,
    iam,
    lambda_,
    rds,
    s3,
)
from app.render.details.service import (
    additional_info,
    anomaly,
    attack_sequence,
    malware,
    runtime,
    threat_intel,
)

_MODULES = (
    # resources
    ec2,
    iam,
    s3,
    eks,
    ecs,
    containers,
    rds,
    lambda_,
    ebs,
    backup,
    bedrock,
    # actions
    network,
    dns,
    aws_api,
    kubernetes,
    rds_login,
    # the rest of the finding
    malware,
    runtime,
    threat_intel,
    attack_sequence,
    anomaly,
    additional_info,
)
KINDS: tuple[Kind, ...] = tuple(kind for module in _MODULES for kind in module.KINDS)

RESOURCES = tuple(k for k in KINDS if isinstance(k, ResourceKind))
ACTIONS = tuple(k for k in KINDS if isinstance(k, ActionKind))
PARTS = tuple(k for k in KINDS if isinstance(k, Part))

_BY_MEMBER = {kind.member: kind for kind in RESOURCES}
_BY_TYPE = {t.lower(): kind for kind in RESOURCES for t in kind.resource_types}
_BY_ACTION_TYPE = {kind.action_type: kind for kind in ACTIONS}
_EMPTY: tuple[Any, ...] = (None, "", [], {})


def primary(resource: Mapping[str, Any]) -> list[ResourceKind]:
    """The kinds ``resource.resourceType`` names: its own, then its companions."""
    named = _BY_TYPE.get(scalar(resource.get("resourceType")).lower())
    return [named, *(_BY_MEMBER[m] for m in named.companions)] if named else []


def resource_sections(
    detail: Mapping[str, Any], limit: int | None = MAX_SECTIONS
) -> list[DetailSection]:
    """What was hit: the typed resource, malware found on it, the attack sequence, the rest;
    at most ``limit`` sections (``None``: all, for a renderer that says how many it left out)."""
    detail = as_mapping(detail)
    resource = first_object(detail.get("resource"))
    first = primary(resource)
    sections: Sections = [s for kind in first for s in kind.sections(resource)]
    sections += [s for part in PARTS if part.side == "resource" for s in part.sections(detail)]
    sections += [
        s
        for kind in RESOURCES
        if kind not in first and resource.get(kind.member) not in _EMPTY
        for s in kind.sections(resource)
    ]
    sections += generic("Resource details", resource, [*_BY_MEMBER, "resourceType"])
    if not sections and text(resource.get("resourceType")):
        sections = section("Resource", [item("Resource type", text(resource.get("resourceType")))])
    return sections[:limit]


def _action_sections(action: Mapping[str, Any]) -> Sections:
    """The action ``actionType`` names first, then any other action object, unknown ones last."""
    named = _BY_ACTION_TYPE.get(scalar(action.get("actionType")).upper())
    ordered = [named] if named else []
    ordered += [kind for kind in ACTIONS if kind != named]
    sections = [s for kind in ordered for s in kind.sections(action)]
    sections += generic("Action details", action, [*(k.member for k in ACTIONS), "actionType"])
    if not sections and text(action.get("actionType")):
        sections = section("Action", [item("Action type", text(action.get("actionType")))])
    return sections


def actor_sections(
    detail: Mapping[str, Any], limit: int | None = MAX_SECTIONS
) -> list[DetailSection]:
    """Who or what did it: the action, the Kubernetes user, the process, threat intel, more;
    at most ``limit`` sections (``None``: all)."""
    detail = as_mapping(detail)
    sections = _action_sections(first_object(first_object(detail.get("service")).get("action")))
    sections += [s for part in PARTS if part.side == "actor" for s in part.sections(detail)]
    return sections[:limit]


def resource_summary(detail: Mapping[str, Any]) -> str:
    """``Instance i-0abc (web-1)``: the resource type and its identity, "" if nothing is known."""
    resource = first_object(as_mapping(detail).get("resource"))
    kind_word = text(resource.get("resourceType"))
    named = [kind for kind in primary(resource) if kind.summary]
    for kind in [*named, *(k for k in RESOURCES if k.summary and k not in named)]:
        identity = (
            kind.summary(first_object(resource.get(kind.member)), resource) if kind.summary else ""
        )
        if identity:
            return cut(f"{kind_word or kind.resource_types[0]} {identity}", SUMMARY_CHARS)
    return cut(kind_word, SUMMARY_CHARS)
