"""Parameters and conditions of the pipeline stack.

Names here are a contract: ``gd2slack deploy-pipeline`` passes the parameters by name, and the
UpdatePipeline project hands them back to it on every run.
"""

from __future__ import annotations

from typing import Final

from troposphere import Equals, Not, Parameter, Ref, Template

from app.constants import STAGES, runtime_stack_name

# Parameter names.
CONNECTION_ARN: Final = "ConnectionArn"
FULL_REPOSITORY_ID: Final = "FullRepositoryId"
BRANCH_NAME: Final = "BranchName"
PROD_ACCOUNT_ROLE_ARN: Final = "ProdAccountRoleArn"
APPROVAL_TOPIC_ARN: Final = "ApprovalTopicArn"
MONITORING_MINUTES: Final = "MonitoringMinutes"
IMAGE_RETENTION_COUNT: Final = "ImageRetentionCount"
LOG_RETENTION_DAYS: Final = "LogRetentionDays"

# Condition names.
HAS_PROD_ACCOUNT_ROLE: Final = "HasProdAccountRole"
SAME_ACCOUNT_PROD: Final = "SameAccountProd"
HAS_APPROVAL_TOPIC: Final = "HasApprovalTopic"
IN_GOVCLOUD: Final = "InGovCloud"
IN_CHINA: Final = "InChina"


def webhook_secret(stage: str) -> str:
    """``DevWebhookSecretArn``: the secret a stage's deploys pass to its runtime stack."""
    return f"{stage.capitalize()}WebhookSecretArn"


def parameters() -> list[Parameter]:
    return [
        Parameter(
            CONNECTION_ARN,
            Type="String",
            Description="CodeConnections (or CodeStar Connections) ARN of the GitHub connection",
            AllowedPattern=r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[A-Za-z0-9-]+$",
        ),
        Parameter(
            FULL_REPOSITORY_ID,
            Type="String",
            Description="GitHub repository, owner/name",
            AllowedPattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        ),
        Parameter(
            BRANCH_NAME,
            Type="String",
            Default="main",
            Description="Branch whose pushes deploy",
            AllowedPattern=r"^[A-Za-z0-9._/-]+$",
        ),
        Parameter(
            PROD_ACCOUNT_ROLE_ARN,
            Type="String",
            Default="",
            Description="Optional: role in a separate prod account that DeployProd/TestProd assume",
            AllowedPattern=r"^(arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]+)?$",
        ),
        Parameter(
            APPROVAL_TOPIC_ARN,
            Type="String",
            Default="",
            Description="Optional: SNS topic notified when a release waits for prod approval",
            AllowedPattern=r"^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+)?$",
        ),
        *(
            Parameter(
                webhook_secret(stage),
                Type="String",
                Default="",
                Description=(
                    f"Secrets Manager secret (ARN or name) with the {stage} webhook URL(s): the "
                    f"{stage} deploys pass it, so the pipeline can create "
                    f"{runtime_stack_name(stage)}. "
                    "Empty: the stack's current value is kept (create it with deploy-stack)."
                ),
                AllowedPattern=r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})?$",
            )
            for stage in STAGES
        ),
        Parameter(
            MONITORING_MINUTES,
            Type="Number",
            Default=10,
            MinValue=0,
            MaxValue=60,
            Description="Rollback-trigger monitoring period after each runtime stack update",
        ),
        Parameter(
            IMAGE_RETENTION_COUNT,
            Type="Number",
            Default=50,
            MinValue=5,
            MaxValue=1000,
            Description="Images kept in ECR (older ones expire; rollbacks need recent ones)",
        ),
        Parameter(
            LOG_RETENTION_DAYS,
            Type="Number",
            Default=90,
            AllowedValues=[30, 60, 90, 180, 365, 731],
            Description="Retention of the CodeBuild log groups",
        ),
    ]


def conditions() -> dict[str, object]:
    return {
        HAS_PROD_ACCOUNT_ROLE: Not(Equals(Ref(PROD_ACCOUNT_ROLE_ARN), "")),
        SAME_ACCOUNT_PROD: Equals(Ref(PROD_ACCOUNT_ROLE_ARN), ""),
        HAS_APPROVAL_TOPIC: Not(Equals(Ref(APPROVAL_TOPIC_ARN), "")),
        # The console host differs per partition (app.core.partition).
        IN_GOVCLOUD: Equals(Ref("AWS::Partition"), "aws-us-gov"),
        IN_CHINA: Equals(Ref("AWS::Partition"), "aws-cn"),
    }


def add_to(template: Template) -> None:
    for parameter in parameters():
        template.add_parameter(parameter)
    for name, condition in conditions().items():
        template.add_condition(name, condition)
