"""Links we build: the type's documentation exactly as AWS's table has it (a family page without
an anchor for unknown types), and investigate links built only from identifiers that match their
AWS syntax, in the finding's partition console."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.core.finding import Finding, MalformedEvent, NotAFinding, parse_event
from app.render.links import (
    LABEL_LIMIT,
    console_url,
    docs_family,
    docs_url,
    identifiers,
    investigate_links,
)
from tests.conftest import all_fixture_paths, load_event, minimal_event

ROOT = Path(__file__).resolve().parents[3]
TABLE: dict[str, Any] = json.loads((ROOT / "app/render/finding_type_docs.json").read_text())
REMEDIATION: dict[str, Any] = json.loads((ROOT / "app/render/remediation.json").read_text())
UG = "https://docs.aws.amazon.com/guardduty/latest/ug/"


def _finding(name: str) -> Finding:
    return parse_event(load_event(name))


def _with_resource(resource: dict[str, Any], **detail: Any) -> Finding:
    return parse_event(minimal_event(resource=resource, **detail))


# --- docs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", all_fixture_paths("events"), ids=lambda p: p.stem)
def test_every_realistic_fixture_links_to_its_entry_in_the_table(path: Path) -> None:
    finding_type = json.loads(path.read_text())["detail"]["type"]
    assert docs_url(finding_type) == TABLE["types"][finding_type]["url"]


# Read from the table (AWS's Security Hub integration page and the finding-type pages): the
# spellings the old slug rule got wrong (-iam- not -iamuser-, RDS's abbreviations, attack
# sequences' dashes, the Lambda page's own name, retired types on the retired page).
EXACT = {
    "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS": (
        "guardduty_finding-types-iam.html#unauthorizedaccess-iam-instancecredentialexfiltrationoutsideaws"
    ),
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller": (
        "guardduty_finding-types-iam.html#unauthorizedaccess-iam-maliciousipcaller"
    ),
    "UnauthorizedAccess:IAMUser/TorIPCaller": (
        "guardduty_finding-types-iam.html#unauthorizedaccess-iam-toripcaller"
    ),
    "UnauthorizedAccess:IAMUser/ConsoleLogin": (
        "guardduty_finding-types-retired.html#unauthorizedaccess-iam-consolelogin"
    ),
    "CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin": (
        "findings-rds-protection.html#credaccess-rds-anombehavior-successlogin"
    ),
    "CredentialAccess:RDS/AnomalousBehavior.FailedLogin": (
        "findings-rds-protection.html#credaccess-rds-anombehavior-failedlogin"
    ),
    "CredentialAccess:RDS/MaliciousIPCaller.FailedLogin": (
        "findings-rds-protection.html#credaccess-rds-maliciousipcaller-failedlogin"
    ),
    "Discovery:RDS/TorIPCaller": "findings-rds-protection.html#discovery-rds-toripcaller",
    "AttackSequence:IAM/CompromisedCredentials": (
        "guardduty-attack-sequence-finding-types.html#attack-sequence-iam-compromised-credentials"
    ),
    "AttackSequence:EKS/CompromisedCluster": (
        "guardduty-attack-sequence-finding-types.html#attack-sequence-eks-compromised-cluster"
    ),
    "AttackSequence:S3/CompromisedData": (
        "guardduty-attack-sequence-finding-types.html#attack-sequence-s3-compromised-data"
    ),
    "Execution:Runtime/ReverseShell": (
        "findings-runtime-monitoring.html#execution-runtime-reverseshell"
    ),
    "Backdoor:Runtime/C&CActivity.B!DNS": (
        "findings-runtime-monitoring.html#backdoor-runtime-ccactivitybdns"
    ),
    "DefenseEvasion:Runtime/ProcessInjection.Proc": (
        "findings-runtime-monitoring.html#defenseeva-runtime-processinjectionproc"
    ),
    "PrivilegeEscalation:Runtime/ElevationToRoot": (
        "guardduty_finding-types-retired.html#privilegeesc-runtime-elevation-to-root"
    ),
    "UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom": (
        "lambda-protection-finding-types.html#unauthorized-access-lambda-maliciousIPcaller-custom"
    ),
    "Execution:EC2/MaliciousFile!Snapshot": (
        "findings-malware-protection-backup.html#execution-malware-ec2-maliciousfile-snapshot"
    ),
}


@pytest.mark.parametrize(("finding_type", "page"), EXACT.items())
def test_exact_page_and_anchor(finding_type: str, page: str) -> None:
    assert TABLE["types"][finding_type]["url"] == UG + page
    assert docs_url(finding_type) == UG + page


def test_the_table_is_whole_and_consistent() -> None:
    types = TABLE["types"]
    assert len(types) >= 221
    pages = set(TABLE["pages"].values())
    for finding_type, entry in types.items():
        assert docs_url(finding_type) == entry["url"]
        page, _, anchor = entry["url"].partition("#")
        assert page in pages and anchor, finding_type
        assert entry["family"] in REMEDIATION["families"], finding_type
        assert ("retired" in page) == entry["retired"], finding_type


@pytest.mark.parametrize(
    ("finding_type", "page"),
    [
        ("AttackSequence:Lambda/CompromisedFunction", "attack_sequence"),
        ("Object:S3/SuspiciousFile", "malware_s3"),
        ("Impact:EC2/SomethingNew.B", "ec2"),
        ("Recon:IAMUser/BrandNew", "iam"),
        ("Exfiltration:S3/NewPattern", "s3"),
        ("Persistence:Kubernetes/NewThing", "eks"),
        ("Execution:Runtime/NewThing!DNS", "runtime"),
        ("CredentialAccess:RDS/NewLogin.Failed", "rds"),
        ("Trojan:Lambda/NewTraffic", "lambda"),
    ],
)
def test_unknown_types_link_to_their_family_page_without_an_anchor(
    finding_type: str, page: str
) -> None:
    assert finding_type not in TABLE["types"]
    assert docs_url(finding_type) == TABLE["pages"][page]
    assert "#" not in docs_url(finding_type)
    assert docs_family(finding_type) == page


@pytest.mark.parametrize(
    "finding_type",
    [
        "",
        "Unknown",
        "Impact:Quantum/EntanglementBroken",
        "Backdoor:EC2",
        "<https://evil.example/|click> Recon:EC2/PortProbeUnprotectedPort",
        "Recon:EC2/PortProbe#evil",
        "recon:ec2/portprobeunprotectedport",
        "x" * 5000,
    ],
)
def test_garbage_types_link_to_the_all_types_page(finding_type: str) -> None:
    assert (
        docs_url(finding_type)
        == TABLE["pages"]["all"]
        == UG + "guardduty_finding-types-active.html"
    )
    assert docs_family(finding_type) == "all"


def test_console_url_is_kept() -> None:
    assert console_url("aws-us-gov", "us-gov-west-1", "a/b") == (
        "https://console.amazonaws-us-gov.com/guardduty/home?region=us-gov-west-1"
        "#/findings?macros=current&fId=a%2Fb"
    )
    assert console_url("aws", "not a region", "x") is None


# --- investigate links ---------------------------------------------------------------------

# Per fixture, written from the finding JSON: (label, url) in order.
EXPECTED = {
    "govcloud-iam-malicious-ip-caller.json": [
        (
            "CloudTrail: key AKIAQ3EGR7EXAMPLEG0V",
            "https://console.amazonaws-us-gov.com/cloudtrail/home?region=us-gov-west-1"
            "#/events?AccessKeyId=AKIAQ3EGR7EXAMPLEG0V",
        ),
        (
            "CloudTrail: user svc-reporting",
            "https://console.amazonaws-us-gov.com/cloudtrail/home?region=us-gov-west-1"
            "#/events?Username=svc-reporting",
        ),
    ],
    "china-ec2-tor-client.json": [
        (
            "EC2 instance i-0f1e2d3c4b5a69788",
            "https://console.amazonaws.cn/ec2/home?region=cn-north-1"
            "#InstanceDetails:instanceId=i-0f1e2d3c4b5a69788",
        )
    ],
    "iam-credential-exfiltration.json": [
        (
            "CloudTrail: key ASIAQ3EGR7EXAMPLE7NB",
            "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1"
            "#/events?AccessKeyId=ASIAQ3EGR7EXAMPLE7NB",
        ),
        (  # a role's CloudTrail user name is its session name (after the role id)
            "CloudTrail: session i-0b7f3c2a91d4e5f60",
            "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1"
            "#/events?Username=i-0b7f3c2a91d4e5f60",
        ),
    ],
    "s3-anomalous-behavior.json": [
        (
            "S3 bucket acme-datalake-raw-210987654321",
            "https://eu-central-1.console.aws.amazon.com/s3/buckets/acme-datalake-raw-210987654321"
            "?region=eu-central-1",
        ),
        (
            "CloudTrail: key AKIAQ3EGR7EXAMPLE2ZD",
            "https://eu-central-1.console.aws.amazon.com/cloudtrail/home?region=eu-central-1"
            "#/events?AccessKeyId=AKIAQ3EGR7EXAMPLE2ZD",
        ),
        (
            "CloudTrail: user analytics-etl",
            "https://eu-central-1.console.aws.amazon.com/cloudtrail/home?region=eu-central-1"
            "#/events?Username=analytics-etl",
        ),
    ],
    "eks-exec-kube-system.json": [
        (
            "EKS cluster prod-eks-01",
            "https://us-west-2.console.aws.amazon.com/eks/home?region=us-west-2#/clusters/prod-eks-01",
        )
    ],
    "runtime-eks-new-binary-executed.json": [
        (
            "EKS cluster prod-eks-01",
            "https://us-west-2.console.aws.amazon.com/eks/home?region=us-west-2#/clusters/prod-eks-01",
        ),
        (
            "EC2 instance i-0e3f4a5b6c7d8e9f0",
            "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2"
            "#InstanceDetails:instanceId=i-0e3f4a5b6c7d8e9f0",
        ),
    ],
    "lambda-malicious-ip-caller.json": [
        (
            "Lambda function payment-webhook-handler",
            "https://us-east-1.console.aws.amazon.com/lambda/home?region=us-east-1"
            "#/functions/payment-webhook-handler",
        )
    ],
    "rds-anomalous-successful-login.json": [
        (
            "RDS instance payments-prod-instance-1",
            "https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1"
            "#database:id=payments-prod-instance-1;is-cluster=false",
        ),
        (
            "RDS cluster payments-prod",
            "https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1"
            "#database:id=payments-prod;is-cluster=true",
        ),
    ],
    "rds-limitless-malicious-ip-failed-login.json": [
        (
            "RDS cluster orders-limitless",
            "https://us-east-1.console.aws.amazon.com/rds/home?region=us-east-1"
            "#database:id=orders-limitless;is-cluster=true",
        )
    ],
    "runtime-ecs-reverse-shell.json": [
        (
            "ECS cluster checkout-prod",
            "https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/checkout-prod?region=eu-west-1",
        )
    ],
    "malware-s3-object.json": [
        (
            "S3 bucket acme-customer-uploads",
            "https://us-east-1.console.aws.amazon.com/s3/buckets/acme-customer-uploads"
            "?region=us-east-1",
        )
    ],
    # The sample's placeholder key id is no access key id: no link for it.
    "sample-iam-tor-ip-caller.json": [
        (
            "CloudTrail: user GeneratedFindingUserName",
            "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1"
            "#/events?Username=GeneratedFindingUserName",
        )
    ],
    "malware-backup-ebs-snapshot.json": [
        (
            "EBS snapshot snap-0ba5d5bcb4fe9eaf8",
            "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1"
            "#SnapshotDetails:snapshotId=snap-0ba5d5bcb4fe9eaf8",
        )
    ],
    "malware-container-malicious-file.json": [],  # a container has no console page of its own
}


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_investigate_links_per_kind_and_partition(name: str, expected: list[Any]) -> None:
    links = investigate_links(_finding(name))
    assert [(link.label, link.url) for link in links] == expected


def test_at_most_two_links_per_kind_and_the_resource_first() -> None:
    links = investigate_links(_finding("attack-sequence-s3.json"))  # three buckets
    assert [link.label for link in links] == [
        "S3 bucket acme-datalake-raw-210987654321",
        "S3 bucket acme-datalake-curated-210987654321",
    ]


@pytest.mark.parametrize("path", all_fixture_paths("events"), ids=lambda p: p.stem)
def test_every_realistic_link_is_well_formed(path: Path) -> None:
    finding = parse_event(json.loads(path.read_text()))
    host = {"aws-us-gov": "console.amazonaws-us-gov.com", "aws-cn": "console.amazonaws.cn"}.get(
        finding.partition, f"{finding.region}.console.aws.amazon.com"
    )
    for link in investigate_links(finding):
        assert link.url.startswith(f"https://{host}/")
        assert f"region={finding.region}" in link.url
        assert 0 < len(link.label) <= LABEL_LIMIT


def test_identifiers_are_url_encoded() -> None:
    finding = _with_resource(
        {
            "resourceType": "AccessKey",
            "accessKeyDetails": {"userType": "IAMUser", "userName": "ops+ci=1,x@example"},
        }
    )
    (link,) = investigate_links(finding)
    assert link.url.endswith("#/events?Username=ops%2Bci%3D1%2Cx%40example")


def test_a_bogus_region_gives_no_links() -> None:
    event = minimal_event()
    event["detail"]["region"] = "us-east-1/../../evil"
    assert investigate_links(parse_event(event)) == ()


SAFE_URL = re.compile(r"^https://[a-z0-9.-]+/[A-Za-z0-9/?=#:;&._%-]*$")
HOSTILE_TEXT = ("<", ">", " ", "evil", "channel", "here", "everyone", "\u202e", "\n", "`", "*")


def _hostile_findings() -> list[tuple[str, Finding]]:
    found = []
    for path in all_fixture_paths("hostile"):
        try:
            found.append((path.stem, parse_event(json.loads(path.read_text()))))
        except (MalformedEvent, NotAFinding):
            continue
    return found


@pytest.mark.parametrize(("name", "finding"), _hostile_findings(), ids=lambda v: str(v)[:40])
def test_hostile_identifiers_never_appear_in_a_url(name: str, finding: Finding) -> None:
    for link in investigate_links(finding):
        assert SAFE_URL.match(link.url), link.url
        assert not any(text in link.url for text in HOSTILE_TEXT), link.url
        assert not any(text in link.label for text in ("<", ">", "evil", "\u202e")), link.label


@pytest.mark.parametrize(
    "path",
    [p for p in all_fixture_paths("hostile") if p.name.startswith("injection-")],
    ids=lambda p: p.stem,
)
def test_injected_identifiers_are_refused(path: Path) -> None:
    # Every identifier in these carries injected text (the regions are clean but for
    # injection-identifiers): each link is refused rather than built from it.
    finding = parse_event(json.loads(path.read_text()))
    assert investigate_links(finding) == ()
    if path.name != "injection-identifiers.json":  # the clean twin has links
        assert investigate_links(_finding(path.name.removeprefix("injection-")))


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("my-bucket", True),
        ("a.b-c.123", True),
        ("abc", True),
        ("ab", False),
        ("a" * 64, False),
        ("My-Bucket", False),
        ("my_bucket", False),
        ("a..b", False),
        ("-abc", False),
        ("abc-", False),
        ("192.168.1.1", False),
        ("xn--abc", False),
        ("my-bucket/../x", False),
        ("my-bucket?x=1", False),
    ],
)
def test_bucket_name_rules(name: str, valid: bool) -> None:
    finding = _with_resource({"resourceType": "S3Bucket", "s3BucketDetails": [{"name": name}]})
    assert identifiers(finding).buckets == ((name,) if valid else ())


@pytest.mark.parametrize(
    ("field", "resource", "value", "valid"),
    [
        ("instance_id", {"instanceDetails": {"instanceId": "i-0abc1234"}}, "i-0abc1234", True),
        ("instance_id", {"instanceDetails": {"instanceId": "i-0ABC1234"}}, "i-0ABC1234", False),
        ("instance_id", {"instanceDetails": {"instanceId": "i-0abc"}}, "i-0abc", False),
        ("instance_id", {"instanceDetails": {"instanceId": "i-" + "a" * 18}}, "", False),
        (
            "access_key_id",
            {"accessKeyDetails": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE"}},
            "AKIAIOSFODNN7EXAMPLE",
            True,
        ),
        (
            "access_key_id",
            {"accessKeyDetails": {"accessKeyId": "AKIAIOSFODNN7EXAMPL"}},
            "AKIAIOSFODNN7EXAMPL",
            False,
        ),
        (
            "access_key_id",
            {"accessKeyDetails": {"accessKeyId": "AXIAIOSFODNN7EXAMPLE"}},
            "AXIAIOSFODNN7EXAMPLE",
            False,
        ),
        ("eks_cluster", {"eksClusterDetails": {"name": "prod_1-a"}}, "prod_1-a", True),
        ("eks_cluster", {"eksClusterDetails": {"name": "-prod"}}, "-prod", False),
        ("function_name", {"lambdaDetails": {"functionName": "fn_1-a"}}, "fn_1-a", True),
        ("function_name", {"lambdaDetails": {"functionName": "fn:1"}}, "fn:1", False),
        ("db_instance", {"rdsDbInstanceDetails": {"dbInstanceIdentifier": "db-1"}}, "db-1", True),
        ("db_instance", {"rdsDbInstanceDetails": {"dbInstanceIdentifier": "1db"}}, "1db", False),
        ("db_instance", {"rdsDbInstanceDetails": {"dbInstanceIdentifier": "d--b"}}, "d--b", False),
        ("db_instance", {"rdsDbInstanceDetails": {"dbInstanceIdentifier": "db-"}}, "db-", False),
        ("ecs_cluster", {"ecsClusterDetails": {"name": "c_1-a"}}, "c_1-a", True),
        ("ecs_cluster", {"ecsClusterDetails": {"name": "c/1"}}, "c/1", False),
    ],
)
def test_identifier_syntax(field: str, resource: dict[str, Any], value: str, valid: bool) -> None:
    ids = identifiers(_with_resource({"resourceType": "X", **resource}))
    assert getattr(ids, field) == (value if valid else None)


def test_a_long_identifier_keeps_the_label_within_slacks_limit() -> None:
    name = "c" + "x" * 99
    finding = _with_resource({"resourceType": "EKSCluster", "eksClusterDetails": {"name": name}})
    (link,) = investigate_links(finding)
    assert len(link.label) == LABEL_LIMIT and link.label.endswith("…")
    assert link.url.endswith(f"#/clusters/{name}")
