"""Network actions: connections and port probes, and the remote side."""

from __future__ import annotations

from app.render.details import actor_sections
from tests.unit.render.details.support import (
    REMOTE_IP,
    action_finding,
    check_invariants,
    section,
    titles,
)


def test_network_connection() -> None:
    detail = action_finding(
        {
            "actionType": "NETWORK_CONNECTION",
            "networkConnectionAction": {
                "connectionDirection": "OUTBOUND",
                "protocol": "TCP",
                "blocked": False,
                "remoteIpDetails": REMOTE_IP,
                "remotePortDetails": {"port": 3333, "portName": "Unknown"},
                "localPortDetails": {"port": 49152, "portName": "Unknown"},
                "localIpDetails": {"ipAddressV4": "10.0.1.25"},
                "localNetworkInterface": "eni-0f1e2d3c4b5a69788",
            },
        }
    )
    sections = actor_sections(detail)
    assert titles(sections)[0] == "Network connection (outbound)"
    conn = section(sections, "Network connection (outbound)")
    assert conn["Remote IP"] == "198.51.100.23"
    assert conn["Organisation"] == "DigitalOcean / DIGITALOCEAN-ASN"
    assert conn["ASN"] == "14061"
    assert conn["Location"] == "Amsterdam, Netherlands"
    assert conn["Remote port"] == "3333"
    assert conn["Local port"] == "49152"
    assert conn["Protocol"] == "TCP"
    assert conn["Blocked"] == "no"
    assert conn["Local IP"] == "10.0.1.25"
    assert "Direction" not in conn


def test_network_connection_inbound_with_port_name_and_unknown_asn() -> None:
    remote = {**REMOTE_IP, "organization": {"asn": -1, "org": "Example Org"}}
    detail = action_finding(
        {
            "actionType": "NETWORK_CONNECTION",
            "networkConnectionAction": {
                "connectionDirection": "INBOUND",
                "remoteIpDetails": remote,
                "localPortDetails": {"port": 22, "portName": "SSH"},
            },
        }
    )
    conn = section(actor_sections(detail), "Network connection (inbound)")
    assert conn["Local port"] == "22 (SSH)"
    assert "ASN" not in conn
    assert conn["Organisation"] == "Example Org"


def test_port_probe_with_hundreds_of_probes_is_bounded() -> None:
    probes = [
        {
            "localPortDetails": {"port": 1000 + i % 50, "portName": "Unknown"},
            "localIpDetails": {"ipAddressV4": "10.0.1.25"},
            "remoteIpDetails": {**REMOTE_IP, "ipAddressV4": f"198.51.{i // 250}.{i % 250}"},
        }
        for i in range(400)
    ]
    detail = action_finding(
        {
            "actionType": "PORT_PROBE",
            "portProbeAction": {"blocked": False, "portProbeDetails": probes},
        }
    )
    sections = actor_sections(detail)
    probe = section(sections, "Port probe")
    assert probe["Remote IP"] == "198.51.0.0"
    assert probe["Local port"] == "1000"
    assert probe["Probes"] == "400"
    assert (
        probe["Remote IPs"]
        == "198.51.0.0, 198.51.0.1, 198.51.0.2, 198.51.0.3, 198.51.0.4 (+395 more)"
    )
    assert probe["Local ports"] == "1000, 1001, 1002, 1003, 1004 (+45 more)"
    assert probe["Blocked"] == "no"
    check_invariants(sections)


def test_port_probe_single() -> None:
    detail = action_finding(
        {
            "actionType": "PORT_PROBE",
            "portProbeAction": {
                "blocked": True,
                "portProbeDetails": {  # an object where a list is usual
                    "localPortDetails": {"port": 3389, "portName": "RDP"},
                    "remoteIpDetails": REMOTE_IP,
                },
            },
        }
    )
    probe = section(actor_sections(detail), "Port probe")
    assert probe["Local port"] == "3389 (RDP)"
    assert probe["Blocked"] == "yes"
    assert "Probes" not in probe and "Remote IPs" not in probe
