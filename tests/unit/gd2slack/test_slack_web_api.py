"""The local Slack Web API stand-in, driven through the real ``slack_sdk.WebClient`` over HTTP.

Time is virtual: the workspace's clock is a counter the tests move, and slack_sdk's retry sleeps
move it too, so rate limits and ``Retry-After`` are asserted exactly and nothing is timed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.models.metadata import Metadata

from gd2slack.local.slack_web_api import (
    ACCEPT_THEN_CLOSE,
    INTERNAL_ERROR,
    NON_MARKETPLACE_READS,
    RESET,
    SERVER_ERROR,
    SLACK_LIMITS,
    SlackWebApiServer,
    SlackWorkspace,
)

ALERTS, PRIVATE, OTHER = "C0ALERTS", "G0PRIVATE", "C0OTHER"
ALICE, BOB = "U0ALICE", "U0BOB"
TS = re.compile(r"^\d{10}\.\d{6}$")
FINDING = {"event_type": "guardduty_finding", "event_payload": {"finding_id": "f1", "event": "e1"}}


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _workspace(clock: Clock, limits: Any) -> SlackWorkspace:
    ws = SlackWorkspace(clock=clock, limits=limits)
    ws.add_channel(ALERTS, "security-alerts", members=[ALICE])
    ws.add_channel(PRIVATE, "security-private", private=True)
    ws.add_channel(OTHER, "general", members=[ALICE, BOB])
    ws.usergroups["S0ONCALL"] = [ALICE]
    return ws


@pytest.fixture
def server(clock: Clock) -> Iterator[SlackWebApiServer]:
    """Rate limits off (each test about limits turns Slack's on)."""
    with SlackWebApiServer(_workspace(clock, {})) as srv:
        yield srv


@pytest.fixture
def limited(clock: Clock) -> Iterator[SlackWebApiServer]:
    with SlackWebApiServer(_workspace(clock, SLACK_LIMITS)) as srv:
        yield srv


def client(srv: SlackWebApiServer, token: str | None = None, **kwargs: Any) -> WebClient:
    kwargs.setdefault("retry_handlers", [])
    return WebClient(token=token or srv.workspace.bot_token, base_url=srv.base_url, **kwargs)


def error_of(call: Any, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(SlackApiError) as raised:
        call(*args, **kwargs)
    return raised.value.response


# ----- authentication and scopes -----
def test_auth_test_names_the_team_the_bot_and_the_granted_scopes(server: SlackWebApiServer) -> None:
    answer = client(server).auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == (
        "T0GD2SLCK",
        "U0GD2BOT",
        "B0GD2BOT",
    )
    assert set(answer.headers["X-OAuth-Scopes"].split(",")) == {
        "chat:write",
        "channels:history",
        "groups:history",
        "channels:read",
        "groups:read",
        "usergroups:read",
    }


@pytest.mark.parametrize(
    ("state", "error"), [("revoked", "token_revoked"), ("inactive", "account_inactive")]
)
def test_a_revoked_or_inactive_token_is_refused(
    server: SlackWebApiServer, state: str, error: str
) -> None:
    server.workspace.tokens[server.workspace.bot_token].state = state
    assert error_of(client(server).auth_test)["error"] == error


def test_no_token_and_an_unknown_token_are_refused(server: SlackWebApiServer) -> None:
    anonymous = WebClient(base_url=server.base_url, retry_handlers=[])
    assert error_of(anonymous.auth_test)["error"] == "not_authed"
    assert error_of(client(server, "xoxb-wrong").auth_test)["error"] == "invalid_auth"


def test_a_form_body_may_carry_the_token_a_json_body_may_not(server: SlackWebApiServer) -> None:
    anonymous = WebClient(base_url=server.base_url, retry_handlers=[])
    assert anonymous.api_call("auth.test", params={"token": server.workspace.bot_token})["ok"]
    body = json.dumps({"token": server.workspace.bot_token}).encode()
    status, _, raw = server.workspace.handle("auth.test", {}, body, "application/json")
    assert (status, json.loads(raw)["error"]) == (200, "not_authed")


def test_missing_scope_names_the_needed_scope_per_channel_type(server: SlackWebApiServer) -> None:
    token = server.workspace.add_token("xoxb-post-only", "U0GD2BOT", ["chat:write"], "B0GD2BOT")
    narrow = client(server, token)
    public = error_of(narrow.conversations_history, channel=ALERTS)
    private = error_of(narrow.conversations_info, channel=PRIVATE)
    assert (public["error"], public["needed"], public["provided"]) == (
        "missing_scope",
        "channels:history",
        "chat:write",
    )
    assert private["needed"] == "groups:read"
    assert narrow.chat_postMessage(channel=ALERTS, text="posting needs chat:write only")["ok"]


# ----- chat.postMessage -----
def test_post_answers_channel_and_a_unique_increasing_ts(server: SlackWebApiServer) -> None:
    web = client(server)
    answers = [web.chat_postMessage(channel=ALERTS, text=f"finding {i}") for i in range(3)]
    stamps = [a["ts"] for a in answers]
    assert all(TS.match(ts) for ts in stamps)
    assert stamps == sorted(set(stamps)) and len(stamps) == 3
    assert stamps[0] == "1700000000.000000"  # the clock did not move: still unique
    first = answers[0]
    assert (first["channel"], first["message"]["text"], first["message"]["bot_id"]) == (
        ALERTS,
        "finding 0",
        "B0GD2BOT",
    )
    assert "thread_ts" not in first["message"]


def test_post_where_the_bot_cannot(server: SlackWebApiServer) -> None:
    ws, web = server.workspace, client(server)
    ws.kick(OTHER)
    ws.kick(PRIVATE)
    ws.channels[ALERTS].archived = True
    for channel, error in [
        ("C0NOSUCH", "channel_not_found"),
        (OTHER, "not_in_channel"),
        (PRIVATE, "channel_not_found"),  # a private channel the bot is not in is invisible
        (ALERTS, "is_archived"),
    ]:
        assert error_of(web.chat_postMessage, channel=channel, text="x")["error"] == error
    assert ws.visible(ALERTS) == []


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ({"blocks": [{"type": "no_such_block"}]}, "invalid_blocks"),
        (
            {"blocks": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]},
            "invalid_blocks",
        ),
        ({"blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({}, "no_text"),
    ],
)
def test_post_validates_like_slack(
    server: SlackWebApiServer, content: dict[str, Any], error: str
) -> None:
    answer = error_of(
        client(server).api_call, "chat.postMessage", json={"channel": ALERTS, **content}
    )
    assert answer["error"] == error
    assert server.workspace.visible(ALERTS) == []


def test_fifty_valid_blocks_and_forty_thousand_characters_are_accepted(
    server: SlackWebApiServer,
) -> None:
    web = client(server)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}] * 50
    assert web.chat_postMessage(channel=ALERTS, text="t" * 40_000, blocks=blocks)["ok"]


# ----- threads, broadcasts, deleted parents -----
def test_replies_thread_under_the_root_and_only_broadcasts_reach_the_channel(
    server: SlackWebApiServer,
) -> None:
    web = client(server)
    root = web.chat_postMessage(channel=ALERTS, text="root")["ts"]
    quiet = web.chat_postMessage(channel=ALERTS, text="details", thread_ts=root)
    loud = web.chat_postMessage(
        channel=ALERTS, text="now Critical", thread_ts=root, reply_broadcast=True
    )
    # a reply's ts threads under its root, as Slack does
    nested = web.chat_postMessage(channel=ALERTS, text="nested", thread_ts=quiet["ts"])
    assert [m["message"]["thread_ts"] for m in (quiet, loud, nested)] == [root] * 3
    assert loud["message"]["subtype"] == "thread_broadcast"

    history = web.conversations_history(channel=ALERTS)["messages"]
    assert [(m["text"], m.get("subtype")) for m in history] == [
        ("now Critical", "thread_broadcast"),
        ("root", None),
    ]
    assert (history[1]["reply_count"], history[1]["latest_reply"]) == (3, nested["ts"])
    thread = web.conversations_replies(channel=ALERTS, ts=root)["messages"]
    assert [m["text"] for m in thread] == ["root", "details", "now Critical", "nested"]


@pytest.mark.parametrize("deleted_by", ["chat.delete", "an admin"])
def test_a_reply_to_a_deleted_parent_is_posted_top_level_without_thread_ts(
    server: SlackWebApiServer, deleted_by: str
) -> None:
    web = client(server)
    root = web.chat_postMessage(channel=ALERTS, text="root")["ts"]
    if deleted_by == "chat.delete":
        assert web.chat_delete(channel=ALERTS, ts=root)["ok"]
    else:
        server.workspace.delete_message(ALERTS, root)
    orphan = web.chat_postMessage(channel=ALERTS, text="what changed", thread_ts=root)
    assert orphan["ok"] and "thread_ts" not in orphan["message"]
    assert [m["text"] for m in web.conversations_history(channel=ALERTS)["messages"]] == [
        "what changed"
    ]
    assert error_of(web.conversations_replies, channel=ALERTS, ts=root)["error"] == (
        "thread_not_found"
    )


def test_delete_only_own_existing_messages(server: SlackWebApiServer) -> None:
    web = client(server)
    human = server.workspace.post_as(ALERTS, ALICE, "hello")
    assert error_of(web.chat_delete, channel=ALERTS, ts=human)["error"] == "cant_delete_message"
    assert error_of(web.chat_delete, channel=ALERTS, ts="1.000000")["error"] == "message_not_found"


# ----- metadata -----
def test_metadata_is_read_back_by_history_and_replies_with_include_all_metadata(
    server: SlackWebApiServer,
) -> None:
    web = client(server)
    meta = Metadata(event_type="guardduty_finding", event_payload={"finding_id": "f1"})
    root = web.chat_postMessage(channel=ALERTS, text="root", metadata=meta)
    assert root["message"]["metadata"] == meta.to_dict()
    reply_meta = {"event_type": "guardduty_change", "event_payload": {"finding_id": "f1", "n": 2}}
    web.chat_postMessage(channel=ALERTS, text="change", thread_ts=root["ts"], metadata=reply_meta)

    with_meta = web.conversations_history(channel=ALERTS, include_all_metadata=True)
    without = web.conversations_history(channel=ALERTS)
    assert with_meta["messages"][0]["metadata"] == meta.to_dict()
    assert "metadata" not in without["messages"][0]
    thread = web.conversations_replies(channel=ALERTS, ts=root["ts"], include_all_metadata=True)
    assert [m["metadata"]["event_type"] for m in thread["messages"]] == [
        "guardduty_finding",
        "guardduty_change",
    ]


def test_metadata_in_a_form_encoded_body(server: SlackWebApiServer) -> None:
    web = client(server)
    params = {"channel": ALERTS, "text": "form", "metadata": json.dumps(FINDING)}
    assert web.api_call("chat.postMessage", params=params)["message"]["metadata"] == FINDING
    bad = {"channel": ALERTS, "text": "form", "metadata": json.dumps({"event_type": "x"})}
    answer = error_of(web.api_call, "chat.postMessage", params=bad)
    assert answer["error"] == "invalid_metadata_format"


# ----- chat.update -----
def test_update_edits_own_message_keeps_metadata_and_records_the_edit(
    server: SlackWebApiServer,
) -> None:
    web = client(server)
    ts = web.chat_postMessage(channel=ALERTS, text="High, count 1", metadata=FINDING)["ts"]
    updated = web.chat_update(channel=ALERTS, ts=ts, text="Critical, count 7")
    assert (updated["ts"], updated["text"], "edited" in updated["message"]) == (
        ts,
        "Critical, count 7",
        True,
    )
    [message] = web.conversations_history(channel=ALERTS, include_all_metadata=True)["messages"]
    assert (message["text"], message["metadata"]) == ("Critical, count 7", FINDING)
    assert server.workspace.visible(ALERTS)[0].edits == ["Critical, count 7"]


def test_update_only_own_existing_messages(server: SlackWebApiServer) -> None:
    ws, web = server.workspace, client(server)
    human = ws.post_as(ALERTS, ALICE, "hello")
    other_app = ws.add_token("xoxb-other-app", "U0OTHERBOT", ["chat:write"], "B0OTHER")
    ws.channels[ALERTS].members.add("U0OTHERBOT")
    theirs = client(server, other_app).chat_postMessage(channel=ALERTS, text="theirs")["ts"]
    ours = web.chat_postMessage(channel=ALERTS, text="ours")["ts"]
    web.chat_delete(channel=ALERTS, ts=ours)
    for ts, error in [
        (human, "cant_update_message"),
        (theirs, "cant_update_message"),
        (ours, "message_not_found"),  # deleted
        ("1.000000", "message_not_found"),
    ]:
        assert error_of(web.chat_update, channel=ALERTS, ts=ts, text="x")["error"] == error
    assert [m.text for m in ws.visible(ALERTS)] == ["hello", "theirs"]


# ----- reading: windows and pages -----
def test_history_window_and_cursor_pages(server: SlackWebApiServer, clock: Clock) -> None:
    web = client(server)
    stamps = []
    for i in range(5):
        stamps.append(web.chat_postMessage(channel=ALERTS, text=f"m{i}")["ts"])
        clock.now += 10

    def texts(**kwargs: Any) -> list[str]:
        answer = web.conversations_history(channel=ALERTS, **kwargs)
        return [m["text"] for m in answer["messages"]]

    assert texts() == ["m4", "m3", "m2", "m1", "m0"]
    assert texts(oldest=stamps[1], latest=stamps[3]) == ["m2"]
    assert texts(oldest=stamps[1], latest=stamps[3], inclusive=True) == ["m3", "m2", "m1"]
    paged = web.conversations_history(channel=ALERTS, limit=2)  # slack_sdk follows next_cursor
    pages = [[m["text"] for m in page["messages"]] for page in paged]
    assert pages == [["m4", "m3"], ["m2", "m1"], ["m0"]]
    bad = error_of(web.conversations_history, channel=ALERTS, cursor="not-a-cursor")
    assert bad["error"] == "invalid_cursor"


def test_read_needs_membership(server: SlackWebApiServer) -> None:
    server.workspace.kick(OTHER)
    error = error_of(client(server).conversations_history, channel=OTHER)["error"]
    assert error == "not_in_channel"


def test_conversations_info_and_members_tell_slack_check_what_it_needs(
    server: SlackWebApiServer,
) -> None:
    ws, web = server.workspace, client(server)
    ws.kick(OTHER)
    ws.channels[ALERTS].archived = True
    alerts = web.conversations_info(channel=ALERTS)["channel"]
    other = web.conversations_info(channel=OTHER)["channel"]
    assert (alerts["is_member"], alerts["is_archived"], other["is_member"]) == (True, True, False)
    assert web.conversations_members(channel=ALERTS)["members"] == ["U0ALICE", "U0GD2BOT"]
    ws.kick(PRIVATE)
    assert error_of(web.conversations_info, channel=PRIVATE)["error"] == "channel_not_found"


# ----- triage (issue 14): user groups, ephemeral "not allowed", modals -----
def test_usergroup_members(server: SlackWebApiServer) -> None:
    web = client(server)
    assert web.usergroups_users_list(usergroup="S0ONCALL")["users"] == [ALICE]
    assert error_of(web.usergroups_users_list, usergroup="S0NONE")["error"] == "no_such_subteam"


def test_ephemeral_reaches_one_member_and_never_the_channel(server: SlackWebApiServer) -> None:
    web = client(server)
    answer = web.chat_postEphemeral(channel=ALERTS, user=ALICE, text="not allowed")
    assert TS.match(answer["message_ts"])
    assert web.conversations_history(channel=ALERTS)["messages"] == []
    assert "not allowed" not in server.workspace.transcript(ALERTS)
    refused = error_of(web.chat_postEphemeral, channel=ALERTS, user=BOB, text="x")
    assert refused["error"] == "user_not_in_channel"


def test_views_open_takes_a_fresh_trigger_once(server: SlackWebApiServer, clock: Clock) -> None:
    ws, web = server.workspace, client(server)
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Suppress similar"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "The filter"}}],
    }
    trigger = ws.trigger(ALICE)
    opened = web.views_open(trigger_id=trigger, view=view)["view"]
    assert opened["id"].startswith("V") and ws.views[0]["user"] == ALICE
    assert error_of(web.views_open, trigger_id=trigger, view=view)["error"] == (
        "exchanged_trigger_id"
    )
    stale = ws.trigger(ALICE)
    clock.now += 3.5
    assert error_of(web.views_open, trigger_id=stale, view=view)["error"] == "expired_trigger_id"
    assert error_of(web.views_open, trigger_id="1.2.3", view=view)["error"] == "invalid_arguments"


# ----- rate limits -----
def test_post_is_limited_per_channel_with_whole_second_retry_after(
    limited: SlackWebApiServer, clock: Clock
) -> None:
    web = client(limited)
    for i in range(3):  # the burst
        web.chat_postMessage(channel=ALERTS, text=f"burst {i}")
    refused = error_of(web.chat_postMessage, channel=ALERTS, text="one too many")
    assert (refused.status_code, refused["error"]) == (429, "ratelimited")
    assert refused.headers["Retry-After"] == "1"
    assert web.chat_postMessage(channel=OTHER, text="another channel has its own pace")["ok"]
    clock.now += 1
    assert web.chat_postMessage(channel=ALERTS, text="after Retry-After")["ok"]
    assert [m.text for m in limited.workspace.visible(ALERTS)][-1] == "after Retry-After"
    assert "one too many" not in limited.workspace.transcript(ALERTS)


def test_rate_limit_retry_handler_waits_retry_after_and_posts_once(
    limited: SlackWebApiServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the handler sleeps with time.sleep: let it move the virtual clock instead
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.time.sleep", clock.sleep)
    web = client(limited, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    for i in range(4):
        assert web.chat_postMessage(channel=ALERTS, text=f"m{i}")["ok"]
    assert len(clock.sleeps) == 1 and 1 <= clock.sleeps[0] < 2  # Retry-After 1 + jitter
    statuses = [c.status for c in limited.workspace.calls if c.method == "chat.postMessage"]
    assert statuses == [200, 200, 200, 429, 200]
    assert len(limited.workspace.visible(ALERTS)) == 4


def test_update_is_tier_3(limited: SlackWebApiServer) -> None:
    web = client(limited)
    ts = web.chat_postMessage(channel=ALERTS, text="root")["ts"]
    for i in range(5):
        web.chat_update(channel=ALERTS, ts=ts, text=f"edit {i}")
    refused = error_of(web.chat_update, channel=ALERTS, ts=ts, text="edit 5")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "2")  # 50/min: 1.2 s


def test_non_marketplace_read_limits_can_be_switched_on(limited: SlackWebApiServer) -> None:
    limited.workspace.limits.update(NON_MARKETPLACE_READS)
    web = client(limited)
    assert web.conversations_history(channel=ALERTS)["ok"]
    refused = error_of(web.conversations_history, channel=ALERTS)
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "60")


# ----- faults -----
def test_accept_then_close_posts_but_never_answers(server: SlackWebApiServer) -> None:
    ws = server.workspace
    ws.inject("chat.postMessage", ACCEPT_THEN_CLOSE)
    with pytest.raises(OSError):
        client(server).chat_postMessage(channel=ALERTS, text="accepted, answer lost")
    assert [m.text for m in ws.visible(ALERTS)] == ["accepted, answer lost"]
    assert client(server).chat_postMessage(channel=ALERTS, text="next one answers")["ok"]


def test_slack_sdk_connection_retry_duplicates_an_accepted_post(
    server: SlackWebApiServer, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why app mode must look the message up before posting again: the SDK's own retry on a
    lost answer posts the same message twice."""
    monkeypatch.setattr("slack_sdk.http_retry.handler.time.sleep", clock.sleep)
    ws = server.workspace
    ws.inject("chat.postMessage", ACCEPT_THEN_CLOSE)
    web = client(server, retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)])
    assert web.chat_postMessage(channel=ALERTS, text="finding f1")["ok"]
    assert [m.text for m in ws.visible(ALERTS)] == ["finding f1", "finding f1"]


def test_reset_closes_before_posting(server: SlackWebApiServer) -> None:
    server.workspace.inject("chat.postMessage", RESET, times=2)
    for _ in range(2):
        with pytest.raises(OSError):
            client(server).chat_postMessage(channel=ALERTS, text="never posted")
    assert server.workspace.visible(ALERTS) == []


def test_server_and_internal_errors(server: SlackWebApiServer) -> None:
    ws, web = server.workspace, client(server)
    ws.inject("chat.update", SERVER_ERROR)
    ws.inject("chat.postMessage", INTERNAL_ERROR)
    assert error_of(web.chat_postMessage, channel=ALERTS, text="x")["error"] == "internal_error"
    ts = web.chat_postMessage(channel=ALERTS, text="x")["ts"]
    assert error_of(web.chat_update, channel=ALERTS, ts=ts, text="y").status_code == 500
    assert [m.text for m in ws.visible(ALERTS)] == ["x"]


# ----- the HTTP-less core and the transcript -----
def test_handle_without_http(server: SlackWebApiServer) -> None:
    ws = server.workspace
    auth = {"Authorization": f"Bearer {ws.bot_token}"}

    def error(method: str, body: bytes, ctype: str) -> str:
        return str(json.loads(ws.handle(method, auth, body, ctype)[2])["error"])

    assert error("chat.nonsense", b"{}", "application/json") == "unknown_method"
    assert error("auth.test", b"{not json", "application/json") == "invalid_json"
    assert error("auth.test", b"a=b", "") == "missing_post_type"
    status, headers, body = ws.handle(
        "chat.postMessage", auth, b"channel=C0ALERTS&text=hi", "application/x-www-form-urlencoded"
    )
    assert (status, headers["Content-Type"], json.loads(body)["ok"]) == (
        200,
        "application/json; charset=utf-8",
        True,
    )
    assert all("token" not in call.params for call in ws.calls)


def test_transcript_shows_roots_edits_replies_broadcasts_and_deletions(
    server: SlackWebApiServer,
) -> None:
    web = client(server)
    root = web.chat_postMessage(channel=ALERTS, text="High: SSH brute force\ncount 1")["ts"]
    web.chat_postMessage(channel=ALERTS, text="details", thread_ts=root)
    web.chat_update(channel=ALERTS, ts=root, text="Critical: SSH brute force, count 9")
    web.chat_postMessage(channel=ALERTS, text="now Critical", thread_ts=root, reply_broadcast=True)
    gone = web.chat_postMessage(channel=ALERTS, text="second finding")["ts"]
    web.chat_delete(channel=ALERTS, ts=gone)
    assert server.workspace.transcript(ALERTS) == "\n".join(
        [
            "#security-alerts (C0ALERTS)",
            "1700000000.000000 U0GD2BOT: High: SSH brute force / count 1",
            "    edited: Critical: SSH brute force, count 9",
            "    > 1700000000.000100 U0GD2BOT: details",
            "    > 1700000000.000300 U0GD2BOT: now Critical [also sent to the channel]",
            "1700000000.000400 U0GD2BOT: second finding [deleted]",
        ]
    )


def test_the_manifest_grants_exactly_the_scopes_the_stand_in_checks() -> None:
    from pathlib import Path

    import yaml

    from gd2slack.local.slack_web_api import BOT_SCOPES
    from gd2slack.local.slack_web_api.model import SCOPES

    manifest = yaml.safe_load((Path(__file__).parents[3] / "slack/manifest.yml").read_text())
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    used = {scope for pair in SCOPES.values() if pair for scope in pair}
    assert granted == set(BOT_SCOPES) == used
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
