"""EBS: the scanned volumes and the GuardDuty-initiated malware scan of them."""

from __future__ import annotations

from app.render.details import resource_sections
from app.render.details.resources import ebs
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


# --- the volume lines exactly (ebs._volume and _volumes, called directly) -------------------


def test_a_volume_is_its_arn_then_device_type_size_and_encryption() -> None:
    volume = {
        "volumeArn": VOLUME_ARN,
        "snapshotArn": "arn:aws:ec2:eu-west-1::snapshot/snap-1",
        "deviceName": "/dev/xvda",
        "volumeType": "gp3",
        "volumeSizeInGB": 8,
        "encryptionType": "UNENCRYPTED",
    }
    assert ebs._volume(volume) == f"{VOLUME_ARN} (/dev/xvda, gp3, 8 GB, UNENCRYPTED)"


def test_a_volume_without_arn_is_named_by_its_snapshot() -> None:
    volume = {"snapshotArn": "arn:aws:ec2:eu-west-1::snapshot/snap-1", "volumeType": "io2"}
    assert ebs._volume(volume) == "arn:aws:ec2:eu-west-1::snapshot/snap-1 (io2)"


def test_a_volume_size_is_shown_only_when_it_is_a_number() -> None:
    assert ebs._volume({"volumeArn": "v", "volumeSizeInGB": "16"}) == "v (16 GB)"
    assert ebs._volume({"volumeArn": "v", "volumeSizeInGB": 0}) == "v (0 GB)"
    assert ebs._volume({"volumeArn": "v", "volumeSizeInGB": "big"}) == "v"
    assert ebs._volume({"volumeArn": "v"}) == "v"


def test_a_volume_without_any_arn_is_its_facts_and_nothing_is_not_a_volume() -> None:
    assert ebs._volume({"deviceName": "/dev/sdf", "volumeSizeInGB": 2}) == "/dev/sdf, 2 GB"
    assert ebs._volume({}) == ""
    assert ebs._volume("not an object") == ""
    assert ebs._volume([{"volumeArn": "v"}]) == "v"


def test_volumes_list_three_distinct_then_count_the_rest() -> None:
    listed = [{"volumeArn": f"vol-{n}"} for n in range(5)]
    assert ebs._volumes(listed) == "vol-0, vol-1, vol-2 (+2 more)"
    assert ebs._volumes(listed[:3]) == "vol-0, vol-1, vol-2"
    assert ebs._volumes([{"volumeArn": "vol-0"}, {"volumeArn": "vol-0"}, {}]) == "vol-0"
    assert ebs._volumes(None) == ""


def test_the_ebs_section_scanned_then_skipped() -> None:
    (kind,) = ebs.KINDS
    assert (kind.member, kind.title, kind.resource_types) == (
        "ebsVolumeDetails",
        "EBS volumes",
        ("EBSVolume",),
    )
    (sect,) = kind.build(
        kind.title,
        {
            "skippedVolumeDetails": [{"volumeArn": "vol-2", "volumeType": "st1"}],
            "scannedVolumeDetails": [{"volumeArn": "vol-1", "volumeSizeInGB": 8}],
        },
    )
    assert [(d.label, d.value) for d in sect.items] == [
        ("Scanned", "vol-1 (8 GB)"),
        ("Skipped", "vol-2 (st1)"),
    ]
