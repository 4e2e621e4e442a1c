"""MENTION_ON_CRITICAL: only a user group id or user ids become a mention, nothing else."""

from __future__ import annotations

import pytest

from app.core.mention import USER, USER_GROUP, mention_text, parse_mention, parse_on_off


def test_one_user_group_becomes_a_subteam_mention() -> None:
    assert mention_text("S0123ABCD") == "<!subteam^S0123ABCD>"


def test_user_group_is_stripped_of_spaces_and_empty_parts() -> None:
    assert mention_text("  S0123ABCD , ,") == "<!subteam^S0123ABCD>"


def test_user_ids_become_mentions_joined_by_one_space_in_order() -> None:
    assert mention_text("U0123ABC,W0456DEF") == "<@U0123ABC> <@W0456DEF>"
    assert mention_text(" W0456DEF , U0123ABC ") == "<@W0456DEF> <@U0123ABC>"


def test_one_user_id() -> None:
    assert mention_text("U0123ABC") == "<@U0123ABC>"


def test_two_user_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="S0123ABCD,S0456DEF"):
        mention_text("S0123ABCD,S0456DEF")


def test_group_mixed_with_users_is_refused() -> None:
    with pytest.raises(ValueError):
        mention_text("S0123ABCD,U0123ABC")
    with pytest.raises(ValueError):
        mention_text("U0123ABC,S0123ABCD")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        ",",
        " , ",
        "here",
        "!here",
        "<!channel>",
        "channel",
        "u0123abc",
        "s0123abcd",
        "C0123ABC",
    ],
)
def test_anything_else_is_refused(raw: str) -> None:
    with pytest.raises(ValueError) as caught:
        mention_text(raw)
    assert caught.value.args == (raw,)


def test_one_bad_user_among_good_ones_refuses_all() -> None:
    with pytest.raises(ValueError):
        mention_text("U0123ABC,<!channel>")
    with pytest.raises(ValueError):
        mention_text("<!channel>,U0123ABC")


@pytest.mark.parametrize(("prefix", "pattern"), [("S", USER_GROUP), ("U", USER), ("W", USER)])
def test_id_length_is_2_to_20_after_the_letter(prefix: str, pattern: object) -> None:
    assert pattern.match(prefix + "A1")  # type: ignore[attr-defined]
    assert pattern.match(prefix + "A" * 20)  # type: ignore[attr-defined]
    assert not pattern.match(prefix + "A")  # type: ignore[attr-defined]
    assert not pattern.match(prefix + "A" * 21)  # type: ignore[attr-defined]
    assert not pattern.match(prefix + "AB-")  # type: ignore[attr-defined]
    assert not pattern.match("x" + prefix + "AB")  # type: ignore[attr-defined]
    assert not pattern.match(prefix + "ab")  # type: ignore[attr-defined]


def test_lengths_through_mention_text() -> None:
    assert mention_text("S" + "A" * 20) == "<!subteam^S" + "A" * 20 + ">"
    assert mention_text("UA1") == "<@UA1>"
    for raw in ("S" + "A" * 21, "U" + "A" * 21, "SA", "UA", "U0123 ABC", "S0123ABC>"):
        with pytest.raises(ValueError):
            mention_text(raw)


def test_parse_mention_returns_the_mention() -> None:
    assert parse_mention("U0123ABC", "MENTION_ON_CRITICAL") == "<@U0123ABC>"


def test_parse_mention_names_the_variable_and_hides_the_cause() -> None:
    with pytest.raises(ValueError) as caught:
        parse_mention("<!channel>", "MENTION_ON_CRITICAL")
    assert str(caught.value) == "MENTION_ON_CRITICAL: one user group id (S…) or user ids (U…,U…)"
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


@pytest.mark.parametrize(
    ("raw", "expected"), [("on", True), ("off", False), (" ON ", True), ("Off", False)]
)
def test_parse_on_off(raw: str, expected: bool) -> None:
    assert parse_on_off(raw, "X") is expected


@pytest.mark.parametrize("raw", ["", "yes", "true", "1", "o n"])
def test_parse_on_off_refuses_anything_else(raw: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_on_off(raw, "TRIAGE")
    assert str(caught.value) == f"TRIAGE={raw!r} is not valid: use on or off"
