"""Threat intelligence (``service.evidence.threatIntelligenceDetails``): the lists and threat
names that made GuardDuty call an IP or domain malicious."""

from __future__ import annotations

from typing import Any

from app.core.read import objects
from app.render.details.kinds import Part
from app.render.details.model import Sections, item, section
from app.render.details.read import flat, members, scalars


def _intel(title: str, value: Any) -> Sections:
    intel = objects(value)
    return section(
        title,
        [
            item("Threat lists", members(intel, "threatListName")),
            item("Threat names", scalars(flat(intel, "threatNames"))),
            item("Threat file SHA-256", members(intel, "threatFileSha256", limit=2)),
        ],
    )


KINDS = (
    Part(
        "actor", ("service", "evidence", "threatIntelligenceDetails"), "Threat intelligence", _intel
    ),
)
