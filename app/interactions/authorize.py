"""Who may press what: ``TRIAGE_ALLOW`` (``app.core.triage``) names Slack user ids and user
group ids per permission; a group's members come from ``usergroups.users.list``, cached per
warm container for ``MEMBERS_TTL`` so a burst of presses costs one look-up per group."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

from app.adapters.slack import DeliveryError
from app.core.triage import Allow, TriageAction, groups_to_check, is_allowed

MEMBERS_TTL: Final = (
    60.0  # seconds: someone removed from the on-call group loses it within a minute
)

Members = Callable[[str], frozenset[str]]


class MembershipUnknown(Exception):
    """A user group's members could not be read: the press is refused (fail closed)."""


class Authorizer:
    def __init__(
        self,
        allow: Allow,
        *,
        ttl: float = MEMBERS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.allow, self.ttl, self.clock = allow, ttl, clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    def allowed(self, action: TriageAction, user_id: str, members: Members) -> bool:
        """``user_id`` may do ``action``: named directly (no look-up), or in one of the
        permission's groups. ``MembershipUnknown`` when a needed look-up failed."""
        permission = action.permission
        if is_allowed(self.allow, permission, user_id, ()):
            return True
        member_of = [
            group
            for group in groups_to_check(self.allow, permission)
            if user_id in self._group(group, members)
        ]
        return is_allowed(self.allow, permission, user_id, member_of)

    def _group(self, group: str, members: Members) -> frozenset[str]:
        now = self.clock()
        cached = self._members.get(group)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        try:
            users = members(group)
        except DeliveryError as err:
            raise MembershipUnknown(f"user group {group}: {err}") from None
        self._members[group] = (now, users)
        return users
