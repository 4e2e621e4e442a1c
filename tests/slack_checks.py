"""Checks every Slack payload in the tests must pass: Slack's Block Kit models and limits,
no live mention or foreign link anywhere in the text Slack would parse, ``verbatim`` mrkdwn."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

OUR_LINK_HOSTS = (
    "https://docs.aws.amazon.com/",
    "https://us-east-1.console.aws.amazon.com/",
    "https://console.amazonaws-us-gov.com/",
    "https://console.amazonaws.cn/",
)
_OUR_CONSOLE = re.compile(r"^https://[a-z0-9-]+\.console\.aws\.amazon\.com/guardduty/")
_ANGLE = re.compile(r"<([^<>]*)>")
_DATE = re.compile(r"!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC")
_BARE_URL = re.compile(r"(?i)\b(?:https?|ftp)://")
_DOMAIN = re.compile(r"(?i)\b(?:[a-z0-9-]+\.)+(?:com|net|org|example|io|xyz|ru|cn|zip|info)\b")


def text_objects(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mrkdwn and plain_text object in the blocks (button URLs aside)."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node)
            for key, value in node.items():
                if key != "url":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload.get("blocks", []))
    return found


def mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    """The notification text and every text object's text."""
    return [payload.get("text", ""), *(o["text"] for o in text_objects(payload))]


def _ours(target: str) -> bool:
    if _DATE.fullmatch(target):
        return True
    url = target.split("|", 1)[0].replace("&amp;", "&")
    return url.startswith(OUR_LINK_HOSTS) or bool(_OUR_CONSOLE.match(url))


def assert_inert(payload: dict[str, Any], *, mentions: Collection[str] = ()) -> None:
    """No ``<...>`` control sequence other than our own links and date tokens (and exactly the
    ``mentions`` the test expects us to have composed, e.g. ``"@U0ALICE"``); every mrkdwn
    object ``verbatim`` (Slack links nothing in it by itself); no inserted word joiner; in the
    notification text (not verbatim), no bare URL or known domain either."""
    for obj in text_objects(payload):
        if obj["type"] == "mrkdwn":
            assert obj.get("verbatim") is True, f"mrkdwn without verbatim: {obj['text'][:200]!r}"
    for text in mrkdwn_texts(payload):
        assert "\u2060" not in text, f"word joiner in {text[:200]!r}"
        for target in _ANGLE.findall(text):
            assert _ours(target) or target in mentions, (
                f"live Slack control sequence <{target}> in {text[:200]!r}"
            )
    notification = _ANGLE.sub("", payload.get("text", ""))
    assert not _BARE_URL.search(notification), f"bare URL in {notification[:200]!r}"
    assert not _DOMAIN.search(notification), f"linkable domain in {notification[:200]!r}"


def assert_valid_payload(payload: dict[str, Any], *, mentions: Collection[str] = ()) -> None:
    """Slack would accept it: models validate, documented limits hold, total size is sane."""
    blocks = payload["blocks"]
    assert isinstance(payload.get("text"), str) and payload["text"], "fallback text missing"
    assert 0 < len(blocks) <= 50
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"unknown block type {raw.get('type')}"
        block.validate_json()
        if raw["type"] == "header":
            assert raw["text"]["type"] == "plain_text"
            assert len(raw["text"]["text"]) <= 150
        if raw["type"] == "section":
            fields = raw.get("fields", [])
            assert len(fields) <= 10
            assert all(len(f["text"]) <= 2000 for f in fields)
            if "text" in raw:
                assert len(raw["text"]["text"]) <= 3000
        if raw["type"] == "context":
            assert len(raw["elements"]) <= 10
        if raw["type"] == "actions":
            for element in raw["elements"]:
                assert len(element["text"]["text"]) <= 75
                assert len(element.get("url", "")) <= 3000  # link buttons
                assert len(element.get("value", "")) <= 2000  # interactive buttons
                assert len(element["action_id"]) <= 255
    assert len(json.dumps(blocks, ensure_ascii=False)) < 12_000, "near msg_blocks_too_long"
    assert_inert(payload, mentions=mentions)


def assert_valid_view(view: dict[str, Any]) -> None:
    """Slack would open it: the view and each of its blocks pass slack_sdk's models."""
    View(**view).validate_json()
    for raw in view["blocks"]:
        block = Block.parse(raw)
        assert block is not None, f"unknown block type {raw.get('type')}"
        block.validate_json()
