"""Triage from Slack: the names and rules both functions share (docs/architecture.md#triage).

The notifier puts triage buttons on a finding's lead message; the interactions function
(``app.interactions``) receives their presses. What a button carries is a ``Target``: the
finding id, its detector id and region, nothing else; the interactions function looks up the
rest and refuses a target that is not its own detector in its own region. Who may press what
is ``TRIAGE_ALLOW``: per permission, Slack user ids and user group ids.

Pure: no I/O, so the notifier's cold start does not grow with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final

from app.constants import valid_region
from app.core.finding import Finding
from app.core.read import as_mapping, scalar


class TriageAction(StrEnum):
    """One button (or modal) and what it does; the value is the tail of its ``action_id``."""

    ARCHIVE = "archive"
    UNARCHIVE = "unarchive"
    USEFUL = "useful"
    NOT_USEFUL = "not_useful"
    SNOOZE_24H = "snooze_24h"
    SNOOZE_7D = "snooze_7d"
    SUPPRESS = "suppress"

    @property
    def action_id(self) -> str:
        return f"{ACTION_ID_PREFIX}{self.value}"

    @property
    def permission(self) -> str:
        return PERMISSION_OF[self]


ACTION_ID_PREFIX: Final = "triage_"
# What TRIAGE_ALLOW grants: one permission may cover several actions.
PERMISSIONS: Final = ("archive", "feedback", "snooze", "suppress")
PERMISSION_OF: Final[Mapping[TriageAction, str]] = {
    TriageAction.ARCHIVE: "archive",
    TriageAction.UNARCHIVE: "archive",
    TriageAction.USEFUL: "feedback",
    TriageAction.NOT_USEFUL: "feedback",
    TriageAction.SNOOZE_24H: "snooze",
    TriageAction.SNOOZE_7D: "snooze",
    TriageAction.SUPPRESS: "suppress",
}
SNOOZE_FOR: Final[Mapping[TriageAction, timedelta]] = {
    TriageAction.SNOOZE_24H: timedelta(hours=24),
    TriageAction.SNOOZE_7D: timedelta(days=7),
}
# Modals (``callback_id``): feedback with an optional comment, the suppress confirmation.
FEEDBACK_MODAL: Final = "triage_feedback"
SUPPRESS_MODAL: Final = "triage_suppress"
# Slack's ids: users (U…, W… on Enterprise Grid) and user groups (S…).
USER_ID: Final = re.compile(r"^[UW][A-Z0-9]{2,20}$")
GROUP_ID: Final = re.compile(r"^S[A-Z0-9]{2,20}$")
# GuardDuty ids: lower-case hex-ish, 1–300 characters in the service model; ours are tighter
# than the model so a hostile value cannot smuggle separators.
DETECTOR_ID: Final = re.compile(r"^[a-z0-9]{1,300}$")
FINDING_ID: Final = re.compile(r"^[A-Za-z0-9]{1,300}$")
FINDING_ARN: Final = re.compile(
    r"^arn:aws[a-z-]*:guardduty:(?P<region>[a-z0-9-]+):\d{12}:detector/(?P<detector>[a-z0-9]+)"
    r"/finding/(?P<finding>[A-Za-z0-9]+)$"
)
TARGET_KEYS: Final = frozenset({"finding_id", "detector_id", "region"})


def action_from_id(action_id: str) -> TriageAction | None:
    """The action an ``action_id`` names; ``None`` for anything else (refused as unknown)."""
    if not action_id.startswith(ACTION_ID_PREFIX):
        return None
    try:
        return TriageAction(action_id.removeprefix(ACTION_ID_PREFIX))
    except ValueError:
        return None


class TriageValueError(ValueError):
    """A button value or modal metadata that is not exactly a ``Target``."""


@dataclass(frozen=True)
class Target:
    """What a triage button points at; everything else is looked up, never taken from Slack."""

    finding_id: str
    detector_id: str
    region: str

    def encode(self) -> str:
        """The button's ``value`` (≤ 2,000 characters in Slack; ours is about 110)."""
        return json.dumps(
            {"finding_id": self.finding_id, "detector_id": self.detector_id, "region": self.region},
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: Any) -> Target:
        """Exactly the three keys, each well-formed; raises ``TriageValueError`` otherwise."""
        if not isinstance(text, str) or len(text) > 2000:
            raise TriageValueError("the value is not a triage target")
        try:
            data = json.loads(text)
        except ValueError:
            raise TriageValueError("the value is not JSON") from None
        if not isinstance(data, dict) or set(data) != TARGET_KEYS:
            raise TriageValueError("the value must hold finding_id, detector_id and region only")
        finding, detector, region = data["finding_id"], data["detector_id"], data["region"]
        if not (isinstance(finding, str) and FINDING_ID.match(finding)):
            raise TriageValueError("finding_id is not a GuardDuty finding id")
        if not (isinstance(detector, str) and DETECTOR_ID.match(detector)):
            raise TriageValueError("detector_id is not a GuardDuty detector id")
        if not (isinstance(region, str) and valid_region(region)):
            raise TriageValueError("region is not an AWS region")
        return cls(finding, detector, region)


def target_of(finding: Finding, detector_id: str | None, region: str | None) -> Target | None:
    """What the finding's buttons point at: the finding in ``detector_id``, the detector the
    interactions function acts on (``GUARDDUTY_DETECTOR_ID``; in an administrator account that
    is its own detector, which sees its members' findings, whatever detector a member finding's
    ARN names), in ``region``, the region both functions run in. ``None`` when the finding
    cannot be acted on from here: no detector configured, a finding of another region (its
    press would be refused), an id we would refuse on the way back, or an ARN that names
    another finding."""
    if not detector_id or not DETECTOR_ID.match(detector_id) or finding.region != region:
        return None
    if not FINDING_ID.match(finding.id) or not valid_region(finding.region):
        return None
    arn = scalar(as_mapping(finding.detail).get("arn"))
    if arn:
        match = FINDING_ARN.match(arn)
        if not match or match["finding"] != finding.id or match["region"] != finding.region:
            return None
    return Target(finding.id, detector_id, finding.region)


Allow = Mapping[str, frozenset[str]]


def parse_triage_allow(raw: str, variable: str = "TRIAGE_ALLOW") -> Allow:
    """``{"archive": ["S0ONCALL", "U0LEAD"], "suppress": ["U0LEAD"]}`` → permission → ids.

    A permission not named is nobody's. Only Slack user and user group ids are accepted: a
    name could be renamed by anyone with Slack admin rights, an id cannot.
    """
    try:
        data = json.loads(raw)
    except ValueError:
        raise ValueError(f"{variable} must be a JSON object, e.g. " + _EXAMPLE) from None
    if not isinstance(data, dict):
        raise ValueError(f"{variable} must be a JSON object, e.g. " + _EXAMPLE)
    unknown = sorted(set(data) - set(PERMISSIONS))
    if unknown:
        raise ValueError(f"{variable}: unknown permissions {unknown}; known: {list(PERMISSIONS)}")
    allow: dict[str, frozenset[str]] = {}
    for permission, ids in data.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError(f"{variable}: {permission!r} must be a list of Slack ids")
        bad = [i for i in ids if not (USER_ID.match(i) or GROUP_ID.match(i))]
        if bad:
            raise ValueError(
                f"{variable}: {permission!r}: {bad[:3]} are not user ids (U…, W…) or user "
                "group ids (S…)"
            )
        allow[permission] = frozenset(ids)
    return allow


_EXAMPLE = '{"archive": ["S0123ONCALL"], "feedback": ["S0123ONCALL"], "suppress": ["U0123LEAD"]}'


def groups_to_check(allow: Allow, permission: str) -> tuple[str, ...]:
    """The user groups whose membership decides ``permission`` (sorted: stable look-ups)."""
    return tuple(sorted(i for i in allow.get(permission, ()) if GROUP_ID.match(i)))


def is_allowed(allow: Allow, permission: str, user_id: str, member_of: Iterable[str]) -> bool:
    """``user_id`` may use ``permission``: named directly, or in one of its groups."""
    granted = allow.get(permission, frozenset())
    return user_id in granted or any(group in granted for group in member_of)
