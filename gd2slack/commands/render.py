"""``gd2slack render FILE``: the Slack payload for a finding event, without sending it."""

from __future__ import annotations

import argparse
import json
import urllib.parse
from pathlib import Path
from typing import Any

from app.core.finding import Finding, MalformedEvent, NotAFinding, parse_event
from app.render.message import render_finding, render_parts
from app.render.text import lead_text
from gd2slack.commands import add_command
from gd2slack.errors import CliError

BUILDER_URL = "https://app.adapters.slack.com/block-kit-builder/#"


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "render",
        help="print the Slack message for a finding event",
        run=run,
    )
    parser.add_argument("file", type=Path, help="EventBridge GuardDuty event (JSON); - for stdin")
    parser.add_argument(
        "--format",
        choices=("json", "text", "builder-url"),
        default="json",
        help="json payload (default), the lead as a phone notification and Slack show it "
        "(text, nothing escaped), or a Block Kit Builder link",
    )


def load_finding_payload(path: Path) -> dict[str, Any]:
    """Read an event file and render it; shared with ``send``."""
    return render_finding(load_finding(path))


def load_finding(path: Path) -> Finding:
    """Read an event file as a finding."""
    try:
        raw = Path("/dev/stdin").read_text() if str(path) == "-" else path.read_text()
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror}") from None
    try:
        event = json.loads(raw)
    except json.JSONDecodeError as err:
        raise CliError(f"{path} is not JSON: {err.msg} at line {err.lineno}") from None
    try:
        finding = parse_event(event)
    except (MalformedEvent, NotAFinding) as why:
        raise CliError(f"{path} is not a GuardDuty finding event: {why}") from None
    return finding


def run(args: argparse.Namespace) -> int:
    finding = load_finding(args.file)
    if args.format == "text":
        print(lead_text(render_parts(finding).lead))
        return 0
    payload = render_finding(finding)
    if args.format == "builder-url":
        blocks = json.dumps({"blocks": payload["blocks"]}, separators=(",", ":"))
        print(BUILDER_URL + urllib.parse.quote(blocks, safe=""))
    else:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    return 0
