"""Parse: an EventBridge event to a ``Finding``, tolerant of every missing or oddly typed field.

GuardDuty's JSON is messy in practice (numbers where strings are usual, nulls, empty objects,
JSON inside strings); nothing here raises on a field's content. Only an event that is not a
GuardDuty finding at all is rejected, with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.constants import CANARY_TYPE_PREFIX
from app.core.partition import partition_for
from app.core.read import as_int, as_mapping, as_text, parse_time
from app.core.severity import Band, band_for, parse_score

FINDING_SOURCE = "aws.guardduty"
FINDING_DETAIL_TYPE = "GuardDuty Finding"


class NotAFinding(Exception):
    """A well-formed event that is not a finding (e.g. a CloudTrail call on GuardDuty): ignore."""


class MalformedEvent(ValueError):
    """Not an EventBridge GuardDuty event at all: the record fails with this reason."""


def is_sample(service: Mapping[str, Any]) -> bool:
    """Samples say ``"sample": true`` in ``service.additionalInfo``: as a plain key (EventBridge's
    shape) or inside ``value``, JSON in a string (the API's). The JSON is decoded only when at
    most 100,000 characters; too deep, huge-integer or broken JSON never raises."""

    def says_true(flag: Any) -> bool:
        return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")

    info = service.get("additionalInfo")
    if isinstance(info, list):  # a list where an object goes: its first object, as elsewhere
        info = next((element for element in info[:500] if isinstance(element, Mapping)), None)
    if not isinstance(info, Mapping):
        return False
    if says_true(info.get("sample")):
        return True
    value = info.get("value")
    if isinstance(value, str):
        if len(value) > 100_000:
            return False
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # huge integers are a ValueError too
            return '"sample":true' in value.replace(" ", "").lower()
    return isinstance(value, Mapping) and says_true(value.get("sample"))


@dataclass(frozen=True)
class Finding:
    """The fields the core decides and renders on; ``detail`` keeps the rest for the details."""

    id: str
    type: str
    title: str
    description: str
    score: float
    account_id: str
    region: str
    partition: str
    count: int | None
    first_seen: datetime | None
    last_seen: datetime | None
    updated_at: datetime | None
    archived: bool
    sample: bool
    resource_type: str
    event_id: str
    detail: Mapping[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def band(self) -> Band:
        return band_for(self.score)

    @property
    def is_canary(self) -> bool:
        return self.type.startswith(CANARY_TYPE_PREFIX)


def camel_case_keys(value: Any) -> Any:
    """``{"Resource": {"InstanceDetails": …}}`` → ``{"resource": {"instanceDetails": …}}``.

    The API (``GetFindings``) and some re-publishers use the PascalCase member names; the
    EventBridge form is camelCase (the model's ``locationName``s), which is what we read.
    """
    if isinstance(value, Mapping):
        return {
            (k[:1].lower() + k[1:] if isinstance(k, str) else k): camel_case_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel_case_keys(v) for v in value]
    return value


def parse_event(event: Any) -> Finding:
    """An EventBridge event (already JSON-decoded) to a ``Finding``."""
    if not isinstance(event, Mapping):
        raise MalformedEvent(f"event is a JSON {type(event).__name__}, not an object")
    source = event.get("source")
    detail_type = event.get("detail-type")
    if source != FINDING_SOURCE:
        raise MalformedEvent(f"event source is {as_text(source)[:64]!r}, not {FINDING_SOURCE!r}")
    if detail_type != FINDING_DETAIL_TYPE:
        raise NotAFinding(f"detail-type {as_text(detail_type)[:64]!r} from {FINDING_SOURCE}")
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise MalformedEvent("GuardDuty Finding event has no detail object")
    if "id" not in detail and "Id" in detail:
        detail = camel_case_keys(detail)
    finding_id = as_text(detail.get("id")).strip()
    if not finding_id:
        raise MalformedEvent("GuardDuty Finding event has no detail.id")
    service = as_mapping(detail.get("service"))
    resource = as_mapping(detail.get("resource"))
    region = as_text(detail.get("region")) or as_text(event.get("region"))
    return Finding(
        id=finding_id,
        type=as_text(detail.get("type")) or "Unknown",
        title=as_text(detail.get("title")),
        description=as_text(detail.get("description")),
        score=parse_score(detail.get("severity")),
        account_id=as_text(detail.get("accountId")) or as_text(event.get("account")),
        region=region,
        partition=partition_for(region, as_text(detail.get("partition"))),
        count=as_int(service.get("count")),
        first_seen=parse_time(service.get("eventFirstSeen")) or parse_time(detail.get("createdAt")),
        last_seen=parse_time(service.get("eventLastSeen")) or parse_time(detail.get("updatedAt")),
        updated_at=parse_time(detail.get("updatedAt")) or parse_time(event.get("time")),
        archived=service.get("archived") in (True, "true"),
        sample=is_sample(service),
        resource_type=as_text(resource.get("resourceType")),
        event_id=as_text(event.get("id")),
        detail=detail,
    )
