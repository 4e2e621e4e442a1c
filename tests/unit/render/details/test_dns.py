"""DNS requests."""

from __future__ import annotations

from app.render.details import actor_sections
from tests.unit.render.details.support import action_finding, section


def test_dns_request() -> None:
    detail = action_finding(
        {
            "actionType": "DNS_REQUEST",
            "dnsRequestAction": {
                "domain": "pool.minexmr.com",
                "domainWithSuffix": "minexmr.com",
                "protocol": "UDP",
                "blocked": True,
                "vpcOwnerAccountId": "210987654321",
            },
        }
    )
    dns = section(actor_sections(detail), "DNS request")
    assert dns == {
        "Domain": "pool.minexmr.com",
        "Domain with suffix": "minexmr.com",
        "Protocol": "UDP",
        "Blocked": "yes",
        "VPC owner account": "210987654321",
    }
