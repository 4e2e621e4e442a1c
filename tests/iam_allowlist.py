# ruff: noqa: E501  (tables: one row a line reads better than wrapped rows)
"""Grants the IAM coverage gate cannot see used, each kept on purpose: (role, action, why).

The gate fails on any unused grant not listed here, and on a listed one that became used.
"""

from __future__ import annotations

UNUSED_ALLOWED: list[tuple[str, str, str]] = [
    (
        "BuildRole",
        "ecr:BatchCheckLayerAvailability",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:BatchGetImage",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:CompleteLayerUpload",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:DescribeImages",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:GetAuthorizationToken",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:GetDownloadUrlForLayer",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:InitiateLayerUpload",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:PutImage",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "ecr:UploadLayerPart",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "logs:CreateLogStream",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "logs:PutLogEvents",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "s3:GetBucketAcl",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "s3:GetBucketLocation",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "s3:GetObject",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "s3:GetObjectVersion",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "BuildRole",
        "s3:PutObject",
        "buildspec.yml: docker push and the aws CLI, no Python path to record",
    ),
    (
        "DevStageRole",
        "cloudformation:DeleteChangeSet",
        "deploy paths not in the recorded scenarios (empty or failed change set, rollback report); tests/unit/gd2slack/test_deploy_stack.py exercises them with Stubber",
    ),
    (
        "DevStageRole",
        "cloudformation:DescribeStackEvents",
        "deploy paths not in the recorded scenarios (empty or failed change set, rollback report); tests/unit/gd2slack/test_deploy_stack.py exercises them with Stubber",
    ),
    (
        "DevStageRole",
        "logs:CreateLogStream",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    ("DevStageRole", "logs:PutLogEvents", "the service (CodeBuild/Lambda) writes the role’s logs"),
    ("DevStageRole", "s3:GetBucketAcl", "CodeBuild downloads the input artifacts with the role"),
    (
        "DevStageRole",
        "s3:GetBucketLocation",
        "CodeBuild downloads the input artifacts with the role",
    ),
    ("DevStageRole", "s3:GetObject", "CodeBuild downloads the input artifacts with the role"),
    (
        "DevStageRole",
        "s3:GetObjectVersion",
        "CodeBuild downloads the input artifacts with the role",
    ),
    (
        "GuardDutyToSlackLambdaRole",
        "logs:CreateLogStream",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    (
        "GuardDutyToSlackLambdaRole",
        "logs:PutLogEvents",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    (
        "GuardDutyToSlackLambdaRole",
        "xray:PutTelemetryRecords",
        "the Lambda runtime’s X-Ray daemon sends segments with the role",
    ),
    (
        "GuardDutyToSlackLambdaRole",
        "xray:PutTraceSegments",
        "the Lambda runtime’s X-Ray daemon sends segments with the role",
    ),
    (
        "InteractionsRole",
        "logs:CreateLogStream",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    (
        "InteractionsRole",
        "logs:PutLogEvents",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    (
        "InteractionsRole",
        "xray:PutTelemetryRecords",
        "the Lambda runtime’s X-Ray daemon sends segments with the role",
    ),
    (
        "InteractionsRole",
        "xray:PutTraceSegments",
        "the Lambda runtime’s X-Ray daemon sends segments with the role",
    ),
    (
        "PipelineExecutionRole",
        "codebuild:BatchGetProjects",
        "AWS::CodeBuild::Project schema lists no handler permissions (non-registry resource)",
    ),
    (
        "PipelineExecutionRole",
        "codebuild:CreateProject",
        "AWS::CodeBuild::Project schema lists no handler permissions (non-registry resource)",
    ),
    (
        "PipelineExecutionRole",
        "codebuild:DeleteProject",
        "AWS::CodeBuild::Project schema lists no handler permissions (non-registry resource)",
    ),
    (
        "PipelineExecutionRole",
        "codebuild:UpdateProject",
        "AWS::CodeBuild::Project schema lists no handler permissions (non-registry resource)",
    ),
    (
        "PipelineExecutionRole",
        "codeconnections:PassConnection",
        "ConnectionArn may be a codeconnections ARN; the Pipeline schema lists only the old prefix",
    ),
    (
        "PipelineRole",
        "cloudwatch:DescribeAlarms",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "codebuild:BatchGetBuilds",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "codebuild:StartBuild",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "codebuild:StopBuild",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "codeconnections:UseConnection",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "codestar-connections:UseConnection",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "s3:GetBucketAcl",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "s3:GetBucketLocation",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "s3:GetBucketVersioning",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "s3:GetObject",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "s3:GetObjectVersion",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "s3:PutObject",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "PipelineRole",
        "sns:Publish",
        "CodePipeline itself (artifacts, connection, builds, alarm rules, approval topic): no client code",
    ),
    (
        "ProdStageRole",
        "cloudformation:CreateChangeSet",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "cloudformation:DeleteChangeSet",
        "deploy paths not in the recorded scenarios (empty or failed change set, rollback report); tests/unit/gd2slack/test_deploy_stack.py exercises them with Stubber",
    ),
    (
        "ProdStageRole",
        "cloudformation:DescribeChangeSet",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "cloudformation:DescribeStackEvents",
        "deploy paths not in the recorded scenarios (empty or failed change set, rollback report); tests/unit/gd2slack/test_deploy_stack.py exercises them with Stubber",
    ),
    (
        "ProdStageRole",
        "cloudformation:DescribeStacks",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "cloudformation:ExecuteChangeSet",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "cloudwatch:DescribeAlarms",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "ecr:DescribeImages",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "iam:PassRole",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "lambda:InvokeFunction",
        "same-account prod (SameAccountProd): the dev paths’ calls with stage prod",
    ),
    (
        "ProdStageRole",
        "logs:CreateLogStream",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    ("ProdStageRole", "logs:PutLogEvents", "the service (CodeBuild/Lambda) writes the role’s logs"),
    ("ProdStageRole", "s3:GetBucketAcl", "CodeBuild downloads the input artifacts with the role"),
    (
        "ProdStageRole",
        "s3:GetBucketLocation",
        "CodeBuild downloads the input artifacts with the role",
    ),
    ("ProdStageRole", "s3:GetObject", "CodeBuild downloads the input artifacts with the role"),
    (
        "ProdStageRole",
        "s3:GetObjectVersion",
        "CodeBuild downloads the input artifacts with the role",
    ),
    (
        "RuntimeExecutionRoleDev",
        "ecr:BatchGetImage",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleDev",
        "ecr:GetDownloadUrlForLayer",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleDev",
        "ecr:GetRepositoryPolicy",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleDev",
        "ecr:SetRepositoryPolicy",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleProd",
        "ecr:BatchGetImage",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleProd",
        "ecr:GetDownloadUrlForLayer",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleProd",
        "ecr:GetRepositoryPolicy",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "RuntimeExecutionRoleProd",
        "ecr:SetRepositoryPolicy",
        "Lambda docs: creating an image function needs the image pull and, in a replica region, the repository policy it adds",
    ),
    (
        "UpdatePipelineRole",
        "cloudformation:DeleteChangeSet",
        "deploy paths not in the recorded scenarios (empty or failed change set, rollback report); tests/unit/gd2slack/test_deploy_stack.py exercises them with Stubber",
    ),
    (
        "UpdatePipelineRole",
        "cloudformation:DescribeStackEvents",
        "deploy paths not in the recorded scenarios (empty or failed change set, rollback report); tests/unit/gd2slack/test_deploy_stack.py exercises them with Stubber",
    ),
    (
        "UpdatePipelineRole",
        "codepipeline:GetPipeline",
        "deploy-pipeline’s pipeline reads (status of the running execution) not on the recorded path",
    ),
    (
        "UpdatePipelineRole",
        "codepipeline:GetPipelineExecution",
        "deploy-pipeline’s pipeline reads (status of the running execution) not on the recorded path",
    ),
    (
        "UpdatePipelineRole",
        "logs:CreateLogStream",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    (
        "UpdatePipelineRole",
        "logs:PutLogEvents",
        "the service (CodeBuild/Lambda) writes the role’s logs",
    ),
    (
        "UpdatePipelineRole",
        "s3:GetBucketAcl",
        "CodeBuild downloads the input artifacts with the role",
    ),
    (
        "UpdatePipelineRole",
        "s3:GetBucketLocation",
        "CodeBuild downloads the input artifacts with the role",
    ),
    ("UpdatePipelineRole", "s3:GetObject", "CodeBuild downloads the input artifacts with the role"),
    (
        "UpdatePipelineRole",
        "s3:GetObjectVersion",
        "CodeBuild downloads the input artifacts with the role",
    ),
]
