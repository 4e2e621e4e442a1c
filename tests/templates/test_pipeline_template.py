"""The pipeline stack: one assertion per requirement of docs/architecture.md#pipeline, plus the
linters on a fully configured template (several regions, alarm conditions), moto's acceptance of the
pipeline declaration, and the buildspecs the projects name."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from cfnlint.api import lint
from moto import mock_aws

from pipeline import build_template, to_json
from pipeline.config import PipelineConfig, parse_regions
from pipeline.imagedetail import EcrImage, regional_image_uri
from pipeline.names import APPROVAL_ACTION, APPROVE_PROD_STAGE, STAGE_ORDER

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = Path(os.environ.get("GD2SLACK_CHECKOV", ROOT / ".venv-tools" / "bin" / "checkov"))
HOME = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1")
ALARMS = {
    ("dev", "us-east-1"): "gd2slack-dev-delivery",
    ("dev", "eu-west-1"): "gd2slack-dev-delivery",
    ("prod", "us-east-1"): "gd2slack-prod-delivery",
    ("prod", "eu-west-1"): "gd2slack-prod-delivery",
}
FULL = PipelineConfig.create(REGIONS, ALARMS, home_region=HOME)


@pytest.fixture(scope="module")
def full() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(to_json(FULL))
    return result


@pytest.fixture(scope="module")
def default() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(to_json())
    return result


def pipeline_props(template: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"]["Pipeline"]["Properties"]
    return props


def stage(template: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in pipeline_props(template)["Stages"] if s["Name"] == name)


def role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every statement of a role, conditional policies (Fn::If) included."""
    statements = []
    for entry in template["Resources"][role]["Properties"]["Policies"]:
        policy = entry["Fn::If"][1] if "Fn::If" in entry else entry
        statements += policy["PolicyDocument"]["Statement"]
    return statements


def all_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            for statement in role_statements(template, logical_id):
                yield logical_id, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- pipeline shape ----------------------------------------------------------------------------


def test_v2_queued(full: dict[str, Any]) -> None:
    props = pipeline_props(full)
    assert props["PipelineType"] == "V2"
    assert props["ExecutionMode"] == "QUEUED"
    assert props["RestartExecutionOnUpdate"] is False  # UpdatePipeline restarts itself


def test_stage_order_and_names(full: dict[str, Any], default: dict[str, Any]) -> None:
    for template in (full, default):
        assert [s["Name"] for s in pipeline_props(template)["Stages"]] == list(STAGE_ORDER)


def test_source_is_a_codeconnections_action_with_a_push_trigger(full: dict[str, Any]) -> None:
    source = stage(full, "Source")["Actions"][0]
    assert source["ActionTypeId"] == {
        "Category": "Source",
        "Owner": "AWS",
        "Provider": "CodeStarSourceConnection",
        "Version": "1",
    }
    assert source["Configuration"]["ConnectionArn"] == {"Ref": "ConnectionArn"}
    assert source["Configuration"]["FullRepositoryId"] == {"Ref": "FullRepositoryId"}
    assert source["Configuration"]["BranchName"] == {"Ref": "BranchName"}
    (trigger,) = pipeline_props(full)["Triggers"]
    assert trigger["ProviderType"] == "CodeStarSourceConnection"
    git = trigger["GitConfiguration"]
    assert git["SourceActionName"] == source["Name"]
    (push,) = git["Push"]
    assert push["Branches"] == {"Includes": [{"Ref": "BranchName"}]}
    excludes = push["FilePaths"]["Excludes"]
    assert "docs/**" in excludes and "**/*.md" in excludes and "*.md" in excludes
    assert full["Parameters"]["BranchName"]["Default"] == "main"


def test_build_runs_the_root_buildspec_privileged_on_arm(full: dict[str, Any]) -> None:
    project = full["Resources"]["Gd2slackBuild"]["Properties"]
    assert project["Source"] == {"Type": "CODEPIPELINE", "BuildSpec": "buildspec.yml"}
    assert project["Environment"]["Type"] == "ARM_CONTAINER"
    assert project["Environment"]["PrivilegedMode"] is True
    for name, resource in full["Resources"].items():
        if resource["Type"] == "AWS::CodeBuild::Project" and name != "Gd2slackBuild":
            assert resource["Properties"]["Environment"]["PrivilegedMode"] is False, name


def test_every_project_buildspec_exists(full: dict[str, Any]) -> None:
    for resource in full["Resources"].values():
        if resource["Type"] == "AWS::CodeBuild::Project":
            assert (ROOT / resource["Properties"]["Source"]["BuildSpec"]).is_file()


def test_deploy_stages_roll_back_on_failure(full: dict[str, Any]) -> None:
    for name in STAGE_ORDER:
        on_failure = stage(full, name).get("OnFailure")
        if name in ("DeployDev", "DeployProd"):
            assert on_failure == {"Result": "ROLLBACK"}
        else:
            assert on_failure is None, name


def _alarm_rules(condition: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = condition["Rules"]
    for rule in rules:
        assert rule["RuleTypeId"] == {
            "Category": "Rule",
            "Owner": "AWS",
            "Provider": "CloudWatchAlarm",
            "Version": "1",
        }
    return rules


def test_alarm_conditions_watch_each_regions_composite_alarm(full: dict[str, Any]) -> None:
    for name, env in (("DeployDev", "dev"), ("DeployProd", "prod")):
        (condition,) = stage(full, name)["OnSuccess"]["Conditions"]
        assert condition["Result"] == "ROLLBACK"
        rules = _alarm_rules(condition)
        assert {(r["Region"], r["Configuration"]["AlarmName"]) for r in rules} == {
            (region, ALARMS[(env, region)]) for region in REGIONS
        }
        assert all(r["Configuration"]["AlarmStates"] == "ALARM" for r in rules)
    # Promotion needs dev still healthy (an approval can wait for days).
    (before,) = stage(full, "DeployProd")["BeforeEntry"]["Conditions"]
    assert before["Result"] == "FAIL"
    assert {r["Configuration"]["AlarmName"] for r in _alarm_rules(before)} == {
        "gd2slack-dev-delivery"
    }
    assert "BeforeEntry" not in stage(full, "DeployDev")


def test_no_condition_for_an_alarm_that_does_not_exist_yet(default: dict[str, Any]) -> None:
    for name in ("DeployDev", "DeployProd"):
        assert "OnSuccess" not in stage(default, name)
        assert "BeforeEntry" not in stage(default, name)
    partial = json.loads(
        to_json(PipelineConfig.create(REGIONS, {("dev", "eu-west-1"): "a"}, home_region=HOME))
    )
    (condition,) = stage(partial, "DeployDev")["OnSuccess"]["Conditions"]
    assert [r["Region"] for r in condition["Rules"]] == ["eu-west-1"]
    assert "OnSuccess" not in stage(partial, "DeployProd")


def test_alarm_conditions_stop_at_codepipelines_five_rules() -> None:
    regions = parse_regions("us-east-1,us-east-2,us-west-1,us-west-2,eu-west-1,eu-west-2")
    alarms = {("dev", r): "gd2slack-dev-delivery" for r in regions}
    template = json.loads(to_json(PipelineConfig.create(regions, alarms, home_region=HOME)))
    (condition,) = stage(template, "DeployDev")["OnSuccess"]["Conditions"]
    assert len(condition["Rules"]) == 5


def test_one_parallel_action_per_region(full: dict[str, Any]) -> None:
    for name, kind in (
        ("DeployDev", "Deploy"),
        ("TestDev", "Smoke"),
        ("DeployProd", "Deploy"),
        ("TestProd", "Smoke"),
    ):
        actions = stage(full, name)["Actions"]
        assert [a["Name"] for a in actions] == [f"{kind}-{r}" for r in REGIONS]
        assert {a["RunOrder"] for a in actions} == {1}
        for action, region in zip(actions, REGIONS, strict=True):
            env = json.loads(action["Configuration"]["EnvironmentVariables"])
            assert {"name": "TARGET_REGION", "value": region, "type": "PLAINTEXT"} in env
            assert [i["Name"] for i in action["InputArtifacts"]] == ["SourceOutput", "BuildOutput"]


def test_deploy_actions_run_the_deploy_projects(full: dict[str, Any]) -> None:
    for name, project in (("DeployDev", "Gd2slackDeployDev"), ("DeployProd", "Gd2slackDeployProd")):
        for action in stage(full, name)["Actions"]:
            assert action["Configuration"]["ProjectName"] == {"Ref": project}
    dev = full["Resources"]["Gd2slackDeployDev"]["Properties"]
    assert dev["Source"]["BuildSpec"] == "pipeline/buildspecs/deploy.yml"
    env = {e["Name"]: e["Value"] for e in dev["Environment"]["EnvironmentVariables"]}
    assert env["STAGE"] == "dev"
    assert env["CFN_EXECUTION_ROLE_ARN"] == {"Fn::GetAtt": ["RuntimeExecutionRoleDev", "Arn"]}
    assert env["MONITORING_MINUTES"] == {"Ref": "MonitoringMinutes"}
    # The pipeline can create the stack: it knows the stage's webhook secret.
    assert env["WEBHOOK_SECRET_ARN"] == {"Ref": "DevWebhookSecretArn"}
    assert "--webhook-secret" in (ROOT / "pipeline/buildspecs/deploy.yml").read_text()


def test_approval_says_what_is_promoted_and_links_the_dev_smoke(full: dict[str, Any]) -> None:
    approve = stage(full, APPROVE_PROD_STAGE)
    (action,) = approve["Actions"]
    assert action["Name"] == APPROVAL_ACTION
    assert action["ActionTypeId"]["Provider"] == "Manual"
    config = action["Configuration"]
    assert "#{SourceVariables.CommitId}" in config["CustomData"]
    assert "#{BuildVariables.IMAGE_URI}" in config["CustomData"]
    assert config["ExternalEntityLink"] == "#{TestDev-us-east-1.SMOKE_BUILD_URL}"
    assert config["NotificationArn"] == {
        "Fn::If": ["HasApprovalTopic", {"Ref": "ApprovalTopicArn"}, {"Ref": "AWS::NoValue"}]
    }


def _exported(buildspec: str) -> set[str]:
    spec = yaml.safe_load((ROOT / buildspec).read_text())
    return set(spec.get("env", {}).get("exported-variables", []))


def test_every_pipeline_variable_is_produced(full: dict[str, Any]) -> None:
    """``#{Namespace.Var}`` references resolve: the namespace exists and its action exports it."""
    projects = {
        name: r["Properties"]["Source"]["BuildSpec"]
        for name, r in full["Resources"].items()
        if r["Type"] == "AWS::CodeBuild::Project"
    }
    produced: dict[str, set[str]] = {"codepipeline": {"PipelineExecutionId"}}
    for s in pipeline_props(full)["Stages"]:
        for action in s["Actions"]:
            namespace = action.get("Namespace")
            if not namespace:
                continue
            if action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection":
                produced[namespace] = {"CommitId", "BranchName", "FullRepositoryName"}
            else:
                produced[namespace] = _exported(
                    projects[action["Configuration"]["ProjectName"]["Ref"]]
                )
    text = json.dumps(pipeline_props(full)["Stages"])
    references = set(re.findall(r"#\{([A-Za-z0-9@_-]+)\.([A-Za-z0-9_]+)\}", text))
    assert references, "expected variable references"
    for namespace, variable in references:
        assert variable in produced.get(namespace, set()), f"#{{{namespace}.{variable}}}"


# --- storage -----------------------------------------------------------------------------------


def test_ecr_repository_is_immutable_scanned_and_trimmed(full: dict[str, Any]) -> None:
    repo = full["Resources"]["EcrRepository"]
    props = repo["Properties"]
    assert props["ImageTagMutability"] == "IMMUTABLE"
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert repo["DeletionPolicy"] == "Retain"  # running functions pull from it
    text = props["LifecyclePolicy"]["LifecyclePolicyText"]["Fn::Sub"]
    rule = json.loads(text.replace("${ImageRetentionCount}", "7"))["rules"][0]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["selection"]["countNumber"] == 7
    assert rule["action"] == {"type": "expire"}
    lambda_pull = props["RepositoryPolicyText"]["Statement"][0]
    assert lambda_pull["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "aws:sourceArn" in lambda_pull["Condition"]["StringLike"]


def test_images_replicate_to_the_other_target_regions(full: dict[str, Any]) -> None:
    replication = full["Resources"]["EcrReplication"]["Properties"]["ReplicationConfiguration"]
    (rule,) = replication["Rules"]
    assert [d["Region"] for d in rule["Destinations"]] == ["eu-west-1"]
    one_region = json.loads(to_json(PipelineConfig.create([HOME], home_region=HOME)))
    assert "EcrReplication" not in one_region["Resources"]


def test_artifact_bucket_is_encrypted_versioned_private_tls_only(full: dict[str, Any]) -> None:
    bucket = full["Resources"]["ArtifactBucket"]["Properties"]
    sse = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled" and rule["NoncurrentVersionExpiration"]
    (deny,) = full["Resources"]["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert pipeline_props(full)["ArtifactStore"] == {
        "Type": "S3",
        "Location": {"Ref": "ArtifactBucket"},
    }


def test_log_groups_have_retention_and_match_the_projects(full: dict[str, Any]) -> None:
    groups = {
        r["Properties"]["LogGroupName"]: r["Properties"]
        for r in full["Resources"].values()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    assert all(g["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups.values())
    for resource in full["Resources"].values():
        if resource["Type"] == "AWS::CodeBuild::Project":
            logs = resource["Properties"]["LogsConfig"]["CloudWatchLogs"]
            assert logs["GroupName"] in groups


# --- least privilege ---------------------------------------------------------------------------

# Actions IAM cannot scope to a resource (or, for composite alarms, requires "*" for).
STAR_ALLOWED = {
    "ecr:GetAuthorizationToken",
    "cloudwatch:DescribeAlarms",
    "ecr:DescribeRegistry",
    "ecr:PutReplicationConfiguration",
    "logs:DescribeLogGroups",
    "dynamodb:ListTables",
    "events:ListRules",
    "sqs:ListQueues",
    "lambda:ListEventSourceMappings",
}


def test_no_wildcard_actions(full: dict[str, Any]) -> None:
    for role, statement in all_statements(full):
        for action in as_list(statement["Action"]):
            assert action != "*" and not action.endswith(":*"), (role, action)


def test_star_resources_only_where_iam_offers_nothing_narrower(full: dict[str, Any]) -> None:
    for role, statement in all_statements(full):
        if "*" not in as_list(statement["Resource"]):
            continue
        actions = set(as_list(statement["Action"]))
        if "Condition" in statement:  # event source mappings, scoped by lambda:FunctionArn
            assert "lambda:FunctionArn" in json.dumps(statement["Condition"]), role
            continue
        assert actions <= STAR_ALLOWED, (role, actions - STAR_ALLOWED)


def _resources_of(template: dict[str, Any], role: str, prefix: str) -> list[Any]:
    return [
        resource
        for statement in role_statements(template, role)
        if any(a.startswith(prefix) for a in as_list(statement["Action"]))
        for resource in as_list(statement["Resource"])
    ]


def test_pass_role_only_for_cloudformation_execution_roles(full: dict[str, Any]) -> None:
    expected = {
        "DevStageRole": "RuntimeExecutionRoleDev",
        "ProdStageRole": "RuntimeExecutionRoleProd",
        "UpdatePipelineRole": "PipelineExecutionRole",
    }
    for role, statement in all_statements(full):
        if "iam:PassRole" not in as_list(statement["Action"]):
            continue
        assert "iam:PassedToService" in json.dumps(statement["Condition"]), role
        if role in expected:
            assert statement["Resource"] == [{"Fn::GetAtt": [expected[role], "Arn"]}]
            assert "cloudformation.amazonaws.com" in json.dumps(statement["Condition"])
        else:
            # Execution roles pass roles of their own stack only (to Lambda / CodeBuild).
            assert (
                role.endswith("ExecutionRoleDev")
                or role.endswith("ExecutionRoleProd")
                or (role == "PipelineExecutionRole")
            ), role
    assert not _resources_of(full, "BuildRole", "iam:")
    assert not _resources_of(full, "PipelineRole", "iam:")


def test_cloudformation_only_on_this_projects_stacks(full: dict[str, Any]) -> None:
    allowed = {
        "DevStageRole": {"gd2slack-dev"},
        "ProdStageRole": {"gd2slack-prod"},
        "UpdatePipelineRole": {"gd2slack-pipeline", "gd2slack-dev", "gd2slack-prod"},
    }
    for role, statement in all_statements(full):
        if not any(a.startswith("cloudformation:") for a in as_list(statement["Action"])):
            continue
        assert role in allowed, role
        for resource in as_list(statement["Resource"]):
            match = re.search(r":stack/([^/]+)/\*$", resource["Fn::Sub"])
            assert match and match.group(1) in allowed[role], (role, resource)
        if any(a.endswith("ChangeSet") for a in as_list(statement["Action"])):
            names = {
                re.search(r":stack/([^/]+)/", r["Fn::Sub"]).group(1) for r in statement["Resource"]
            }  # type: ignore[union-attr]
            assert names == (
                {"gd2slack-pipeline"} if role == "UpdatePipelineRole" else allowed[role]
            )


def test_ecr_push_only_to_this_repository(full: dict[str, Any]) -> None:
    for role, statement in all_statements(full):
        actions = as_list(statement["Action"])
        if "ecr:PutImage" in actions:
            assert role == "BuildRole"
            assert [r["Fn::Sub"] for r in statement["Resource"]] == [
                "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/gd2slack"
            ]


def test_roles_trust_one_service_in_this_account(full: dict[str, Any]) -> None:
    for name, resource in full["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        (statement,) = resource["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        (service,) = statement["Principal"]["Service"]
        if service == "cloudformation.amazonaws.com":
            # Not documented as supplied when CloudFormation assumes a stack's service role.
            assert "Condition" not in statement, name
            continue
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        }


def test_cross_account_prod_assumes_the_role_instead_of_passing_one(full: dict[str, Any]) -> None:
    assert full["Resources"]["RuntimeExecutionRoleProd"]["Condition"] == "SameAccountProd"
    policies = full["Resources"]["ProdStageRole"]["Properties"]["Policies"]
    conditional = {p["Fn::If"][0]: p["Fn::If"][1] for p in policies if "Fn::If" in p}
    (assume,) = conditional["HasProdAccountRole"]["PolicyDocument"]["Statement"]
    assert assume["Action"] == ["sts:AssumeRole"]
    assert assume["Resource"] == [{"Ref": "ProdAccountRoleArn"}]
    env = {
        e["Name"]: e["Value"]
        for e in full["Resources"]["Gd2slackDeployProd"]["Properties"]["Environment"][
            "EnvironmentVariables"
        ]
    }
    assert env["ASSUME_ROLE_ARN"] == {"Ref": "ProdAccountRoleArn"}


# --- buildspecs ----------------------------------------------------------------------------------


def test_the_build_gate_is_make_test_before_any_image() -> None:
    spec = yaml.safe_load((ROOT / "buildspec.yml").read_text())
    assert spec["phases"]["pre_build"]["commands"] == ["make test"]
    assert all(spec["phases"][p].get("on-failure") == "ABORT" for p in ("install", "pre_build"))
    build = "\n".join(spec["phases"]["build"]["commands"])
    assert "--platform linux/arm64" in build and "--provenance=false" in build
    assert "gd2slack synth --out build/templates" in build
    # The artifact's runtime template is what the deploy stages deploy: it is the one linted.
    assert "python -m gd2slack.ops.template_lint build/templates/runtime.json" in build
    assert set(spec["artifacts"]["files"]) == {
        "build/imagedetail.json",
        "build/templates/runtime.json",
    }
    # The same gate CI, the local entry point and the README name.
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = ROOT / "README.md"
    if readme.exists():
        assert "make test" in readme.read_text()
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert "make test" in steps


def test_deploy_and_smoke_buildspecs_call_the_cli() -> None:
    deploy = (ROOT / "pipeline/buildspecs/deploy.yml").read_text()
    assert "gd2slack deploy-stack" in deploy and "--wait" in deploy and "--yes" in deploy
    assert "templates/runtime.json" in deploy
    smoke = (ROOT / "pipeline/buildspecs/smoke.yml").read_text()
    assert "gd2slack smoke" in smoke and "--expect-image-uri" in smoke
    update = (ROOT / "pipeline/buildspecs/update-pipeline.yml").read_text()
    assert "gd2slack deploy-pipeline" in update and "--restart-execution" in update
    # The pipeline template is linted as deployed, so the tools' environment is installed too.
    assert "--lint" in update and ".venv-tools/.installed" in update
    for path in ("buildspec.yml", *(f"pipeline/buildspecs/{n}.yml" for n in ("deploy", "smoke"))):
        assert yaml.safe_load((ROOT / path).read_text())["version"] == 0.2


def test_image_uri_follows_its_replica() -> None:
    digest = "sha256:" + "a" * 64
    uri = f"123456789012.dkr.ecr.us-east-1.amazonaws.com/gd2slack@{digest}"
    assert regional_image_uri(uri, "eu-west-1") == uri.replace("us-east-1", "eu-west-1")
    assert EcrImage.parse(uri).digest == digest
    with pytest.raises(ValueError, match="not an ECR image URI"):
        EcrImage.parse("public.ecr.aws/x/y:latest")


# --- determinism, size, linters, moto ---------------------------------------------------------


def test_deterministic() -> None:
    assert to_json(FULL) == to_json(FULL)
    reordered = PipelineConfig.create(
        REGIONS, dict(reversed(list(ALARMS.items()))), home_region=HOME
    )
    assert to_json(reordered) == to_json(FULL)
    assert to_json() == to_json()


def test_two_regions_fit_inline() -> None:
    body = json.dumps(json.loads(to_json(FULL)), separators=(",", ":"), sort_keys=True)
    assert len(body.encode()) <= 51_200


def test_cfn_lint_clean_fully_configured(tmp_path: Path) -> None:
    one = to_json(
        PipelineConfig.create(["eu-west-1"], {("dev", "eu-west-1"): "x"}, home_region=HOME)
    )
    for text in (to_json(FULL), one):
        problems = [m for m in lint(text, regions=[HOME]) if m.rule.id[0] in "EW"]
        assert not problems, "\n".join(f"{m.rule.id} {m.message}" for m in problems)


def test_checkov_clean_fully_configured(tmp_path: Path) -> None:
    if not CHECKOV.exists():
        pytest.skip(f"checkov not installed at {CHECKOV} (make test installs it)")
    path = tmp_path / "pipeline.json"
    path.write_text(to_json(FULL))
    result = subprocess.run(
        [str(CHECKOV), "-f", str(path), "--framework", "cloudformation", "--skip-download",
         "--quiet", "--compact", "-o", "json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert report["summary"]["failed"] == 0, result.stdout[-3000:]
    assert report["summary"]["resource_count"] > 10


def _resolve(node: Any, parameters: dict[str, Any]) -> Any:
    """Just enough of CloudFormation's intrinsics to turn the Pipeline resource into API input."""
    if isinstance(node, list):
        items = [_resolve(n, parameters) for n in node]
        return [i for i in items if i is not _NO_VALUE]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"}:
        name = node["Ref"]
        if name == "AWS::NoValue":
            return _NO_VALUE
        return parameters.get(name, f"{name}-physical-id")
    if set(node) == {"Fn::GetAtt"}:
        logical, _ = node["Fn::GetAtt"]
        return parameters.get(logical, f"arn:aws:iam::123456789012:role/{logical}")
    if set(node) == {"Fn::Sub"}:
        return re.sub(
            r"\$\{([^}]+)\}", lambda m: str(parameters.get(m.group(1), "x")), node["Fn::Sub"]
        )
    if set(node) == {"Fn::If"}:
        return _resolve(node["Fn::If"][1], parameters)
    resolved = {k: _resolve(v, parameters) for k, v in node.items()}
    return {k: v for k, v in resolved.items() if v is not _NO_VALUE}


_NO_VALUE = object()


def _api_shape(node: Any, key: str = "") -> Any:
    """CloudFormation PascalCase → API camelCase (configuration maps keep their keys)."""
    if isinstance(node, list):
        return [_api_shape(n) for n in node]
    if isinstance(node, dict):
        if key == "Configuration":
            return {k: str(v) for k, v in node.items()}
        return {k[0].lower() + k[1:]: _api_shape(v, k) for k, v in node.items()}
    return node


@mock_aws
def test_moto_codepipeline_accepts_the_declaration(full: dict[str, Any]) -> None:
    iam = boto3.client("iam")
    role = iam.create_role(
        RoleName="PipelineRole",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "codepipeline.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    parameters = {
        "PipelineRole": role,
        "ConnectionArn": "arn:aws:codeconnections:us-east-1:123456789012:connection/abc",
        "FullRepositoryId": "example/guardduty-to-slack",
        "BranchName": "main",
        "ApprovalTopicArn": "arn:aws:sns:us-east-1:123456789012:approvals",
    }
    props = _resolve(dict(pipeline_props(full)), parameters)
    for cfn_only in ("Tags", "RestartExecutionOnUpdate"):
        props.pop(cfn_only)
    declaration = _api_shape(props)
    client = boto3.client("codepipeline")
    # botocore validates the request against the real CodePipeline model before moto sees it.
    client.create_pipeline(pipeline=declaration)
    stored = client.get_pipeline(name="gd2slack")["pipeline"]
    assert [s["name"] for s in stored["stages"]] == list(STAGE_ORDER)
    assert stored["pipelineType"] == "V2" and stored["executionMode"] == "QUEUED"


def test_build_template_returns_a_template() -> None:
    assert build_template(FULL).to_dict()["Resources"]["Pipeline"]["Type"] == (
        "AWS::CodePipeline::Pipeline"
    )


@pytest.mark.parametrize(
    ("partition", "region", "host"),
    [
        ("aws", "eu-west-1", "https://eu-west-1.console.aws.amazon.com"),
        ("aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com"),
        ("aws-cn", "cn-north-1", "https://console.amazonaws.cn"),
    ],
)
def test_the_console_url_output_is_the_stack_s_partition_console(
    partition: str, region: str, host: str
) -> None:
    from tests.iam_eval import Stack

    stack = Stack(
        "gd2slack-pipeline",
        json.loads(to_json()),
        {"ConnectionArn": "arn", "FullRepositoryId": "example/gd2slack"},
        region=region,
        partition=partition,
    )
    url = stack.resolve(stack.template["Outputs"]["PipelineConsoleUrl"]["Value"])
    assert url == (
        f"{host}/codesuite/codepipeline/pipelines/{stack.ref('Pipeline')}/view?region={region}"
    )
