"""The verdict's pieces, exactly: which values are identifiers and how they read, the 512-character
cut, ``Noun name (id)``, lists with "+N more", the remote side, and the time span."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.render.parts import ident, ours, untrusted
from app.render.verdict.words import (
    MAX_SHOWN,
    bracketed,
    count_of,
    either,
    field,
    ip_of,
    listed,
    moment,
    named,
    plural,
    remote,
    shown,
    span,
    word,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" web-1 ", "web-1"),
        ("", ""),
        (22, "22"),
        (0, "0"),
        (-(2**63), str(-(2**63))),
        (2**63 - 1, str(2**63 - 1)),
        (2**63, ""),
        (-(2**63) - 1, ""),
        (22.0, "22"),
        (-3.0, "-3"),
        (999_999_999_999_999.0, "999999999999999"),
        (1e15, ""),
        (-1e15, ""),
        (22.5, ""),
        (float("inf"), ""),
        (True, ""),
        (False, ""),
        (None, ""),
        ({"a": 1}, ""),
        (["a"], ""),
    ],
)
def test_word_is_a_string_or_a_whole_number_as_json_writes_it(value: object, expected: str) -> None:
    assert word(value) == expected


def test_field_follows_objects_and_reads_the_last_member() -> None:
    details = {"a": {"b": {"c": " deep "}}, "l": [{"k": 7}, {"k": 8}], "n": 5}
    assert field(details, "a", "b", "c") == "deep"
    assert field(details, "l", "k") == "7"
    assert field(details, "n") == "5"
    assert field(details, "a", "b") == ""
    assert field(details, "missing", "c") == ""
    assert field(details) == ""


def test_either_is_the_first_key_with_an_identifier() -> None:
    assert either({"a": "", "b": True, "c": 0, "d": "x"}, "a", "b", "c", "d") == "0"
    assert either({"a": "x", "b": "y"}, "b", "a") == "y"
    assert either({}, "a") == ""


def test_shown_cuts_past_512_characters_with_our_ellipsis() -> None:
    assert shown("") == ()
    assert shown("x" * MAX_SHOWN) == (ident("x" * 512),)
    assert shown("x" * 513) == (ident("x" * 511), ours("…"))
    assert shown("evil.com", untrusted) == (untrusted("evil.com"),)
    assert shown("y" * 600, untrusted) == (untrusted("y" * 511), ours("…"))


def test_named_noun_name_and_id() -> None:
    assert named("Instance", "web", "i-1") == (
        ours("Instance "),
        ident("web"),
        ours(" ("),
        ident("i-1"),
        ours(")"),
    )
    assert named("Instance", "i-1", "i-1") == (ours("Instance "), ident("i-1"))
    assert named("Instance", "", "i-1") == (ours("Instance "), ident("i-1"))
    assert named("Instance", "web", "") == (ours("Instance "), ident("web"))
    assert named("Instance", "", "") == ()


def test_listed_distinct_three_then_how_many_more() -> None:
    assert listed(["a", "", "b", "a"]) == (ident("a"), ours(", "), ident("b"))
    assert listed(["a", "b", "c"]) == (ident("a"), ours(", "), ident("b"), ours(", "), ident("c"))
    assert listed(["a", "b", "c", "d", "e"]) == (
        ident("a"),
        ours(", "),
        ident("b"),
        ours(", "),
        ident("c"),
        ours(" (+2 more)"),
    )
    assert listed(["a", "b"], limit=1, sep=" / ") == (ident("a"), ours(" (+1 more)"))
    assert listed(["a", "b"], sep=" / ") == (ident("a"), ours(" / "), ident("b"))
    assert listed([]) == ()


def test_bracketed_only_the_facts_that_have_parts() -> None:
    assert bracketed((), ()) == ()
    assert bracketed() == ()
    assert bracketed((ident("a"),), (), (ident("b"), ours("!"))) == (
        ours(" ("),
        ident("a"),
        ours(", "),
        ident("b"),
        ours("!"),
        ours(")"),
    )
    assert bracketed((), (ident("b"),)) == (ours(" ("), ident("b"), ours(")"))


def test_ip_of_v4_else_v6() -> None:
    assert ip_of({"ipAddressV4": "198.51.100.7", "ipAddressV6": "2001:db8::1"}) == "198.51.100.7"
    assert ip_of({"ipAddressV4": "", "ipAddressV6": "2001:db8::1"}) == "2001:db8::1"
    assert ip_of([{"ipAddressV6": "2001:db8::2"}]) == "2001:db8::2"
    assert ip_of("198.51.100.7") == ""


def test_remote_ip_then_organisation_and_country() -> None:
    full = {
        "ipAddressV4": "198.51.100.7",
        "organization": {"org": "", "asnOrg": "Example AS", "isp": "Example ISP"},
        "country": {"countryCode": "", "countryName": "Germany"},
    }
    assert remote(full) == (
        ident("198.51.100.7"),
        ours(" ("),
        ident("Example AS"),
        ours(", "),
        ident("Germany"),
        ours(")"),
    )
    org_first = {
        "ipAddressV4": "198.51.100.7",
        "organization": {"org": "Org", "asnOrg": "AS", "isp": "ISP"},
        "country": {"countryCode": "DE", "countryName": "Germany"},
    }
    assert remote(org_first)[2:5] == (ident("Org"), ours(", "), ident("DE"))
    isp = {"ipAddressV4": "1.2.3.4", "organization": [{"isp": "ISP"}], "country": "FR"}
    assert remote(isp) == (
        ident("1.2.3.4"),
        ours(" ("),
        ident("ISP"),
        ours(", "),
        ident("FR"),
        ours(")"),
    )
    assert remote({"ipAddressV6": "2001:db8::1"}) == (ident("2001:db8::1"),)
    assert remote({"organization": {"org": "Org"}}) == ()
    assert remote([{"ipAddressV4": "1.2.3.4", "country": {"countryName": "Peru"}}]) == (
        ident("1.2.3.4"),
        ours(" ("),
        ident("Peru"),
        ours(")"),
    )


def test_plural_and_count_of() -> None:
    assert plural(1, "port", "ports") == "1 port"
    assert plural(0, "port", "ports") == "0 ports"
    assert plural(2, "port", "ports") == "2 ports"
    assert count_of([1, 2, 3]) == 3
    assert count_of({"a": 1}) == 1
    assert count_of(None) == 0


JAN = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def test_moment_day_month_time_and_the_year_only_across_years() -> None:
    assert moment(JAN) == "2 Jan 03:04 UTC"
    assert moment(JAN, datetime(2026, 12, 31, tzinfo=UTC)) == "2 Jan 03:04 UTC"
    assert moment(JAN, datetime(2027, 1, 1, tzinfo=UTC)) == "2 Jan 2026 03:04 UTC"
    assert moment(datetime(2025, 11, 23, 15, 45, tzinfo=UTC)) == "23 Nov 15:45 UTC"


def test_span_once_count_since_or_nothing() -> None:
    later = datetime(2027, 3, 1, tzinfo=UTC)
    assert span(1, JAN, later) == (ours("once"),)
    assert span(1, None, None) == (ours("once"),)
    assert span(4, JAN, later) == (ours("4× since 2 Jan 2026 03:04 UTC"),)
    assert span(4, JAN, JAN) == (ours("4× since 2 Jan 03:04 UTC"),)
    assert span(2, None, None) == (ours("2×"),)
    assert span(None, JAN, None) == (ours("since 2 Jan 03:04 UTC"),)
    assert span(0, JAN, None) == (ours("since 2 Jan 03:04 UTC"),)
    assert span(None, None, None) == ()
    assert span(0, None, None) == ()
