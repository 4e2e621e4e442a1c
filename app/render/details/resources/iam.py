"""IAM: the access key (``accessKeyDetails``) the finding's API calls were made with."""

from __future__ import annotations

from app.render.details.kinds import ResourceKind, fields, line

KINDS = (
    ResourceKind(
        "accessKeyDetails",
        "IAM access key",
        fields(
            ("User", "userName"),
            ("User type", "userType"),
            ("Access key", "accessKeyId"),
            ("Principal", "principalId"),
        ),
        resource_types=("AccessKey",),
        summary=line("accessKeyId", "userName"),
    ),
)
