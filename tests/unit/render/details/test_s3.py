"""S3: buckets and objects (and Malware Protection for S3)."""

from __future__ import annotations

from typing import Any

from app.render.details import resource_sections, resource_summary
from app.render.details.resources import s3
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


# --- the bucket and object tables exactly (s3's functions called directly) -------------------


def _rows(sections: list[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(s.title, [(d.label, d.value) for d in s.items]) for s in sections]


def test_every_bucket_field_in_order() -> None:
    (kind,) = s3.KINDS
    assert (kind.member, kind.title, kind.resource_types) == (
        "s3BucketDetails",
        "S3 bucket",
        ("S3Bucket", "S3Object"),
    )
    policy = S3_BUCKET["publicAccess"]["permissionConfiguration"]["bucketLevelPermissions"]  # type: ignore[index]
    both = {
        **S3_BUCKET,
        "publicAccess": {
            "effectivePermission": "PUBLIC",
            "permissionConfiguration": {
                "bucketLevelPermissions": {
                    **policy,
                    "accessControlList": {"allowsPublicWriteAccess": True},
                    "bucketPolicy": {
                        "allowsPublicReadAccess": True,
                        "allowsPublicWriteAccess": True,
                    },
                }
            },
        },
    }
    assert _rows(s3._buckets("S3 bucket", [both])) == [
        (
            "S3 bucket",
            [
                ("Bucket", "acme-payroll-exports"),
                ("Role", "Destination"),
                ("Public access", "PUBLIC"),
                ("Public read via", "bucket policy"),
                ("Public write via", "ACL, bucket policy"),
                ("Encryption", "aws:kms"),
                ("KMS key", "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d"),
                ("Created", "2023-01-01 00:00:00 UTC"),
                ("Owner", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),
                ("Tags", "data-class=confidential"),
            ],
        )
    ]


def test_a_bucket_without_name_is_its_arn_and_an_object_has_every_field_in_order() -> None:
    bucket = {
        "arn": "arn:aws:s3:::b",
        "s3ObjectDetails": [
            {
                "objectArn": "arn:aws:s3:::b/k",
                "eTag": "e1",
                "hash": "h1",
                "versionId": "v1",
                "key": "k",
            }
        ],
    }
    assert _rows(s3._buckets("S3 bucket", bucket)) == [
        ("S3 bucket", [("Bucket", "arn:aws:s3:::b")]),
        (
            "S3 object",
            [
                ("Object key", "k"),
                ("Version", "v1"),
                ("SHA-256", "h1"),
                ("ETag", "e1"),
                ("Object ARN", "arn:aws:s3:::b/k"),
            ],
        ),
    ]


def test_no_bucket_no_section() -> None:
    assert s3._buckets("S3 bucket", []) == []
    assert s3._buckets("S3 bucket", None) == []
    assert s3._buckets("S3 bucket", ["text"]) == []


def test_public_via_reads_only_bucket_level_permissions() -> None:
    read_via = s3._public_via("allowsPublicReadAccess")
    account = {
        "publicAccess": {
            "permissionConfiguration": {
                "accountLevelPermissions": {"bucketPolicy": {"allowsPublicReadAccess": True}}
            }
        }
    }
    assert read_via(account) == ""
    listed = {
        "publicAccess": [
            {
                "permissionConfiguration": [
                    {
                        "bucketLevelPermissions": [
                            {"accessControlList": [{"allowsPublicReadAccess": "true"}]}
                        ]
                    }
                ]
            }
        ]
    }
    assert read_via(listed) == "ACL"


def test_bucket_name_is_name_else_arn() -> None:
    assert s3._bucket_name({"name": "n", "arn": "a"}) == "n"
    assert s3._bucket_name({"name": "", "arn": "a"}) == "a"
    assert s3._bucket_name([{"arn": "a"}]) == "a"
    assert s3._bucket_name("x") == ""


def test_summary_is_bucket_slash_key_and_how_many_other_buckets() -> None:
    one = {"name": "b", "s3ObjectDetails": [{"key": "k"}, {"key": "k2"}]}
    assert s3._summary(one, {"s3BucketDetails": [one]}) == "b/k"
    assert s3._summary(one, {"s3BucketDetails": [one, {"name": "c"}, {}]}) == "b/k (+2 more)"
    assert s3._summary({"name": "b"}, {"s3BucketDetails": [{}, {}]}) == "b (+1 more)"
    assert s3._summary({"s3ObjectDetails": {"key": "k"}}, {"s3BucketDetails": [{}, {}]}) == ""
    assert s3._summary({"arn": "arn:aws:s3:::b"}, {"s3BucketDetails": {"arn": "x"}}) == (
        "arn:aws:s3:::b"
    )
    (kind,) = s3.KINDS
    assert kind.summary is s3._summary
