"""EKS: the cluster (``eksClusterDetails``) and the Kubernetes workload (``kubernetesDetails``),
shown together when the type is ``EKSCluster``. The Kubernetes user is an actor:
``app.render.details.actions.kubernetes``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import first_object, is_true
from app.render.details.kinds import ResourceKind, at, either, fields, joined
from app.render.details.read import first, named_line, tags, when
from app.render.details.resources.containers import container_fields, host_paths

_HOST_NAMESPACES = (("hostNetwork", "network"), ("hostIPC", "IPC"), ("hostPID", "PID"))


def _host_namespaces(workload: Mapping[str, Any]) -> str:
    return ", ".join(label for key, label in _HOST_NAMESPACES if is_true(workload.get(key)))


_WORKLOAD = fields(
    ("Workload", "name"),
    ("Kind", "type"),
    ("Namespace", "namespace"),
    ("Service account", "serviceAccountName"),
    *container_fields("containers"),
    ("Host namespaces", _host_namespaces),
    ("Host paths", at("volumes", read=host_paths)),
    ("UID", "uid"),
)


def _summary(cluster: Mapping[str, Any], resource: Mapping[str, Any]) -> str:
    """``cluster (namespace/workload)``."""
    workload = first_object(
        first_object(resource.get("kubernetesDetails")).get("kubernetesWorkloadDetails")
    )
    where = joined("namespace", "name", sep="/")(workload)
    return named_line(first(cluster, "name", "arn"), where)


KINDS = (
    ResourceKind(
        "eksClusterDetails",
        "EKS cluster",
        fields(
            ("Cluster", either("name", "arn")),
            ("Status", "status"),
            ("VPC", "vpcId"),
            ("Created", at("createdAt", read=when)),
            ("Tags", at("tags", read=tags)),
            ("Cluster ARN", "arn"),
        ),
        resource_types=("EKSCluster",),
        summary=_summary,
        companions=("kubernetesDetails",),
    ),
    ResourceKind(
        "kubernetesDetails",
        "Kubernetes workload",
        lambda title, value: _WORKLOAD(title, first_object(value).get("kubernetesWorkloadDetails")),
    ),
)
