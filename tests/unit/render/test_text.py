"""``lead_text``: a payload read back line by line as a terminal shows it (the notification,
a blank line, then each block in order), with ``display`` undoing the mrkdwn wrappers."""

from __future__ import annotations

from typing import Any

from app.render.text import display, lead_text

PAYLOAD: dict[str, Any] = {
    "text": "High 8.0: a &lt;b&gt; &amp; c",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Header line"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Verdict `i-0abc` at <!date^1700000000^{date_short_pretty}|2023-11-14 UTC>",
            },
            "fields": [
                {"type": "mrkdwn", "text": "*Account*\n`123456789012`"},
                {"type": "mrkdwn", "text": "*Region*\n<https://x.test/a?b=1&amp;c=2|console>"},
                {"type": "plain_text", "text": "Plain label\nplain value"},
                {"type": "mrkdwn", "text": "no bold label\nits value"},
            ],
        },
        {"type": "divider"},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Only*\nfields"}]},
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": "context &lt;x&gt;"},
                {"type": "image", "image_url": "https://x.test/i.png", "alt_text": "icon"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Open"},
                    "url": "https://x.test/open?a=1&b=2",
                },
                {"type": "button", "text": {"type": "plain_text", "text": "Ack"}, "value": "v"},
            ],
        },
    ],
}


def test_every_block_kind_becomes_its_lines_in_order() -> None:
    assert lead_text(PAYLOAD).split("\n") == [
        "High 8.0: a <b> & c",
        "",
        "Header line",
        "Verdict i-0abc at 2023-11-14 UTC",
        "Account: 123456789012",
        "Region: console (https://x.test/a?b=1&c=2)",
        "Plain label: plain value",
        "no bold label: its value",
        "Only: fields",
        "context <x>",
        "[Open] https://x.test/open?a=1&b=2",
    ]


def test_a_payload_without_text_or_blocks_is_a_blank_notification() -> None:
    assert lead_text({}) == "\n"
    assert lead_text({"text": "n"}) == "n\n"


def test_blocks_without_elements_or_fields_add_nothing() -> None:
    blocks = [{"type": "context"}, {"type": "actions"}, {"type": "section"}, {"type": "image"}]
    assert lead_text({"text": "n", "blocks": blocks}) == "n\n"


def test_a_field_value_keeps_its_own_newlines() -> None:
    payload = {
        "blocks": [
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Label*\none\ntwo"},
                    {"type": "plain_text", "text": "Plain\nthree\nfour"},
                ],
            }
        ]
    }
    assert lead_text(payload).split("\n")[2:] == ["Label: one", "two", "Plain: three", "four"]


def test_a_bold_label_needs_its_newline_and_bold_text_elsewhere_is_kept() -> None:
    payload = {
        "blocks": [
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": "*Label* value\nnext"},
                    {"type": "mrkdwn", "text": "*Label*\n*bold* value"},
                ],
            }
        ]
    }
    assert lead_text(payload).split("\n")[2:] == ["*Label* value: next", "Label: *bold* value"]


def test_display_undoes_mrkdwn_wrappers_only_in_mrkdwn() -> None:
    token = "<!date^1700000000^{date_short_pretty} {time}|Nov 14 UTC>"
    assert display({"type": "mrkdwn", "text": token}) == "Nov 14 UTC"
    assert display({"type": "mrkdwn", "text": "<https://a.test/?x=1&amp;y=2|open>"}) == (
        "open (https://a.test/?x=1&y=2)"
    )
    assert display({"type": "mrkdwn", "text": "a `b` ```c\nd``` e"}) == "a b c\nd e"
    assert display({"type": "mrkdwn", "text": "``"}) == ""
    # plain_text has no wrappers: only the three entities are undone
    assert display({"type": "plain_text", "text": "`b` &lt;x|y&gt;"}) == "`b` <x|y>"
    assert display({"type": "mrkdwn"}) == ""
