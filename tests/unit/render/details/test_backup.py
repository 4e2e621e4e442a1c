"""Malware Protection for AWS Backup: recovery point, EBS snapshot, EC2 image."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import finding, section, titles


def test_backup_recovery_point_snapshot_and_image() -> None:
    detail = finding(
        {
            "resourceType": "RecoveryPoint",
            "recoveryPointDetails": {
                "recoveryPointArn": "arn:aws:backup:eu-west-1:123456789012:recovery-point:1a2b",
                "backupVaultName": "nightly",
            },
            "ebsSnapshotDetails": {
                "snapshotArn": "arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0"
            },
            "ec2ImageDetails": {"imageArn": "arn:aws:ec2:eu-west-1::image/ami-0123456789abcdef0"},
        },
        malwareScanDetails={
            "scanType": "BACKUP_INITIATED",
            "scanCategory": "INCREMENTAL_SCAN",
            "uniqueThreatCount": 1,
            "scanConfiguration": {
                "triggerType": "BACKUP",
                "incrementalScanDetails": {
                    "baselineResourceArn": "arn:aws:backup:eu-west-1:123456789012:recovery-point:0f"
                },
            },
            "threats": [
                {
                    "name": "Backdoor.Linux.Gafgyt",
                    "count": 1,
                    "itemDetails": [
                        {
                            "resourceArn": "arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0",
                            "itemPath": "/usr/bin/.sshd",
                            "hash": "deadbeef" * 8,
                            "additionalInfo": {"deviceName": "/dev/sda1"},
                        }
                    ],
                }
            ],
        },
    )
    sections = resource_sections(detail)
    assert titles(sections)[:2] == ["Backup recovery point", "Malware scan"]
    assert section(sections, "Backup recovery point")["Backup vault"] == "nightly"
    scan = section(sections, "Malware scan")
    assert scan["File"] == "/usr/bin/.sshd"
    assert scan["Device"] == "/dev/sda1"
    assert scan["Scan type"] == "BACKUP_INITIATED, INCREMENTAL_SCAN"
    assert scan["Trigger"] == "BACKUP"
    assert section(sections, "EBS snapshot")["Snapshot"].endswith("snap-0123456789abcdef0")
    assert section(sections, "EC2 image (AMI)")["Image"].endswith("ami-0123456789abcdef0")
    assert resource_summary(detail).startswith("RecoveryPoint arn:aws:backup:")
