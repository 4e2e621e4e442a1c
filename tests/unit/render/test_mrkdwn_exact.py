"""The escaping contract, exactly: what ``clean`` drops and keeps, which hosts and schemes are
defanged and how, the three escapes, truncation at its limit and around entities, and each
trust's text object (docs/architecture.md#text-safety)."""

from __future__ import annotations

import pytest

from app.render.mrkdwn import (
    clean,
    defang,
    defang_domains,
    defang_schemes,
    escape,
    free_text,
    mrkdwn,
    needs_plain,
    notification,
    part_mrkdwn,
    parts_display,
    parts_mrkdwn,
    parts_object,
    parts_plain,
    plain_text,
    prose,
    prose_mrkdwn,
    truncate,
    unescape,
)
from app.render.parts import command, ident, ours, untrusted

# --- clean -----------------------------------------------------------------------------------


def test_clean_collapses_runs_of_spaces_and_strips() -> None:
    assert clean("  a   b  c ") == "a b c"
    assert clean("a b") == "a b"


@pytest.mark.parametrize(
    "char",
    ["\x00", "\x7f", "\x85", "\u200b", "\u202e", "\ue000", "\ud800", "\u0378", "\u2028", "\u2029"],
)
def test_clean_drops_each_invisible_category(char: str) -> None:
    assert clean(f"a{char}b") == "ab"
    assert clean(f"a{char}b", multiline=True) == "ab"


def test_clean_keeps_other_non_printable_characters() -> None:
    assert clean("a\u00a0b\u3000c") == "a\u00a0b\u3000c"


def test_clean_newlines_and_tabs_become_spaces_unless_multiline() -> None:
    assert clean("a\nb\tc\rd") == "a b c d"
    assert clean("a\nb\tc\rd", multiline=True) == "a\nb c d"
    assert clean("a \x00 b") == "a b"


def test_clean_multiline_keeps_at_most_one_blank_line() -> None:
    assert clean("a\n\nb", multiline=True) == "a\n\nb"
    assert clean("a\n\n\nb", multiline=True) == "a\n\nb"
    assert clean("a\n\n\n\n\nb\u200b", multiline=True) == "a\n\nb"
    assert clean("\na\n", multiline=True) == "a"


# --- defanging -------------------------------------------------------------------------------


def test_defang_hosts_and_http_schemes() -> None:
    assert defang("https://evil.com/x") == "hxxps[://]evil[.]com/x"
    assert defang("HTTPS://Evil.COM") == "hxxpS[://]Evil[.]COM"
    assert defang("Http://a.b.example") == "hxxp[://]a[.]b[.]example"
    assert defang("see sub-1.evil_x.org.") == "see sub-1[.]evil_x[.]org."
    assert defang("punycode a.xn--p1ai") == "punycode a[.]xn--p1ai"


def test_defang_keeps_ips_numbers_and_instance_types() -> None:
    text = "10.0.0.1 v1.2 t3.micro m5.2xlarge c7g.metal-48xl r6i.xlarge a1.medium t4g.nano x.small"
    assert defang(text) == text
    assert defang("t3.micro.evil.com") == "t3[.]micro[.]evil[.]com"
    assert defang("t3.mega") == "t3[.]mega"


def test_defang_other_schemes_only_breaks_the_separator() -> None:
    assert defang_schemes("s3://bucket/key") == "s3[://]bucket/key"
    assert defang_schemes("ftp:/x FTP:///y") == "ftp[://]x FTP[://]y"
    assert defang_schemes("x://y") == "x://y"  # one letter is no scheme
    assert defang_schemes("abcdefghijklmnop://y") == "abcdefghijklmnop[://]y"  # 16 characters
    assert defang_schemes("abcdefghijklmnopq://y") == "abcdefghijklmnopq://y"
    assert defang_schemes("time 10:30") == "time 10:30"


def test_defang_domains_only_the_given_ones_longest_first_any_case() -> None:
    domains = ["evil.com", "sub.evil.com", "nodot", "evil.com"]
    text = "SUB.EVIL.COM, evil.com, good.com, evilxcom, nodot, https://x"
    assert defang_domains(text, domains) == (
        "SUB[.]EVIL[.]COM, evil[.]com, good.com, evilxcom, nodot, hxxps[://]x"
    )
    assert defang_domains("sub.evil.com", ["evil.com", "sub.evil.com"]) == "sub[.]evil[.]com"
    assert defang_domains("a.b", []) == "a.b"


# --- escapes and truncation ------------------------------------------------------------------


def test_escape_and_unescape_the_three_entities() -> None:
    assert escape("a&b<c>d") == "a&amp;b&lt;c&gt;d"
    assert escape("&lt;") == "&amp;lt;"
    assert unescape("a&amp;b&lt;c&gt;d") == "a&b<c>d"
    assert unescape(escape("&lt;&gt;&amp;")) == "&lt;&gt;&amp;"


def test_truncate_at_the_limit_and_one_past() -> None:
    assert truncate("abcde", 5) == "abcde"
    assert truncate("abcdef", 5) == "abcd…"
    assert truncate("ab", 1) == "…"
    assert truncate("ab", 0) == ""
    assert truncate("", 0) == ""
    assert truncate("ab", -1) == ""


def test_truncate_never_leaves_half_an_entity() -> None:
    text = "ab&amp;cd"
    assert truncate(text, 4) == "ab…"
    assert truncate(text, 5) == "ab…"
    assert truncate(text, 7) == "ab…"
    assert truncate(text, 8) == "ab&amp;…"
    assert truncate("&lt;xyz", 4) == "…"
    # a bare "&" with five characters after it is no entity: cut there as anywhere
    assert truncate("a&bcdefgh", 7) == "a&bcde…"
    assert truncate("a&bcdefgh", 6) == "a…"
    assert truncate("&x;yzuvw", 6) == "&x;yz…"


def test_text_objects() -> None:
    assert mrkdwn("t") == {"type": "mrkdwn", "text": "t", "verbatim": True}
    assert plain_text("t") == {"type": "plain_text", "text": "t", "emoji": False}
    assert plain_text("t", emoji=True) == {"type": "plain_text", "text": "t", "emoji": True}


# --- parts -----------------------------------------------------------------------------------


def test_ours_is_escaped_but_otherwise_as_written() -> None:
    assert part_mrkdwn(ours("  *bold*  & <x>\n"), 5) == "  *bold*  &amp; &lt;x&gt;\n"
    assert parts_display([ours("  a  ")]) == "  a  "


def test_identifier_exact_escaped_in_a_span_only_when_it_could_format() -> None:
    assert part_mrkdwn(ident("i-0abc"), 100) == "i-0abc"
    for value in ("a*b", "a_b", "a~b", "a:b"):
        assert part_mrkdwn(ident(value), 100) == f"`{value}`"
    assert part_mrkdwn(ident(" a  <b> "), 100) == "a &lt;b&gt;"
    assert part_mrkdwn(ident("abcdef"), 5) == "abcd…"


def test_identifier_defangs_the_findings_domains_only_when_given() -> None:
    assert part_mrkdwn(ident("evil.com/x"), 100, ["evil.com"]) == "evil[.]com/x"
    assert part_mrkdwn(ident("evil.com/x"), 100) == "evil.com/x"
    assert parts_display([ident("evil.com")], ["evil.com"]) == "evil[.]com"


def test_untrusted_is_cleaned_and_defanged() -> None:
    assert part_mrkdwn(untrusted(" curl  a.io\n"), 100) == "curl a[.]io"
    # the defanged scheme holds a colon: a code span, so it cannot format
    assert part_mrkdwn(untrusted("curl https://a.io"), 100) == "`curl hxxps[://]a[.]io`"


def test_command_is_a_code_block_keeping_its_lines_within_the_limit() -> None:
    assert part_mrkdwn(command("aws x\n  --y <z>"), 100) == "```aws x\n --y &lt;z&gt;```"
    assert part_mrkdwn(command("abcdefghij"), 16) == "```abcdefghij```"
    assert part_mrkdwn(command("abcdefghij"), 15) == "```abcdefgh…```"
    assert part_mrkdwn(command("abcdefghij"), 3) == "```…```"
    assert part_mrkdwn(command("https://a.io"), 100) == "```https://a.io```"


def test_needs_plain_for_a_backtick_in_anything_but_ours() -> None:
    assert not needs_plain([ours("`x`"), ident("a")])
    assert needs_plain([ours("a"), ident("a`b")])
    assert needs_plain([untrusted("`")])
    assert needs_plain([command("a`b")])
    assert not needs_plain([])


def test_parts_plain_joins_escapes_and_cuts() -> None:
    parts = [ours("Key "), ident("a*b"), ours(" via "), untrusted("x.io")]
    assert parts_plain(parts, 100) == "Key a*b via x[.]io"
    assert parts_plain([ident("<abcdef>")], 6) == "&lt;a…"
    assert parts_plain([ident("abcdefgh")], 6) == "abcde…"
    assert parts_plain([ident("evil.com")], 100, ["evil.com"]) == "evil[.]com"


def test_parts_mrkdwn_within_the_limit_else_none() -> None:
    assert parts_mrkdwn([ours("On "), ident("i-1")], 6) == "On i-1"
    assert parts_mrkdwn([ours("On "), ident("i-1")], 5) is None
    assert parts_mrkdwn([ident("a:b")], 5) == "`a:b`"
    assert parts_mrkdwn([ident("a:b")], 4) is None  # the span's backticks count
    assert parts_mrkdwn([ident("a`b")], 100) is None
    assert parts_mrkdwn([ident("evil.com")], 100, ["evil.com"]) == "evil[.]com"


def test_parts_object_mrkdwn_or_plain_text() -> None:
    assert parts_object([ident("a:b")], 10) == {"type": "mrkdwn", "text": "`a:b`", "verbatim": True}
    assert parts_object([ident("a`b")], 10) == {"type": "plain_text", "text": "a`b", "emoji": False}
    assert parts_object([ident("a:b")], 4) == {"type": "plain_text", "text": "a:b", "emoji": False}
    assert parts_object([ident("evil.com`")], 100, ["evil.com"])["text"] == "evil[.]com`"
    assert parts_object([ident("evil.com")], 100, ["evil.com"])["text"] == "evil[.]com"


def test_parts_display_nothing_escaped() -> None:
    assert parts_display([ours("a <b> "), ident("c&d"), untrusted("e.io")]) == "a <b> c&de[.]io"


# --- free text -------------------------------------------------------------------------------


def test_free_text_keeps_lines_unless_told_defangs_schemes_and_domains() -> None:
    text = "Line one  evil.com\n\n\n\nhttps://good.org"
    assert free_text(text, ["evil.com"]) == "Line one evil[.]com\n\nhxxps[://]good.org"
    assert free_text(text, multiline=False) == "Line one evil.com hxxps[://]good.org"
    assert free_text(" a ") == "a"


def test_prose_is_escaped_plain_text_cut_at_its_limit() -> None:
    assert prose("a <b>\nc evil.com", 100, ["evil.com"]) == {
        "type": "plain_text",
        "text": "a &lt;b&gt;\nc evil[.]com",
        "emoji": False,
    }
    assert prose("abcdef", 5)["text"] == "abcd…"
    assert prose("abcde", 5)["text"] == "abcde"


@pytest.mark.parametrize(
    "text",
    ["*b*", "_i_", "~s~", "a`b", "yes :tada: ok", ":+1:", ":a-b_c:", "> quote", "a\n  > quote"],
)
def test_prose_mrkdwn_refuses_what_slack_would_format(text: str) -> None:
    assert prose_mrkdwn(text, 100) is None


def test_prose_mrkdwn_keeps_text_slack_would_not_format() -> None:
    assert prose_mrkdwn("at 10:30 a > b\nc & d", 100) == "at 10:30 a &gt; b\nc &amp; d"
    assert prose_mrkdwn("x evil.com", 100, ["evil.com"]) == "x evil[.]com"
    assert prose_mrkdwn("abcdef", 5) == "abcd…"
    assert prose_mrkdwn("a: b :c", 100) == "a: b :c"


def test_notification_cleans_escapes_defangs_and_cuts() -> None:
    assert notification("New <!here>\nhttps://evil.com  t3.micro", 100) == (
        "New &lt;!here&gt; hxxps[://]evil[.]com t3.micro"
    )
    assert notification("abcdef", 5) == "abcd…"


def test_clean_turns_only_newlines_tabs_and_returns_into_spaces() -> None:
    assert clean("X\x00Y") == "XY"
    assert clean("X\x00Y\nZ") == "XY Z"


def test_defang_domains_the_longest_first_even_when_it_sorts_first() -> None:
    assert defang_domains("a.evil.com", ["evil.com", "a.evil.com"]) == "a[.]evil[.]com"
    assert defang_domains("a.evil.com", ["a.evil.com", "evil.com"]) == "a[.]evil[.]com"


def test_truncate_without_an_entity_cuts_at_the_limit() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abcdef", 2) == "a…"


def test_truncate_keeps_a_whole_short_entity() -> None:
    assert truncate("a&lt;bc", 6) == "a&lt;…"
    assert truncate("a&gt;bcd", 6) == "a&gt;…"


def test_identifier_without_domains_keeps_its_scheme() -> None:
    assert part_mrkdwn(ident("https://a.io"), 100) == "`https://a.io`"
    assert parts_display([ident("https://a.io")]) == "https://a.io"
    assert parts_display([ident("https://a.io")], ["b.io"]) == "hxxps[://]a.io"
