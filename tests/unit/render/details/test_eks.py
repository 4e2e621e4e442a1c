"""EKS: the cluster, the Kubernetes workload, and the Kubernetes user."""

from __future__ import annotations

from app.render.details import actor_sections, resource_sections, resource_summary
from tests.unit.render.details.support import KUBERNETES, finding, section, titles


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
