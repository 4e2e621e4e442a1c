"""The details under the lead (in Slack app mode, the thread): compact, the key fact first.

Each detail section is one block of ``Label: value`` lines; "+N more" says whenever an item or
a section is left out. For most types what was done (the action, the process, threat intel)
comes first, the resource (already summed up in the lead) after it; for malware and attack
sequences the resource side (scan results, the sequence) is the key fact. Next steps (ours)
come last, with room kept for them; the description, free text, is shown exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core.finding import Finding
from app.render.blocks import (
    MAX_BLOCKS,
    SECTION_LIMIT,
    Block,
    Text,
    context,
    link_button,
    text_size,
)
from app.render.details import (
    MAX_SECTIONS,
    Detail,
    DetailSection,
    actor_sections,
    resource_sections,
)
from app.render.details.model import hidden_count
from app.render.lead import attacker_domains
from app.render.mrkdwn import (
    escape,
    free_text,
    mrkdwn,
    part_mrkdwn,
    parts_mrkdwn,
    parts_plain,
    plain_text,
    prose,
    prose_mrkdwn,
    truncate,
)
from app.render.next_steps import next_steps
from app.render.parts import Part, ident, untrusted

DESCRIPTION_LIMIT = 1_500
VALUE_LIMIT = 300
PROSE_VALUE_LIMIT = 700
ITEMS_SHOWN = 8


def _part(item: Detail) -> Part:
    """An identifier exactly; attacker-controlled linkable text defanged (``mrkdwn``'s rule)."""
    return untrusted(item.value) if item.untrusted else ident(item.value)


def _value_mrkdwn(item: Detail, domains: Sequence[str]) -> str | None:
    if item.prose and not item.untrusted:
        return prose_mrkdwn(item.value, PROSE_VALUE_LIMIT, domains)
    return parts_mrkdwn((_part(item),), VALUE_LIMIT, domains)


def _value_plain(item: Detail, domains: Sequence[str]) -> str:
    if item.prose and not item.untrusted:
        return truncate(escape(free_text(item.value, domains)), PROSE_VALUE_LIMIT)
    return parts_plain((_part(item),), VALUE_LIMIT, domains)


def section_block(section: DetailSection, domains: Sequence[str]) -> Block | None:
    """One block: the title, then ``Label: value`` lines; plain_text if any value needs it; last,
    how many items are not shown (those cut here and those the section's "more" item counts)."""
    items = [i for i in section.items if i.value and not hidden_count(i)]
    hidden = section.hidden + sum(hidden_count(i) for i in section.items)
    if not items:
        return None
    shown = items[:ITEMS_SHOWN]
    rich = [_value_mrkdwn(i, domains) for i in shown]
    if all(v is not None for v in rich):
        lines = [f"*{escape(section.title)}*"]
        lines += [f"*{escape(i.label)}:* {v}" for i, v in zip(shown, rich, strict=True)]
        make = mrkdwn
    else:
        lines = [escape(section.title)]
        lines += [f"{escape(i.label)}: {_value_plain(i, domains)}" for i in shown]
        make = plain_text
    kept: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in kept) + len(line) > SECTION_LIMIT - 60:
            break
        kept.append(line)
    more = len(items) - (len(kept) - 1) + hidden
    if more:
        kept.append(f"+{more} more {_plural(more, 'field')}: open the finding in the console")
    return {"type": "section", "text": make("\n".join(kept))}


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def _ordered_sections(finding: Finding) -> tuple[list[DetailSection], int]:
    """The sections in the order shown, at most ``MAX_SECTIONS`` a side, and how many were cut."""
    resource = resource_sections(finding.detail, limit=None)
    actor = actor_sections(finding.detail, limit=None)
    cut = max(len(resource) - MAX_SECTIONS, 0) + max(len(actor) - MAX_SECTIONS, 0)
    resource, actor = resource[:MAX_SECTIONS], actor[:MAX_SECTIONS]
    resource_first = finding.type.startswith("AttackSequence:") or "MaliciousFile" in finding.type
    return ([*resource, *actor] if resource_first else [*actor, *resource]), cut


def description_block(finding: Finding, domains: Sequence[str]) -> Block | None:
    if not finding.description.strip():
        return None
    return {"type": "section", "text": prose(finding.description, DESCRIPTION_LIMIT, domains)}


def next_steps_blocks(finding: Finding) -> list[Block]:
    steps = next_steps(finding)
    if steps is None or not steps.steps:
        return []
    lines: list[str] = []
    for n, step in enumerate(steps.steps, start=1):
        line = "".join(part_mrkdwn(p, 1000) for p in step)
        lines.append(f"{n}. {line}")
    title = f"*Next steps: {escape(steps.title)}*"
    body = "\n".join([title, *lines])
    # A backtick in an identifier of a command: the steps as plain text, exact.
    text: Text
    if any("`" in p.text for step in steps.steps for p in step if p.trust.value != "ours"):
        text = plain_text(
            truncate(
                "\n".join(
                    [escape(f"Next steps: {steps.title}")]
                    + [
                        f"{n}. {parts_plain(step, 1000)}"
                        for n, step in enumerate(steps.steps, start=1)
                    ]
                ),
                SECTION_LIMIT,
            )
        )
    else:
        text = mrkdwn(truncate(body, SECTION_LIMIT))
    return [
        {"type": "section", "text": text},
        {"type": "actions", "elements": [link_button(steps.doc, "next_steps_doc")]},
    ]


def detail_blocks(finding: Finding, room_blocks: int, room_chars: int) -> list[Block]:
    """Description, the sections while they fit, "+N more", then next steps."""
    domains = attacker_domains(finding)
    tail = next_steps_blocks(finding)
    room_blocks -= len(tail) + 1  # the "+N more" line
    room_chars -= text_size(tail) + 200
    blocks: list[Block] = []
    description = description_block(finding, domains)
    if description is not None:
        blocks.append(description)
        room_chars -= text_size([description])
    sections, omitted = _ordered_sections(finding)
    for section in sections:
        block = section_block(section, domains)
        if block is None:
            continue
        size = text_size([block])
        if len(blocks) < room_blocks and size <= room_chars:
            blocks.append(block)
            room_chars -= size
        else:
            omitted += 1
    if omitted:
        blocks.append(
            context(
                f"+{omitted} more detail {_plural(omitted, 'section')}: "
                "open the finding in the console"
            )
        )
    return [*blocks, *tail][: max(MAX_BLOCKS, 0)]


__all__ = ["Part", "detail_blocks", "section_block"]
