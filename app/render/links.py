"""Links we build ourselves (never from finding text): GuardDuty console and finding-type docs.

The partition decides the console domain: a GovCloud or China finding linked to the commercial
console is a dead link exactly when a responder needs it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from app.constants import valid_region
from app.core.partition import console_host

_TYPE = re.compile(r"^[A-Za-z0-9]+:[A-Za-z0-9]+/[A-Za-z0-9.!&_-]+$")
_DOCS = "https://docs.aws.amazon.com/guardduty/latest/ug/"
# Resource part of ``ThreatPurpose:Resource/Family.Mechanism!Artifact`` → finding-type page.
_DOC_PAGES = {
    "EC2": "guardduty_finding-types-ec2.html",
    "IAMUser": "guardduty_finding-types-iam.html",
    "S3": "guardduty_finding-types-s3.html",
    "Kubernetes": "guardduty-finding-types-eks-audit-logs.html",
    "Runtime": "findings-runtime-monitoring.html",
    "RDS": "findings-rds-protection.html",
    "Lambda": "findings-lambda-protection.html",
    "EBS": "findings-malware-protection.html",
}
_ATTACK_SEQUENCE_PAGE = "guardduty-attack-sequence-finding-types.html"
_ALL_TYPES_PAGE = "guardduty_finding-types-active.html"


def console_url(partition: str, region: str, finding_id: str) -> str | None:
    """The finding in the GuardDuty console of its partition, or None if the region is bogus."""
    if not valid_region(region):
        return None
    host = console_host(partition, region)
    return (
        f"{host}/guardduty/home?region={region}#/findings?macros=current"
        f"&fId={quote(finding_id, safe='')}"
    )


def docs_url(finding_type: str) -> str:
    """The finding type's documentation; the type list when the type is unknown or odd."""
    if not _TYPE.match(finding_type):
        return _DOCS + _ALL_TYPES_PAGE
    purpose, rest = finding_type.split(":", 1)
    resource = rest.split("/", 1)[0]
    if purpose == "AttackSequence":
        page = _ATTACK_SEQUENCE_PAGE
    elif resource == "S3" and purpose == "Object":
        page = "gdu-malware-protection-s3-finding-types.html"
    else:
        page = _DOC_PAGES.get(resource, _ALL_TYPES_PAGE)
    anchor = re.sub(r"[^a-z0-9-]", "", finding_type.lower().replace(":", "-").replace("/", "-"))
    return f"{_DOCS}{page}#{anchor}"
