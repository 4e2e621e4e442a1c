from __future__ import annotations

import pytest

from app.render.mrkdwn import clean, defang, inline, plain, prose, truncate

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
@pytest.mark.parametrize("render", [inline, prose])
def test_control_sequences_are_escaped(text: str, render: object) -> None:
    out = render(text, 500)  # type: ignore[operator]
    assert "<" not in out and ">" not in out
    assert "&lt;" in out


def test_urls_and_domains_are_defanged() -> None:
    assert defang("see https://evil.example/login now") == "see hxxps[://]evil[.]example/login now"
    assert defang("www.evil.com") == "www[.]evil[.]com"
    assert defang("10.0.0.1 and 3.95") == "10.0.0.1 and 3.95"


def test_mention_words_cannot_notify() -> None:
    assert "@here" not in prose("ping @here and @channel", 100)


def test_formatting_characters_are_neutralised_in_prose() -> None:
    out = prose("*bold* _it_ ~strike~ `code`", 100)
    for char in "*_~`":
        assert char not in out


def test_inline_keeps_code_span_closed() -> None:
    out = inline("a`b`c", 100)
    assert out.startswith("`") and out.endswith("`") and out.count("`") == 2


def test_control_and_bidi_characters_removed() -> None:
    assert clean("abc\u202edef\u200b\x00g\nh") == "abcdefg h"
    assert "\u202e" not in inline("x\u202ey", 10)


def test_truncation_adds_ellipsis_and_respects_limit() -> None:
    out = prose("x" * 5000, 100)
    assert len(out) == 100 and out.endswith("…")
    assert truncate("&amp;" * 10, 8) == "&amp;…"


def test_plain_text_cannot_resemble_control_syntax() -> None:
    out = plain("<!here> title", 150)
    assert "<" not in out and ">" not in out


def test_instance_types_are_not_mistaken_for_domains() -> None:
    assert (
        defang("t3.micro m5.24xlarge c7g.metal i4i.large")
        == "t3.micro m5.24xlarge c7g.metal i4i.large"
    )
    assert defang("evil.micro.com") == "evil[.]micro[.]com"
