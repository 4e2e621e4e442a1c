"""A digest: one message for a burst, findings grouped by resource and type.

"10× ``Recon:EC2/PortProbeUnprotectedPort`` on web-prod-03 from 10 IPs": one line per group, the
group's most severe finding first and its console link, groups by severity; "+N more" when the
message would grow past Slack's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.finding import Finding
from app.render.blocks import (
    BAND_CHARACTER,
    FALLBACK_LIMIT,
    MAX_BLOCKS,
    SECTION_LIMIT,
    TOTAL_TEXT_BUDGET,
    Block,
    context,
    header,
    severity_text,
    slack_date,
    text_size,
)
from app.render.links import console_url
from app.render.mrkdwn import escape, mrkdwn, notification, parts_mrkdwn, parts_plain, plain_text
from app.render.parts import Part, Parts, ident, ours
from app.render.verdict import lead_facts


@dataclass
class _Group:
    findings: list[Finding] = field(default_factory=list)
    resource: Parts = ()
    ips: dict[str, None] = field(default_factory=dict)


def _resource_key(finding: Finding) -> tuple[Parts, str]:
    facts = lead_facts(finding)  # a resource id always comes with its phrase
    return facts.resource, facts.remote_ip


def _groups(findings: Sequence[Finding]) -> list[_Group]:
    groups: dict[tuple[Parts, str], _Group] = {}
    for finding in sorted(findings, key=lambda f: f.score, reverse=True):
        resource, ip = _resource_key(finding)
        key = (resource, finding.type)
        group = groups.setdefault(key, _Group(resource=resource))
        group.findings.append(finding)
        if ip:
            group.ips.setdefault(ip)
    return list(groups.values())


def _line_parts(group: _Group) -> Parts:
    top = group.findings[0]
    count = len(group.findings)
    parts: list[Part] = [ours(f"{BAND_CHARACTER[top.band]} {severity_text(top)} · ")]
    if count > 1:
        parts.append(ours(f"{count}× "))
    parts.append(ident(top.type))
    if group.resource:
        parts += [ours(" on "), *group.resource]
    ips = list(group.ips)
    if len(ips) == 1:
        parts += [ours(" from "), ident(ips[0])]
    elif ips:
        parts.append(ours(f" from {len(ips)} IPs"))
    parts += [ours(" · "), ident(top.account_id or "unknown account")]
    if top.region:
        parts += [ours(" "), ident(top.region)]
    if any(f.sample for f in group.findings):
        parts.append(ours(" [SAMPLE]"))
    return tuple(parts)


def _group_line(group: _Group) -> str | None:
    """The group as a mrkdwn line with its console link, or ``None`` when it must be plain."""
    text = parts_mrkdwn(_line_parts(group), 1500)
    if text is None:
        return None
    top = group.findings[0]
    url = console_url(top.partition, top.region, top.id)
    return text + (f" · <{escape(url)}|open>" if url else "")


def digest_line(finding: Finding) -> str:
    """One finding as a digest line (mrkdwn; plain characters when an id holds a backtick)."""
    group = _groups([finding])[0]
    return _group_line(group) or parts_plain(_line_parts(group), 1500)


def _latest(findings: Sequence[Finding]) -> datetime | None:
    times = [t for f in findings if (t := f.updated_at or f.last_seen) is not None]
    return max(times) if times else None


def render_digest(findings: Sequence[Finding], route: str) -> dict[str, Any]:
    """One message for a burst: a title and time, one line per resource and type."""
    groups = _groups(findings)
    top = max(findings, key=lambda f: f.score) if findings else None
    mark = f"{BAND_CHARACTER[top.band]} " if top else ""
    blocks: list[Block] = [
        header(f"{mark}{len(findings)} GuardDuty findings", ""),
        context(
            "Digest for route "
            f"{parts_mrkdwn((ident(route),), 100) or escape(route.replace('`', ''))[:100]}"
            f" · {slack_date(_latest(findings))} · grouped by resource and type, "
            "most severe first"
        ),
    ]
    budget = TOTAL_TEXT_BUDGET - text_size(blocks) - 600
    chunk: list[str] = []
    shown = 0

    def flush() -> None:
        if chunk:
            blocks.append({"type": "section", "text": mrkdwn("\n".join(chunk))})
            chunk.clear()

    for group in groups:
        line = _group_line(group)
        cost = len(line) + 2 if line is not None else 300
        if cost > budget or len(blocks) >= MAX_BLOCKS - 3:
            break
        if line is None:
            flush()
            text = parts_plain(_line_parts(group), SECTION_LIMIT)
            blocks.append({"type": "section", "text": plain_text(text)})
        else:
            if sum(len(x) + 1 for x in chunk) + len(line) > SECTION_LIMIT:  # the lines joined
                flush()
            chunk.append(line)
        budget -= cost + 40
        shown += 1
    flush()
    left = len(groups) - shown
    if left:
        footer = f"…and {left} more group(s): see the GuardDuty console"
    else:
        footer = "Each line links to its most severe finding; more in the GuardDuty console"
    blocks.append(context(footer))
    bands = ", ".join(
        f"{sum(1 for f in findings if f.band is band)} {band.label}"
        for band in dict.fromkeys(f.band for f in sorted(findings, key=lambda f: -f.score))
    )
    return {
        "text": notification(f"{len(findings)} GuardDuty findings ({bands})", FALLBACK_LIMIT),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
