"""Next steps per finding family: our own static text (``remediation.json``, shortened from AWS's
GuardDuty remediation guidance), never finding text.

Identifiers are filled in only from structured fields checked by their AWS syntax
(``app.render.links.identifiers``). A placeholder that cannot be filled is left out of the prose
("Isolate the instance:") and shown in a command as a generic word (``--instance-id
<instance-id>``), so a step never carries what the finding's author wrote.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from app.core.finding import Finding
from app.core.partition import PARTITIONS
from app.render.links import Identifiers, docs_family, identifiers
from app.render.parts import Link, Part, Parts, Trust, command, ident, ours

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
DOC_LABEL = "Remediation guide"


@dataclass(frozen=True)
class NextSteps:
    title: str
    steps: tuple[Parts, ...]
    doc: Link


@cache
def remediation() -> Mapping[str, Any]:
    """The packaged table of families (read once)."""
    text = resources.files("app.render").joinpath("remediation.json").read_text("utf-8")
    table: Mapping[str, Any] = json.loads(text)
    return table


def _values(finding: Finding, ids: Identifiers) -> dict[str, str]:
    """Placeholder name → validated identifier; absent when there is none."""
    values: dict[str, str | None] = {
        "access_key_id": ids.access_key_id,
        "account_id": ids.account_id,
        "backup_vault": ids.backup_vault,
        "bucket": ids.buckets[0] if ids.buckets else None,
        "database": ids.db_instance or ids.db_cluster,
        "ecs_cluster": ids.ecs_cluster,
        "eks_cluster": ids.eks_cluster,
        "function_name": ids.function_name,
        "image_id": ids.image_id,
        "instance_id": ids.instance_id,
        "object_key": ids.object_key,
        "partition": finding.partition if finding.partition in PARTITIONS else None,
        "recovery_point_arn": ids.recovery_point_arn,
        "region": ids.region,
        "role_name": ids.role_name,
        "session_name": ids.session_name,
        "snapshot_id": ids.snapshot_id,
        "task_id": ids.task_id,
        "user_name": ids.user_name,
    }
    return {name: value for name, value in values.items() if value}


def _variant(family: str, finding: Finding, ids: Identifiers) -> str | None:
    resource_type = finding.resource_type
    if family == "ec2":
        return "actor" if ids.resource_role == "ACTOR" else None
    if family == "iam":
        if ids.user_type == "Root":
            return "root"
        if ids.user_type == "AssumedRole":
            return "role"
        if ids.user_type == "IAMUser" and (ids.access_key_id or "").startswith("ASIA"):
            return "user_session"
        return None
    if family == "runtime":
        return {"Instance": "instance", "ECSCluster": "ecs", "EKSCluster": "eks"}.get(resource_type)
    if family == "malware_ec2":
        return "container" if resource_type in ("Container", "ECSCluster", "EKSCluster") else None
    if family == "malware_backup":
        return {"EC2Image": "image", "RecoveryPoint": "recovery_point"}.get(resource_type)
    return None


def _prose(text: str, values: Mapping[str, str]) -> list[Part]:
    parts: list[Part] = []
    pieces = _PLACEHOLDER.split(text)
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece:
                parts.append(ours(piece))
        elif piece in values:
            parts.append(ident(values[piece]))
        elif parts and parts[-1].trust == Trust.OURS:
            # Left out: drop the space that led up to it ("the instance {instance_id}:").
            parts[-1] = ours(parts[-1].text.removesuffix(" "))
    return parts


def _command(text: str, values: Mapping[str, str], generic: Mapping[str, str]) -> Part:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return values.get(name) or generic[name]

    return command(_PLACEHOLDER.sub(fill, text))


def _merged(parts: list[Part]) -> Parts:
    out: list[Part] = []
    for part in parts:
        if out and part.trust == Trust.OURS and out[-1].trust == Trust.OURS:
            out[-1] = ours(out[-1].text + part.text)
        elif part.text:
            out.append(part)
    return tuple(out)


def step_parts(text: str, values: Mapping[str, str]) -> Parts:
    """One step of ``remediation.json``: `backticks` mark commands, {name} an identifier."""
    generic = remediation()["placeholders"]
    parts: list[Part] = []
    for index, piece in enumerate(text.split("`")):
        if index % 2:
            parts.append(_command(piece, values, generic))
        else:
            parts.extend(_prose(piece, values))
    return _merged(parts)


def next_steps(finding: Finding) -> NextSteps | None:
    """The steps for the finding's family (from its type; the resource and its role choose the
    variant); None for a type no family covers."""
    family_name = docs_family(finding.type)
    family = remediation()["families"].get(family_name)
    if family is None:
        return None
    ids = identifiers(finding)
    variant_name = _variant(family_name, finding, ids)
    variant = family.get("variants", {}).get(variant_name, {}) if variant_name else {}
    values = _values(finding, ids)
    return NextSteps(
        title=str(variant.get("title", family["title"])),
        steps=tuple(step_parts(step, values) for step in variant.get("steps", family["steps"])),
        doc=Link(DOC_LABEL, str(family["doc"])),
    )
