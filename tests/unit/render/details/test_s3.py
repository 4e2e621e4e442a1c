"""S3: buckets and objects (and Malware Protection for S3)."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import EICAR_SHA256, finding, section, titles

S3_BUCKET = {
    "name": "acme-payroll-exports",
    "arn": "arn:aws:s3:::acme-payroll-exports",
    "type": "Destination",
    "createdAt": 1672531200,
    "owner": {"id": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    "tags": [{"key": "data-class", "value": "confidential"}],
    "defaultServerSideEncryption": {
        "encryptionType": "aws:kms",
        "kmsMasterKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d",
    },
    "publicAccess": {
        "effectivePermission": "PUBLIC",
        "permissionConfiguration": {
            "bucketLevelPermissions": {
                "accessControlList": {
                    "allowsPublicReadAccess": False,
                    "allowsPublicWriteAccess": False,
                },
                "bucketPolicy": {"allowsPublicReadAccess": True, "allowsPublicWriteAccess": False},
                "blockPublicAccess": {
                    "ignorePublicAcls": False,
                    "restrictPublicBuckets": False,
                    "blockPublicAcls": False,
                    "blockPublicPolicy": False,
                },
            },
            "accountLevelPermissions": {"blockPublicAccess": {"blockPublicPolicy": False}},
        },
    },
}


def test_s3_bucket() -> None:
    detail = finding(
        {
            "resourceType": "S3Bucket",
            "s3BucketDetails": [S3_BUCKET, {"name": "acme-logs", "type": "Source"}],
        }
    )
    bucket = section(resource_sections(detail), "S3 bucket")
    assert bucket["Bucket"] == "acme-payroll-exports"
    assert bucket["Role"] == "Destination"
    assert bucket["Public access"] == "PUBLIC"
    assert bucket["Public read via"] == "bucket policy"
    assert "Public write via" not in bucket
    assert bucket["Encryption"] == "aws:kms"
    assert bucket["Created"] == "2023-01-01 00:00:00 UTC"
    assert bucket["Tags"] == "data-class=confidential"
    assert bucket["Other buckets"] == "acme-logs"
    assert resource_summary(detail) == "S3Bucket acme-payroll-exports (+1 more)"


def test_s3_object_malware_protection() -> None:
    detail = finding(
        {
            "resourceType": "S3Object",
            "s3BucketDetails": [
                {
                    "name": "uploads-prod",
                    "s3ObjectDetails": [
                        {
                            "objectArn": "arn:aws:s3:::uploads-prod/inbox/invoice.pdf.exe",
                            "key": "inbox/invoice.pdf.exe",
                            "eTag": "5d41402abc4b2a76b9719d911017c592",
                            "hash": EICAR_SHA256,
                            "versionId": "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
                        }
                    ],
                }
            ],
        },
        malwareScanDetails={
            "scanId": "4ac7f3d2a1b0c9e8",
            "scanType": "GUARDDUTY_INITIATED",
            "threats": [
                {
                    "name": "EICAR-Test-File (not a virus)",
                    "source": "Bitdefender",
                    "itemPaths": [
                        {
                            "nestedItemPath": "inbox/invoice.pdf.exe",
                            "hash": EICAR_SHA256,
                        }
                    ],
                }
            ],
        },
    )
    sections = resource_sections(detail)
    assert titles(sections)[:3] == ["S3 bucket", "S3 object", "Malware scan"]
    obj = section(sections, "S3 object")
    assert obj["Object key"] == "inbox/invoice.pdf.exe"
    assert obj["Version"] == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"
    assert obj["SHA-256"].startswith("275a021b")
    scan = section(sections, "Malware scan")
    assert scan["Threats"] == "EICAR-Test-File (not a virus)"
    assert scan["File"] == "inbox/invoice.pdf.exe"
    assert scan["Detected by"] == "Bitdefender"
    assert resource_summary(detail) == "S3Object uploads-prod/inbox/invoice.pdf.exe"
