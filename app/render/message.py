"""Render: a ``Finding`` to a Slack Block Kit payload a responder can act on in ten seconds.

Layout, top to bottom: header (band, score, title), why it is (re)sent and sample marker,
key facts (type, account, region, count, first/last seen), the affected resource, the actor and
action, the description, the finding id, and buttons to the console and the type's docs.

Every finding-sourced string goes through ``app.render.mrkdwn`` (``inline`` for identifiers,
``prose`` for free text, ``plain`` for plain_text objects); labels are our own. Sizes are
bounded by Slack's documented limits and by a total budget kept well under the ~13k characters
at which Slack rejects a message with ``msg_blocks_too_long``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from app.core.finding import Finding
from app.render.details import (
    Detail,
    DetailSection,
    actor_sections,
    resource_sections,
    resource_summary,
)
from app.render.links import console_url, docs_url
from app.render.mrkdwn import escape, inline, plain, prose

MAX_BLOCKS = 50
MAX_FIELDS = 10
HEADER_LIMIT = 150
FIELD_LIMIT = 2000
SECTION_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
TOTAL_TEXT_BUDGET = 11_000
DESCRIPTION_LIMIT = 1_500
VALUE_LIMIT = 300
PROSE_VALUE_LIMIT = 700
FALLBACK_LIMIT = 300

Block = dict[str, Any]


def format_time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _field(label: str, value: str) -> dict[str, str]:
    # Labels are ours, except generic ones derived from unknown finding keys: make them inert too.
    return _mrkdwn(f"*{prose(label, 80)}*\n{value}"[:FIELD_LIMIT])


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(t) for t in texts if t][:10]}


def _type_text(finding_type: str) -> str:
    return inline(finding_type, VALUE_LIMIT)


def account_text(finding: Finding, account_names: Mapping[str, str]) -> str:
    account = inline(finding.account_id, 40) or "unknown"
    name = account_names.get(finding.account_id)
    return f"{account} ({prose(name, 100)})" if name else account


def _detail_value(item: Detail) -> str:
    if item.prose:
        return prose(item.value, PROSE_VALUE_LIMIT)
    return inline(item.value, VALUE_LIMIT)


def _section_blocks(section: DetailSection) -> list[Block]:
    """A titled section; more than ten items continue in untitled sections."""
    fields = [_field(item.label, _detail_value(item)) for item in section.items if item.value]
    if not fields:
        return []
    blocks: list[Block] = []
    for start in range(0, len(fields), MAX_FIELDS):
        block: Block = {"type": "section", "fields": fields[start : start + MAX_FIELDS]}
        if start == 0:
            block["text"] = _mrkdwn(f"*{prose(section.title, 150)}*")
        blocks.append(block)
    return blocks


def _text_size(blocks: Iterable[Block]) -> int:
    return sum(len(json.dumps(block, ensure_ascii=False)) for block in blocks)


def _header(finding: Finding) -> Block:
    band = finding.band
    title = finding.title or finding.type
    text = f"{band.emoji} {band.label} {finding.score:.1f} · {plain(title, HEADER_LIMIT)}"
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": text[:HEADER_LIMIT], "emoji": True},
    }


def _summary_fields(finding: Finding, account_names: Mapping[str, str]) -> Block:
    count = "unknown" if finding.count is None else f"{finding.count:,}"
    fields = [
        _field("Severity", f"{finding.band.emoji} {finding.band.label} ({finding.score:.1f})"),
        _field("Type", _type_text(finding.type)),
        _field("Account", account_text(finding, account_names)),
        _field("Region", inline(finding.region, 40) or "unknown"),
        _field("Resource", inline(finding.resource_type, 60) or "unknown"),
        _field("Count", count),
        _field("First seen", format_time(finding.first_seen)),
        _field("Last seen", format_time(finding.last_seen)),
    ]
    return {"type": "section", "fields": fields}


def _buttons(finding: Finding) -> Block:
    elements = []
    url = console_url(finding.partition, finding.region, finding.id)
    if url:
        elements.append(
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open in GuardDuty"},
                "url": url,
                "style": "primary",
                "action_id": "open_console",
            }
        )
    elements.append(
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Finding type docs"},
            "url": docs_url(finding.type),
            "action_id": "open_docs",
        }
    )
    return {"type": "actions", "elements": elements}


def fallback_text(finding: Finding, notice: str | None = None) -> str:
    """Notification text (and what screen readers read): band, title, account, region."""
    band = finding.band
    prefix = "[SAMPLE] " if finding.sample else ""
    again = f" ({notice})" if notice else ""
    text = (
        f"{prefix}{band.label} {finding.score:.1f}: {finding.title or finding.type} "
        f"in {finding.account_id or 'unknown account'} {finding.region}{again}"
    )
    return prose(text, FALLBACK_LIMIT)


def render_finding(
    finding: Finding,
    account_names: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The Slack payload for one finding; ``notice`` says why it is sent again, if it is."""
    names = account_names or {}
    head: list[Block] = [_header(finding)]
    notes = []
    if finding.sample:
        notes.append(
            ":test_tube: *[SAMPLE]* generated by GuardDuty sample findings, not real activity"
        )
    if finding.is_canary:
        notes.append(":bird: *Canary* deployment smoke test, not a GuardDuty finding")
    if finding.archived:
        notes.append(":file_cabinet: archived in GuardDuty")
    if notice:
        notes.append(f":repeat: *Notified again:* {escape(notice)}")
    if notes:
        head.append(_context(*notes))
    head.append(_summary_fields(finding, names))

    tail: list[Block] = []
    if finding.description:
        tail.append(
            {"type": "section", "text": _mrkdwn(prose(finding.description, DESCRIPTION_LIMIT))}
        )
    tail.append(
        _context(
            f"Finding ID {inline(finding.id, 200)}", f"Updated {format_time(finding.updated_at)}"
        )
    )
    tail.append(_buttons(finding))

    body = _detail_blocks(
        [*resource_sections(finding.detail), *actor_sections(finding.detail)],
        room_blocks=MAX_BLOCKS - len(head) - len(tail) - 1,
        room_chars=TOTAL_TEXT_BUDGET - _text_size(head) - _text_size(tail),
    )
    return {
        "text": fallback_text(finding, notice),
        "blocks": [*head, *body, *tail],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def _detail_blocks(
    sections: Sequence[DetailSection], room_blocks: int, room_chars: int
) -> list[Block]:
    """Detail sections in priority order while they fit; say what had to be left out."""
    blocks: list[Block] = []
    omitted = 0
    for section in sections:
        candidate = _section_blocks(section)
        if len(blocks) + len(candidate) <= room_blocks and _text_size(candidate) <= room_chars:
            blocks.extend(candidate)
            room_chars -= _text_size(candidate)
        elif candidate:
            omitted += 1
    if omitted:
        blocks.append(
            _context(
                f"{omitted} more detail section(s) left out to fit Slack's limits: "
                "open the finding in the console"
            )
        )
    return blocks


def digest_line(finding: Finding) -> str:
    """One line per finding in a digest: band, type, resource, console link."""
    band = finding.band
    resource = resource_summary(finding.detail) or finding.resource_type or "unknown resource"
    url = console_url(finding.partition, finding.region, finding.id)
    link = f" <{escape(url)}|open>" if url else ""
    sample = " [SAMPLE]" if finding.sample else ""
    return (
        f"{band.emoji} *{band.label} {finding.score:.1f}*{sample} {_type_text(finding.type)} · "
        f"{inline(resource, 120)} · {inline(finding.account_id, 20)} "
        f"{inline(finding.region, 20)}{link}"
    )


def render_digest(findings: Sequence[Finding], route: str) -> dict[str, Any]:
    """One message for a burst: a count and one line per finding, then "and N more"."""
    ordered = sorted(findings, key=lambda f: f.score, reverse=True)
    top = ordered[0].band if ordered else None
    heading = f"{top.emoji} " if top else ""
    header = {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": f"{heading}{len(ordered)} GuardDuty findings"[:HEADER_LIMIT],
            "emoji": True,
        },
    }
    blocks: list[Block] = [
        header,
        _context(
            f"Digest for route {inline(route, 60)}: a burst of findings in one batch, "
            "highest severity first"
        ),
    ]
    lines = [digest_line(f) for f in ordered]
    shown = 0
    chunk: list[str] = []
    budget = TOTAL_TEXT_BUDGET - _text_size(blocks) - 400
    for line in lines:
        if len(line) + 1 > budget or len(blocks) >= MAX_BLOCKS - 2:
            break
        if sum(len(x) + 1 for x in chunk) + len(line) + 1 > SECTION_LIMIT:
            blocks.append({"type": "section", "text": _mrkdwn("\n".join(chunk))})
            chunk = []
        chunk.append(line)
        budget -= len(line) + 40
        shown += 1
    if chunk:
        blocks.append({"type": "section", "text": _mrkdwn("\n".join(chunk))})
    if shown < len(lines):
        blocks.append(_context(f"…and {len(lines) - shown} more: see the GuardDuty console"))
    bands = ", ".join(
        f"{sum(1 for f in ordered if f.band is band)} {band.label}"
        for band in dict.fromkeys(f.band for f in ordered)
    )
    return {
        "text": prose(f"{len(ordered)} GuardDuty findings ({bands})", FALLBACK_LIMIT),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
