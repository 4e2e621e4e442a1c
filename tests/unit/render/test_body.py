"""The details under the lead, exactly: each value by its trust, the section's lines and its
length limit at the boundary, the order of the two sides, the room kept for next steps, the
"+N more" lines, and the next steps block itself."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.core.finding import Finding, parse_event
from app.render import body
from app.render.blocks import SECTION_LIMIT, text_size
from app.render.body import (
    PROSE_VALUE_LIMIT,
    VALUE_LIMIT,
    description_block,
    detail_blocks,
    next_steps_blocks,
    section_block,
)
from app.render.details import Detail, DetailSection
from app.render.next_steps import NextSteps
from app.render.parts import Link, command, ident, ours
from tests.conftest import load_event

DOMAINS = ("evil.example.com",)
MORE = "open the finding in the console"


def _text(block: dict[str, Any] | None) -> tuple[str, str]:
    assert block is not None
    return block["text"]["type"], block["text"]["text"]


def _one(item: Detail, domains: tuple[str, ...] = DOMAINS) -> tuple[str, str]:
    return _text(section_block(DetailSection("T", (item,)), domains))


def _plain(item: Detail, domains: tuple[str, ...] = DOMAINS) -> str:
    """The item's line when a backtick elsewhere in the section makes it plain_text."""
    forced = Detail("Quote", "a`b")
    kind, text = _text(section_block(DetailSection("T", (forced, item)), domains))
    assert kind == "plain_text"
    title, first, line = text.split("\n", 2)
    assert (title, first) == ("T", "Quote: a`b")
    return line


# --- one value by its trust ----------------------------------------------------------------


def test_section_in_mrkdwn_bold_title_and_labels() -> None:
    sect = DetailSection("Title & co", (Detail("Id", "i-1"), Detail("A<b", "x")))
    assert _text(section_block(sect, ())) == ("mrkdwn", "*Title &amp; co*\n*Id:* i-1\n*A&lt;b:* x")


def test_identifier_value_exact_in_a_code_span_when_it_could_format() -> None:
    assert _one(Detail("Arn", "a:b")) == ("mrkdwn", "*T*\n*Arn:* `a:b`")


def test_identifier_value_defangs_only_the_findings_attacker_domains() -> None:
    value = "evil.example.com/x and good.example.org"
    assert _one(Detail("Host", value)) == (
        "mrkdwn",
        "*T*\n*Host:* evil[.]example[.]com/x and good.example.org",
    )
    assert _one(Detail("Host", value), ()) == ("mrkdwn", f"*T*\n*Host:* {value}")


def test_untrusted_value_defangs_every_hostname() -> None:
    item = Detail("Agent", "curl good.example.org", untrusted=True)
    assert _one(item, ()) == ("mrkdwn", "*T*\n*Agent:* curl good[.]example[.]org")


def test_prose_value_as_written_without_a_code_span_domains_defanged() -> None:
    item = Detail("Says", "see: evil.example.com now", prose=True)
    assert _one(item) == ("mrkdwn", "*T*\n*Says:* see: evil[.]example[.]com now")


def test_untrusted_prose_is_defanged_like_untrusted() -> None:
    item = Detail("Agent", "a good.example.org", prose=True, untrusted=True)
    assert _one(item, ()) == ("mrkdwn", "*T*\n*Agent:* a good[.]example[.]org")


def test_value_limits_identifier_300_prose_700() -> None:
    assert _one(Detail("Id", "x" * VALUE_LIMIT))[1] == "*T*\n*Id:* " + "x" * 300
    assert _one(Detail("Id", "x" * 301))[1] == "*T*\n*Id:* " + "x" * 299 + "…"
    prose_item = Detail("Says", "y" * PROSE_VALUE_LIMIT, prose=True)
    assert _one(prose_item)[1] == "*T*\n*Says:* " + "y" * 700
    assert _one(Detail("Says", "y" * 701, prose=True))[1] == "*T*\n*Says:* " + "y" * 699 + "…"


# --- the same in plain_text ------------------------------------------------------------------


def test_plain_identifier_one_line_domains_defanged() -> None:
    assert _plain(Detail("Id", "evil.example.com\nnext")) == "Id: evil[.]example[.]com next"
    assert _plain(Detail("Id", "evil.example.com"), ()) == "Id: evil.example.com"


def test_plain_prose_keeps_its_newlines_domains_defanged() -> None:
    item = Detail("Says", "*bold* evil.example.com\nnext", prose=True)
    assert _plain(item) == "Says: *bold* evil[.]example[.]com\nnext"


def test_plain_untrusted_prose_is_one_line_every_host_defanged() -> None:
    item = Detail("Agent", "x good.example.org\nnext", prose=True, untrusted=True)
    assert _plain(item, ()) == "Agent: x good[.]example[.]org next"


def test_plain_limits_identifier_300_prose_700() -> None:
    assert _plain(Detail("Id", "x" * 301)) == "Id: " + "x" * 299 + "…"
    assert _plain(Detail("Says", "y" * 701, prose=True)) == "Says: " + "y" * 699 + "…"
    assert _plain(Detail("Says", "y" * 700, prose=True)) == "Says: " + "y" * 700


def test_prose_that_would_format_makes_the_section_plain_with_its_title() -> None:
    sect = DetailSection("Title", (Detail("Id", "i-1"), Detail("Says", "*x*", prose=True)))
    assert _text(section_block(sect, ())) == ("plain_text", "Title\nId: i-1\nSays: *x*")


# --- what is shown and what is counted -------------------------------------------------------


def test_empty_section_is_no_block() -> None:
    assert section_block(DetailSection("T", ()), ()) is None
    assert section_block(DetailSection("T", (Detail("More fields", "+3 more"),)), ()) is None


def test_eight_items_then_the_count_of_the_rest() -> None:
    items = tuple(Detail(f"L{n}", f"v{n}") for n in range(10))
    _kind, text = _text(section_block(DetailSection("T", items), ()))
    assert text.split("\n") == [
        "*T*",
        *(f"*L{n}:* v{n}" for n in range(8)),
        f"+2 more fields: {MORE}",
    ]


def test_one_more_field_singular_counting_hidden_and_more_items() -> None:
    sect = DetailSection("T", (Detail("A", "a"),), hidden=1)
    assert _text(section_block(sect, ()))[1] == f"*T*\n*A:* a\n+1 more field: {MORE}"
    with_more = DetailSection("T", (Detail("A", "a"), Detail("More fields", "+2 more")), hidden=3)
    assert _text(section_block(with_more, ()))[1] == f"*T*\n*A:* a\n+5 more fields: {MORE}"


def _long_section(last: int) -> DetailSection:
    """Title (3) and four 706-character lines: 2831 characters with newlines; then one more."""
    items = [Detail(f"P{n}", "x" * 700, prose=True) for n in range(4)]
    return DetailSection("T", (*items, Detail("Q", "z" * last, prose=True)))


def test_section_text_limit_is_kept_at_2940_characters() -> None:
    # the last line "*Q:* " + 103 characters brings the text to exactly 2940 = SECTION_LIMIT - 60
    kind, text = _text(section_block(_long_section(103), ()))
    assert (kind, len(text)) == ("mrkdwn", SECTION_LIMIT - 60)
    assert text.endswith("\n*Q:* " + "z" * 103)


def test_section_text_limit_one_past_drops_the_line_and_counts_it() -> None:
    _kind, text = _text(section_block(_long_section(104), ()))
    lines = text.split("\n")
    assert lines[-1] == f"+1 more field: {MORE}"
    assert lines[:-1] == ["*T*", *(f"*P{n}:* " + "x" * 700 for n in range(4))]


# --- findings --------------------------------------------------------------------------------


def _finding(name: str = "ec2-ssh-brute-force.json", **detail: Any) -> Finding:
    event = copy.deepcopy(load_event(name))
    event["detail"].update(detail)
    return parse_event(event)


def _titles(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"].split("\n")[0] for b in blocks if b["type"] == "section"]


def test_actor_side_first_for_most_types() -> None:
    blocks = detail_blocks(_finding(), 50, 10_000)
    assert _titles(blocks)[1:3] == ["*Network connection (inbound)*", "*EC2 instance*"]


@pytest.mark.parametrize("kind", ["Execution:EC2/MaliciousFile", "AttackSequence:EC2/Thing"])
def test_resource_side_first_for_malware_and_attack_sequences(kind: str) -> None:
    blocks = detail_blocks(_finding(type=kind), 50, 10_000)
    assert _titles(blocks)[1:3] == ["*EC2 instance*", "*Network connection (inbound)*"]


def test_description_exact_as_plain_text_attacker_domains_defanged() -> None:
    finding = _finding(
        "ec2-c2-dns.json", description="Queried kq7v2x9d.update-cdn.example.net <!here>"
    )
    assert description_block(finding, ("kq7v2x9d.update-cdn.example.net",)) == {
        "type": "section",
        "text": {
            "type": "plain_text",
            "text": "Queried kq7v2x9d[.]update-cdn[.]example[.]net &lt;!here&gt;",
            "emoji": False,
        },
    }
    blocks = detail_blocks(finding, 50, 10_000)
    assert blocks[0]["text"]["text"].startswith("Queried kq7v2x9d[.]update-cdn[.]example[.]net")
    assert description_block(_finding(description=" \n "), ()) is None


def _room(finding: Finding) -> tuple[int, list[dict[str, Any]]]:
    """The characters that exactly fit everything, and all the blocks."""
    everything = detail_blocks(finding, 50, 100_000)
    tail = next_steps_blocks(finding)
    assert len(tail) == 2 and everything[-2:] == tail
    return text_size(everything[:-2]) + text_size(tail) + 200, everything


def test_all_blocks_when_they_fit_description_sections_next_steps_no_more_line() -> None:
    finding = _finding()
    chars, everything = _room(finding)
    assert [b["type"] for b in everything] == ["section"] * 4 + ["actions"]
    assert _titles(everything)[3] == "*Next steps: EC2 instance targeted*"
    # blocks: description and two sections, next steps (2) and room for the "+N more" line
    assert detail_blocks(finding, 6, chars) == everything


def test_one_block_too_few_leaves_out_the_last_section_and_says_so() -> None:
    finding = _finding()
    _chars, everything = _room(finding)
    blocks = detail_blocks(finding, 5, 100_000)
    assert blocks[:2] == everything[:2]
    assert blocks[2] == {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": f"+1 more detail section: {MORE}", "verbatim": True}
        ],
    }
    assert blocks[3:] == everything[-2:]


def test_two_blocks_too_few_count_two_sections() -> None:
    blocks = detail_blocks(_finding(), 4, 100_000)
    assert blocks[1]["elements"][0]["text"] == f"+2 more detail sections: {MORE}"
    assert len(blocks) == 4


def test_one_character_too_few_leaves_out_the_last_section() -> None:
    finding = _finding()
    chars, everything = _room(finding)
    blocks = detail_blocks(finding, 50, chars - 1)
    assert blocks[:2] == everything[:2]
    assert blocks[2]["elements"][0]["text"] == f"+1 more detail section: {MORE}"
    assert blocks[3:] == everything[-2:]


def test_sections_past_six_a_side_are_counted() -> None:
    event = load_event("ec2-ssh-brute-force.json")
    resource = event["detail"]["resource"]
    many = {
        **resource,
        "accessKeyDetails": {"accessKeyId": "AKIAEXAMPLE", "userName": "u"},
        "s3BucketDetails": [{"name": "b"}],
        "eksClusterDetails": {"name": "c"},
        "lambdaDetails": {"functionName": "f"},
        "rdsDbInstanceDetails": {"dbInstanceIdentifier": "d"},
        "containerDetails": {"name": "n"},
        "ecsClusterDetails": {"name": "e"},
    }
    finding = _finding(resource=many)
    shown = body.resource_sections(finding.detail, limit=None)
    assert len(shown) > 6
    blocks = detail_blocks(finding, 50, 100_000)
    more = [b for b in blocks if b["type"] == "context"]
    n = len(shown) - 6
    assert more[0]["elements"][0]["text"] == f"+{n} more detail sections: {MORE}"


def test_a_section_with_nothing_to_show_is_skipped_the_next_still_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = DetailSection("Empty", (Detail("More fields", "+1 more"),))
    after = DetailSection("After", (Detail("Id", "i-1"),))
    monkeypatch.setattr(body, "actor_sections", lambda _detail, limit: [empty, after])
    blocks = detail_blocks(_finding(description=""), 50, 100_000)
    assert _titles(blocks)[:2] == ["*After*", "*EC2 instance*"]


# --- next steps ------------------------------------------------------------------------------


def test_next_steps_of_a_finding_numbered_lines_then_the_guide_button() -> None:
    blocks = next_steps_blocks(_finding())
    kind, text = _text(blocks[0])
    lines = text.split("\n")
    assert kind == "mrkdwn" and lines[0] == "*Next steps: EC2 instance targeted*"
    assert [line[:3] for line in lines[1:]] == ["1. ", "2. ", "3. ", "4. "]
    assert lines[3].endswith(
        "```aws guardduty start-malware-scan --resource-arn "
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-04e2d9a7c1b3f8e26 --region eu-west-1```"
    )
    assert blocks[1] == {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Remediation guide", "emoji": False},
                "url": "https://docs.aws.amazon.com/guardduty/latest/ug/compromised-ec2.html",
                "action_id": "next_steps_doc",
            }
        ],
    }


def _steps(monkeypatch: pytest.MonkeyPatch, *steps: tuple[Any, ...]) -> list[dict[str, Any]]:
    doc = Link("Guide", "https://docs.aws.amazon.com/guardduty/")
    made = NextSteps("A & B", tuple(steps), doc)
    monkeypatch.setattr(body, "next_steps", lambda _finding: made)
    return next_steps_blocks(_finding())


def test_next_steps_parts_joined_each_by_its_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _steps(
        monkeypatch,
        (ours("Stop "), ident("i-1"), ours(" now")),
        (ours("Run: "), command("aws x <y>")),
    )
    assert _text(blocks[0]) == (
        "mrkdwn",
        "*Next steps: A &amp; B*\n1. Stop i-1 now\n2. Run: ```aws x &lt;y&gt;```",
    )


def test_no_steps_no_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _steps(monkeypatch) == []
    monkeypatch.setattr(body, "next_steps", lambda _finding: None)
    assert next_steps_blocks(_finding()) == []


def test_a_command_is_at_most_1000_characters_with_its_fences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocks = _steps(monkeypatch, (command("x" * 1500),))
    line = _text(blocks[0])[1].split("\n")[1]
    assert line == "1. ```" + "x" * 993 + "…```"


def test_a_backtick_in_our_words_stays_mrkdwn(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _steps(monkeypatch, (ours("Use `x`"),))
    assert _text(blocks[0]) == ("mrkdwn", "*Next steps: A &amp; B*\n1. Use `x`")


def test_a_backtick_in_an_identifier_makes_the_steps_plain_text_exact(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blocks = _steps(
        monkeypatch,
        (ours("Check "), ident("a`b<c>")),
        (ours("Run "), command("aws y")),
    )
    assert _text(blocks[0]) == (
        "plain_text",
        "Next steps: A &amp; B\n1. Check a`b&lt;c&gt;\n2. Run aws y",
    )
    assert blocks[1]["elements"][0]["action_id"] == "next_steps_doc"


def test_plain_steps_at_most_1000_characters_each_and_3000_in_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    one = _text(_steps(monkeypatch, (ident("`" + "x" * 1500),))[0])[1]
    assert one == "Next steps: A &amp; B\n1. `" + "x" * 998 + "…"
    four = _text(_steps(monkeypatch, *[(ident("`" + "x" * 1500),)] * 4)[0])[1]
    assert len(four) == SECTION_LIMIT and four.endswith("x…")
    assert four.split("\n")[:3] == [
        "Next steps: A &amp; B",
        "1. `" + "x" * 998 + "…",
        "2. `" + "x" * 998 + "…",
    ]
