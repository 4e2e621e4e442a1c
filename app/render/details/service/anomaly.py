"""Anomaly detection (``service.detection.anomaly``): the unusual behaviour, feature by feature."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import Any

from app.core.read import as_list, first_object, scalar
from app.render.details.generic import safe_label
from app.render.details.kinds import Part
from app.render.details.model import MAX_ITEMS, SCAN, Sections, item, section
from app.render.details.read import described, listing, text


def _observed(value: Any) -> str:
    """``observation, … (subtype)``."""
    anomaly = first_object(value)
    seen = first_object(anomaly.get("observations"))
    observations = [*as_list(seen.get("text"))[:SCAN], *as_list(seen.get("number"))[:SCAN]]
    texts = listing(observations, text, 3)
    subtype = text(anomaly.get("profileSubtype")).lower()
    return described(texts, subtype)


def _unusual(title: str, value: Any) -> Sections:
    """``unusual.behavior`` is {entity: {feature: observation}}; features are the labels."""
    behaviour = first_object(first_object(first_object(value).get("unusual")).get("behavior"))
    return section(
        title,
        [
            item(safe_label(scalar(feature)), _observed(observed))
            for features in islice(behaviour.values(), 3)
            if isinstance(features, Mapping)
            for feature, observed in islice(features.items(), MAX_ITEMS)
        ],
    )


KINDS = (Part("actor", ("service", "detection", "anomaly"), "Unusual behaviour", _unusual),)
