"""The request path up to parsing: size cap, Slack's signature (computed here with hmac),
the timestamp window both ways, replays, team and app. Every refusal is one log line, a
``TriageRefused`` metric by reason, a quick 4xx, and no AWS call beyond the replay mark."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from app.core.triage import TriageAction
from tests.conftest import LogLines
from tests.unit.interactions.harness import (
    ALERTS,
    ALICE,
    APP,
    NOW,
    SECRET,
    TEAM,
    Harness,
    block_actions,
    form,
    harness,
    sign,
    url_event,
)


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws():
        yield from harness()


def emf(capsys: pytest.CaptureFixture[str], name: str) -> list[dict[str, Any]]:
    """The EMF blobs Powertools printed that hold metric ``name``."""
    found = []
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            blob = json.loads(line)
            metrics = blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            if any(m["Name"] == name for m in metrics):
                found.append(blob)
    return found


def refusal(logs: LogLines) -> dict[str, Any]:
    (line,) = [e for e in logs.entries() if e["message"] == "triage refused"]
    return line


def archive_body(h: Harness, **kwargs: Any) -> str:
    return form(block_actions(TriageAction.ARCHIVE, h.target.encode(), **kwargs))


def test_a_valid_signed_press_is_accepted_and_deferred(h: Harness, handler_logs: LogLines) -> None:
    h.expect_invoke()
    body = archive_body(h)
    answer = h.handle(url_event(body, sign(body)))
    assert answer["statusCode"] == 200 and answer["body"] == ""
    assert h.lambda_calls == ["Invoke"] and h.gd_calls == []
    assert not [e for e in handler_logs.entries() if e["message"] == "triage refused"]


def test_a_base64_body_is_verified_as_the_bytes_slack_sent(h: Harness) -> None:
    h.expect_invoke()
    body = archive_body(h)
    answer = h.handle(url_event(body, sign(body), encode=True))
    assert answer["statusCode"] == 200 and h.lambda_calls == ["Invoke"]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong secret", "bad_signature"),
        ("one byte changed", "bad_signature"),
        ("signed as base64 text", "bad_signature"),
        ("stale", "stale_timestamp"),
        ("future", "future_timestamp"),
        ("no signature", "missing_signature"),
        ("no timestamp", "missing_signature"),
        ("not v0", "malformed_signature"),
        ("timestamp not a number", "malformed_signature"),
    ],
)
def test_unverified_requests_are_refused_before_anything(
    h: Harness,
    handler_logs: LogLines,
    capsys: pytest.CaptureFixture[str],
    case: str,
    reason: str,
) -> None:
    body = archive_body(h)
    headers = sign(body)
    event = url_event(body, headers)
    if case == "wrong secret":
        event = url_event(body, sign(body, secret=SECRET[::-1]))
    elif case == "one byte changed":
        event = url_event(body.replace("archive", "archivf", 1), headers)
    elif case == "signed as base64 text":  # the signature covers the bytes, not their encoding
        encoded = url_event(body, encode=True)["body"]
        event = url_event(body, sign(encoded), encode=True)
    elif case == "stale":
        event = url_event(body, sign(body, timestamp=NOW - 301))
    elif case == "future":
        event = url_event(body, sign(body, timestamp=NOW + 301))
    elif case == "no signature":
        del event["headers"]["x-slack-signature"]
    elif case == "no timestamp":
        del event["headers"]["x-slack-request-timestamp"]
    elif case == "not v0":
        event["headers"]["x-slack-signature"] = headers["x-slack-signature"].replace("v0=", "v1=")
    elif case == "timestamp not a number":
        event["headers"]["x-slack-request-timestamp"] = "1e9"
    answer = h.handle(event)
    assert answer["statusCode"] == 401
    line = refusal(handler_logs)
    assert line["reason"] == reason and line["size"] == len(event["body"])
    # Nothing from the request beyond its size and the reason.
    assert set(line) & {"detail", "user_id", "action", "finding_id"} == set()
    assert h.target.finding_id not in json.dumps(handler_logs.entries())
    assert h.lambda_calls == [] and h.gd_calls == [] and h.ws.calls == []
    (blob,) = emf(capsys, "TriageRefused")
    assert blob["reason"] == reason and blob["TriageRefused"] == [1.0]
    assert blob["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service", "reason"]]


def test_the_window_is_five_minutes_each_way(h: Harness) -> None:
    for offset in (-300, 300):
        h.expect_invoke()
        body = archive_body(h, trigger=f"1796000000.{offset + 1000}.x")
        assert h.handle(url_event(body, sign(body, timestamp=NOW + offset)))["statusCode"] == 200
    assert h.lambda_calls == ["Invoke", "Invoke"]


def test_a_replay_of_a_valid_request_is_refused(h: Harness, handler_logs: LogLines) -> None:
    h.expect_invoke()
    body = archive_body(h)
    event = url_event(body, sign(body))
    assert h.handle(event)["statusCode"] == 200
    again = h.handle(json.loads(json.dumps(event)))
    assert again["statusCode"] == 401
    assert refusal(handler_logs)["reason"] == "replay"
    assert h.lambda_calls == ["Invoke"]  # the work was deferred once
    # The mark is in the state table as the stack declares it, with its TTL, and holds no
    # signature in the clear.
    items = h.dynamodb.scan(TableName="interactions-state")["Items"]
    marks = [i for i in items if i["pk"]["S"].startswith("request#")]
    assert len(marks) == 1 and event["headers"]["x-slack-signature"] not in json.dumps(marks)
    assert int(marks[0]["expires_at"]["N"]) > NOW


@pytest.mark.parametrize(("field", "reason"), [("team", "another_team"), ("app", "another_app")])
def test_another_team_or_app_is_refused_even_when_signed(
    h: Harness, handler_logs: LogLines, field: str, reason: str
) -> None:
    other = {"team": TEAM, "app": APP} | {field: "T0OTHER" if field == "team" else "A0OTHER"}
    answer = h.send(block_actions(TriageAction.ARCHIVE, h.target.encode(), **other))
    assert answer["statusCode"] == 403
    assert refusal(handler_logs)["reason"] == reason
    assert h.lambda_calls == [] and h.gd_calls == []


@pytest.mark.parametrize(
    "body",
    ["payload=not-json", "payload=%5B1%2C2%5D", "other=1", "payload=%7B%7D&payload=%7B%7D", ""],
)
def test_a_malformed_payload_is_refused(h: Harness, handler_logs: LogLines, body: str) -> None:
    answer = h.handle(url_event(body, sign(body)))
    assert answer["statusCode"] == 400
    assert refusal(handler_logs)["reason"] == "malformed_payload"
    assert h.lambda_calls == [] and h.gd_calls == []


def test_an_oversized_body_is_refused_before_the_secret_is_even_read(
    h: Harness, handler_logs: LogLines
) -> None:
    read: list[str] = []
    h.interactions.fetch_secret = lambda secret_id: read.append(secret_id) or SECRET
    body = "payload=" + "x" * (128 * 1024)
    for encode in (False, True):
        assert h.handle(url_event(body, sign(body), encode=encode))["statusCode"] == 413
    assert read == [] and h.dynamodb.scan(TableName="interactions-state")["Items"] == []
    assert {e["reason"] for e in handler_logs.entries() if e["message"] == "triage refused"} == {
        "oversized"
    }


def test_only_post_is_accepted(h: Harness) -> None:
    body = archive_body(h)
    assert h.handle(url_event(body, sign(body), method="GET"))["statusCode"] == 405


def test_an_unknown_action_is_refused_and_a_link_click_acknowledged(
    h: Harness, handler_logs: LogLines
) -> None:
    answer = h.send(block_actions("triage_delete_everything", h.target.encode()))
    assert answer["statusCode"] == 400
    assert refusal(handler_logs)["reason"] == "unknown_action"
    # The root's console link: Slack reports the click; we answer 200 and do nothing.
    assert h.send(block_actions("open_console", "", trigger="1.2.x"))["statusCode"] == 200
    assert h.lambda_calls == [] and h.gd_calls == [] and h.ws.calls == []


def test_neither_shape_is_logged_not_crashed(h: Harness, handler_logs: LogLines) -> None:
    assert h.interactions.handle({"Records": []}, None) == {"error": "unrecognised event"}
    assert h.interactions.handle(["not", "a", "mapping"], None) == {"error": "unrecognised event"}
    errors = [e for e in handler_logs.entries() if e["level"] == "ERROR"]
    assert len(errors) == 2 and errors[0]["keys"] == ["Records"]
    assert h.lambda_calls == [] and h.gd_calls == []


def test_triage_off_answers_404(h: Harness) -> None:
    from dataclasses import replace

    h.interactions.config = replace(h.config, signing_secret_id=None)
    body = archive_body(h)
    assert h.handle(url_event(body, sign(body)))["statusCode"] == 404
    assert ALERTS and ALICE  # the harness's names stay importable for the other modules
