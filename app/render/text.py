"""The lead as a phone notification and a glance at Slack would show it, for a terminal.

Read back from the payload itself (so it shows what is sent): the notification text, the
header, the verdict, the lead fields as ``label: value`` lines, the context line, and the
buttons as ``[label] url``; date tokens show their UTC fallback, code spans their content,
nothing escaped.
"""

from __future__ import annotations

import re
from typing import Any

from app.render.mrkdwn import unescape

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<([^|>]+)\|([^>]*)>")
_SPAN = re.compile(r"```(.*?)```|`([^`]*)`", re.DOTALL)
_BOLD_LABEL = re.compile(r"^\*([^*\n]+)\*\n")


def display(obj: dict[str, Any]) -> str:
    """A text object as a reader sees it."""
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        text = _DATE.sub(lambda m: m.group(1), text)
        text = _LINK.sub(lambda m: f"{m.group(2)} ({unescape(m.group(1))})", text)
        text = _SPAN.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    return unescape(text)


def _field_line(obj: dict[str, Any]) -> str:
    if obj.get("type") == "mrkdwn":
        raw = str(obj.get("text", ""))
        bold = _BOLD_LABEL.match(raw)
        if bold:
            return f"{bold.group(1)}: {display({**obj, 'text': raw[bold.end() :]})}"
    label, _, value = display(obj).partition("\n")
    return f"{label}: {value}"


def lead_text(payload: dict[str, Any]) -> str:
    lines = [unescape(str(payload.get("text", ""))), ""]
    for block in payload.get("blocks", []):
        kind = block.get("type")
        if kind == "header":
            lines.append(display(block["text"]))
        elif kind == "section":
            if "text" in block:
                lines.append(display(block["text"]))
            lines += [_field_line(f) for f in block.get("fields", [])]
        elif kind == "context":
            lines += [display(e) for e in block.get("elements", []) if "text" in e]
        elif kind == "actions":
            lines += [
                f"[{display(e['text'])}] {e['url']}"
                for e in block.get("elements", [])
                if "url" in e
            ]
    return "\n".join(lines)
