"""ECS: the cluster (``ecsClusterDetails``) and its task. The container: ``containers``."""

from __future__ import annotations

from typing import Any

from app.core.read import first_object
from app.render.details.kinds import ResourceKind, at, either, fields, line
from app.render.details.model import Sections
from app.render.details.read import count, tags, when
from app.render.details.resources.containers import container_fields, host_paths

_CLUSTER = fields(
    ("Cluster", either("name", "arn")),
    ("Status", "status"),
    ("Running tasks", at("runningTasksCount", read=count)),
    ("Active services", at("activeServicesCount", read=count)),
    ("Container instances", at("registeredContainerInstancesCount", read=count)),
    ("Tags", at("tags", read=tags)),
    ("Cluster ARN", "arn"),
)
_TASK = fields(
    ("Task", "arn"),
    ("Task definition", "definitionArn"),
    ("Launch type", "launchType"),
    ("Started by", "startedBy"),
    ("Started", at("startedAt", read=when)),
    ("Group", "group"),
    *container_fields("containers"),
    ("Host paths", at("volumes", read=host_paths)),
    ("Tags", at("tags", read=tags)),
)


def _cluster_and_task(title: str, value: Any) -> Sections:
    return _CLUSTER(title, value) + _TASK("ECS task", first_object(value).get("taskDetails"))


KINDS = (
    ResourceKind(
        "ecsClusterDetails",
        "ECS cluster",
        _cluster_and_task,
        resource_types=("ECSCluster",),
        summary=line(either("name", "arn")),
    ),
)
