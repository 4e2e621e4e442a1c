"""ECS: the cluster and its task."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import finding, section


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
