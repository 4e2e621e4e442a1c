"""The work path: one validated triage action, done and told.

GetFindings first (the payload names the finding, nothing more), then the action (a GuardDuty
call, or the state table's snooze), then what was done in Slack: the state's ``triage_note``,
the root edited with it (``root_payload``; a digest's shared root is not edited), a thread
reply saying the same, one audit line and a metric. Where the root is comes from the state
table, never from the payload. A GuardDuty or state failure becomes the thread reply and the
audit line's result; nothing raises out of ``run``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from app.adapters.guardduty import GuardDuty, GuardDutyFailure
from app.adapters.observability import count, logger
from app.adapters.slack import DeliveryError
from app.adapters.slack_app import SlackAppClient
from app.adapters.state import ClaimLost, StateStore, StateUnavailable
from app.config import Config
from app.core.finding import FINDING_DETAIL_TYPE, FINDING_SOURCE, Finding, parse_event
from app.core.read import as_mapping
from app.core.suppress import SuppressRefused, suppress_filter
from app.core.triage import SNOOZE_FOR, TriageAction
from app.interactions.audit import audit
from app.interactions.defer import Work
from app.lifecycle import root_payload
from app.render.triage import OK, note_reply, triage_note

TRIAGE_EVENT: Final = "guardduty_triage"  # the thread reply's metadata event type
NO_STATE: Final = (
    "this finding has no notification state here (never notified, or quiet for more than "
    "7 days): there is nothing to snooze"
)
ALREADY_EXISTS: Final = "already_exists"

SlackFor = Callable[[], SlackAppClient | None]


def look_up(guardduty: GuardDuty, finding_id: str) -> Finding:
    """GetFindings' answer read like an EventBridge finding (its PascalCase converted)."""
    api = guardduty.finding(finding_id)
    event = {"source": FINDING_SOURCE, "detail-type": FINDING_DETAIL_TYPE, "detail": api}
    return parse_event(event)


class Worker:
    """Performs ``Work``; ``slack`` gives the bot's client (``None``: no bot token)."""

    def __init__(
        self,
        config: Config,
        guardduty: GuardDuty,
        state: StateStore,
        slack: SlackFor,
        *,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.guardduty, self.state, self.slack = config, guardduty, state, slack
        self.wall = wall

    def run(self, work: Work, deadline: float) -> str:
        """Do ``work``; its result (``ok``, ``already_exists`` or what went wrong)."""
        now = datetime.fromtimestamp(self.wall(), UTC)
        finding_id = work.target.finding_id
        shown: Finding | None = None
        detail: str | None = None
        problem = ""
        try:
            shown, result, detail = self._act(work, look_up(self.guardduty, finding_id), now)
        except GuardDutyFailure as failure:
            result, problem = failure.result, str(failure)
        except SuppressRefused as refusal:
            result, problem = "refused", str(refusal)
        except ClaimLost:
            result, problem = "no_state", NO_STATE
        except StateUnavailable as err:
            result, problem = "state_unavailable", f"the state table failed: {err}"
        note = triage_note(work.action, work.user_id, now, OK if shown else problem, detail=detail)
        told = self._tell(work, note, shown, deadline)
        audit(work.action, work.user_id, finding_id, result, told=told, detail=detail or problem)
        return result

    def _act(self, work: Work, finding: Finding, now: datetime) -> tuple[Finding, str, str | None]:
        """(the finding as it is now, the result, our detail for the note)."""
        action, finding_id = work.action, finding.id
        if action is TriageAction.ARCHIVE:
            self.guardduty.archive(finding_id)
            return _archived(finding, True), OK, None
        if action is TriageAction.UNARCHIVE:
            self.guardduty.unarchive(finding_id)
            return _archived(finding, False), OK, None
        if action in (TriageAction.USEFUL, TriageAction.NOT_USEFUL):
            useful = action is TriageAction.USEFUL
            self.guardduty.feedback(finding_id, useful=useful, comment=work.comment)
            return finding, OK, ("with a comment" if work.comment else None)
        if action in SNOOZE_FOR:
            note = triage_note(action, work.user_id, now, OK)
            self.state.snooze(finding_id, now + SNOOZE_FOR[action], note)
            return finding, OK, None
        rule = suppress_filter(finding, include_account=work.include_account)
        if self.guardduty.create_filter(rule):
            return finding, OK, f"rule {rule.name}"
        return finding, ALREADY_EXISTS, f"rule {rule.name}, already in place"

    def _tell(self, work: Work, note: str, shown: Finding | None, deadline: float) -> str:
        """Record the note, edit the root and reply in its thread; what reached Slack."""
        finding_id = work.target.finding_id
        try:
            client = self.slack()
        except Exception as err:  # the bot token's secret: unreadable or malformed
            logger.error("triage: no Slack client", extra={"error": type(err).__name__})
            client = None
        try:
            state = self.state.read(finding_id)
            if shown is not None and work.action not in SNOOZE_FOR and state is not None:
                self.state.record_triage(finding_id, note)
        except (StateUnavailable, ClaimLost) as err:
            logger.error("triage: state not updated", extra={"error": str(err)[:200]})
            state = None
        if client is None:
            return "nothing"
        try:
            if state is None or not state.channel or not state.root_ts:
                client.post_ephemeral(work.channel, work.user_id, note, deadline)
                return "ephemeral"
            told = "reply"
            if shown is not None and not state.in_digest:
                root = root_payload(shown, self.config, triage_note=note)
                if client.update(state.channel, state.root_ts, root, deadline):
                    told = "root+reply"
            client.post(
                state.channel,
                note_reply(note),
                deadline,
                metadata={
                    "event_type": TRIAGE_EVENT,
                    "event_payload": {"finding_id": finding_id, "action": work.action.value},
                },
                thread_ts=state.root_ts,
            )
            return told
        except DeliveryError as err:
            logger.error("triage: Slack not told", extra={"error": str(err)[:200]})
            count("TriageSlackFailed")
            return "failed"


def _archived(finding: Finding, archived: bool) -> Finding:
    """The finding as GuardDuty now has it (GetFindings ran before the archive call)."""
    service = {**as_mapping(finding.detail.get("service")), "archived": archived}
    return dataclasses.replace(
        finding, archived=archived, detail={**finding.detail, "service": service}
    )
