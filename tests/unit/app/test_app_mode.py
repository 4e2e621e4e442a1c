"""Slack app mode end to end: the handler, moto's DynamoDB and the local Slack Web API over HTTP
(``slack_sdk`` pointed at it). Pace and waits run on a virtual clock; nothing is timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.adapters.pacing import Pacer
from app.adapters.slack import PermanentDeliveryError
from app.adapters.slack_app import SlackAppClient
from app.adapters.state import StateStore
from app.adapters.webhooks import WebhookConfigError, WebhookDirectory
from app.config import ConfigError, load_config
from app.handler import Notifier
from app.lifecycle import CHANGE_EVENT, DETAILS_EVENT, ROOT_EVENT
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_web_api import (
    ACCEPT_THEN_CLOSE,
    INTERNAL_ERROR,
    RESET,
    SERVER_ERROR,
    SLACK_LIMITS,
    SlackWebApiServer,
    SlackWorkspace,
)
from gd2slack.local.state_table import create_state_table
from tests.conftest import LogLines, minimal_event
from tests.virtual_time import VirtualClock

TABLE = "app-state"
ALERTS, CRIT = "C0ALERTS", "C0CRIT"
FINDING = "f" * 32


class Harness:
    def __init__(self, server: SlackWebApiServer, client: Any, **settings: str) -> None:
        self.server, self.ws, self.dynamodb = server, server.workspace, client
        self.clock = VirtualClock()
        self.pacer = Pacer(clock=self.clock)
        self.secret = json.dumps(
            {"bot_token": self.ws.bot_token, "channels": {"default": ALERTS, "crit": CRIT}}
        )
        self.config = load_config(
            {"SLACK_WEBHOOKS_SECRET_ID": "gd2slack/app", "STATE_TABLE": TABLE, **settings}
        )

    def client(self, token: str) -> SlackAppClient:
        return SlackAppClient(
            token,
            base_url=self.server.base_url,
            clock=self.clock,
            sleep=self.clock.sleep,
            pacer=self.pacer,
        )

    def notifier(self) -> Notifier:
        return Notifier(
            self.config,
            webhooks=WebhookDirectory(self.config, fetch_secret=lambda _id: self.secret),
            state=StateStore(TABLE, self.dynamodb),
            clock=self.clock,
            app_client=self.client,
        )

    def run(self, *events: dict[str, Any], prefix: str = "m") -> list[dict[str, str]]:
        batch = {
            "Records": [
                {"messageId": f"{prefix}{i}", "body": json.dumps(e)} for i, e in enumerate(events)
            ]
        }
        result = self.notifier().handle(batch, LocalLambdaContext())
        failures: list[dict[str, str]] = result["batchItemFailures"]
        return failures

    def roots(self, channel: str = ALERTS) -> list[Any]:
        return [m for m in self.ws.visible(channel) if not m.thread_ts]

    def replies(self, root: Any, channel: str = ALERTS) -> list[Any]:
        return [m for m in self.ws.visible(channel) if m.thread_ts == root.ts]

    def state(self, finding_id: str = FINDING) -> dict[str, Any]:
        item: dict[str, Any] = self.dynamodb.get_item(
            TableName=TABLE, Key={"pk": {"S": f"finding#{finding_id}"}}
        )["Item"]
        return item


def _workspace(limits: Any = None) -> SlackWorkspace:
    ws = SlackWorkspace(limits={} if limits is None else limits)
    ws.add_channel(ALERTS, "security-alerts")
    ws.add_channel(CRIT, "security-critical")
    return ws


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws(), SlackWebApiServer(_workspace()) as server:
        client = boto3.client("dynamodb")
        create_state_table(client, TABLE)
        yield Harness(server, client)


def event(n: int, *, severity: float = 8.0, count: int = 1, **detail: Any) -> dict[str, Any]:
    return minimal_event(
        FINDING,
        severity=severity,
        count=count,
        event_id=f"evt-{n}",
        updated_at=f"2026-11-28T{9 + n:02d}:00:00.000Z",
        **detail,
    )


# ----- lifecycle -----
def test_first_notification_is_a_root_with_metadata_and_the_details_in_its_thread(
    h: Harness,
) -> None:
    assert h.run(event(0)) == []
    [root] = h.roots()
    assert root.metadata == {
        "event_type": ROOT_EVENT,
        "event_payload": {
            "finding_id": FINDING,
            "event_id": "evt-0",
            "account": "123456789012",
            "region": "us-east-1",
        },
    }
    assert "*Status:* Active" in json.dumps(root.blocks)
    [details] = h.replies(root)
    assert details.metadata is not None and details.metadata["event_type"] == DETAILS_EVENT
    assert not details.broadcast
    state = h.state()
    assert (state["channel"]["S"], state["root_ts"]["S"]) == (ALERTS, root.ts)
    assert "claimed_at" not in state and "lease_owner" not in state


def test_a_change_replies_in_the_thread_edits_the_root_and_a_rise_to_critical_broadcasts(
    h: Harness,
) -> None:
    h.run(event(0))
    assert h.run(event(1, count=10)) == []  # milestone: a quiet reply, the root edited
    assert h.run(event(2, severity=9.5, count=12)) == []  # High → Critical: broadcast
    [root] = h.roots()
    _details, milestone, critical = h.replies(root)
    assert milestone.metadata is not None and milestone.metadata["event_type"] == CHANGE_EVENT
    assert "count 1 → 10" in milestone.text and not milestone.broadcast
    assert "High → Critical" in critical.text and critical.broadcast
    assert len(root.edits) == 2 and "count 12" in json.dumps(root.blocks)
    assert "9.5 Critical" in json.dumps(root.blocks)
    shown = json.dumps([m.blocks for m in h.ws.visible(ALERTS)])
    assert not any(m in shown for m in ("<!subteam", "<@", "<!here", "<!channel"))  # none set


def test_mention_on_critical_is_the_only_mention_and_syntax_checked(h: Harness) -> None:
    h.config = load_config(
        {"SLACK_WEBHOOKS_SECRET_ID": "s", "STATE_TABLE": TABLE, "MENTION_ON_CRITICAL": "S0ONCALL"}
    )
    h.run(event(0, severity=9.2))
    [root] = h.roots()
    assert "<!subteam^S0ONCALL> Critical finding" in json.dumps(root.blocks)
    users = load_config({"MENTION_ON_CRITICAL": "U0ALICE, U0BOB"}).mention_on_critical
    assert users == "<@U0ALICE> <@U0BOB>"
    for bad in ("!channel", "here", "S0X U0Y", "<!everyone>", "C0CHANNEL"):
        with pytest.raises(ConfigError, match="MENTION_ON_CRITICAL"):
            load_config({"MENTION_ON_CRITICAL": bad})


@pytest.mark.parametrize("refresh", ["on", "off"])
def test_a_suppressed_repeat_refreshes_the_root_quietly_unless_turned_off(
    h: Harness, refresh: str
) -> None:
    h.config = load_config(
        {"SLACK_WEBHOOKS_SECRET_ID": "s", "STATE_TABLE": TABLE, "REFRESH_ON_REPEAT": refresh}
    )
    h.run(event(0))
    assert h.run(event(1, count=3)) == []
    [root] = h.roots()
    assert len(h.replies(root)) == 1  # only the details: no notification
    assert len(root.edits) == (1 if refresh == "on" else 0)
    if refresh == "on":
        assert "count 3" in json.dumps(root.blocks)


def test_an_archived_finding_shows_on_its_root(h: Harness) -> None:
    h.run(event(0))
    archived = event(1, count=2)
    archived["detail"]["service"]["archived"] = True
    assert h.run(archived) == []
    [root] = h.roots()
    assert "Archived in GuardDuty" in json.dumps(root.blocks)


def test_a_deleted_root_makes_the_next_change_a_new_recorded_root(h: Harness) -> None:
    h.run(event(0))
    [old] = h.roots()
    h.ws.delete_message(ALERTS, old.ts)
    assert h.run(event(1, count=10)) == []
    [new] = h.roots()
    assert new.ts != old.ts and "*Status:* Active" in json.dumps(new.blocks)
    assert h.state()["root_ts"]["S"] == new.ts
    assert h.run(event(2, severity=9.1, count=11)) == []
    assert [r.ts for r in h.roots()] == [new.ts]
    assert len(h.replies(new)) == 1


def test_a_digest_is_one_root_whose_thread_holds_the_findings_and_changes_find_it(
    h: Harness,
) -> None:
    ids = [f"{i:x}" * 32 for i in range(6)]
    events = [minimal_event(i, event_id=f"e-{i[0]}") for i in ids]
    assert h.run(*events) == []
    [digest] = h.roots()
    assert digest.metadata is not None and digest.metadata["event_type"] == "guardduty_digest"
    thread = h.replies(digest)
    assert len(thread) == 6
    assert {m.metadata["event_payload"]["finding_id"] for m in thread if m.metadata} == set(ids)
    assert {h.state(i)["root_ts"]["S"] for i in ids} == {digest.ts}
    later = minimal_event(ids[2], event_id="e-later", severity=9.3, count=2)
    assert h.run(later) == []
    assert [r.ts for r in h.roots()] == [digest.ts]  # no new root
    change = h.replies(digest)[-1]
    assert change.broadcast and "Critical" in change.text
    assert digest.edits == []  # the shared root is not edited for one finding


# ----- errors -----
@pytest.mark.parametrize(
    "breakage",
    [
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "invalid_auth",
        "token_revoked",
        "account_inactive",
        "missing_scope",
    ],
)
def test_permanent_slack_errors_fail_the_record_loudly(
    h: Harness, breakage: str, handler_logs: LogLines
) -> None:
    ws = h.ws
    if breakage == "not_in_channel":
        ws.add_channel("C0PUBLIC", "public")
        ws.kick("C0PUBLIC")
        h.secret = h.secret.replace(ALERTS, "C0PUBLIC")
    elif breakage == "channel_not_found":
        h.secret = h.secret.replace(ALERTS, "C0NOSUCH")
    elif breakage == "is_archived":
        ws.channels[ALERTS].archived = True
    elif breakage == "invalid_auth":
        h.secret = h.secret.replace(ws.bot_token, "xoxb-not-a-known-token")
    elif breakage == "token_revoked":
        ws.tokens[ws.bot_token].state = "revoked"
    elif breakage == "account_inactive":
        ws.tokens[ws.bot_token].state = "inactive"
    else:
        ws.tokens[ws.bot_token].scopes = frozenset()
    assert h.run(event(0)) == [{"itemIdentifier": "m0"}]
    [entry] = [e for e in handler_logs.entries() if e.get("outcome") == "failed"]
    assert breakage in entry["reason"]
    assert ws.bot_token not in json.dumps(handler_logs.entries())
    # permanent: not offered again soon (the queue's redrive takes it to the DLQ)
    assert "claimed_at" in h.state() or h.state().get("version") is None


@pytest.mark.parametrize(
    ("content", "error"),
    [({"text": "x" * 40_001}, "msg_too_long"), ({"blocks": [{"type": "nope"}]}, "invalid_blocks")],
)
def test_content_errors_are_permanent(h: Harness, content: dict[str, Any], error: str) -> None:
    client = h.client(h.ws.bot_token)
    with pytest.raises(PermanentDeliveryError) as raised:
        client.post(ALERTS, {"text": "t", **content}, h.clock() + 30, metadata={})
    assert raised.value.slack_error == error


def test_transient_errors_retry_and_rate_limits_wait_on_the_shared_pace(h: Harness) -> None:
    h.run(event(0))
    h.ws.inject("chat.update", SERVER_ERROR)
    h.ws.inject("chat.update", INTERNAL_ERROR)
    assert h.run(event(1, count=10)) == []
    [root] = h.roots()
    assert len(root.edits) == 1


def test_429_retry_after_is_honoured_per_channel_within_the_deadline() -> None:
    clock = VirtualClock(start=1_700_000_000.0)
    ws = SlackWorkspace(clock=clock, limits=SLACK_LIMITS)
    ws.add_channel(ALERTS, "a")
    with SlackWebApiServer(ws) as server:
        pacer = Pacer(clock=clock, burst=10)  # our pace lets a burst through: Slack answers 429
        client = SlackAppClient(
            ws.bot_token, base_url=server.base_url, clock=clock, sleep=clock.sleep, pacer=pacer
        )
        for i in range(6):
            client.post(ALERTS, {"text": f"m{i}"}, clock() + 60, metadata={})
    assert len(ws.visible(ALERTS)) == 6
    assert [c.status for c in ws.calls].count(429) >= 1
    assert clock.waits and all(w <= 60 for w in clock.waits)


# ----- exactly once -----
def test_accepted_then_connection_closed_is_found_by_metadata_not_posted_again(h: Harness) -> None:
    h.ws.inject("chat.postMessage", ACCEPT_THEN_CLOSE)
    assert h.run(event(0)) == []
    [root] = h.roots()
    assert len(h.replies(root)) == 1
    assert h.state()["root_ts"]["S"] == root.ts
    reads = [c.method for c in h.ws.calls if c.method.startswith("conversations.")]
    assert reads == ["conversations.history"]


def test_a_reset_before_slack_acted_is_posted_once_after_the_look_up(h: Harness) -> None:
    h.ws.inject("chat.postMessage", RESET)
    assert h.run(event(0)) == []
    assert len(h.roots()) == 1


def test_killed_after_slack_accepted_before_the_state_write(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Killed(BaseException):
        pass

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(StateStore, "confirm", die)
        with pytest.raises(Killed):
            h.run(event(0))
    assert "claimed_at" in h.state()  # the claim stands, unconfirmed
    # Lambda stopped; the lease runs out; SQS redelivers the record.
    h.dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"finding#{FINDING}"}},
        UpdateExpression="SET lease_until = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    assert h.run(event(0)) == []
    [root] = h.roots()
    assert len(h.replies(root)) == 1
    assert h.state()["root_ts"]["S"] == root.ts and "claimed_at" not in h.state()
    # and a change killed the same way leaves one reply
    with monkeypatch.context() as patch:
        patch.setattr(StateStore, "confirm", die)
        with pytest.raises(Killed):
            h.run(event(1, count=10))
    h.dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"finding#{FINDING}"}},
        UpdateExpression="SET lease_until = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    assert h.run(event(1, count=10)) == []
    assert len(h.replies(root)) == 2 and len(h.roots()) == 1


def test_duplicate_deliveries_leave_one_root_and_one_reply_per_change(h: Harness) -> None:
    for _ in range(2):
        assert h.run(event(0), event(0)) == []
        assert h.run(event(1, count=10)) == []
    [root] = h.roots()
    assert len(h.replies(root)) == 2


class Atomic:
    """moto's conditional writes are not atomic across threads (DynamoDB's are, per item): one
    call at a time, so the race under test is ours, not the mock's."""

    def __init__(self, client: Any) -> None:
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(**kwargs: Any) -> Any:
            with self._lock:
                return method(**kwargs)

        return call


def test_two_concurrent_invocations_leave_exactly_one_root(h: Harness) -> None:
    h.dynamodb = Atomic(h.dynamodb)
    start = threading.Barrier(2)
    results: list[list[dict[str, str]]] = []

    def invoke(prefix: str) -> None:
        notifier = h.notifier()
        start.wait()
        batch = {"Records": [{"messageId": prefix, "body": json.dumps(event(0))}]}
        results.append(notifier.handle(batch, LocalLambdaContext())["batchItemFailures"])

    threads = [threading.Thread(target=invoke, args=(p,)) for p in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(h.roots()) == 1 and len(h.replies(h.roots()[0])) == 1
    # the loser (if it lost the claim rather than seeing the event done) comes back later
    assert h.run(event(0), prefix="again") == []
    assert len(h.roots()) == 1 and len(h.replies(h.roots()[0])) == 1


# ----- configuration and secrets -----
@pytest.mark.parametrize(
    "secret",
    [
        {"bot_token": "xoxb-", "channels": {"default": "C0A"}},
        {"bot_token": "xoxb-0000-secret-token", "channels": {"other": "C0A"}},
        {"bot_token": "xoxb-0000-secret-token", "channels": {"default": "#alerts"}},
        {"bot_token": "xoxb-0000-secret-token", "channels": {"default": "C0A"}, "extra": 1},
    ],
)
def test_a_malformed_app_secret_is_refused_without_showing_the_token(secret: Any) -> None:
    config = load_config({"SLACK_WEBHOOKS_SECRET_ID": "s"})
    directory = WebhookDirectory(config, fetch_secret=lambda _id: json.dumps(secret))
    with pytest.raises(WebhookConfigError) as raised:
        directory.app()
    assert "xoxb-0000" not in str(raised.value) and "secret s" in str(raised.value)
    assert "xoxb" not in repr(
        WebhookDirectory(
            config,
            fetch_secret=lambda _id: json.dumps(
                {"bot_token": "xoxb-0000-secret-token", "channels": {"default": "C0A"}}
            ),
        ).app()
    ).replace("xoxb-…", "")


def test_webhook_mode_never_imports_slack_sdk() -> None:
    code = (
        "import sys, app.handler, app.batch\n"
        "assert 'slack_sdk' not in sys.modules, 'slack_sdk imported in webhook mode'\n"
        "assert 'app.lifecycle' not in sys.modules\n"
    )
    env = {**os.environ, "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
