"""Malware Protection for AWS Backup: what it scans, the EBS snapshot (``ebsSnapshotDetails``),
the EC2 image (``ec2ImageDetails``) and the recovery point (``recoveryPointDetails``)."""

from __future__ import annotations

from app.render.details.kinds import ResourceKind, at, fields, line
from app.render.details.read import when

KINDS = (
    ResourceKind(
        "ebsSnapshotDetails",
        "EBS snapshot",
        fields(("Snapshot", "snapshotArn")),
        resource_types=("EBSSnapshot", "EC2Snapshot"),
        summary=line("snapshotArn"),
    ),
    ResourceKind(
        "ec2ImageDetails",
        "EC2 image (AMI)",
        fields(("Image", "imageArn")),
        resource_types=("EC2Image",),
        summary=line("imageArn"),
    ),
    ResourceKind(
        "recoveryPointDetails",
        "Backup recovery point",
        fields(
            ("Recovery point", "recoveryPointArn"),
            ("Backup vault", "backupVaultName"),
            ("Scanned from", at("continuousScanDetails", "startTime", read=when)),
            ("Scanned to", at("continuousScanDetails", "endTime", read=when)),
        ),
        resource_types=("RecoveryPoint",),
        summary=line("recoveryPointArn"),
    ),
)
