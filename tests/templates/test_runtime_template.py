"""Structural checks of the runtime template: each would catch a regression in one promise.

Not a snapshot: the assertions say what must hold (and why), so an intended change to the
template only touches the assertion that covers it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import stack
from app.core.severity import BAND_NAMES, Band
from gd2slack.local.moto_compat import for_moto
from gd2slack.ops import aws
from stack import parameters as params

ROOT = Path(__file__).resolve().parents[2]
ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
DIGEST = "sha256:" + "0123456789abcdef" * 4

ALLOWED_WILDCARD_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
# Each scoped action may only ever point at this one resource (logical id or parameter).
ACTION_TARGETS = {
    "logs:CreateLogStream": "FunctionLogGroup",
    "logs:PutLogEvents": "FunctionLogGroup",
    "sqs:ReceiveMessage": "FindingsQueue",
    "sqs:DeleteMessage": "FindingsQueue",
    "sqs:GetQueueAttributes": "FindingsQueue",
    "sqs:ChangeMessageVisibility": "FindingsQueue",
    "dynamodb:GetItem": "StateTable",
    "dynamodb:PutItem": "StateTable",
    "dynamodb:UpdateItem": "StateTable",
    "secretsmanager:GetSecretValue": "WebhookSecretArn",
    "kms:Decrypt": "WebhookSecretKmsKeyArn",
}
TAGGABLE = {
    "AWS::Lambda::Function",
    "AWS::Lambda::EventSourceMapping",
    "AWS::IAM::Role",
    "AWS::SQS::Queue",
    "AWS::Events::Rule",
    "AWS::DynamoDB::Table",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::CompositeAlarm",
}
CONTRACT_PARAMETERS = {
    "Stage", "ImageUri", "MinSeverity", "WebhookSecretArn", "Routes", "FindingTypesInclude",
    "FindingTypesExclude", "AccountNames", "SampleFindings", "DigestThreshold",
    "QuietPeriodHours", "AlarmTopicArn", "LogRetentionDays", "FunctionTimeout",
    "FunctionMemory", "MaximumConcurrency", "ReservedConcurrency", "BatchSize",
    "MaximumBatchingWindow", "MaxReceiveCount",
}  # fmt: skip
CONTRACT_OUTPUTS = {
    "FunctionName", "FunctionArn", "AliasArn", "QueueUrl", "QueueArn", "DeadLetterQueueUrl",
    "DeadLetterQueueArn", "StateTableName", "CompositeAlarmArn", "CompositeAlarmName",
    "LogGroupName", "ImageUri", "Stage",
    # Triage only (tests/templates/test_interactions_template.py).
    "InteractionsUrl", "InteractionsFunctionName",
}  # fmt: skip
CONTRACT_ENVIRONMENT = {
    "SLACK_WEBHOOKS_SECRET_ID", "MIN_SEVERITY", "ROUTES", "FINDING_TYPES_INCLUDE",
    "FINDING_TYPES_EXCLUDE", "ACCOUNT_NAMES", "SAMPLE_FINDINGS", "STATE_TABLE",
    "DIGEST_THRESHOLD", "QUIET_PERIOD_HOURS", "STAGE", "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL",
    # Triage (both functions): on when the signing secret is set; the notifier adds buttons.
    "SLACK_SIGNING_SECRET_ID", "SLACK_TEAM_ID", "SLACK_APP_ID", "GUARDDUTY_DETECTOR_ID",
    "TRIAGE_ALLOW",
}  # fmt: skip


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stack.to_json())
    return data


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def props(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    result: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return result


class Evaluator:
    """Just enough of CloudFormation's intrinsics to resolve conditions for given parameters."""

    def __init__(self, template: dict[str, Any], **values: str) -> None:
        self.template = template
        self.values = {
            name: str(p["Default"]) for name, p in template["Parameters"].items() if "Default" in p
        } | values

    def condition(self, name: str) -> bool:
        return bool(self.eval(self.template["Conditions"][name]))

    def eval(self, node: Any) -> Any:
        if isinstance(node, list):
            values = (self.eval(n) for n in node)
            return [v for v in values if v != {"Ref": "AWS::NoValue"}]
        if not isinstance(node, dict) or len(node) != 1:
            return node
        ((fn, arg),) = node.items()
        if fn == "Ref" and arg in self.values:
            return self.values[arg]
        if fn == "Fn::If":
            return self.eval(arg[1] if self.condition(arg[0]) else arg[2])
        if fn == "Fn::Equals":
            left, right = (self.eval(a) for a in arg)
            return str(left) == str(right)
        if fn == "Fn::Not":
            return not self.eval(arg[0])
        if fn == "Fn::And":
            return all(self.eval(a) for a in arg)
        if fn == "Fn::Or":
            return any(self.eval(a) for a in arg)
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Split":
            return str(self.eval(arg[1])).split(arg[0])
        if fn == "Fn::Select":
            return self.eval(arg[1])[int(arg[0])]
        return {fn: self.eval(arg)} if fn.startswith("Fn::") else node


# --- contract: ids, parameters, environment, outputs -----------------------------------------


def test_seed_logical_ids_and_types(template: dict[str, Any]) -> None:
    types = {k: v["Type"] for k, v in template["Resources"].items()}
    assert types["GuardDutyToSlackFunction"] == "AWS::Lambda::Function"
    assert types["GuardDutyToSlackLambdaRole"] == "AWS::IAM::Role"
    assert types["GuardDutyEventRule"] == "AWS::Events::Rule"


def test_contract_parameters_present(template: dict[str, Any]) -> None:
    declared = template["Parameters"]
    assert set(declared) >= CONTRACT_PARAMETERS
    assert declared["Stage"]["AllowedValues"] == ["dev", "prod"]
    assert declared["MinSeverity"]["AllowedValues"] == list(BAND_NAMES)
    assert declared["MinSeverity"]["Default"] == "LOW"
    assert declared["SampleFindings"]["AllowedValues"] == ["notify", "skip"]
    assert declared["AlarmTopicArn"]["Default"] == ""
    assert declared["MaximumConcurrency"]["MinValue"] == 2
    expected_defaults = {
        "Routes": "[]", "FindingTypesInclude": "", "FindingTypesExclude": "",
        "AccountNames": "{}", "DigestThreshold": 5, "QuietPeriodHours": 24,
        "LogRetentionDays": 90, "FunctionTimeout": "60", "FunctionMemory": 512,
        "MaximumConcurrency": 2, "ReservedConcurrency": -1, "BatchSize": 10,
        "MaximumBatchingWindow": 5, "MaxReceiveCount": 5,
    }  # fmt: skip
    assert {k: declared[k]["Default"] for k in expected_defaults} == expected_defaults
    assert "Default" not in declared["ImageUri"]
    assert "Default" not in declared["WebhookSecretArn"]


def test_log_retention_allows_only_cloudwatch_values(template: dict[str, Any]) -> None:
    allowed = template["Parameters"]["LogRetentionDays"]["AllowedValues"]
    assert 90 in allowed
    assert set(allowed) <= {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                            1096, 1827, 2192, 2557, 2922, 3288, 3653}  # fmt: skip


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        (f"{ECR}/gd2slack@{DIGEST}", True),
        (f"{ECR}/team/gd2slack:3f2c1a9", True),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/gd2slack:v1.2.3", True),
        (f"{ECR}/gd2slack:latest", False),
        (f"{ECR}/gd2slack", False),
        (f"{ECR}/gd2slack@sha256:abc", False),
        (f"docker.io/library/gd2slack@{DIGEST}", False),
        (f"{ECR}/gd2slack:latest@{DIGEST}", False),
    ],
)
def test_image_uri_pattern(template: dict[str, Any], uri: str, ok: bool) -> None:
    # Java and Python agree on this pattern's constructs (classes, groups, lookahead).
    pattern = template["Parameters"]["ImageUri"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, uri)) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("gd2slack/webhooks", True),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:gd2slack/webhooks-AbC123", True),
        ("", False),
        ("arn:aws:s3:::bucket", False),
    ],
)
def test_webhook_secret_pattern(template: dict[str, Any], value: str, ok: bool) -> None:
    pattern = template["Parameters"]["WebhookSecretArn"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, value)) is ok


def test_function_environment(template: dict[str, Any]) -> None:
    env = props(template, "GuardDutyToSlackFunction")["Environment"]["Variables"]
    assert set(env) == CONTRACT_ENVIRONMENT
    assert env["MIN_SEVERITY"] == {"Ref": "MinSeverity"}
    assert env["STATE_TABLE"] == {"Ref": "StateTable"}
    assert env["SLACK_WEBHOOKS_SECRET_ID"] == {"Ref": "WebhookSecretArn"}
    assert env["POWERTOOLS_SERVICE_NAME"] == "guardduty-to-slack"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "GuardDutyToSlack"
    assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert set(outputs) == CONTRACT_OUTPUTS
    cli_keys = {v for k, v in vars(aws).items() if k.startswith("OUT_") and isinstance(v, str)}
    runtime_keys = cli_keys - {"PipelineName", "EcrRepositoryUri", "ArtifactBucketName"}
    assert runtime_keys <= set(outputs), "gd2slack reads an output the stack does not have"
    assert outputs["AliasArn"]["Value"] == {"Ref": "LiveAlias"}
    assert outputs["ImageUri"]["Value"] == {"Ref": "ImageUri"}
    assert outputs["StateTableName"]["Value"] == {"Ref": "StateTable"}
    assert outputs["CompositeAlarmName"]["Value"] == {"Ref": "DeliveryCompositeAlarm"}
    assert "${DeliveryCompositeAlarm}" in outputs["CompositeAlarmArn"]["Value"]["Fn::Sub"]


# --- function, version, alias, mapping -------------------------------------------------------


def test_function_is_arm64_image_with_tracing_and_own_log_group(template: dict[str, Any]) -> None:
    fn = props(template, "GuardDutyToSlackFunction")
    assert fn["PackageType"] == "Image"
    assert fn["Code"] == {"ImageUri": {"Ref": "ImageUri"}}
    assert fn["Architectures"] == ["arm64"]
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert fn["Timeout"] == {"Ref": "FunctionTimeout"}
    assert fn["MemorySize"] == {"Ref": "FunctionMemory"}
    assert fn["Role"] == {"Fn::GetAtt": ["GuardDutyToSlackLambdaRole", "Arn"]}
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogGroup"}
    assert "Runtime" not in fn and "Handler" not in fn  # the image's CMD names the handler


def test_reserved_concurrency_unset_by_default(template: dict[str, Any]) -> None:
    reserved = props(template, "GuardDutyToSlackFunction")["ReservedConcurrentExecutions"]
    assert Evaluator(template).eval(reserved) == {"Ref": "AWS::NoValue"}
    assert Evaluator(template, ReservedConcurrency="5").eval(reserved) == "5"


def test_version_follows_image_and_deployment(template: dict[str, Any]) -> None:
    version = props(template, "FunctionVersion")
    assert version["FunctionName"] == {"Ref": "GuardDutyToSlackFunction"}
    description = version["Description"]["Fn::Sub"]
    assert "${ImageUri}" in description and "${DeploymentId}" in description
    declared = template["Parameters"]
    longest = declared["ImageUri"]["MaxLength"] + 1 + declared["DeploymentId"]["MaxLength"]
    assert longest <= 256, "Lambda rejects a version description over 256 characters"


def test_alias_live_and_mapping_targets_it(template: dict[str, Any]) -> None:
    alias = props(template, "LiveAlias")
    assert alias["Name"] == "live"
    assert alias["FunctionVersion"] == {"Fn::GetAtt": ["FunctionVersion", "Version"]}
    (mapping,) = resources_of(template, "AWS::Lambda::EventSourceMapping").values()
    esm = mapping["Properties"]
    assert esm["FunctionName"] == {"Ref": "LiveAlias"}
    assert esm["EventSourceArn"] == {"Fn::GetAtt": ["FindingsQueue", "Arn"]}
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm["ScalingConfig"] == {"MaximumConcurrency": {"Ref": "MaximumConcurrency"}}
    assert esm["BatchSize"] == {"Ref": "BatchSize"}
    assert esm["MaximumBatchingWindowInSeconds"] == {"Ref": "MaximumBatchingWindow"}
    assert template["Parameters"]["BatchSize"]["MaxValue"] == 10


def test_moto_variant_changes_only_the_mapping_target_and_drops_triage(
    template: dict[str, Any],
) -> None:
    """moto models no function URL and ignores conditions on update: its variant is the stack
    without triage (the default), with the mapping on the unqualified function."""
    patched = for_moto(template)
    esm = patched["Resources"]["QueueEventSourceMapping"]["Properties"]
    assert esm["FunctionName"] == {"Fn::GetAtt": ["GuardDutyToSlackFunction", "Arn"]}
    esm["FunctionName"] = {"Ref": "LiveAlias"}
    triage = {"HasTriage", "HasTriageSecretKmsKey"}
    expected = {
        **template,
        "Resources": {
            k: v for k, v in template["Resources"].items() if v.get("Condition") not in triage
        },
        "Outputs": {
            k: v for k, v in template["Outputs"].items() if v.get("Condition") not in triage
        },
    }
    assert patched == expected
    assert not any(k.startswith("Interactions") for k in patched["Resources"])


# --- event rule, queues ----------------------------------------------------------------------


@pytest.mark.parametrize("band", BAND_NAMES)
def test_rule_pattern_follows_min_severity(template: dict[str, Any], band: str) -> None:
    rule = props(template, "GuardDutyEventRule")
    pattern = Evaluator(template, MinSeverity=band).eval(rule["EventPattern"])
    assert pattern["source"] == ["aws.guardduty"]
    assert pattern["detail-type"] == ["GuardDuty Finding"]  # source alone matches CloudTrail
    (numeric,) = pattern["detail"]["severity"]
    operator, floor = numeric["numeric"]
    assert operator == ">="
    # A JSON number: EventBridge rejects a string in a numeric match.
    assert isinstance(floor, int) and not isinstance(floor, bool)
    assert floor == Band[band].floor
    assert rule["State"] == "ENABLED"


def test_band_floors_match_the_handler() -> None:
    assert {b: params.severity_floor(b) for b in BAND_NAMES} == {
        b: Band[b].floor for b in BAND_NAMES
    }


def test_rule_targets_queue_with_dead_letter(template: dict[str, Any]) -> None:
    (target,) = props(template, "GuardDutyEventRule")["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["FindingsQueue", "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["FindingsDeadLetterQueue", "Arn"]}}


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["Statement"])


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


@pytest.mark.parametrize("queue", ["FindingsQueue", "FindingsDeadLetterQueue"])
def test_queue_policy_only_the_rule_may_send(template: dict[str, Any], queue: str) -> None:
    policies = [
        p["Properties"]
        for p in resources_of(template, "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": queue}]
    ]
    assert len(policies) == 1
    statements = _statements(policies[0]["PolicyDocument"])
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1
    (allow,) = allows
    assert _actions(allow) == ["sqs:SendMessage"]
    assert allow["Principal"] == {"Service": ["events.amazonaws.com"]} or allow["Principal"] == {
        "Service": "events.amazonaws.com"
    }
    assert allow["Resource"] == [{"Fn::GetAtt": [queue, "Arn"]}]
    assert allow["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["GuardDutyEventRule", "Arn"]}}
    }
    denies = [s for s in statements if s["Effect"] == "Deny"]
    assert any(d["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for d in denies), (
        "queues accept TLS only"
    )


def test_visibility_timeout_covers_every_allowed_function_timeout(
    template: dict[str, Any],
) -> None:
    queue = props(template, "FindingsQueue")
    find = queue["VisibilityTimeout"]["Fn::FindInMap"]
    assert find[1] == {"Ref": "FunctionTimeout"}
    table = template["Mappings"][find[0]]
    allowed = template["Parameters"]["FunctionTimeout"]["AllowedValues"]
    window = template["Parameters"]["MaximumBatchingWindow"]["MaxValue"]
    assert set(table) == {str(t) for t in allowed}, "every allowed timeout needs a row"
    for timeout in allowed:
        # AWS: at least six times the function timeout, plus the batching window.
        assert table[str(timeout)][find[2]] >= 6 * int(timeout) + window
        assert table[str(timeout)][find[2]] <= 43200  # SQS maximum


def test_queues_encrypted_with_redrive_and_retention(template: dict[str, Any]) -> None:
    queue = props(template, "FindingsQueue")
    dlq = props(template, "FindingsDeadLetterQueue")
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["FindingsDeadLetterQueue", "Arn"]},
        "maxReceiveCount": {"Ref": "MaxReceiveCount"},
    }
    assert dlq["MessageRetentionPeriod"] == 1209600
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]


# --- IAM -------------------------------------------------------------------------------------


def _policy_documents(template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The notifier role's documents (the interactions role's: test_interactions_template)."""
    role = props(template, "GuardDutyToSlackLambdaRole")
    for policy in role.get("Policies", []):
        yield policy["PolicyDocument"]
    for managed in resources_of(template, "AWS::IAM::Policy").values():
        roles = managed["Properties"]["Roles"]
        assert roles in ([{"Ref": "GuardDutyToSlackLambdaRole"}], [{"Ref": "InteractionsRole"}])
        if roles == [{"Ref": "GuardDutyToSlackLambdaRole"}]:
            yield managed["Properties"]["PolicyDocument"]
    assert "ManagedPolicyArns" not in role, "no AWS managed policies: they are broader"


def _references(node: Any) -> set[str]:
    """Logical ids and parameters a resource expression depends on."""
    if isinstance(node, list):
        return set().union(*(_references(n) for n in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    ((fn, arg),) = node.items()
    if fn == "Ref":
        return {arg}
    if fn == "Fn::GetAtt":
        return {arg[0]}
    if fn == "Fn::Sub":
        text = arg if isinstance(arg, str) else arg[0]
        names = {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
        return {n for n in names if not n.startswith("AWS::")}
    if fn == "Fn::If":
        return _references(arg[1]) | _references(arg[2])
    raise AssertionError(f"unexpected resource expression {node}")


def test_role_trusts_lambda_only(template: dict[str, Any]) -> None:
    trust = props(template, "GuardDutyToSlackLambdaRole")["AssumeRolePolicyDocument"]
    (statement,) = _statements(trust)
    assert statement["Principal"] == {"Service": ["lambda.amazonaws.com"]} or statement[
        "Principal"
    ] == {"Service": "lambda.amazonaws.com"}
    assert _actions(statement) == ["sts:AssumeRole"]


def test_every_role_statement_is_scoped(template: dict[str, Any]) -> None:
    seen: set[str] = set()
    for document in _policy_documents(template):
        for statement in _statements(document):
            assert statement["Effect"] == "Allow"
            actions = _actions(statement)
            assert not any("*" in a for a in actions), f"wildcard action in {statement}"
            seen.update(actions)
            resources = statement["Resource"]
            if "*" in resources:
                assert resources == ["*"]
                assert set(actions) <= ALLOWED_WILDCARD_ACTIONS, statement
                continue
            targets = _references(resources)
            for action in actions:
                assert action in ACTION_TARGETS, f"unexpected action {action}"
                assert targets == {ACTION_TARGETS[action]}, (action, targets)
    assert set(ACTION_TARGETS) | ALLOWED_WILDCARD_ACTIONS == seen


def _secret_resource(template: dict[str, Any]) -> Any:
    for document in _policy_documents(template):
        for statement in _statements(document):
            if "secretsmanager:GetSecretValue" in _actions(statement):
                (resource,) = statement["Resource"]
                return resource
    raise AssertionError("no GetSecretValue statement")


def test_secret_by_arn_is_granted_exactly(template: dict[str, Any]) -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gd2slack/webhooks-AbC123"
    assert Evaluator(template, WebhookSecretArn=arn).eval(_secret_resource(template)) == arn


def test_secret_by_name_is_granted_its_arn_pattern(template: dict[str, Any]) -> None:
    resolved = Evaluator(template, WebhookSecretArn="gd2slack/webhooks").eval(
        _secret_resource(template)
    )
    assert resolved["Fn::Sub"].endswith(":secret:${WebhookSecretArn}-??????")
    assert "${AWS::Partition}" in resolved["Fn::Sub"]


def test_kms_policy_only_with_a_customer_key(template: dict[str, Any]) -> None:
    policy = template["Resources"]["WebhookSecretKeyPolicy"]
    condition = policy["Condition"]
    assert not Evaluator(template).condition(condition)
    key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert Evaluator(template, WebhookSecretKmsKeyArn=key).condition(condition)
    (statement,) = _statements(policy["Properties"]["PolicyDocument"])
    assert "kms:ViaService" in statement["Condition"]["StringEquals"]


# --- state table, logs -----------------------------------------------------------------------


def test_state_table(template: dict[str, Any]) -> None:
    table = template["Resources"]["StateTable"]
    p = table["Properties"]
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert p["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert p["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert p["SSESpecification"]["SSEEnabled"] is True
    protection = p["DeletionProtectionEnabled"]
    assert Evaluator(template, Stage="prod").eval(protection) is True
    assert Evaluator(template, Stage="dev").eval(protection) is False


def test_log_group(template: dict[str, Any]) -> None:
    group = props(template, "FunctionLogGroup")
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


# --- alarms ----------------------------------------------------------------------------------


def test_alarms_cover_each_failure_mode(template: dict[str, Any]) -> None:
    # The notifier's; the interactions function's (triage only) in test_interactions_template.
    alarms = {
        k: v
        for k, v in resources_of(template, "AWS::CloudWatch::Alarm").items()
        if "Condition" not in v
    }
    by_metric = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]): a for a in
                 alarms.values()}  # fmt: skip
    assert set(by_metric) == {
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("GuardDutyToSlack", "SlackErrors"),
    }
    slack = by_metric[("GuardDutyToSlack", "SlackErrors")]["Properties"]
    assert slack["Dimensions"] == [
        {"Name": "service", "Value": "guardduty-to-slack"},
        {"Name": "stage", "Value": {"Ref": "Stage"}},
    ]
    dlq = by_metric[("AWS/SQS", "ApproximateNumberOfMessagesVisible")]["Properties"]
    assert dlq["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["FindingsDeadLetterQueue", "QueueName"]}}
    ]
    assert dlq["ComparisonOperator"] == "GreaterThanThreshold" and dlq["Threshold"] == 0
    age = by_metric[("AWS/SQS", "ApproximateAgeOfOldestMessage")]["Properties"]
    assert age["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["FindingsQueue", "QueueName"]}
    for namespace, metric in (("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles")):
        dims = by_metric[(namespace, metric)]["Properties"]["Dimensions"]
        assert dims == [{"Name": "FunctionName", "Value": {"Ref": "GuardDutyToSlackFunction"}}]
    for alarm in alarms.values():
        assert alarm["Properties"]["TreatMissingData"] == "notBreaching"
        assert "AlarmActions" not in alarm["Properties"], "only the composite notifies"


@pytest.mark.parametrize("triage", [False, True])
def test_composite_alarm_is_any_of_the_alarms(template: dict[str, Any], triage: bool) -> None:
    """Any alarm that exists: with triage, the interactions function's errors too."""
    values = {"SlackSigningSecretArn": "gd2slack/dev-signing"} if triage else {}
    evaluator = Evaluator(template, **values)
    alarms = {
        name
        for name, alarm in resources_of(template, "AWS::CloudWatch::Alarm").items()
        if "Condition" not in alarm or evaluator.condition(alarm["Condition"])
    }
    assert ("InteractionsErrorsAlarm" in alarms) is triage
    (composite,) = resources_of(template, "AWS::CloudWatch::CompositeAlarm").values()
    rule = evaluator.eval(composite["Properties"]["AlarmRule"])["Fn::Join"]
    assert rule[0] == " OR "
    referenced = set()
    for part in rule[1]:
        match = re.fullmatch(r'ALARM\("\$\{(\w+)\.Arn\}"\)', part["Fn::Sub"])
        assert match, part
        referenced.add(match.group(1))
    assert referenced == alarms
    actions = composite["Properties"]["AlarmActions"]
    assert Evaluator(template).eval(actions) == {"Ref": "AWS::NoValue"}
    topic = "arn:aws:sns:eu-west-1:123456789012:security-alerts"
    assert Evaluator(template, AlarmTopicArn=topic).eval(actions) == [topic]


# --- tags, checkov metadata, determinism -----------------------------------------------------


def test_everything_taggable_is_tagged(template: dict[str, Any]) -> None:
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] not in TAGGABLE:
            continue
        tags = resource["Properties"]["Tags"]
        pairs = {t["Key"]: t["Value"] for t in tags} if isinstance(tags, list) else tags
        assert pairs == {"Project": "guardduty-to-slack", "Stage": {"Ref": "Stage"}}, logical_id


def test_checkov_skips_carry_reasons(template: dict[str, Any]) -> None:
    for logical_id, resource in template["Resources"].items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), logical_id
            assert len(skip["comment"]) > 20, f"{logical_id} {skip['id']}: say why"


def test_to_json_is_deterministic() -> None:
    first = stack.to_json()
    assert stack.to_json() == first
    # A fresh interpreter with another hash seed: no set/dict ordering leaks into the output.
    code = "import sys, stack; sys.stdout.write(stack.to_json())"
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    ).stdout
    assert other == first


def test_synth_command_writes_identical_bytes(tmp_path: Path) -> None:
    from gd2slack.cli import main

    assert main(["synth", "--out", str(tmp_path / "a")]) == 0
    assert main(["synth", "--out", str(tmp_path / "b")]) == 0
    first = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "runtime.json" in first
    assert first == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in first:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "runtime.json").read_text() == stack.to_json()


def test_what_holds_findings_or_state_survives_delete_and_replacement(
    template: dict[str, Any],
) -> None:
    """The DLQ holds undelivered findings, the queue in-flight ones, the table what makes
    redelivery idempotent: none may vanish with a stack deletion or a replacing update."""
    for logical in ("FindingsDeadLetterQueue", "FindingsQueue", "StateTable"):
        resource = template["Resources"][logical]
        assert resource["DeletionPolicy"] == "Retain", logical
        assert resource["UpdateReplacePolicy"] == "Retain", logical
        assert "QueueName" not in resource["Properties"]  # a kept one never blocks a re-create
        assert "TableName" not in resource["Properties"]
    # The log group has a fixed name: kept, it would make the next create fail.
    group = template["Resources"]["FunctionLogGroup"]
    assert "LogGroupName" in group["Properties"]
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Delete"


def test_snapstart_is_a_parameter_off_by_default_within_limits(template: dict[str, Any]) -> None:
    parameter = template["Parameters"]["SnapStart"]
    assert parameter["Default"] == "None"
    assert parameter["AllowedValues"] == ["None", "PublishedVersions"]
    fn = props(template, "GuardDutyToSlackFunction")
    assert fn["SnapStart"] == {"ApplyOn": {"Ref": "SnapStart"}}
    # SnapStart's limits: ephemeral storage ≤ 512 MB (the default), no EFS, no provisioned
    # concurrency; and it applies only to published versions, which is what the mapping invokes.
    assert fn.get("EphemeralStorage", {"Size": 512})["Size"] <= 512
    assert "FileSystemConfigs" not in fn
    assert not resources_of(template, "AWS::Lambda::Alias")["LiveAlias"]["Properties"].get(
        "ProvisionedConcurrencyConfig"
    )
    mapping = props(template, "QueueEventSourceMapping")
    assert mapping["FunctionName"] == {"Ref": "LiveAlias"}
