"""Kubernetes actions: the API call (``kubernetesApiCallAction``), the permission check, the
role binding and the role; and the Kubernetes user who acted (``resource.kubernetesDetails``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.render.details.actions.network import ip, remote_fields
from app.render.details.kinds import ActionKind, Part, at, fields, joined, untrusted
from app.render.details.read import flag, listing, scalars, text


def _source_ips(action: Mapping[str, Any]) -> str:
    """The source IPs other than the remote IP shown above them."""
    remote_ip = ip(action.get("remoteIpDetails"))
    return listing(action.get("sourceIPs"), lambda s: "" if text(s) == remote_ip else text(s))


KINDS = (
    ActionKind(
        "kubernetesApiCallAction",
        "KUBERNETES_API_CALL",
        "Kubernetes API call",
        fields(
            ("Verb", "verb"),
            untrusted("Request URI", "requestUri"),
            ("Status code", "statusCode"),
            *remote_fields("remoteIpDetails"),
            untrusted("User agent", "userAgent"),
            ("Source IPs", _source_ips),
            ("Resource", joined("resource", "subresource", sep="/")),
            ("Namespace", "namespace"),
            ("Resource name", "resourceName"),
            ("Parameters", "parameters"),
        ),
    ),
    ActionKind(
        "kubernetesPermissionCheckedDetails",
        "KUBERNETES_PERMISSION_CHECKED",
        "Kubernetes permission check",
        fields(
            ("Verb", "verb"),
            ("Resource", "resource"),
            ("Namespace", "namespace"),
            ("Allowed", at("allowed", read=flag)),
        ),
    ),
    ActionKind(
        "kubernetesRoleBindingDetails",
        "KUBERNETES_ROLE_BINDING_DETAILS",
        "Kubernetes role binding",
        fields(
            ("Binding", "name"),
            ("Kind", "kind"),
            ("Role", joined("roleRefKind", "roleRefName", sep=" ")),
            ("UID", "uid"),
        ),
    ),
    ActionKind(
        "kubernetesRoleDetails",
        "KUBERNETES_ROLE_DETAILS",
        "Kubernetes role",
        fields(("Role", "name"), ("Kind", "kind"), ("UID", "uid")),
    ),
    Part(
        "actor",
        ("resource", "kubernetesDetails", "kubernetesUserDetails"),
        "Kubernetes user",
        fields(
            ("Username", "username"),
            ("Groups", at("groups", read=scalars)),
            ("Session names", at("sessionName", read=scalars)),
            ("Impersonated user", at("impersonatedUser", "username")),
            ("Impersonated groups", at("impersonatedUser", "groups", read=scalars)),
            ("UID", "uid"),
        ),
    ),
)
