"""The Block Kit pieces every layout shares: times, the score as sent, word cuts, the header,
fields, context lines and buttons, each at Slack's limit and one past it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.finding import Finding, parse_event
from app.render.blocks import (
    BAND_CHARACTER,
    button,
    context,
    cut_words,
    field,
    header,
    link_button,
    ours_field,
    score_text,
    severity_text,
    slack_date,
    text_size,
    utc,
)
from app.render.parts import Link, ident, ours
from tests.conftest import minimal_event


def _finding(severity: Any) -> Finding:
    return parse_event(minimal_event(severity=severity))


# -- times ---------------------------------------------------------------------------------------
def test_utc_is_minutes_in_utc_or_unknown() -> None:
    assert utc(datetime(2026, 1, 2, 3, 4, 59, tzinfo=UTC)) == "2026-01-02 03:04 UTC"
    assert utc(None) == "unknown"


def test_slack_date_is_a_token_with_the_utc_fallback() -> None:
    moment = datetime(2026, 11, 27, 1, 5, 13, tzinfo=UTC)
    assert slack_date(moment) == (
        "<!date^1795741513^{date_short_pretty} {time}|2026-11-27 01:05 UTC>"
    )
    assert slack_date(None) == "unknown"


def test_slack_date_from_the_epoch_on_and_plain_utc_before_it() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert slack_date(epoch) == "<!date^0^{date_short_pretty} {time}|1970-01-01 00:00 UTC>"
    before = epoch - timedelta(seconds=1)
    assert slack_date(before) == "1969-12-31 23:59 UTC"


# -- the score -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("severity", "shown"),
    [
        (8, "8"),
        (8.0, "8.0"),
        (7.5, "7.5"),
        (0, "0"),
        ("5.5", "5.5"),
        ("8", "8.0"),
        (3.95, "3.95"),
    ],
)
def test_the_score_is_shown_as_sent(severity: Any, shown: str) -> None:
    assert score_text(_finding(severity)) == shown


@pytest.mark.parametrize(
    "severity", [None, True, False, "high", "nan", "NaN", [5], {"v": 5}, "1e999x"]
)
def test_no_score_that_reads_as_a_number_is_none(severity: Any) -> None:
    assert score_text(_finding(severity)) is None
    assert severity_text(_finding(severity)) == "Severity unknown"


def test_a_huge_integer_score_is_none_not_an_error() -> None:
    assert score_text(_finding(10**400)) is None


def test_severity_text_is_band_and_score() -> None:
    assert severity_text(_finding(7.5)) == "High 7.5"
    assert severity_text(_finding(9)) == "Critical 9"
    assert severity_text(_finding(0)) == "Informational 0"


def test_every_band_has_its_character() -> None:
    shown = {severity: BAND_CHARACTER[_finding(severity).band] for severity in (0, 2, 5, 7, 9)}
    assert shown == {0: "⚪", 2: "🔵", 5: "🟡", 7: "🟠", 9: "🔴"}


# -- word cuts and the header ----------------------------------------------------------------------
def test_cut_words_leaves_text_at_the_limit_alone() -> None:
    assert cut_words("abcde", 5) == "abcde"
    assert cut_words("abcdef", 5) == "abcd…"


def test_cut_words_cuts_at_the_last_space_past_half_the_limit() -> None:
    assert cut_words("aaaaaa bbbbbbbb", 10) == "aaaaaa…"  # space at 6 > 5
    assert cut_words("aaaaa bbbbbbbbb", 10) == "aaaaa bbb…"  # space at 5, not past half
    assert cut_words("aaa bbbb cccccc", 10) == "aaa bbbb…"  # the last space of the cut


def test_cut_words_never_leaves_half_an_entity() -> None:
    assert cut_words("x" * 6 + "&amp;yyy", 10) == "xxxxxx…"
    assert cut_words("x" * 3 + "&amp;yyyyyy", 10) == "xxx&amp;y…"


def test_cut_words_never_leaves_the_last_entity_half_cut() -> None:
    """An entity cut in half after a whole one: the half goes, the whole one stays."""
    assert cut_words("&amp;xxx&amp;yyy", 10) == "&amp;xxx…"


def test_cut_words_trims_the_space_before_the_ellipsis_and_keeps_the_start() -> None:
    assert cut_words("a" * 8 + " " + "b" * 5, 10) == "aaaaaaaa…"
    assert cut_words(" " + "a" * 20, 10) == " aaaaaaaa…"


def test_the_header_is_150_characters_at_most_the_prefix_escaped() -> None:
    block = header("A&B · ", "t" * 140)
    assert block == {
        "type": "header",
        "text": {"type": "plain_text", "text": "A&amp;B · " + "t" * 140, "emoji": False},
    }
    cut = header("A&B · ", "t" * 141)["text"]["text"]
    assert len(cut) == 150 and cut == "A&amp;B · " + "t" * 139 + "…"


def test_the_header_title_is_escaped_before_it_is_cut() -> None:
    assert header("", "<b>")["text"]["text"] == "&lt;b&gt;"


# -- fields ---------------------------------------------------------------------------------------
def test_a_field_is_the_bold_label_over_the_value() -> None:
    assert field("Actor", (ident("bob"), ours(" & co"))) == {
        "type": "mrkdwn",
        "text": "*Actor*\nbob &amp; co",
        "verbatim": True,
    }


def test_a_field_defangs_the_given_domains() -> None:
    assert field("Domain", (ident("evil.test"),), ("evil.test",))["text"] == (
        "*Domain*\nevil[.]test"
    )
    assert field("Domain", (ident("a`evil.test"),), ("evil.test",)) == {
        "type": "plain_text",
        "text": "Domain\na`evil[.]test",
        "emoji": False,
    }


def test_a_field_with_a_backtick_is_plain_text_with_the_label_unbolded() -> None:
    assert field("Type", (ident("Odd`type"),)) == {
        "type": "plain_text",
        "text": "Type\nOdd`type",
        "emoji": False,
    }


def test_a_field_value_fits_2000_characters_with_its_label() -> None:
    """The value gets 2000 less the label and 4 (``*``, ``*``, newline and one spare)."""
    label = "L" * 6
    fits = field(label, (ident("v" * 1990),))
    assert fits["type"] == "mrkdwn" and fits["text"] == f"*{label}*\n" + "v" * 1990
    over = field(label, (ident("v" * 1991),))
    assert over == {"type": "mrkdwn", "text": f"*{label}*\n" + "v" * 1989 + "…", "verbatim": True}
    two = (ident("v" * 995), ident("w" * 995))
    assert field(label, two)["text"] == f"*{label}*\n" + "v" * 995 + "w" * 995
    longer = (ident("v" * 995), ident("w" * 996))  # each fits, together they do not: plain
    assert field(label, longer) == {
        "type": "plain_text",
        "text": f"{label}\n" + "v" * 995 + "w" * 994 + "…",
        "emoji": False,
    }


def test_a_field_cut_in_plain_text_fits_too() -> None:
    plain = field("Type", (ident("`" + "v" * 3000),))
    assert plain["text"] == "Type\n`" + "v" * 1990 + "…"


def test_ours_field_is_cut_at_2000() -> None:
    assert ours_field("Count", "12") == {"type": "mrkdwn", "text": "*Count*\n12", "verbatim": True}
    assert len(ours_field("Count", "9" * 3000)["text"]) == 2000


# -- context and buttons ---------------------------------------------------------------------
def test_context_drops_empty_elements_and_keeps_ten() -> None:
    obj = {"type": "plain_text", "text": "x", "emoji": False}
    block = context("a", "", obj, *[str(n) for n in range(20)])
    assert block["type"] == "context"
    assert block["elements"][:2] == [{"type": "mrkdwn", "text": "a", "verbatim": True}, obj]
    assert len(block["elements"]) == 10
    assert block["elements"][-1]["text"] == "7"


def test_a_button_escapes_and_cuts_its_label_at_75() -> None:
    assert button("A<B", "https://x.test/", "act") == {
        "type": "button",
        "text": {"type": "plain_text", "text": "A&lt;B", "emoji": False},
        "url": "https://x.test/",
        "action_id": "act",
    }
    assert button("b" * 75, "u", "a")["text"]["text"] == "b" * 75
    assert button("b" * 76, "u", "a")["text"]["text"] == "b" * 75
    assert button("ok", "u", "a", primary=True)["style"] == "primary"


def test_a_link_button_is_a_plain_button_of_the_link() -> None:
    assert link_button(Link("EC2 instance i-1", "https://x.test/i-1"), "investigate_3") == {
        "type": "button",
        "text": {"type": "plain_text", "text": "EC2 instance i-1", "emoji": False},
        "url": "https://x.test/i-1",
        "action_id": "investigate_3",
    }


def test_text_size_counts_characters_not_bytes() -> None:
    assert text_size([{"a": "é"}, {"b": 1}]) == len('{"a": "é"}') + len('{"b": 1}')
    assert text_size([]) == 0


def test_a_score_field_replaced_by_another_type_is_unknown() -> None:
    finding = dataclasses.replace(_finding(8), detail={"severity": object()})
    assert score_text(finding) is None
