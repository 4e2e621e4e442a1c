"""Block Kit pieces the layouts share: limits, text objects, fields, times, the header."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from app.core.finding import Finding
from app.core.severity import Band
from app.render.mrkdwn import (
    ELLIPSIS,
    escape,
    mrkdwn,
    parts_mrkdwn,
    parts_plain,
    plain_text,
)
from app.render.parts import Link, Part

MAX_BLOCKS = 50
MAX_FIELDS = 10
MAX_CONTEXT = 10
HEADER_LIMIT = 150
FIELD_LIMIT = 2000
SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
TOTAL_TEXT_BUDGET = 11_000
FALLBACK_LIMIT = 300

Block = dict[str, Any]
Text = dict[str, Any]

# The header is plain_text with emoji off (a title's ``:x:`` stays text): bands as characters.
BAND_CHARACTER = {
    Band.INFORMATIONAL: "⚪",
    Band.LOW: "🔵",
    Band.MEDIUM: "🟡",
    Band.HIGH: "🟠",
    Band.CRITICAL: "🔴",
}


def text_size(blocks: Iterable[Block]) -> int:
    return sum(len(json.dumps(block, ensure_ascii=False)) for block in blocks)


def utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def slack_date(moment: datetime | None) -> str:
    """Slack's date token: each reader sees local time; the UTC text is the fallback."""
    if moment is None:
        return "unknown"
    epoch = int(moment.timestamp())
    if epoch < 0:
        return utc(moment)
    return f"<!date^{epoch}^{{date_short_pretty}} {{time}}|{utc(moment)}>"


def score_text(finding: Finding) -> str | None:
    """The score as GuardDuty sent it (never rounded across a band boundary), or ``None`` when
    it sent none that reads as a number (filters treat that as 0, Informational)."""
    raw = finding.detail.get("severity")
    if raw is None or isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = float(raw)
    except (ValueError, OverflowError):
        return None
    if math.isnan(value):
        return None
    score = finding.score
    return str(int(score)) if isinstance(raw, int) and score.is_integer() else repr(score)


def severity_text(finding: Finding) -> str:
    """``High 7.5``, or ``Severity unknown``."""
    score = score_text(finding)
    return f"{finding.band.label} {score}" if score is not None else "Severity unknown"


def cut_words(text: str, limit: int) -> str:
    """Escaped text at most ``limit`` long, cut once at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def header(prefix: str, title: str) -> Block:
    """``prefix`` is ours; ``title`` is free text already cleaned. Escaped, cut once."""
    head = escape(prefix)
    text = head + cut_words(escape(title), HEADER_LIMIT - len(head))
    return {"type": "header", "text": plain_text(text)}


def field(label: str, parts: Sequence[Part], domains: Iterable[str] = ()) -> Text:
    """``*Label*`` over the value; plain_text (label unbolded) when mrkdwn cannot be exact."""
    room = FIELD_LIMIT - len(label) - 4
    value = parts_mrkdwn(parts, room, domains)
    if value is not None:
        return mrkdwn(f"*{label}*\n{value}")
    return plain_text(f"{label}\n{parts_plain(parts, room, domains)}")


def ours_field(label: str, text: str) -> Text:
    """A field whose value we wrote (dates, counts): mrkdwn as is."""
    return mrkdwn(f"*{label}*\n{text}"[:FIELD_LIMIT])


def context(*elements: Text | str) -> Block:
    objects = [mrkdwn(e) if isinstance(e, str) else e for e in elements if e]
    return {"type": "context", "elements": objects[:MAX_CONTEXT]}


def button(label: str, url: str, action_id: str, *, primary: bool = False) -> Block:
    element: Block = {
        "type": "button",
        "text": plain_text(escape(label)[:BUTTON_TEXT_LIMIT]),
        "url": url,
        "action_id": action_id,
    }
    if primary:
        element["style"] = "primary"
    return element


def link_button(link: Link, action_id: str) -> Block:
    return button(link.label, link.url, action_id)
