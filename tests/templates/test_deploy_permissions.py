"""The runtime stack's deploy permissions (``stack/deploy_permissions.py``) cover every resource
type the runtime template declares: each type has a row, the row grants actions of that type's
service, among them actions the type's CloudFormation handlers list, and the pipeline's runtime
execution roles carry exactly those statements."""

from __future__ import annotations

import json
from typing import Any

import pytest
from troposphere import Sub, encode_to_dict

from pipeline import to_json as pipeline_json
from pipeline.config import PipelineConfig
from stack import deploy_permissions, to_json
from tests.iam_handlers import handler_permissions

RUNTIME = json.loads(to_json())
TYPES = sorted({resource["Type"] for resource in RUNTIME["Resources"].values()})


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def _granted(resource_type: str) -> set[str]:
    scope = deploy_permissions.Scope("dev", (None,), ("arn:aws:ecr:::repository/x",))
    return {
        action
        for kind in deploy_permissions.kinds_for(resource_type)
        for statement in kind.statements(scope)
        for action in _actions(encode_to_dict(statement))
    }


def _service(resource_type: str) -> str:
    """``AWS::DynamoDB::Table`` → ``dynamodb`` (the IAM prefix of each type this stack uses)."""
    return resource_type.split("::")[1].lower()


def _matches(granted: str, needed: str) -> bool:
    service, _, name = granted.partition(":")
    want_service, _, want = needed.partition(":")
    if service != want_service:
        return False
    return name == want or (name.endswith("*") and want.startswith(name[:-1]))


def test_the_runtime_template_declares_the_types_the_table_knows() -> None:
    assert TYPES, "no resources in the runtime template"
    known = {t for kind in deploy_permissions.KINDS for t in kind.types}
    assert set(TYPES) <= known, f"no deploy permissions for {sorted(set(TYPES) - known)}"
    assert known <= set(TYPES), (
        f"deploy permissions for types not in the stack: {known - set(TYPES)}"
    )


@pytest.mark.parametrize("resource_type", TYPES)
def test_each_type_is_deployed_with_actions_of_its_service(resource_type: str) -> None:
    service = _service(resource_type)
    granted = {a for a in _granted(resource_type) if a.startswith(f"{service}:")}
    assert granted, f"{resource_type}: no {service}: action among its deploy permissions"
    # The handlers' own list (cfn-lint's resource schema) is the known set for the type.
    needed = {p for perms in handler_permissions(resource_type).values() for p in perms}
    assert any(_matches(g, n) for g in granted for n in needed), (
        f"{resource_type}: none of {sorted(granted)} is among its handlers' permissions"
    )


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_runtime_execution_role_holds_exactly_these_statements(stage: str) -> None:
    config = PipelineConfig.create(("us-east-1", "eu-west-1"), {}, home_region="us-east-1")
    role = json.loads(pipeline_json(config))["Resources"][f"RuntimeExecutionRole{stage.title()}"]
    (policy,) = role["Properties"]["Policies"]
    repositories = [Sub("arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/gd2slack")]
    expected = deploy_permissions.statements(stage, ["*"], repositories)
    assert policy["PolicyDocument"]["Statement"] == encode_to_dict(expected)
