"""Suppress similar: the exact GuardDuty filter a triage press creates (pure).

A suppression rule is ``CreateFilter`` with action ``ARCHIVE``: GuardDuty archives every
matching finding as it arrives and no longer exports it (EventBridge, Security Hub), so the
filter must be narrow and shown exactly before it is created. It is the finding type and the
resource's one identifier, optionally the account; the attribute names are GuardDuty's
documented ``FindingCriteria`` fields (the ``CreateFilter`` API reference, the same list as
botocore's model documentation).

A finding whose resource has no single identifier (several buckets, an attack sequence, an
unknown kind) is suppressed by type and account only when the user asked for the account;
type alone would silence that type in every account, which is never what "similar" means.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from app.core.finding import Finding
from app.core.read import as_mapping, as_text, objects

# resource.resourceType → (the filter attribute, how to read its one value from ``resource``).
Reader = Callable[[Mapping[str, Any]], list[str]]
NAME_PREFIX: Final = "gd2slack-"
MAX_VALUE: Final = 512  # longer than any AWS identifier these attributes hold
ACCOUNT_ATTRIBUTE: Final = "accountId"
TYPE_ATTRIBUTE: Final = "type"


class SuppressRefused(ValueError):
    """No filter narrow enough for this finding; the message says what to do instead."""


def _member(member: str, key: str) -> Reader:
    return lambda resource: [as_text(as_mapping(resource.get(member)).get(key))]


def _listed(member: str, key: str, inner: str = "") -> Reader:
    """Every value of ``key`` in list member ``member`` (or its ``inner`` list)."""

    def read(resource: Mapping[str, Any]) -> list[str]:
        holder = as_mapping(resource.get(member)) if inner else resource
        elements = objects(holder.get(inner or member))
        return [as_text(element.get(key)) for element in elements]

    return read


IDENTIFIERS: Final[Mapping[str, tuple[str, Reader]]] = {
    "Instance": (
        "resource.instanceDetails.instanceId",
        _member("instanceDetails", "instanceId"),
    ),
    "AccessKey": (
        "resource.accessKeyDetails.accessKeyId",
        _member("accessKeyDetails", "accessKeyId"),
    ),
    "S3Bucket": ("resource.s3BucketDetails.name", _listed("s3BucketDetails", "name")),
    "S3Object": ("resource.s3BucketDetails.name", _listed("s3BucketDetails", "name")),
    "EKSCluster": ("resource.eksClusterDetails.name", _member("eksClusterDetails", "name")),
    "ECSCluster": ("resource.ecsClusterDetails.name", _member("ecsClusterDetails", "name")),
    "Container": ("resource.containerDetails.id", _member("containerDetails", "id")),
    "Lambda": (
        "resource.lambdaDetails.functionName",
        _member("lambdaDetails", "functionName"),
    ),
    "RDSDBInstance": (
        "resource.rdsDbInstanceDetails.dbInstanceIdentifier",
        _member("rdsDbInstanceDetails", "dbInstanceIdentifier"),
    ),
    "RDSLimitlessDB": (
        "resource.rdsLimitlessDbDetails.dbShardGroupIdentifier",
        _member("rdsLimitlessDbDetails", "dbShardGroupIdentifier"),
    ),
    "EBSSnapshot": (
        "resource.ebsSnapshotDetails.snapshotArn",
        _member("ebsSnapshotDetails", "snapshotArn"),
    ),
    "EC2Image": ("resource.ec2ImageDetails.imageArn", _member("ec2ImageDetails", "imageArn")),
    "EBSVolume": (
        "resource.ebsVolumeDetails.scannedVolumeDetails.volumeArn",
        _listed("ebsVolumeDetails", "volumeArn", inner="scannedVolumeDetails"),
    ),
    "RecoveryPoint": (
        "resource.recoveryPointDetails.recoveryPointArn",
        _member("recoveryPointDetails", "recoveryPointArn"),
    ),
    "BedrockGuardrail": (
        "resource.bedrockGuardrailDetails.guardrailArn",
        _member("bedrockGuardrailDetails", "guardrailArn"),
    ),
}


def _usable(value: str) -> bool:
    return 0 < len(value) <= MAX_VALUE and value.isprintable() and value.strip() == value


def resource_identifier(finding: Finding) -> tuple[str, str] | None:
    """(filter attribute, value) of the finding's one resource identifier, or ``None`` when
    its kind has none we know, it is missing, or the resource holds several (two buckets)."""
    kind = finding.resource_type
    if kind.upper() == "CONTAINER":
        kind = "Container"
    if kind not in IDENTIFIERS:
        return None
    attribute, read = IDENTIFIERS[kind]
    values = set(read(as_mapping(finding.detail.get("resource"))))
    if len(values) != 1:
        return None
    (value,) = values
    return (attribute, value) if _usable(value) else None


@dataclass(frozen=True)
class SuppressFilter:
    """The criteria, in the order shown: type, then the resource, then the account."""

    finding_type: str
    resource: tuple[str, str] | None
    account_id: str | None

    def conditions(self) -> list[tuple[str, str]]:
        """(attribute, value) pairs, each an ``Equals`` of exactly that value."""
        pairs = [(TYPE_ATTRIBUTE, self.finding_type)]
        if self.resource:
            pairs.append(self.resource)
        if self.account_id:
            pairs.append((ACCOUNT_ATTRIBUTE, self.account_id))
        return pairs

    def criteria(self) -> dict[str, Any]:
        """``FindingCriteria`` for ``CreateFilter``."""
        return {"Criterion": {name: {"Equals": [value]} for name, value in self.conditions()}}

    def digest(self) -> str:
        text = json.dumps(self.conditions(), separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def name(self) -> str:
        """Deterministic from the criteria (``[A-Za-z0-9._-]``, 3–64): the same press twice
        names the same filter, so GuardDuty's "already exists" means it is in place."""
        return NAME_PREFIX + self.digest()[:32]

    @property
    def client_token(self) -> str:
        return self.digest()[:64]

    def description(self) -> str:
        """CreateFilter's description (≤ 512; its allowed characters)."""
        what = "resource" if self.resource else "no resource"
        scope = "one account" if self.account_id else "every account"
        return f"Created from Slack by gd2slack: one finding type, {what}, {scope}."


def _account(finding: Finding) -> str | None:
    account = finding.account_id
    return account if len(account) == 12 and account.isdigit() else None


def suppress_options(finding: Finding) -> tuple[SuppressFilter, str | None]:
    """What the confirmation modal offers: the filter without the account, and the account id
    it may be limited to (``None``: none usable). ``SuppressRefused`` when no filter can be
    narrow enough."""
    if not _usable(finding.type) or finding.type == "Unknown":
        raise SuppressRefused("this finding has no type to filter on")
    resource, account = resource_identifier(finding), _account(finding)
    if resource is None and account is None:
        raise SuppressRefused(
            "this finding has neither a single resource identifier nor an account id: "
            "no filter would be narrow enough"
        )
    return SuppressFilter(finding.type, resource, None), account


def suppress_filter(finding: Finding, *, include_account: bool) -> SuppressFilter:
    """The filter for "suppress similar"; ``SuppressRefused`` when it would be too broad."""
    base, account = suppress_options(finding)
    if include_account and account is None:
        raise SuppressRefused("this finding has no account id to limit the filter to")
    if base.resource is None and not include_account:
        raise SuppressRefused(
            "this finding's resource has no single identifier: a filter on its type alone "
            "would archive that type in every account. Limit it to the account instead."
        )
    return SuppressFilter(base.finding_type, base.resource, account if include_account else None)
