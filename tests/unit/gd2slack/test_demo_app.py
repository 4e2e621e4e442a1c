"""``make demo``'s Slack app part: the transcript shows one message per finding, changes threaded,
the escalation broadcast, the lost answer not posted twice, the digested finding's change in the
digest's thread; then one triage press (Archive) end to end, signed as Slack signs, and two
refused requests."""

from __future__ import annotations

import re

import pytest

from gd2slack.local import demo_triage
from gd2slack.local.demo_app import run_app_demo
from gd2slack.local.slack_web_api import SlackWorkspace

PRESSED = "633f89f2e295a5c12f9e3d687a678294"  # the S3 Block Public Access sample
NOTE = f"✅ Archived in GuardDuty by <@{demo_triage.USER}>"


def test_app_demo_prints_each_channel_as_a_transcript(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_app_demo() == 0
    out = capsys.readouterr().out
    assert "#security-alerts (C0ALERTS)" in out and "#security-critical (C0CRITICAL)" in out
    assert (
        out.count("What changed: count 1 → 12") == 1
    )  # accepted, answer lost: found, not re-posted
    assert "What changed: severity Medium → High [also sent to the channel]" in out
    assert out.count("GuardDuty findings (10 Low)") == 1
    assert (
        "    > "
        in out.split("GuardDuty findings (10 Low)")[1].split("What changed: count 1 → 10")[0]
    )
    # the story's 22 replies and 5 edits, and the press's reply and edit
    assert "10 roots, 23 thread replies (1 sent to the channel too), 6 edits" in out


def test_app_demo_presses_archive_end_to_end(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_app_demo() == 0
    out = capsys.readouterr().out
    # In the channel's transcript: the pressed root, edited once, its thread ending in the note.
    lines = out.split("#security-alerts (C0ALERTS)\n")[1].split("\n\n")[0].splitlines()
    (start,) = [n for n, line in enumerate(lines) if line[0] != " " and "S3 Block Public" in line]
    end = next((n for n in range(start + 1, len(lines)) if lines[n][0] != " "), len(lines))
    thread = lines[start + 1 : end]  # the root's edits and thread replies
    assert sum(line.startswith("    edited: ") for line in thread) == 1
    assert re.fullmatch(
        rf"    > \d+\.\d+ U0GD2BOT: {re.escape(NOTE)} · <!date\^\d+\^.*", thread[-1]
    )
    assert out.count(NOTE) == 3  # the reply in the transcript, the root's note, the reply again
    triage = out.split("\nTriage: ")[1]
    assert triage.startswith(f"{demo_triage.USER} (user group S0ONCALL, allowed to archive)")
    assert " presses Archive on root " in triage
    assert "function URL event (base64 body) → HTTP 200" in triage
    assert "Lambda Invoke (Event) gd2slack_triage archive → the work path: ok" in triage
    assert f"FindingIds=[{PRESSED}]" in triage
    assert f"root now: Status: Archived in GuardDuty; {NOTE} · " in triage
    assert "root's buttons now: Unarchive, Useful, Not useful," in triage
    assert f"thread reply: {NOTE} · " in triage
    assert f"audit: user {demo_triage.USER}, action archive, finding {PRESSED}, result ok" in triage
    assert "the same body replayed → HTTP 401 (replay)" in triage
    assert "signed with another secret → HTTP 401 (bad_signature)" in triage
    assert "NOT AS EXPECTED" not in triage


def test_app_demo_fails_when_the_press_is_not_done(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exit code carries the press: nobody on call, the press is refused, the demo says
    what did not happen and exits 1."""
    prepare = demo_triage.prepare

    def nobody_on_call(ws: SlackWorkspace, channel: str) -> str:
        secret = prepare(ws, channel)
        ws.usergroups[demo_triage.ONCALL] = []
        return secret

    monkeypatch.setattr(demo_triage, "prepare", nobody_on_call)
    assert run_app_demo() == 1
    out = capsys.readouterr().out
    assert (
        "NOT AS EXPECTED: the work was done, the root says so, a thread reply, one audit line"
        in out
    )
    assert f"action archive, finding {PRESSED}, result not_allowed" in out
