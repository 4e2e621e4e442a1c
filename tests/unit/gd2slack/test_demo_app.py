"""``make demo``'s Slack app part: the transcript shows one message per finding, changes threaded,
the escalation broadcast, the lost answer not posted twice, the digested finding's change in the
digest's thread."""

from __future__ import annotations

import pytest

from gd2slack.local.demo_app import run_app_demo


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
    assert "10 roots, 22 thread replies (1 sent to the channel too)" in out
