"""EBS: the scanned volumes and the GuardDuty-initiated malware scan of them."""

from __future__ import annotations

from app.render.details import resource_sections
from tests.unit.render.details.support import INSTANCE, finding, section, titles

MIRAI_SHA256 = "0b1f5c2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"


VOLUME_ARN = "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc"


def test_ebs_volume_malware_scan() -> None:
    detail = finding(
        {
            **INSTANCE,
            "ebsVolumeDetails": {
                "scannedVolumeDetails": [
                    {
                        "volumeArn": "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc",
                        "volumeType": "gp3",
                        "deviceName": "/dev/xvda",
                        "volumeSizeInGB": 8,
                        "encryptionType": "UNENCRYPTED",
                    }
                ],
                "skippedVolumeDetails": [],
            },
        },
        ebsVolumeScanDetails={
            "scanId": "7c8f0b3a9e2d1f4c",
            "scanStartedAt": 1717243200000,
            "scanCompletedAt": 1717243500000,
            "triggerFindingId": "b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5",
            "sources": ["Bitdefender", "Amazon"],
            "scanType": "GUARDDUTY_INITIATED",
            "scanDetections": {
                "scannedItemCount": {"totalGb": 8, "files": 48211, "volumes": 1},
                "threatsDetectedItemCount": {"files": 2},
                "highestSeverityThreatDetails": {
                    "severity": "HIGH",
                    "threatName": "Trojan.Linux.Mirai",
                    "count": 1,
                },
                "threatDetectedByName": {
                    "itemCount": 2,
                    "uniqueThreatNameCount": 2,
                    "shortened": False,
                    "threatNames": [
                        {
                            "name": "Trojan.Linux.Mirai",
                            "severity": "HIGH",
                            "itemCount": 1,
                            "filePaths": [
                                {
                                    "filePath": "/tmp/.x/mirai.arm7",
                                    "volumeArn": VOLUME_ARN,
                                    "hash": MIRAI_SHA256,
                                    "fileName": "mirai.arm7",
                                }
                            ],
                        },
                        {
                            "name": "EICAR-Test-File",
                            "severity": "LOW",
                            "itemCount": 1,
                            "filePaths": [{"filePath": "/home/ec2-user/eicar.com"}],
                        },
                    ],
                },
            },
        },
    )
    sections = resource_sections(detail)
    assert titles(sections)[:2] == ["EC2 instance", "Malware scan (EBS volumes)"]
    scan = section(sections, "Malware scan (EBS volumes)")
    assert scan["Threats"] == "Trojan.Linux.Mirai, EICAR-Test-File"
    assert scan["Highest severity"] == "Trojan.Linux.Mirai, HIGH"
    assert scan["Infected files"] == "2"
    assert scan["File"] == "/tmp/.x/mirai.arm7"
    assert scan["SHA-256"].startswith("0b1f5c2a")
    assert scan["Other files"] == "/home/ec2-user/eicar.com"
    assert scan["Scanned"] == "48211 files, 8 GB, 1 volumes"
    volumes = section(sections, "EBS volumes")
    assert "/dev/xvda" in volumes["Scanned"] and "8 GB" in volumes["Scanned"]
