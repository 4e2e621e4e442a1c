"""``render_parts`` and ``render_finding``: the lead and the details apart, or one webhook
payload of both; account names reach the lead; the details take only the room the lead leaves
(Slack's 50 blocks and our 11,000-character budget for the whole message)."""

from __future__ import annotations

from typing import Any

from app.core.finding import Finding, parse_event
from app.render.blocks import TOTAL_TEXT_BUDGET, text_size
from app.render.message import render_finding, render_parts
from tests.conftest import load_event
from tests.slack_checks import assert_valid_payload

KEEP = {"id", "type", "region", "accountId", "partition", "severity", "updatedAt", "createdAt"}


def _grown(value: Any, times: int) -> Any:
    """Every text of the finding (ids, times and the score aside) written ``times`` over."""
    if isinstance(value, dict):
        return {k: v if k in KEEP or k.startswith("event") else _grown(v, times)
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_grown(v, times) for v in value]
    if isinstance(value, str) and len(value) > 3:
        return (value + " ") * times
    return value


def _big() -> Finding:
    event = load_event("runtime-eks-new-binary-executed.json")
    return parse_event({**event, "detail": _grown(event["detail"], 10)})


def test_render_finding_is_the_lead_then_the_details_in_one_payload() -> None:
    finding = parse_event(load_event("ec2-ssh-brute-force.json"))
    names = {"123456789012": "prod-payments"}
    parts = render_parts(finding, names, "count 3 → 12")
    payload = render_finding(finding, names, "count 3 → 12")
    assert_valid_payload(payload)
    assert payload == {**parts.lead, "blocks": [*parts.lead["blocks"], *parts.details]}
    assert set(payload) == {"text", "blocks", "unfurl_links", "unfurl_media"}
    assert payload["text"].endswith("123456789012 (prod-payments) eu-west-1 (count 3 → 12)")
    assert parts.details and parts.details[0]["type"] != "actions"  # the buttons end the lead


def test_without_account_names_the_lead_shows_the_bare_account() -> None:
    finding = parse_event(load_event("ec2-ssh-brute-force.json"))
    assert render_parts(finding).lead == render_parts(finding, {}).lead
    assert render_parts(finding).lead["blocks"][2]["fields"][0]["text"] == (
        "*Account*\n123456789012"
    )
    named = render_parts(finding, {"123456789012": "prod-payments"}).lead
    assert named["blocks"][2]["fields"][0]["text"] == "*Account*\n123456789012 (prod-payments)"


def test_the_details_take_only_the_room_the_lead_leaves() -> None:
    """A finding whose details cannot all be shown: the whole message stays within the budget,
    the details say how many sections were left out."""
    finding = _big()
    parts = render_parts(finding)
    payload = render_finding(finding)
    assert_valid_payload(payload)
    assert text_size(payload["blocks"]) <= TOTAL_TEXT_BUDGET
    assert len(payload["blocks"]) <= 50
    more = [
        b["elements"][0]["text"]
        for b in parts.details
        if b["type"] == "context" and "more detail" in b["elements"][0]["text"]
    ]
    assert (
        more
        and more[0].startswith("+")
        and more[0].endswith(" more detail sections: open the finding in the console")
    )
