"""Links we build ourselves (never from finding text): GuardDuty console, finding-type docs and
the consoles a responder investigates in.

The partition decides the console domain: a GovCloud or China finding linked to the commercial
console is a dead link exactly when a responder needs it. Investigate links are built only from
identifiers that match their AWS syntax (``identifiers``); anything else is left out, so hostile
text never becomes part of a URL.

Console URL formats (the consoles' own deep links, as AWS's docs and the consoles use them):
CloudTrail event history ``cloudtrail/home?region=R#/events?AccessKeyId=…`` / ``?Username=…``
(the ``LookupEvents`` attribute names); ``ec2/home?region=R#InstanceDetails:instanceId=…``;
``s3/buckets/NAME?region=R``; ``eks/home?region=R#/clusters/NAME``;
``lambda/home?region=R#/functions/NAME``; ``rds/home?region=R#database:id=ID;is-cluster=…``;
``ecs/v2/clusters/NAME?region=R``; ``ec2/home?region=R#SnapshotDetails:snapshotId=…`` and
``#ImageDetails:imageId=…``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

from app.constants import valid_region
from app.core.finding import Finding
from app.core.partition import console_host
from app.core.read import as_list, as_mapping, as_text
from app.render.parts import Link

_TYPE = re.compile(r"^[A-Za-z0-9]+:[A-Za-z0-9]+/[A-Za-z0-9.!&_-]+$")
LABEL_LIMIT = 75  # Slack's button text limit


@cache
def _docs_table() -> Mapping[str, Any]:
    text = resources.files("app.render").joinpath("finding_type_docs.json").read_text("utf-8")
    table: Mapping[str, Any] = json.loads(text)
    return table


def console_url(partition: str, region: str, finding_id: str) -> str | None:
    """The finding in the GuardDuty console of its partition, or None if the region is bogus."""
    if not valid_region(region):
        return None
    host = console_host(partition, region)
    return (
        f"{host}/guardduty/home?region={region}#/findings?macros=current"
        f"&fId={quote(finding_id, safe='')}"
    )


def docs_family(finding_type: str) -> str:
    """The type's family: the table's for a listed type, else by the table's fallback rules
    (``pages`` key, e.g. ``iam``); ``all`` when nothing fits."""
    table = _docs_table()
    entry = table["types"].get(finding_type)
    if entry is not None:
        return str(entry["family"])
    if not _TYPE.match(finding_type):
        return "all"
    fallback = table["fallback"]
    purpose, rest = finding_type.split(":", 1)
    resource = rest.split("/", 1)[0]
    for rules, key in (
        (fallback["purpose"], purpose),
        (fallback["prefix"], f"{purpose}:{resource}"),
        (fallback["resource"], resource),
    ):
        if key in rules:
            return str(rules[key])
    return "all"


def docs_url(finding_type: str) -> str:
    """The type's documentation, exactly as AWS's table has it (page and anchor); for a type not
    in the table its family's page without an anchor; the all-types page when nothing fits."""
    table = _docs_table()
    entry = table["types"].get(finding_type)
    if entry is not None:
        return str(entry["url"])
    pages = table["pages"]
    return str(pages.get(docs_family(finding_type), pages["all"]))


# --- identifiers, each checked against its AWS syntax --------------------------------------

_PARTITION = r"aws(?:-cn|-us-gov)?"
_SYNTAX = {
    "access_key_id": re.compile(r"^A[SK]IA[A-Z0-9]{16}$"),
    "iam_name": re.compile(r"^[A-Za-z0-9+=,.@_-]{1,64}$"),  # IAM user and role names
    "session_name": re.compile(r"^[A-Za-z0-9+=,.@_-]{2,64}$"),
    "instance_id": re.compile(r"^i-[0-9a-f]{8,17}$"),
    "bucket": re.compile(
        r"^(?!xn--)(?!.*\.\.)(?!\d{1,3}(?:\.\d{1,3}){3}$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
    ),
    # Shell- and URL-safe object keys only (S3's "safe characters" less the shell-special ones).
    "object_key": re.compile(r"^[A-Za-z0-9_.-][A-Za-z0-9_./-]{0,1023}$"),
    "eks_cluster": re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$"),
    "ecs_cluster": re.compile(r"^[A-Za-z0-9_-]{1,255}$"),
    "function_name": re.compile(r"^[A-Za-z0-9_-]{1,64}$"),
    "db_identifier": re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,62}(?<!-)$"),
    "account_id": re.compile(r"^\d{12}$"),
    "backup_vault": re.compile(r"^[A-Za-z0-9_.-]{2,50}$"),
    "recovery_point_arn": re.compile(
        rf"^arn:{_PARTITION}:[a-z0-9-]{{2,20}}:[a-z0-9-]*:\d{{0,12}}:[A-Za-z0-9:/._-]{{1,256}}$"
    ),
}
_ROLE_SESSION = re.compile(r"^AROA[A-Z0-9]{12,}:(.+)$")
_SNAPSHOT_ARN = re.compile(
    rf"^arn:{_PARTITION}:ec2:[a-z0-9-]+:\d{{0,12}}:snapshot/(snap-[0-9a-f]{{8,17}})$"
)
_IMAGE_ARN = re.compile(
    rf"^arn:{_PARTITION}:ec2:[a-z0-9-]+:\d{{0,12}}:image/(ami-[0-9a-f]{{8,17}})$"
)
_TASK_ARN = re.compile(
    rf"^arn:{_PARTITION}:ecs:[a-z0-9-]+:\d{{12}}:task/(?:[A-Za-z0-9_-]{{1,255}}/)?([0-9a-f]{{32}})$"
)


def _valid(kind: str, value: Any) -> str | None:
    text = as_text(value)
    return text if _SYNTAX[kind].match(text) else None


def _captured(pattern: re.Pattern[str], value: Any) -> str | None:
    match = pattern.match(as_text(value))
    return match.group(1) if match else None


@dataclass(frozen=True)
class Identifiers:
    """The finding's identifiers that match their AWS syntax; None (or empty) when absent or odd."""

    region: str | None = None
    account_id: str | None = None
    resource_role: str = ""  # ACTOR (our resource is the source) or TARGET
    user_type: str = ""  # accessKeyDetails.userType: IAMUser, AssumedRole, Root, …
    access_key_id: str | None = None
    user_name: str | None = None  # an IAM user's name (userType IAMUser)
    role_name: str | None = None  # the role of an AssumedRole
    session_name: str | None = None  # the role session (CloudTrail's user name for a role)
    instance_id: str | None = None
    buckets: tuple[str, ...] = ()
    object_key: str | None = None
    eks_cluster: str | None = None
    ecs_cluster: str | None = None
    task_id: str | None = None
    function_name: str | None = None
    db_instance: str | None = None
    db_cluster: str | None = None
    snapshot_id: str | None = None
    image_id: str | None = None
    recovery_point_arn: str | None = None
    backup_vault: str | None = None


def identifiers(finding: Finding) -> Identifiers:
    """Read the identifiers from their structured fields; nothing from prose."""
    resource = as_mapping(finding.detail.get("resource"))
    service = as_mapping(finding.detail.get("service"))
    key = as_mapping(resource.get("accessKeyDetails"))
    user_type = as_text(key.get("userType"))
    name = _valid("iam_name", key.get("userName"))
    session = _captured(_ROLE_SESSION, key.get("principalId"))
    buckets = [as_mapping(b) for b in as_list(resource.get("s3BucketDetails"))[:50]]
    objects = [as_mapping(o) for b in buckets for o in as_list(b.get("s3ObjectDetails"))[:5]]
    ecs = as_mapping(resource.get("ecsClusterDetails"))
    rds = as_mapping(resource.get("rdsDbInstanceDetails"))
    limitless = as_mapping(resource.get("rdsLimitlessDbDetails"))
    recovery = as_mapping(resource.get("recoveryPointDetails"))
    return Identifiers(
        region=finding.region if valid_region(finding.region) else None,
        account_id=_valid("account_id", finding.account_id),
        resource_role=as_text(service.get("resourceRole")).upper(),
        user_type=user_type,
        access_key_id=_valid("access_key_id", key.get("accessKeyId")),
        user_name=name if user_type == "IAMUser" else None,
        role_name=name if user_type == "AssumedRole" else None,
        session_name=(
            session
            if user_type == "AssumedRole" and _SYNTAX["session_name"].match(session or "")
            else None
        ),
        instance_id=_valid(
            "instance_id", as_mapping(resource.get("instanceDetails")).get("instanceId")
        ),
        buckets=tuple(dict.fromkeys(n for b in buckets if (n := _valid("bucket", b.get("name"))))),
        object_key=next((k for o in objects if (k := _valid("object_key", o.get("key")))), None),
        eks_cluster=_valid(
            "eks_cluster", as_mapping(resource.get("eksClusterDetails")).get("name")
        ),
        ecs_cluster=_valid("ecs_cluster", ecs.get("name")),
        task_id=_captured(_TASK_ARN, as_mapping(ecs.get("taskDetails")).get("arn")),
        function_name=_valid(
            "function_name", as_mapping(resource.get("lambdaDetails")).get("functionName")
        ),
        db_instance=_valid("db_identifier", rds.get("dbInstanceIdentifier")),
        db_cluster=_valid(
            "db_identifier", rds.get("dbClusterIdentifier") or limitless.get("dbClusterIdentifier")
        ),
        snapshot_id=_captured(
            _SNAPSHOT_ARN, as_mapping(resource.get("ebsSnapshotDetails")).get("snapshotArn")
        ),
        image_id=_captured(_IMAGE_ARN, as_mapping(resource.get("ec2ImageDetails")).get("imageArn")),
        recovery_point_arn=_valid("recovery_point_arn", recovery.get("recoveryPointArn")),
        backup_vault=_valid("backup_vault", recovery.get("backupVaultName")),
    )


# --- investigate links ---------------------------------------------------------------------


def _label(prefix: str, identifier: str) -> str:
    text = f"{prefix} {identifier}"
    if len(text) <= LABEL_LIMIT:
        return text
    return text[: LABEL_LIMIT - 1] + "…"


def _q(identifier: str) -> str:
    return quote(identifier, safe="")


def _cloudtrail(host: str, region: str, ids: Identifiers) -> list[Link]:
    base = f"{host}/cloudtrail/home?region={region}#/events?"
    links = []
    if ids.access_key_id:
        links.append(
            Link(
                _label("CloudTrail: key", ids.access_key_id),
                f"{base}AccessKeyId={_q(ids.access_key_id)}",
            )
        )
    user = ids.user_name or ids.session_name
    if user:
        word = "user" if ids.user_name else "session"
        links.append(Link(_label(f"CloudTrail: {word}", user), f"{base}Username={_q(user)}"))
    return links


def _backup(host: str, region: str, ids: Identifiers) -> list[Link]:
    base = f"{host}/ec2/home?region={region}#"
    links = []
    if ids.snapshot_id:
        url = f"{base}SnapshotDetails:snapshotId={_q(ids.snapshot_id)}"
        links.append(Link(_label("EBS snapshot", ids.snapshot_id), url))
    if ids.image_id:
        links.append(
            Link(_label("AMI", ids.image_id), f"{base}ImageDetails:imageId={_q(ids.image_id)}")
        )
    return links


def _buckets(host: str, region: str, ids: Identifiers) -> list[Link]:
    return [
        Link(_label("S3 bucket", name), f"{host}/s3/buckets/{_q(name)}?region={region}")
        for name in ids.buckets[:2]
    ]


def _rds(host: str, region: str, ids: Identifiers) -> list[Link]:
    base = f"{host}/rds/home?region={region}#database:id="
    links = []
    if ids.db_instance:
        links.append(
            Link(
                _label("RDS instance", ids.db_instance),
                f"{base}{_q(ids.db_instance)};is-cluster=false",
            )
        )
    if ids.db_cluster:
        links.append(
            Link(
                _label("RDS cluster", ids.db_cluster), f"{base}{_q(ids.db_cluster)};is-cluster=true"
            )
        )
    return links


Builder = Callable[[str, str, Identifiers], list[Link]]


def _one(label: str, attribute: str, path: str) -> Builder:
    """A kind with one identifier: ``path`` holds ``{region}`` and ``{id}`` (URL-quoted)."""

    def build(host: str, region: str, ids: Identifiers) -> list[Link]:
        ident = getattr(ids, attribute)
        if not ident:
            return []
        return [Link(_label(label, ident), host + path.format(region=region, id=_q(ident)))]

    return build


# Kinds in their default order; the finding's own resource type goes first.
_KINDS = (
    (("AccessKey",), _cloudtrail),
    (
        ("Instance",),
        _one(
            "EC2 instance",
            "instance_id",
            "/ec2/home?region={region}#InstanceDetails:instanceId={id}",
        ),
    ),
    (("S3Bucket", "S3Object"), _buckets),
    (
        ("EKSCluster",),
        _one("EKS cluster", "eks_cluster", "/eks/home?region={region}#/clusters/{id}"),
    ),
    (("ECSCluster",), _one("ECS cluster", "ecs_cluster", "/ecs/v2/clusters/{id}?region={region}")),
    (
        ("Lambda",),
        _one("Lambda function", "function_name", "/lambda/home?region={region}#/functions/{id}"),
    ),
    (("RDSDBInstance", "RDSLimitlessDB"), _rds),
    (("EBSSnapshot", "EC2Snapshot", "EC2Image"), _backup),
)


def investigate_links(finding: Finding) -> tuple[Link, ...]:
    """Console pages to investigate in, at most two per kind, in the finding's partition and
    region: CloudTrail event history for the access key and the user (or role session), the EC2
    instance, the S3 buckets, the EKS cluster, the ECS cluster, the Lambda function, the RDS
    instance and cluster, the EBS snapshot or AMI. Nothing when the region is bogus; a kind whose
    identifier does not match its AWS syntax is left out. The finding's own resource comes first."""
    ids = identifiers(finding)
    if ids.region is None:
        return ()
    host = console_host(finding.partition, ids.region)
    kinds = sorted(_KINDS, key=lambda kind: finding.resource_type not in kind[0])
    return tuple(link for _, build in kinds for link in build(host, ids.region, ids)[:2])
