"""S3: the buckets (``s3BucketDetails``, a list) and the objects in them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core.read import as_list, first_object, is_true, objects
from app.render.details.kinds import ResourceKind, Spec, at, either, items
from app.render.details.model import Sections, item, section
from app.render.details.read import first, listing, members, tags, text, when

_PUBLIC_SOURCES = (("accessControlList", "ACL"), ("bucketPolicy", "bucket policy"))


def _public_via(allows: str) -> Callable[[Mapping[str, Any]], str]:
    def via(bucket: Mapping[str, Any]) -> str:
        access = first_object(bucket.get("publicAccess"))
        level = first_object(
            first_object(access.get("permissionConfiguration")).get("bucketLevelPermissions")
        )
        return ", ".join(
            label
            for key, label in _PUBLIC_SOURCES
            if is_true(first_object(level.get(key)).get(allows))
        )

    return via


_BUCKET: tuple[Spec, ...] = (
    ("Bucket", either("name", "arn")),
    ("Role", "type"),
    ("Public access", at("publicAccess", "effectivePermission")),
    ("Public read via", _public_via("allowsPublicReadAccess")),
    ("Public write via", _public_via("allowsPublicWriteAccess")),
    ("Encryption", at("defaultServerSideEncryption", "encryptionType")),
    ("KMS key", at("defaultServerSideEncryption", "kmsMasterKeyArn")),
    ("Created", at("createdAt", read=when)),
    ("Owner", at("owner", "id")),
    ("Tags", at("tags", read=tags)),
)
_OBJECT: tuple[Spec, ...] = (
    ("Object key", "key"),
    ("Version", "versionId"),
    ("SHA-256", "hash"),
    ("ETag", "eTag"),
    ("Object ARN", "objectArn"),
)


def _bucket_name(bucket: Any) -> str:
    return first(first_object(bucket), "name", "arn")


def _buckets(title: str, value: Any) -> Sections:
    buckets = objects(value)
    if not buckets:
        return []
    others = listing(as_list(value)[1:], _bucket_name)
    sections = section(title, [*items(buckets[0], _BUCKET), item("Other buckets", others)])
    found = [o for b in buckets for o in objects(b.get("s3ObjectDetails"))]
    if found:
        others = members(found[1:], "key")
        sections += section("S3 object", [*items(found[0], _OBJECT), item("Other objects", others)])
    return sections


def _summary(bucket: Mapping[str, Any], resource: Mapping[str, Any]) -> str:
    """``bucket/key (+N more)``: the first bucket, its object, how many other buckets."""
    buckets = as_list(resource.get("s3BucketDetails"))
    key = text(first_object(bucket.get("s3ObjectDetails")).get("key"))
    name = _bucket_name(bucket)
    shown = f"{name}/{key}" if name and key else name
    return f"{shown} (+{len(buckets) - 1} more)" if shown and len(buckets) > 1 else shown


KINDS = (
    ResourceKind(
        "s3BucketDetails",
        "S3 bucket",
        _buckets,
        resource_types=("S3Bucket", "S3Object"),
        summary=_summary,
    ),
)
