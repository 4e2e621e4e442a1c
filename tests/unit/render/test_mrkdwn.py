"""The escaping contract: each text by its trust, inert, identifiers byte-exact."""

from __future__ import annotations

import pytest

from app.render.mrkdwn import (
    clean,
    defang,
    defang_domains,
    notification,
    part_mrkdwn,
    parts_object,
    prose,
    truncate,
    unescape,
)
from app.render.parts import command, ident, ours, untrusted

HOSTILE = [
    "<!channel>",
    "<!here|here>",
    "<!everyone>",
    "<@U012ABCDEF>",
    "<#C012ABCDEF>",
    "<!subteam^S012ABC>",
    "<https://evil.example/|click here>",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("maker", [ident, untrusted, command])
def test_control_sequences_are_escaped_whatever_the_trust(text: str, maker: object) -> None:
    out = part_mrkdwn(maker(text), 500)  # type: ignore[operator]
    assert "<" not in out and ">" not in out and "&lt;" in out


@pytest.mark.parametrize("text", HOSTILE)
def test_free_text_is_escaped_plain_text(text: str) -> None:
    out = prose(text, 500)
    assert out["type"] == "plain_text" and "<" not in out["text"]
    assert unescape(out["text"]).replace("hxxps[://]", "https://") == text


@pytest.mark.parametrize(
    "value",
    [
        "Backdoor:EC2/DenialOfService.Tcp",
        "s3.amazonaws.com",
        "/usr/lib/libc.so.6",
        "john.doe",
        "arn:aws:iam::123456789012:role/app.role",
        "test@example.com",
        "LD_PRELOAD",
        "x86_64",
        "<@U024BE7LH>",
        "a&b",
    ],
)
def test_identifiers_are_shown_exactly(value: str) -> None:
    out = part_mrkdwn(ident(value), 500)
    assert unescape(out.strip("`")) == value
    assert "\u2060" not in out and "[.]" not in out
    for lookalike in "‗∗ˋ‹›∼":
        assert lookalike not in out


def test_identifiers_with_formatting_characters_go_in_a_code_span() -> None:
    assert part_mrkdwn(ident("LD_PRELOAD"), 50) == "`LD_PRELOAD`"
    assert part_mrkdwn(ident("i-0abc"), 50) == "i-0abc"


def test_a_backtick_makes_the_text_object_plain_text() -> None:
    out = parts_object((ours("key "), ident("a`b")), 100)
    assert out == {"type": "plain_text", "text": "key a`b", "emoji": False}
    rich = parts_object((ours("key "), ident("a_b")), 100)
    assert rich == {"type": "mrkdwn", "text": "key `a_b`", "verbatim": True}


def test_untrusted_text_is_defanged() -> None:
    assert part_mrkdwn(untrusted("evil.com"), 50) == "evil[.]com"
    assert defang("see https://evil.example/login now") == "see hxxps[://]evil[.]example/login now"
    assert defang("10.0.0.1 and 3.95") == "10.0.0.1 and 3.95"


def test_free_text_defangs_only_schemes_and_the_findings_domains() -> None:
    text = "IAMUser/john.doe on x86_64 queried evil.com via https://x.example, s3.amazonaws.com"
    out = defang_domains(text, ["evil.com"])
    assert out == (
        "IAMUser/john.doe on x86_64 queried evil[.]com via hxxps[://]x.example, s3.amazonaws.com"
    )


def test_commands_are_code_blocks() -> None:
    out = part_mrkdwn(command("aws iam update-access-key --access-key-id AKIA1 <x>"), 500)
    assert out == "```aws iam update-access-key --access-key-id AKIA1 &lt;x&gt;```"


def test_notification_text_is_escaped_and_defanged() -> None:
    out = notification("<!here> evil.com https://x.example", 100)
    assert out == "&lt;!here&gt; evil[.]com hxxps[://]x[.]example"


def test_control_and_bidi_characters_removed() -> None:
    assert clean("abc\u202edef\u200b\x00g\nh") == "abcdefg h"
    assert "\u202e" not in part_mrkdwn(ident("x\u202ey"), 10)


def test_truncation_adds_ellipsis_and_respects_limit() -> None:
    out = prose("x" * 5000, 100)["text"]
    assert len(out) == 100 and out.endswith("…")
    assert truncate("&amp;" * 10, 8) == "&amp;…"


def test_instance_types_are_not_mistaken_for_domains() -> None:
    assert (
        defang("t3.micro m5.24xlarge c7g.metal i4i.large")
        == "t3.micro m5.24xlarge c7g.metal i4i.large"
    )
    assert defang("evil.micro.com") == "evil[.]micro[.]com"
