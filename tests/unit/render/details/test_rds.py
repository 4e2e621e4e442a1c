"""RDS: the DB instance, the Limitless database, the database user."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import finding, section, titles


def test_rds_instance_and_user() -> None:
    detail = finding(
        {
            "resourceType": "RDSDBInstance",
            "rdsDbInstanceDetails": {
                "dbInstanceIdentifier": "orders-db-1",
                "engine": "aurora-postgresql",
                "engineVersion": "15.4",
                "dbClusterIdentifier": "orders-cluster",
                "dbInstanceArn": "arn:aws:rds:eu-west-1:123456789012:db:orders-db-1",
                "dbiResourceId": "db-ABCDEFGHIJKLMNOP",
            },
            "rdsDbUserDetails": {
                "user": "postgres",
                "application": "psql",
                "database": "orders",
                "ssl": "false",
                "authMethod": "PASSWORD",
            },
        }
    )
    sections = resource_sections(detail)
    assert titles(sections)[:2] == ["RDS DB instance", "Database user"]
    db = section(sections, "RDS DB instance")
    assert db["DB instance"] == "orders-db-1"
    assert db["Cluster"] == "orders-cluster"
    assert db["Engine"] == "aurora-postgresql 15.4"
    user = section(sections, "Database user")
    assert user == {
        "User": "postgres",
        "Database": "orders",
        "Application": "psql",
        "SSL": "false",
        "Authentication": "PASSWORD",
    }
    assert resource_summary(detail) == "RDSDBInstance orders-db-1 (postgres)"


def test_rds_limitless() -> None:
    detail = finding(
        {
            "resourceType": "RDSLimitlessDB",
            "rdsLimitlessDbDetails": {
                "dbShardGroupIdentifier": "ledger-shards",
                "dbShardGroupResourceId": "shardgrp-0123456789abcdef",
                "dbShardGroupArn": "arn:aws:rds:eu-west-1:123456789012:shard-group:ledger",
                "engine": "aurora-postgresql",
                "engineVersion": "16.4-limitless",
                "dbClusterIdentifier": "ledger",
            },
        }
    )
    db = section(resource_sections(detail), "RDS Limitless database")
    assert db["Shard group"] == "ledger-shards"
    assert db["Engine"] == "aurora-postgresql 16.4-limitless"
    assert resource_summary(detail) == "RDSLimitlessDB ledger-shards"
