"""Storage of the pipeline stack: the artifact bucket (+ its TLS-only policy) and the image
repository (+ its pull policy, lifecycle and cross-region replication).

No customer KMS key: the bucket uses the AWS-managed key with a bucket key, the repository
AES256 (reasons in each resource's checkov skip).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from troposphere import If, Join, NoValue, Ref, Select, Split, Sub, Tags, Template
from troposphere.ecr import (
    EncryptionConfiguration,
    ImageScanningConfiguration,
    LifecyclePolicy,
    ReplicationConfiguration,
    ReplicationConfigurationProperty,
    ReplicationDestination,
    ReplicationRule,
    Repository,
    RepositoryFilter,
)
from troposphere.s3 import (
    AbortIncompleteMultipartUpload,
    Bucket,
    BucketEncryption,
    BucketPolicy,
    LifecycleConfiguration,
    LifecycleRule,
    NoncurrentVersionExpiration,
    OwnershipControls,
    OwnershipControlsRule,
    PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault,
    ServerSideEncryptionRule,
    VersioningConfiguration,
)

from app.constants import RESOURCE_PREFIX
from pipeline.config import PipelineConfig
from pipeline.iam import bucket_arns
from pipeline.names import ECR_REPOSITORY_NAME
from pipeline.parameters import HAS_PROD_ACCOUNT_ROLE, IMAGE_RETENTION_COUNT, PROD_ACCOUNT_ROLE_ARN
from stack.checkov import skip

ARTIFACT_BUCKET: Final = "ArtifactBucket"
REPOSITORY: Final = "EcrRepository"
REPLICATION: Final = "EcrReplication"


@dataclass(frozen=True)
class Storage:
    """Logical ids of what ``add_to`` created."""

    bucket: str
    bucket_policy: str
    repository: str
    replication: str | None  # only when the image replicates to other regions


def artifact_bucket() -> Bucket:
    return Bucket(
        ARTIFACT_BUCKET,
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        BucketEncryption=BucketEncryption(
            ServerSideEncryptionConfiguration=[
                ServerSideEncryptionRule(
                    ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(
                        SSEAlgorithm="aws:kms"
                    ),
                    BucketKeyEnabled=True,
                )
            ]
        ),
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
            BlockPublicAcls=True,
            BlockPublicPolicy=True,
            IgnorePublicAcls=True,
            RestrictPublicBuckets=True,
        ),
        OwnershipControls=OwnershipControls(
            Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
        ),
        LifecycleConfiguration=LifecycleConfiguration(
            Rules=[
                LifecycleRule(
                    Id="expire-old-artifacts",
                    Status="Enabled",
                    # Stage rollbacks redeploy an earlier execution's artifacts: keep them a
                    # quarter, far longer than any release stays current.
                    ExpirationInDays=90,
                    NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=30),
                    AbortIncompleteMultipartUpload=AbortIncompleteMultipartUpload(
                        DaysAfterInitiation=7
                    ),
                )
            ]
        ),
        Tags=Tags(Project=RESOURCE_PREFIX),
        Metadata=skip(
            (
                "CKV_AWS_18",
                "Only this stack's roles use the bucket; CloudTrail records access. An "
                "access-log bucket would need a log bucket of its own.",
            ),
        ),
    )


def bucket_policy(bucket: str) -> BucketPolicy:
    return BucketPolicy(
        f"{bucket}Policy",
        Bucket=Ref(bucket),
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": list(bucket_arns(bucket)),
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        },
    )


def _lifecycle_policy_text() -> Sub:
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"keep the last {IMAGE_RETENTION_COUNT} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 999999,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    text = json.dumps(policy, sort_keys=True).replace("999999", f"${{{IMAGE_RETENTION_COUNT}}}")
    return Sub(text)


def _lambda_pull(sid: str, function_arns: object) -> dict[str, object]:
    """Lambda may pull for the ``gd2slack-*`` functions whose ARNs match ``function_arns``."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Condition": {"StringLike": {"aws:sourceArn": function_arns}},
    }


def _repository_policy() -> dict[str, object]:
    functions = f":function:{RESOURCE_PREFIX}-*"
    prod_account = Select(4, Split(":", Ref(PROD_ACCOUNT_ROLE_ARN)))
    own_functions = Sub(f"arn:${{AWS::Partition}}:lambda:*:${{AWS::AccountId}}{functions}")
    prod_functions = Join(
        "", ["arn:", Ref("AWS::Partition"), ":lambda:*:", prod_account, functions]
    )
    cross_account_role_pull = {
        "Sid": "ProdAccountPull",
        "Effect": "Allow",
        "Principal": {
            "AWS": Join("", ["arn:", Ref("AWS::Partition"), ":iam::", prod_account, ":root"])
        },
        # DescribeImages: deploy-stack's image check runs with the prod account's credentials.
        "Action": ["ecr:BatchGetImage", "ecr:DescribeImages", "ecr:GetDownloadUrlForLayer"],
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            _lambda_pull("LambdaPull", own_functions),
            If(
                HAS_PROD_ACCOUNT_ROLE,
                _lambda_pull("ProdAccountLambdaPull", prod_functions),
                NoValue,
            ),
            If(HAS_PROD_ACCOUNT_ROLE, cross_account_role_pull, NoValue),
        ],
    }


def repository() -> Repository:
    return Repository(
        REPOSITORY,
        RepositoryName=ECR_REPOSITORY_NAME,
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        ImageTagMutability="IMMUTABLE",
        ImageScanningConfiguration=ImageScanningConfiguration(ScanOnPush=True),
        EncryptionConfiguration=EncryptionConfiguration(EncryptionType="AES256"),
        LifecyclePolicy=LifecyclePolicy(LifecyclePolicyText=_lifecycle_policy_text()),
        RepositoryPolicyText=_repository_policy(),
        Tags=Tags(Project=RESOURCE_PREFIX),
        Metadata=skip(
            (
                "CKV_AWS_136",
                "AES256: a customer key would need grants for Lambda and replication in "
                "every region, for no added separation.",
            ),
        ),
    )


def replication(replicas: tuple[str, ...]) -> ReplicationConfiguration:
    """Lambda pulls only from ECR in its own region: replicate to every other target region."""
    return ReplicationConfiguration(
        REPLICATION,
        ReplicationConfiguration=ReplicationConfigurationProperty(
            Rules=[
                ReplicationRule(
                    Destinations=[
                        ReplicationDestination(Region=r, RegistryId=Ref("AWS::AccountId"))
                        for r in replicas
                    ],
                    RepositoryFilters=[
                        RepositoryFilter(Filter=ECR_REPOSITORY_NAME, FilterType="PREFIX_MATCH")
                    ],
                )
            ]
        ),
    )


def add_to(template: Template, config: PipelineConfig) -> Storage:
    bucket = template.add_resource(artifact_bucket())
    policy = template.add_resource(bucket_policy(bucket.title))
    image_repository = template.add_resource(repository())
    replicas = config.replica_regions
    replicated = template.add_resource(replication(replicas)) if replicas else None
    return Storage(
        bucket=bucket.title,
        bucket_policy=policy.title,
        repository=image_repository.title,
        replication=replicated.title if replicated else None,
    )
