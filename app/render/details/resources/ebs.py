"""EBS: the volumes a malware scan looked at (``ebsVolumeDetails``)."""

from __future__ import annotations

from typing import Any

from app.core.read import first_object
from app.render.details.kinds import ResourceKind, at, fields
from app.render.details.read import count, first, join, listing, named_line, text


def _volume(value: Any) -> str:
    """``arn (device, type, size GB, encryption)``."""
    volume = first_object(value)
    size = count(volume.get("volumeSizeInGB"))
    facts = join(
        text(volume.get("deviceName")),
        text(volume.get("volumeType")),
        f"{size} GB" if size else "",
        text(volume.get("encryptionType")),
    )
    return named_line(first(volume, "volumeArn", "snapshotArn"), facts)


def _volumes(value: Any) -> str:
    return listing(value, _volume, 3)


KINDS = (
    ResourceKind(
        "ebsVolumeDetails",
        "EBS volumes",
        fields(
            ("Scanned", at("scannedVolumeDetails", read=_volumes)),
            ("Skipped", at("skippedVolumeDetails", read=_volumes)),
        ),
        resource_types=("EBSVolume",),
    ),
)
