"""The IAM vocabulary of the pipeline stack's roles: trust policies, conditional grants, ARNs.

Every statement names the resources it applies to (this repository, these stacks, these
projects, these log groups); ``"*"`` appears only for the few read/registry-level actions IAM
cannot scope (``ecr:GetAuthorizationToken``, ``cloudwatch:DescribeAlarms`` on composite alarms,
``logs:DescribeLogGroups``, ``ecr:PutReplicationConfiguration``...), each marked where it is used.

``actions``/``allow`` and the region helpers come from ``stack.deploy_permissions`` (the runtime
stack's deploy permissions are written with them): one statement vocabulary for both stacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from awacs.aws import Action, Allow, Condition, Policy, Principal, Statement, StringEquals
from troposphere import GetAtt, If, NoValue, Ref, Sub
from troposphere.iam import Policy as RolePolicy

from pipeline.names import ECR_REPOSITORY_NAME, PIPELINE_NAME
from stack.deploy_permissions import (
    Resource,
    actions,
    allow,
    in_regions,
    pass_role_to,
    region_ref,
)

__all__ = [
    "Resource",
    "When",
    "actions",
    "allow",
    "bucket_arns",
    "in_regions",
    "log_group_arns",
    "pass_role_to",
    "pipeline_arn",
    "project_arn",
    "region_ref",
    "repository_arn",
    "role_policies",
    "scope_regions",
    "stack_arn",
    "trust",
]


def trust(service: str) -> Policy:
    """Trust policy for one AWS service, confined to this account where the service says so.

    CloudFormation's service-role documentation ("CloudFormation service role", AWS
    CloudFormation User Guide) says only to let ``cloudformation.amazonaws.com`` assume the role;
    it does not document ``aws:SourceAccount``/``aws:SourceArn`` in the request that assumes a
    stack's service role, so its roles must not depend on them (a missing key would deny every
    deploy). Who may hand CloudFormation the role is limited by ``iam:PassRole`` instead.
    CodeBuild and CodePipeline document the key for confused-deputy prevention: kept there.
    """
    condition: dict[str, Any] = {}
    if service != "cloudformation":
        condition["Condition"] = Condition(StringEquals("aws:SourceAccount", Ref("AWS::AccountId")))
    return Policy(
        Version="2012-10-17",
        Statement=[
            Statement(
                Effect=Allow,
                Principal=Principal("Service", [f"{service}.amazonaws.com"]),
                Action=[Action("sts", "AssumeRole")],
                **condition,
            )
        ],
    )


@dataclass(frozen=True)
class When:
    """A statement that exists only under a template condition (e.g. ``HasApprovalTopic``)."""

    condition: str
    statement: Statement


def role_policies(name: str, statements: Sequence[Statement | When]) -> list[Any]:
    """Inline policies for a role: one unconditional document, plus one per conditional grant
    (IAM documents cannot hold ``Fn::If`` between statements, but the role's list can)."""
    plain = [s for s in statements if isinstance(s, Statement)]
    policies: list[Any] = [
        RolePolicy(PolicyName=name, PolicyDocument=Policy(Version="2012-10-17", Statement=plain))
    ]
    for item in statements:
        if isinstance(item, When):
            document = Policy(Version="2012-10-17", Statement=[item.statement])
            policies.append(
                If(
                    item.condition,
                    RolePolicy(PolicyName=f"{name}-{item.condition}", PolicyDocument=document),
                    NoValue,
                )
            )
    return policies


# ARNs -----------------------------------------------------------------------------------------


def scope_regions(regions: Sequence[str | None]) -> list[str | None]:
    """One region: exactly it. Several: a single ``*`` region in each ARN."""
    return list(regions) if len(regions) == 1 else ["*"]


def stack_arn(stack_name: str, region: str | None) -> Sub:
    return Sub(
        f"arn:${{AWS::Partition}}:cloudformation:{region_ref(region)}:${{AWS::AccountId}}"
        f":stack/{stack_name}/*"
    )


def repository_arn(region: str | None) -> Sub:
    return Sub(
        f"arn:${{AWS::Partition}}:ecr:{region_ref(region)}:${{AWS::AccountId}}"
        f":repository/{ECR_REPOSITORY_NAME}"
    )


def log_group_arns(log_group: str) -> list[Sub]:
    base = (
        f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:{log_group}"
    )
    return [Sub(base), Sub(base + ":*")]


def bucket_arns(bucket_logical_id: str) -> tuple[GetAtt, Sub]:
    return GetAtt(bucket_logical_id, "Arn"), Sub(f"${{{bucket_logical_id}.Arn}}/*")


def pipeline_arn() -> Sub:
    return Sub(
        f"arn:${{AWS::Partition}}:codepipeline:${{AWS::Region}}:${{AWS::AccountId}}:{PIPELINE_NAME}"
    )


def project_arn(project_name: str) -> Sub:
    return Sub(
        "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}"
        f":project/{project_name}"
    )
