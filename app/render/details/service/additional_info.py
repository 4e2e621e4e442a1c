"""``service.additionalInfo``: its ``value`` (JSON in a string, in the API's shape), generically."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.render.details.generic import generic_items, unknown
from app.render.details.kinds import Part
from app.render.details.model import Sections, item, section


def _additional_info(title: str, value: Any) -> Sections:
    if isinstance(value, str):
        try:
            value = json.loads(value[:100_000])
        except (ValueError, RecursionError):
            return section(title, [item("Information", value, prose=True)])
    if not isinstance(value, Mapping):
        return []
    rest = unknown(value, ["sample"])
    return section(title, generic_items(rest)) if rest else []


KINDS = (
    Part(
        "actor", ("service", "additionalInfo", "value"), "Additional information", _additional_info
    ),
)
