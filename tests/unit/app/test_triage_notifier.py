"""Triage, the notifier's side (docs/architecture.md#triage), end to end: the handler, moto's
DynamoDB and the local Slack Web API. A snooze or a note is written as the interactions
function writes it (``StateStore.snooze`` / ``record_triage``); nothing is timed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.adapters.state import StateStore
from app.config import load_config
from app.constants import CANARY_TYPE
from app.core.triage import Target, TriageAction
from app.handler import Notifier
from app.render.triage import OK, triage_note
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from gd2slack.local.slack_web_api import SlackWebApiServer
from gd2slack.local.state_table import create_state_table
from tests.conftest import LogLines, minimal_event
from tests.slack_checks import assert_valid_payload
from tests.unit.app.test_app_mode import ALERTS, FINDING, TABLE, Harness, _workspace

DETECTOR = "12abc34d567e8fa901bc2d34e56789f0"
ARN = f"arn:aws:guardduty:us-east-1:123456789012:detector/{DETECTOR}/finding/{FINDING}"
TRIAGE_ON = {
    "SLACK_SIGNING_SECRET_ID": "gd2slack/signing",
    "SLACK_TEAM_ID": "T0TEAM",
    "SLACK_APP_ID": "A0APP",
    "GUARDDUTY_DETECTOR_ID": DETECTOR,
}
ALICE = "U0ALICE"
NOTE = triage_note(TriageAction.ARCHIVE, ALICE, datetime(2026, 11, 28, 11, 0, tzinfo=UTC), OK)


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws(), SlackWebApiServer(_workspace()) as server:
        client = boto3.client("dynamodb")
        create_state_table(client, TABLE)
        yield Harness(server, client)


def triage_on(h: Harness, **settings: str) -> None:
    h.config = load_config(
        {"SLACK_WEBHOOKS_SECRET_ID": "gd2slack/app", "STATE_TABLE": TABLE, **TRIAGE_ON, **settings}
    )


def event(n: int, *, severity: float = 8.0, count: int = 1, **detail: Any) -> dict[str, Any]:
    """A re-publication of the one finding, with the ARN GuardDuty gives it."""
    return minimal_event(
        FINDING,
        severity=severity,
        count=count,
        event_id=f"evt-{n}",
        updated_at=f"2026-11-28T{9 + n:02d}:00:00.000Z",
        **{"arn": ARN, **detail},
    )


def store(h: Harness) -> StateStore:
    return StateStore(TABLE, h.dynamodb)


def payload(message: Any) -> dict[str, Any]:
    return {"text": message.text, "blocks": message.blocks}


def triage_blocks(blocks: list[Any] | None) -> list[dict[str, Any]]:
    return [b for b in blocks or [] if b.get("block_id") == "triage"]


def notes(blocks: list[Any] | None) -> list[str]:
    return [
        e["text"]
        for b in blocks or []
        if b["type"] == "context"
        for e in b["elements"]
        if e["text"] == NOTE
    ]


# ----- snooze -----
def test_a_snoozed_finding_posts_nothing_until_it_escalates_to_critical(
    h: Harness, handler_logs: LogLines
) -> None:
    assert h.run(event(0)) == []
    [root] = h.roots()
    until = datetime.now(UTC) + timedelta(hours=24)
    store(h).snooze(FINDING, until, "Snoozed")
    # A count milestone: a thread reply without the snooze; with it, nothing is posted.
    assert h.run(event(1, count=10), prefix="a") == []
    entry = handler_logs.outcome_of("a0")
    assert (entry["outcome"], entry["reason"]) == ("suppressed", "snoozed")
    assert len(h.replies(root)) == 1  # the details only
    assert len(h.roots()) == 1
    assert len(root.edits) == 1 and "count 10" in json.dumps(root.blocks)  # the quiet refresh
    # High → Critical breaks through: a broadcast reply saying so.
    assert h.run(event(2, severity=9.4, count=11), prefix="b") == []
    entry = handler_logs.outcome_of("b0")
    assert (entry["outcome"], entry["reason"]) == ("delivered", "severity-increase")
    _details, loud = h.replies(root)
    assert loud.broadcast and "High → Critical" in loud.text
    assert f"breaks through the snooze until {until:%Y-%m-%d %H:%M} UTC" in loud.text
    assert_valid_payload(payload(loud))
    state = store(h).read(FINDING)
    assert state is not None and state.snoozed_until == until.replace(microsecond=0)


def test_two_publications_in_one_batch_during_a_snooze_say_they_broke_through(
    h: Harness,
) -> None:
    assert h.run(event(0)) == []
    store(h).snooze(FINDING, datetime.now(UTC) + timedelta(hours=24), "Snoozed")
    # The newer of the two is shown, and its notice is decided with the snooze too.
    assert h.run(event(1, severity=9.4, count=2), event(2, severity=9.4, count=3)) == []
    [root] = h.roots()
    _details, loud = h.replies(root)
    assert "High → Critical; breaks through the snooze until" in loud.text


def test_after_the_snooze_the_held_back_milestone_is_notified(
    h: Harness, handler_logs: LogLines
) -> None:
    assert h.run(event(0)) == []
    store(h).snooze(FINDING, datetime.now(UTC) + timedelta(hours=1), "Snoozed")
    assert h.run(event(1, count=10), prefix="a") == []
    assert handler_logs.outcome_of("a0")["reason"] == "snoozed"
    # The snooze ends (as if an hour had passed): the milestone was not recorded as notified,
    # so the next re-publication reports it.
    store(h).snooze(FINDING, datetime.now(UTC) - timedelta(seconds=1), "Snooze over")
    assert h.run(event(2, count=11), prefix="b") == []
    assert handler_logs.outcome_of("b0")["reason"] == "count-milestone"
    [root] = h.roots()
    assert "count 1 → 11" in h.replies(root)[-1].text


# ----- the triage buttons -----
def test_with_triage_on_the_root_carries_the_buttons_for_its_target(h: Harness) -> None:
    triage_on(h)
    assert h.run(event(0)) == []
    [root] = h.roots()
    [block] = triage_blocks(root.blocks)
    assert root.blocks[-1] == block  # last: below the status line
    target = Target(FINDING, DETECTOR, "us-east-1")
    assert block["elements"][0]["action_id"] == "triage_archive"
    assert {Target.decode(e["value"]) for e in block["elements"]} == {target}
    assert len(block["elements"]) == len(TriageAction) - 1  # archive or unarchive, not both
    assert_valid_payload(payload(root))
    [details] = h.replies(root)
    assert triage_blocks(details.blocks) == []  # on the root only


def test_without_triage_settings_no_buttons(h: Harness) -> None:
    assert h.run(event(0)) == []
    [root] = h.roots()
    assert triage_blocks(root.blocks) == []
    assert "triage_" not in json.dumps(root.blocks)


def test_no_buttons_for_a_finding_whose_arn_does_not_name_it(h: Harness) -> None:
    triage_on(h)
    other = ARN.replace(FINDING, "b" * 32)
    assert h.run(event(0, arn=other)) == []
    [root] = h.roots()
    assert triage_blocks(root.blocks) == []


def test_no_buttons_on_a_canary(h: Harness) -> None:
    triage_on(h)
    h.secret = json.dumps(
        {"bot_token": h.ws.bot_token, "channels": {"default": ALERTS, "canary": ALERTS}}
    )
    canary_id = "c" * 32
    canary = minimal_event(
        canary_id,
        finding_type=CANARY_TYPE,
        arn=f"arn:aws:guardduty:us-east-1:123456789012:detector/{DETECTOR}/finding/{canary_id}",
    )
    assert h.run(canary) == []
    [root] = h.roots()
    assert "Canary" in json.dumps(root.blocks)
    assert triage_blocks(root.blocks) == []


def test_the_biggest_root_stays_valid_mention_note_buttons(h: Harness) -> None:
    triage_on(h, MENTION_ON_CRITICAL="S0ONCALL")
    assert h.run(event(0, severity=9.3)) == []
    store(h).record_triage(FINDING, NOTE)
    assert h.run(event(1, severity=9.3, count=2)) == []  # a repeat: the quiet refresh
    [root] = h.roots()
    assert root.edits and notes(root.blocks) == [NOTE] and len(triage_blocks(root.blocks)) == 1
    assert len(root.blocks) <= 50
    assert_valid_payload(payload(root), mentions={f"@{ALICE}"})


def test_an_archived_finding_offers_unarchive(h: Harness) -> None:
    triage_on(h)
    assert h.run(event(0)) == []
    archived = event(1, count=2)
    archived["detail"]["service"]["archived"] = True
    assert h.run(archived) == []
    [root] = h.roots()
    [block] = triage_blocks(root.blocks)
    ids = [e["action_id"] for e in block["elements"]]
    assert "triage_unarchive" in ids and "triage_archive" not in ids


def test_webhook_messages_never_get_triage_buttons(slack: SlackReceiver) -> None:
    config = load_config({"SLACK_WEBHOOK_URL": slack.url(), **TRIAGE_ON})
    assert config.triage_enabled
    result = Notifier(config).handle(event(0), LocalLambdaContext())
    assert result["notified"] == 1
    [message] = slack.accepted()
    assert_valid_payload(message)
    assert triage_blocks(message["blocks"]) == []
    assert "triage_" not in json.dumps(message)


# ----- the triage note -----
def test_the_triage_note_survives_a_quiet_refresh_and_a_change(h: Harness) -> None:
    triage_on(h)
    assert h.run(event(0)) == []
    store(h).record_triage(FINDING, NOTE)
    assert h.run(event(1, count=2)) == []  # suppressed: the quiet refresh
    [root] = h.roots()
    assert len(root.edits) == 1 and notes(root.blocks) == [NOTE]
    assert "count 2" in json.dumps(root.blocks)
    assert_valid_payload(payload(root), mentions={f"@{ALICE}"})
    assert h.run(event(2, count=10)) == []  # a milestone: a reply, the root edited
    assert len(root.edits) == 2 and notes(root.blocks) == [NOTE]
    assert "count 10" in json.dumps(root.blocks)
    assert len(h.replies(root)) == 2


def test_the_triage_note_moves_to_a_new_root_after_the_old_was_deleted(h: Harness) -> None:
    triage_on(h)
    assert h.run(event(0)) == []
    store(h).record_triage(FINDING, NOTE)
    [old] = h.roots()
    h.ws.delete_message(ALERTS, old.ts)
    assert h.run(event(1, count=10)) == []
    [new] = h.roots()
    assert new.ts != old.ts and notes(new.blocks) == [NOTE]
    assert len(triage_blocks(new.blocks)) == 1
