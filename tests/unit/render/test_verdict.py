"""The verdict line and the lead facts (``app.render.verdict``): for every realistic fixture the
facts a responder needs, written by reading the finding JSON; identifiers exactly as sent;
attacker text marked untrusted; never a raise, never an empty verdict."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from app.core.finding import Finding, MalformedEvent, NotAFinding, parse_event
from app.render.details.registry import ACTIONS, RESOURCES
from app.render.parts import Parts, Trust
from app.render.verdict import LeadFacts, lead_facts, verdict
from app.render.verdict.action import BUILDERS
from app.render.verdict.resource import RESOURCE_FACTS
from tests.conftest import all_fixture_paths, load_event, minimal_event
from tests.finding_strategy import eventbridge_events

SAMPLES = Path(__file__).resolve().parents[3] / "gd2slack" / "local" / "samples"

# fixture: (resource_id, role, remote_ip, words the verdict must contain), read off the JSON:
# resource.<member> ids, service.resourceRole, the action's remoteIpDetails (or the sequence's
# first endpoint), and the facts of the action, the remote side and service.count.
EXPECTED: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "attack-sequence-eks": (
        "prod-eks-01",
        "target",
        "192.0.2.148",
        (
            "EKS cluster prod-eks-01",
            "is the target of",
            "attack sequence of 6 signals",
            "system:serviceaccount:storefront:checkout-api",
            "kdevtmpfsi",
            "192.0.2.148",
            "OVH SAS",
            "once",
        ),
    ),
    "attack-sequence-iam": (
        "ASIAQ3EGR7EXAMPLE7NB",
        "target",
        "198.51.100.40",
        (
            "Access key ASIAQ3EGR7EXAMPLE7NB",
            "web-prod-instance-role",
            "attack sequence of 7 signals",
            "from 198.51.100.40",
            "Hetzner Online GmbH",
        ),
    ),
    "attack-sequence-s3": (
        "acme-datalake-raw-210987654321",
        "target",
        "203.0.113.9",
        (
            "Bucket acme-datalake-raw-210987654321",
            "+2 more",
            "attack sequence of 5 signals",
            "analytics-etl",
            "203.0.113.9",
        ),
    ),
    "china-ec2-tor-client": (
        "i-0f1e2d3c4b5a69788",
        "source",
        "198.51.100.201",
        (
            "Instance edge-gateway-bj-02 (i-0f1e2d3c4b5a69788)",
            "is the source of",
            "Tor",
            "9001",
            "to 198.51.100.201 (M247 Europe SRL, RO)",
            "14× since 27 Nov",
        ),
    ),
    "ec2-bitcoin-tool": (
        "i-0c19a8e7f6d5b4a32",
        "source",
        "192.0.2.148",
        (
            "Instance ci-runner-07 (i-0c19a8e7f6d5b4a32)",
            "is the source of",
            "mining",
            "3333",
            "to 192.0.2.148 (OVH SAS, FR)",
            "131× since 26 Nov",
        ),
    ),
    "ec2-c2-dns": (
        "i-0b7f3c2a91d4e5f60",
        "source",
        "",
        (
            "Instance web-prod-03 (i-0b7f3c2a91d4e5f60)",
            "is the source of",
            "DNS query for kq7v2x9d.update-cdn.example.net",
            "6×",
        ),
    ),
    "ec2-port-probe": (
        "i-0b7f3c2a91d4e5f60",
        "target",
        "198.51.100.23",
        (
            "Instance web-prod-03",
            "is the target of",
            "port probe",
            "22",
            "8080",
            "from 198.51.100.23 (DigitalOcean, LLC, NL)",
            "47× since 26 Nov",
        ),
    ),
    "ec2-rdp-brute-force-archived": (
        "i-07aa31c5e9f0d2b84",
        "target",
        "203.0.113.57",
        (
            "Instance jump-win-01 (i-07aa31c5e9f0d2b84)",
            "RDP brute force on port 3389",
            "from 203.0.113.57 (China Telecom Guangdong, CN)",
            "9×",
        ),
    ),
    "ec2-ssh-brute-force": (
        "i-04e2d9a7c1b3f8e26",
        "target",
        "203.0.113.57",
        (
            "Instance bastion-euw1 (i-04e2d9a7c1b3f8e26)",
            "is the target of",
            "SSH brute force on port 22",
            "from 203.0.113.57",
            "12× since 27 Nov",
        ),
    ),
    "eks-exec-kube-system": (
        "prod-eks-01",
        "target",
        "198.51.100.40",
        (
            "EKS cluster prod-eks-01",
            "Kubernetes API call",
            "create",
            "exec",
            "aws-node-4xq8r",
            "kube-system",
            "assumed-role/AWSReservedSSO_PlatformAdmin_5c0d2f7e9a1b3c4d/mchen",
            "198.51.100.40 (Hetzner Online GmbH, DE)",
            "3×",
        ),
    ),
    "eks-permission-checked": (
        "prod-eks-01",
        "target",
        "",
        (
            "EKS cluster prod-eks-01",
            "permission check",
            "create",
            "clusterrolebindings",
            "denied",
            "system:serviceaccount:ci:deployer",
            "once",
        ),
    ),
    "eks-privileged-container": (
        "prod-eks-01",
        "target",
        "10.50.7.19",
        (
            "EKS cluster prod-eks-01",
            "node-debugger-7d9f5",
            "create",
            "pods",
            "system:serviceaccount:ci:deployer",
            "10.50.7.19",
        ),
    ),
    "eks-role-binding-created": (
        "prod-eks-01",
        "target",
        "10.50.7.19",
        (
            "EKS cluster prod-eks-01",
            "rolebindings",
            "ci-edit-binding",
            "ClusterRole edit",
            "system:serviceaccount:ci:deployer",
        ),
    ),
    "govcloud-iam-malicious-ip-caller": (
        "AKIAQ3EGR7EXAMPLEG0V",
        "target",
        "192.0.2.77",
        (
            "Access key AKIAQ3EGR7EXAMPLEG0V (user svc-reporting)",
            "API call GetSecretValue",
            "from 192.0.2.77 (Selectel, RU)",
            "3×",
        ),
    ),
    "iam-credential-exfiltration": (
        "ASIAQ3EGR7EXAMPLE7NB",
        "target",
        "198.51.100.40",
        (
            "Access key ASIAQ3EGR7EXAMPLE7NB",
            "web-prod-instance-role",
            "API call ListBuckets",
            "AccessDenied",
            "198.51.100.40 (Hetzner Online GmbH, DE)",
            "7×",
        ),
    ),
    "lambda-malicious-ip-caller": (
        "payment-webhook-handler",
        "source",
        "198.51.100.14",
        (
            "Lambda function payment-webhook-handler",
            "is the source of",
            "443",
            "to 198.51.100.14 (Linode, SG)",
            "5×",
        ),
    ),
    "malware-backup-ebs-snapshot": (
        "arn:aws:ec2:us-east-1:123456789012:snapshot/snap-0ba5d5bcb4fe9eaf8",
        "target",
        "",
        (
            "snap-0ba5d5bcb4fe9eaf8",
            "malware PHP.Webshell.WSO",
            "/var/www/html/wp-content/uploads/2026/11/cache.php",
            "once",
        ),
    ),
    "malware-container-malicious-file": (
        "15c873ca84ba2de4d6460a9c998be8d842738b4121c53a8f5194c2b373e55671",
        "target",
        "",
        ("Container legacy-reporting", "malware Application.Linux.Miner.AQ", "/opt/app/bin/xmrig"),
    ),
    "malware-ec2-malicious-file": (
        "i-0b7f3c2a91d4e5f60",
        "target",
        "",
        (
            "Instance web-prod-03 (i-0b7f3c2a91d4e5f60)",
            "Linux.Trojan.Mirai.B",
            "Linux.Backdoor.Tsunami.A",
            "/tmp/.ICE-unix/.x/dvrHelper",
        ),
    ),
    "malware-s3-object": (
        "acme-customer-uploads",
        "target",
        "",
        (
            "uploads/2026/11/27/invoice-88231.zip",
            "acme-customer-uploads",
            "Trojan.GenericKD.74512907",
            "invoice-88231.zip/invoice-88231.pdf.js",
        ),
    ),
    "rds-anomalous-successful-login": (
        "payments-prod-instance-1",
        "target",
        "203.0.113.9",
        (
            "DB instance payments-prod-instance-1",
            "1 successful login",
            "app_readonly",
            "from 203.0.113.9 (Claro NXT, BR)",
            "once",
        ),
    ),
    "rds-limitless-malicious-ip-failed-login": (
        "orders-shard-group",
        "target",
        "192.0.2.77",
        (
            "orders-shard-group",
            "249 failed logins",
            "postgres",
            "admin",
            "from 192.0.2.77 (Selectel, RU)",
            "4×",
        ),
    ),
    "runtime-ecs-reverse-shell": (
        "checkout-prod",
        "target",
        "",
        (
            "ECS cluster checkout-prod",
            "payments-worker",
            "reverse shell",
            "process bash",
            "/bin/bash",
            "2×",
        ),
    ),
    "runtime-eks-new-binary-executed": (
        "prod-eks-01",
        "target",
        "",
        (
            "EKS cluster prod-eks-01",
            "storefront",
            "checkout-api-6b8f7d9c5-kx2lp",
            "binary",
            "process kdevtmpfsi",
            "/tmp/.ICE-unix/kdevtmpfsi",
            "once",
        ),
    ),
    "s3-anomalous-behavior": (
        "acme-datalake-raw-210987654321",
        "target",
        "203.0.113.9",
        (
            "Bucket acme-datalake-raw-210987654321",
            "API call ListObjects",
            "analytics-etl",
            "AKIAQ3EGR7EXAMPLE2ZD",
            "203.0.113.9 (Claro NXT, BR)",
            "once",
        ),
    ),
    "s3-block-public-access-disabled": (
        "acme-marketing-assets",
        "target",
        "203.0.113.120",
        (
            "Bucket acme-marketing-assets",
            "API call PutBucketPublicAccessBlock",
            "jdoe",
            "ASIAQ3EGR7EXAMPLE4KM",
            "203.0.113.120 (Comcast Cable, US)",
            "once",
        ),
    ),
    "sample-iam-tor-ip-caller": (
        "GeneratedFindingAccessKeyId",
        "target",
        "198.51.100.0",
        (
            "Access key GeneratedFindingAccessKeyId (user GeneratedFindingUserName)",
            "API call GeneratedFindingAPIName",
            "198.51.100.0",
            "once",
        ),
    ),
}


def _plain(parts: Parts) -> str:
    return "".join(part.text for part in parts)


def _finding(event: dict[str, Any]) -> Finding:
    return parse_event(event)


def _identifiers(facts: LeadFacts, line: Parts) -> list[str]:
    every = (facts.resource, facts.action, facts.actor, facts.account, facts.span, line)
    return [p.text for parts in every for p in parts if p.trust is Trust.IDENTIFIER]


def _in_finding(text: str, detail: Any) -> bool:
    """``text`` occurs, as written, in the finding's JSON (escaped the same way on both sides)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # hostile findings carry integers past the 4300-digit limit
    try:
        haystack = json.dumps(detail, ensure_ascii=False)
    finally:
        sys.set_int_max_str_digits(limit)
    return json.dumps(text, ensure_ascii=False)[1:-1] in haystack


def test_the_table_covers_every_realistic_fixture() -> None:
    assert sorted(EXPECTED) == sorted(p.stem for p in all_fixture_paths("events"))


@pytest.mark.parametrize(
    "path",
    [*all_fixture_paths("events"), *sorted(SAMPLES.glob("*.json"))],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_lead_facts_of_realistic_findings(path: Path) -> None:
    resource_id, role, remote_ip, words = EXPECTED[path.stem]
    finding = _finding(json.loads(path.read_text()))
    facts = lead_facts(finding)
    line = _plain(verdict(finding))
    assert (facts.resource_id, facts.role, facts.remote_ip) == (resource_id, role, remote_ip)
    missing = [w for w in words if w not in line]
    assert not missing, f"{missing} not in {line!r}"
    assert facts.resource and facts.action and facts.span
    assert facts.resource_id in [p.text for p in facts.resource if p.trust is Trust.IDENTIFIER]
    if remote_ip:
        assert remote_ip in [p.text for p in facts.actor if p.trust is Trust.IDENTIFIER]
    assert facts.region == finding.detail["region"]
    assert _plain(facts.account) == finding.detail["accountId"]
    for text in _identifiers(facts, verdict(finding)):
        assert _in_finding(text, finding.detail), text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_verdict_never_comes_from_prose(name: str) -> None:
    event = load_event(f"{name}.json")
    before = verdict(_finding(event))
    changed = copy.deepcopy(event)
    changed["detail"]["title"] = "TITLE <!here>"
    changed["detail"]["description"] = "DESCRIPTION <!here>"
    assert verdict(_finding(changed)) == before


def test_attacker_text_is_untrusted_and_aws_text_is_identifier() -> None:
    dns = verdict(_finding(load_event("ec2-c2-dns.json")))
    assert [p.text for p in dns if p.trust is Trust.UNTRUSTED] == [
        "kq7v2x9d.update-cdn.example.net"
    ]
    iam = lead_facts(_finding(load_event("iam-credential-exfiltration.json")))
    assert [p.text for p in iam.resource if p.trust is Trust.IDENTIFIER] == [
        "ASIAQ3EGR7EXAMPLE7NB",
        "web-prod-instance-role",
    ]
    malware = lead_facts(_finding(load_event("malware-ec2-malicious-file.json")))
    assert "/tmp/.ICE-unix/.x/dvrHelper" in [
        p.text for p in malware.action if p.trust is Trust.IDENTIFIER
    ]


def _network_event(**service: Any) -> dict[str, Any]:
    event = minimal_event(finding_type="Backdoor:EC2/DenialOfService.Tcp", count=4)
    event["detail"]["resource"]["instanceDetails"]["tags"] = [
        {"key": "Name", "value": "web-prod-03"}
    ]
    times = {"eventFirstSeen": "2026-01-12T08:30:00Z", "eventLastSeen": "2026-01-28T09:00:00Z"}
    event["detail"]["service"].update({**times, **service})
    return event


_DOS_ACTION = {
    "actionType": "NETWORK_CONNECTION",
    "networkConnectionAction": {
        "connectionDirection": "OUTBOUND",
        "protocol": "TCP",
        "remoteIpDetails": {
            "ipAddressV4": "81.2.69.144",
            "organization": {"org": "Example Telecom", "asn": "-1"},
            "country": {"countryCode": "DE", "countryName": "Germany"},
        },
        "remotePortDetails": {"port": 80},
    },
}


def test_the_issue_example() -> None:
    finding = _finding(_network_event(resourceRole="ACTOR", action=_DOS_ACTION))
    assert _plain(verdict(finding, {"123456789012": "prod"})) == (
        "Instance web-prod-03 (i-0abc1234def567890) is the source of TCP DoS traffic to "
        "81.2.69.144 (Example Telecom, DE) · 4× since 12 Jan 08:30 UTC"
    )
    facts = lead_facts(finding, {"123456789012": "prod"})
    assert _plain(facts.account) == "123456789012 (prod)"
    assert facts.region == "us-east-1"


def test_no_role_and_no_action_still_says_what_and_where() -> None:
    facts = lead_facts(_finding(_network_event()))
    assert facts.role == "" and facts.action == () and facts.remote_ip == ""
    assert _plain(verdict(_finding(_network_event()))) == (
        "Instance web-prod-03 (i-0abc1234def567890): Backdoor:EC2/DenialOfService.Tcp"
        " · 4× since 12 Jan 08:30 UTC"
    )


@pytest.mark.parametrize(
    ("count", "span"),
    [(1, "once"), (4, "4× since 12 Jan 08:30 UTC"), ("x", "since 12 Jan 08:30 UTC")],
)
def test_span(count: Any, span: str) -> None:
    finding = _finding(_network_event(count=count))
    assert _plain(lead_facts(finding).span) == span


def test_span_says_the_year_when_it_is_another() -> None:
    event = _network_event(eventFirstSeen="2025-12-30T23:00:00Z")
    assert _plain(lead_facts(_finding(event)).span) == "4× since 30 Dec 2025 23:00 UTC"


def test_dns_on_a_monitored_host_has_the_process_as_actor() -> None:
    event = _network_event(
        resourceRole="ACTOR",
        action={"actionType": "DNS_REQUEST", "dnsRequestAction": {"domain": "pool.evil.example"}},
        runtimeDetails={"process": {"name": "xmrig", "executablePath": "/tmp/xmrig"}},
    )
    assert "DNS query for pool.evil.example by process xmrig (/tmp/xmrig)" in _plain(
        verdict(_finding(event))
    )


def test_attack_sequence_without_a_finding_resource_takes_the_sequence_resource() -> None:
    event = load_event("attack-sequence-iam.json")
    del event["detail"]["resource"]
    facts = lead_facts(_finding(event))
    assert facts.resource_id == "ASIAQ3EGR7EXAMPLE7NB"
    assert _plain(facts.resource) == "Access key web-prod-instance-role (ASIAQ3EGR7EXAMPLE7NB)"


def test_every_registry_kind_has_a_phrase() -> None:
    assert {kind.member for kind in RESOURCES} <= set(RESOURCE_FACTS)
    assert {kind.member for kind in ACTIONS} <= set(BUILDERS)


# resourceType, member, value, expected resource_id (from botocore's shapes).
_KINDS = [
    ("AccessKey", "accessKeyDetails", {"accessKeyId": "AKIAX", "userName": "u"}, "AKIAX"),
    ("Instance", "instanceDetails", {"instanceId": "i-1"}, "i-1"),
    ("S3Bucket", "s3BucketDetails", [{"name": "b"}], "b"),
    ("S3Object", "s3BucketDetails", [{"name": "b", "s3ObjectDetails": [{"key": "k/1"}]}], "b"),
    ("EKSCluster", "eksClusterDetails", {"name": "c"}, "c"),
    (
        "ECSCluster",
        "ecsClusterDetails",
        {"arn": "arn:aws:ecs:::cluster/c"},
        "arn:aws:ecs:::cluster/c",
    ),
    ("Container", "containerDetails", {"name": "n"}, "n"),
    ("RDSDBInstance", "rdsDbInstanceDetails", {"dbInstanceIdentifier": "db-1"}, "db-1"),
    ("RDSLimitlessDB", "rdsLimitlessDbDetails", {"dbShardGroupIdentifier": "sg"}, "sg"),
    (
        "Lambda",
        "lambdaDetails",
        {"functionArn": "arn:aws:lambda:::function:f"},
        "arn:aws:lambda:::function:f",
    ),
    ("EBSVolume", "ebsVolumeDetails", {"scannedVolumeDetails": [{"volumeArn": "vol"}]}, "vol"),
    ("EBSSnapshot", "ebsSnapshotDetails", {"snapshotArn": "snap"}, "snap"),
    ("EC2Image", "ec2ImageDetails", {"imageArn": "ami"}, "ami"),
    ("RecoveryPoint", "recoveryPointDetails", {"recoveryPointArn": "rp"}, "rp"),
    ("BedrockGuardrail", "bedrockGuardrailDetails", {"guardrailArn": "gr"}, "gr"),
    ("Model", "modelDetails", [{"modelId": "m"}], "m"),
]


@pytest.mark.parametrize(("resource_type", "member", "value", "resource_id"), _KINDS)
def test_every_resource_kind(resource_type: str, member: str, value: Any, resource_id: str) -> None:
    event = minimal_event()
    event["detail"]["resource"] = {"resourceType": resource_type, member: value}
    facts = lead_facts(_finding(event))
    assert facts.resource_id == resource_id
    assert resource_id in _plain(facts.resource)


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (
            {"portProbeAction": {"portProbeDetails": [{"localPortDetails": {"port": 22}}]}},
            "port probe on port 22",
        ),
        (
            {"kubernetesRoleDetails": {"kind": "ClusterRole", "name": "admin"}},
            "Kubernetes ClusterRole admin",
        ),
        (
            {
                "kubernetesRoleBindingDetails": {
                    "name": "rb",
                    "roleRefKind": "Role",
                    "roleRefName": "r",
                }
            },
            "Kubernetes role binding rb to Role r",
        ),
        (
            {"kubernetesApiCallAction": {"requestUri": "/api/evil.example"}},
            "Kubernetes API call /api/evil.example",
        ),
        (
            {
                "awsApiCallAction": {
                    "api": "A",
                    "remoteAccountDetails": {"accountId": "111122223333"},
                }
            },
            "made API call A from account 111122223333",
        ),
    ],
)
def test_other_action_kinds(action: dict[str, Any], words: str) -> None:
    event = minimal_event()
    event["detail"]["resource"] = {
        "resourceType": "AccessKey",
        "accessKeyDetails": {"accessKeyId": "AKIAX"},
    }
    event["detail"]["service"]["action"] = action
    assert words in _plain(verdict(_finding(event)))


def test_request_uri_fallback_is_untrusted() -> None:
    event = minimal_event()
    event["detail"]["service"]["action"] = {"kubernetesApiCallAction": {"requestUri": "/x.example"}}
    line = verdict(_finding(event))
    assert [p.text for p in line if p.trust is Trust.UNTRUSTED] == ["/x.example"]


_HOSTILE = all_fixture_paths("hostile")


@pytest.mark.parametrize("path", _HOSTILE, ids=lambda p: p.stem)
def test_hostile_findings_never_raise_and_never_yield_an_empty_verdict(path: Path) -> None:
    try:
        finding = _finding(json.loads(path.read_text()))
    except (MalformedEvent, NotAFinding):
        return  # rejected before rendering (tests/unit/render/test_render_fixtures.py)
    facts = lead_facts(finding, {"123456789012": "<!here> prod"})
    line = verdict(finding)
    assert line and _plain(line).strip()
    for text in _identifiers(facts, line):
        if text != "<!here> prod":  # the configured account name is ours to show, not the finding's
            assert _in_finding(text, finding.detail), text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(eventbridge_events())
def test_any_finding_keeps_every_identifier_verbatim(event: dict[str, Any]) -> None:
    try:
        finding = _finding(event)
    except MalformedEvent:
        return
    facts = lead_facts(finding)
    line = verdict(finding)
    assert line
    for text in _identifiers(facts, line):
        assert _in_finding(text, finding.detail), text
