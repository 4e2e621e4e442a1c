"""RDS: the DB instance (``rdsDbInstanceDetails``), the Limitless database
(``rdsLimitlessDbDetails``) and the database user (``rdsDbUserDetails``), the companion of both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import first_object
from app.render.details.kinds import ResourceKind, Spec, at, either, fields, joined, line
from app.render.details.read import first, named_line, tags, text

# What a DB instance and a Limitless database have alike, after their name.
_DATABASE: tuple[Spec, ...] = (
    ("Cluster", "dbClusterIdentifier"),
    ("Engine", joined("engine", "engineVersion", sep=" ")),
    ("Tags", at("tags", read=tags)),
)


def _summary(instance: Mapping[str, Any], resource: Mapping[str, Any]) -> str:
    """``db-instance (user)``."""
    user = text(first_object(resource.get("rdsDbUserDetails")).get("user"))
    return named_line(first(instance, "dbInstanceIdentifier", "dbInstanceArn"), user)


KINDS = (
    ResourceKind(
        "rdsDbInstanceDetails",
        "RDS DB instance",
        fields(
            ("DB instance", "dbInstanceIdentifier"),
            *_DATABASE,
            ("Resource ID", "dbiResourceId"),
            ("DB instance ARN", "dbInstanceArn"),
        ),
        resource_types=("RDSDBInstance",),
        summary=_summary,
        companions=("rdsDbUserDetails",),
    ),
    ResourceKind(
        "rdsLimitlessDbDetails",
        "RDS Limitless database",
        fields(
            ("Shard group", "dbShardGroupIdentifier"),
            *_DATABASE,
            ("Resource ID", "dbShardGroupResourceId"),
            ("Shard group ARN", "dbShardGroupArn"),
        ),
        resource_types=("RDSLimitlessDB",),
        summary=line(either("dbShardGroupIdentifier", "dbShardGroupArn")),
        companions=("rdsDbUserDetails",),
    ),
    ResourceKind(
        "rdsDbUserDetails",
        "Database user",
        fields(
            ("User", "user"),
            ("Database", "database"),
            ("Application", "application"),
            ("SSL", "ssl"),
            ("Authentication", "authMethod"),
        ),
    ),
)
