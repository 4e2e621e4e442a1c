"""Digests: a title and time, one line per resource and type, one console link per group."""

from __future__ import annotations

import json
from typing import Any

from app.core.finding import parse_event
from app.render.message import render_digest
from tests.conftest import load_event
from tests.slack_checks import assert_valid_payload


def _probe(n: int, instance: str = "i-0b7f3c2a91d4e5f60") -> Any:
    event = load_event("ec2-port-probe.json")
    detail = json.loads(json.dumps(event["detail"]))
    detail["id"] = f"{n:032x}"
    detail["resource"]["instanceDetails"]["instanceId"] = instance
    probe = detail["service"]["action"]["portProbeAction"]["portProbeDetails"][0]
    probe["remoteIpDetails"]["ipAddressV4"] = f"198.51.100.{n + 1}"
    detail["service"]["action"]["portProbeAction"]["portProbeDetails"] = [probe]
    return parse_event({**event, "detail": detail})


def test_findings_on_one_resource_of_one_type_are_one_line_with_one_link() -> None:
    payload = render_digest([_probe(n) for n in range(10)], "default")
    assert_valid_payload(payload)
    text = json.dumps(payload, ensure_ascii=False)
    assert "10× `Recon:EC2/PortProbeUnprotectedPort` on " in text
    assert "i-0b7f3c2a91d4e5f60" in text and "from 10 IPs" in text
    assert text.count("/guardduty/home?") == 1
    assert "<!date^" in json.dumps(payload["blocks"][1])  # the time


def test_other_resources_are_other_groups() -> None:
    findings = [_probe(0), _probe(1, "i-0aaaaaaaaaaaaaaaa")]
    payload = render_digest(findings, "default")
    text = json.dumps(payload, ensure_ascii=False)
    assert text.count("/guardduty/home?") == 2 and "from 198.51.100.1 " in text
