"""Render: a ``Finding`` to the Slack message a responder can act on in ten seconds.

``render_parts`` gives the lead (a payload of its own: header, verdict, the facts, buttons;
``app.render.lead``) and the details (blocks: ``app.render.body``) apart, for Slack app mode where
the details go into the thread; ``render_finding`` gives both in one webhook payload. Escaping is
decided by each text's trust in one place, ``app.render.mrkdwn``. Sizes stay within Slack's
documented limits and a total budget well under the ~13k characters at which Slack rejects a
message (``msg_blocks_too_long``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.core.finding import Finding
from app.render.blocks import MAX_BLOCKS, TOTAL_TEXT_BUDGET, Block, text_size
from app.render.body import detail_blocks
from app.render.digest import digest_line, render_digest
from app.render.lead import fallback_text, lead_payload

__all__ = [
    "RenderedFinding",
    "digest_line",
    "fallback_text",
    "render_digest",
    "render_finding",
    "render_parts",
]


@dataclass(frozen=True)
class RenderedFinding:
    lead: dict[str, Any]  # a payload: text, blocks, unfurl flags
    details: list[Block]  # blocks that fit beside the lead in one message


def render_parts(
    finding: Finding,
    account_names: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> RenderedFinding:
    """The lead message and the details, apart; ``notice`` says why it is sent again."""
    lead = lead_payload(finding, account_names or {}, notice)
    blocks = lead["blocks"]
    details = detail_blocks(
        finding,
        room_blocks=MAX_BLOCKS - len(blocks),
        room_chars=TOTAL_TEXT_BUDGET - text_size(blocks),
    )
    return RenderedFinding(lead, details)


def render_finding(
    finding: Finding,
    account_names: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> dict[str, Any]:
    """The webhook payload for one finding: the lead, then the details, in one message."""
    parts = render_parts(finding, account_names, notice)
    return {**parts.lead, "blocks": [*parts.lead["blocks"], *parts.details]}
