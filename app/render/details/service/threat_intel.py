"""Threat intelligence: the lists and threat names that made GuardDuty call an IP or domain
malicious, the only evidence that it is. Two places carry them: the evidence
(``service.evidence.threatIntelligenceDetails``) and ``service.additionalInfo``
(``threatListName``, ``threatName``, as plain keys or inside ``value``); both are read, each
name shown once.

``threat_intel_names`` gives the same names for the layout, which can put them near the top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import islice
from typing import Any

from app.core.read import as_list, as_mapping, first_object, objects
from app.render.details.model import SCAN, Sections, cut, item, section
from app.render.details.read import Found, distinct, flat, members, preview, text
from app.render.details.service.additional_info import DetailPart, additional_info

MAX_NAMES = 10  # names ``threat_intel_names`` gives, at most
NAME_CHARS = 200
# A name that is a domain (custom threat lists name the domain they matched): defanged.
_DOMAIN = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,63}")  # lower case, as lists write them


def _sources(detail: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], Mapping[str, Any]]:
    """The evidence's threat intelligence details, and the merged ``additionalInfo``."""
    service = first_object(as_mapping(detail).get("service"))
    intel = objects(first_object(service.get("evidence")).get("threatIntelligenceDetails"))
    return intel, additional_info(service.get("additionalInfo"))


def _names(intel: list[Mapping[str, Any]], info: Mapping[str, Any]) -> tuple[Found, Found]:
    """Distinct threat list names and threat names, the evidence's first."""
    lists = [*(o.get("threatListName") for o in intel), *as_list(info.get("threatListName"))[:SCAN]]
    threats = [*flat(intel, "threatNames"), *as_list(info.get("threatName"))[:SCAN]]
    return distinct(lists, text), distinct(threats, text)


def threat_intel_names(detail: Mapping[str, Any]) -> tuple[str, ...]:
    """The threat list names, then the threat names, of a finding's ``detail``: distinct, raw
    (unescaped), at most ``MAX_NAMES`` of at most ``NAME_CHARS`` characters; ``()`` if none.
    Pure and never raises, whatever the input."""
    (lists, _), (threats, _) = _names(*_sources(detail))
    shown = dict.fromkeys(cut(name, NAME_CHARS) for name in [*lists, *threats])
    return tuple(islice(shown, MAX_NAMES))


def _intel(title: str, detail: Any) -> Sections:
    intel, info = _sources(as_mapping(detail))
    lists, threats = _names(intel, info)
    return section(
        title,
        [
            item("Threat lists", preview(lists)),
            item(
                "Threat names",
                preview(threats),
                untrusted=any(_DOMAIN.fullmatch(name) for name in threats[0]),
            ),
            item("Threat file SHA-256", members(intel, "threatFileSha256", limit=2)),
        ],
    )


KINDS = (
    DetailPart(
        "actor", ("service", "evidence", "threatIntelligenceDetails"), "Threat intelligence", _intel
    ),
)
