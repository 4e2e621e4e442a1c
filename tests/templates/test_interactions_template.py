"""The interactions function in the runtime template (stack/interactions.py, issue 14): only with
triage, the notifier's image with another command, a public function URL with exactly the
resource policy AWS requires, its own least-privilege role, cap, log group and alarm.

The structural checks of the rest of the template are in test_runtime_template.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import stack
from tests.templates.test_runtime_template import Evaluator, props, resources_of

SIGNING = "gd2slack/dev-signing"
SIGNING_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gd2slack/dev-signing-AbC123"
WEBHOOK_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SIGNING_KEY = "arn:aws:kms:eu-west-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab"
TRIAGE = {"SlackSigningSecretArn": SIGNING}

INTERACTIONS = {
    "InteractionsFunction": "AWS::Lambda::Function",
    "InteractionsRole": "AWS::IAM::Role",
    "InteractionsLogGroup": "AWS::Logs::LogGroup",
    "InteractionsSelfInvokePolicy": "AWS::IAM::Policy",
    "InteractionsSecretKeyPolicy": "AWS::IAM::Policy",
    "InteractionsFunctionUrl": "AWS::Lambda::Url",
    "InteractionsUrlPublicPermission": "AWS::Lambda::Permission",
    "InteractionsUrlInvokePermission": "AWS::Lambda::Permission",
    "InteractionsEventInvokeConfig": "AWS::Lambda::EventInvokeConfig",
    "InteractionsErrorsAlarm": "AWS::CloudWatch::Alarm",
}
# The runtime stack's resources before triage existed, with its defaults: what a stack without
# triage (make demo, every existing deployment) must keep having, and nothing more.
WITHOUT_TRIAGE = {
    "DeadLetterQueueNotEmptyAlarm", "DeliveryCompositeAlarm", "FindingsDeadLetterQueue",
    "FindingsDeadLetterQueuePolicy", "FindingsQueue", "FindingsQueuePolicy",
    "FunctionErrorsAlarm", "FunctionLogGroup", "FunctionThrottlesAlarm", "FunctionVersion",
    "GuardDutyEventRule", "GuardDutyToSlackFunction", "GuardDutyToSlackLambdaRole", "LiveAlias",
    "QueueAgeAlarm", "QueueEventSourceMapping", "SlackErrorsAlarm", "StateTable",
}  # fmt: skip
DETECTOR_ARN = (
    "arn:${AWS::Partition}:guardduty:${AWS::Region}:${AWS::AccountId}:detector/${DetectorId}"
)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stack.to_json())
    return data


def existing(template: dict[str, Any], **values: str) -> set[str]:
    """Logical ids of the resources CloudFormation creates for these parameter values."""
    evaluator = Evaluator(template, **values)
    return {
        name
        for name, resource in template["Resources"].items()
        if "Condition" not in resource or evaluator.condition(resource["Condition"])
    }


# --- only with triage ------------------------------------------------------------------------


def test_the_interactions_resources_and_their_types(template: dict[str, Any]) -> None:
    declared = {
        name: resource["Type"]
        for name, resource in template["Resources"].items()
        if name.startswith("Interactions")
    }
    assert declared == INTERACTIONS


def test_triage_is_on_exactly_when_the_signing_secret_is_set(template: dict[str, Any]) -> None:
    assert not Evaluator(template).condition("HasTriage")
    assert Evaluator(template, SlackSigningSecretArn=SIGNING).condition("HasTriage")
    assert Evaluator(template, SlackSigningSecretArn=SIGNING_ARN).condition("HasTriage")


def test_without_triage_the_stack_has_exactly_the_notifier_s_resources(
    template: dict[str, Any],
) -> None:
    assert existing(template) == WITHOUT_TRIAGE
    key = {"WebhookSecretKmsKeyArn": WEBHOOK_KEY, "SlackSigningSecretKmsKeyArn": SIGNING_KEY}
    assert existing(template, **key) == WITHOUT_TRIAGE | {"WebhookSecretKeyPolicy"}
    for name in INTERACTIONS:
        assert template["Resources"][name]["Condition"] in ("HasTriage", "HasTriageSecretKmsKey")


def test_with_triage_every_interactions_resource_but_the_key_policy(
    template: dict[str, Any],
) -> None:
    assert existing(template, **TRIAGE) == WITHOUT_TRIAGE | set(INTERACTIONS) - {
        "InteractionsSecretKeyPolicy"
    }


@pytest.mark.parametrize(
    ("values", "granted"),
    [
        ({}, False),
        ({"WebhookSecretKmsKeyArn": WEBHOOK_KEY}, False),  # no triage: no interactions role
        ({**TRIAGE}, False),
        ({**TRIAGE, "WebhookSecretKmsKeyArn": WEBHOOK_KEY}, True),
        ({**TRIAGE, "SlackSigningSecretKmsKeyArn": SIGNING_KEY}, True),
    ],
)
def test_key_policy_only_with_triage_and_a_customer_key(
    template: dict[str, Any], values: dict[str, str], granted: bool
) -> None:
    assert ("InteractionsSecretKeyPolicy" in existing(template, **values)) is granted


@pytest.mark.parametrize("name", ["SlackTeamId", "SlackAppId", "DetectorId"])
def test_a_rule_refuses_triage_without_team_app_and_detector(
    template: dict[str, Any], name: str
) -> None:
    rule = template["Rules"]["TriageNeedsTeamAppAndDetector"]
    assert rule["RuleCondition"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "SlackSigningSecretArn"}, ""]}]
    }
    (assertion,) = [
        a for a in rule["Assertions"] if a["Assert"]["Fn::Not"][0]["Fn::Equals"][0] == {"Ref": name}
    ]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": name}, ""]}]}
    assert name in assertion["AssertDescription"]


# --- the function ----------------------------------------------------------------------------


def test_same_image_other_command(template: dict[str, Any]) -> None:
    fn = props(template, "InteractionsFunction")
    notifier = props(template, "GuardDutyToSlackFunction")
    assert fn["PackageType"] == "Image"
    assert fn["Code"] == notifier["Code"] == {"ImageUri": {"Ref": "ImageUri"}}
    assert fn["ImageConfig"] == {"Command": ["app.interactions.lambda_handler"]}
    assert "ImageConfig" not in notifier  # the notifier keeps the image's CMD
    assert "Runtime" not in fn and "Handler" not in fn
    images = {
        json.dumps(r["Properties"]["Code"], sort_keys=True)
        for r in resources_of(template, "AWS::Lambda::Function").values()
    }
    assert images == {json.dumps({"ImageUri": {"Ref": "ImageUri"}})}, "no second image"


def test_function_shape(template: dict[str, Any]) -> None:
    fn = props(template, "InteractionsFunction")
    assert fn["Architectures"] == ["arm64"]
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert fn["Timeout"] == 10  # Slack's 3 s answer; the slow part is deferred to itself
    assert fn["Role"] == {"Fn::GetAtt": ["InteractionsRole", "Arn"]}
    assert fn["LoggingConfig"] == {"LogFormat": "JSON", "LogGroup": {"Ref": "InteractionsLogGroup"}}
    assert "SnapStart" not in fn and "VpcConfig" not in fn


def test_the_notifier_s_environment(template: dict[str, Any]) -> None:
    env = props(template, "InteractionsFunction")["Environment"]["Variables"]
    assert env == props(template, "GuardDutyToSlackFunction")["Environment"]["Variables"]
    for variable, parameter in {
        "SLACK_SIGNING_SECRET_ID": "SlackSigningSecretArn",
        "SLACK_WEBHOOKS_SECRET_ID": "WebhookSecretArn",
        "SLACK_TEAM_ID": "SlackTeamId",
        "SLACK_APP_ID": "SlackAppId",
        "GUARDDUTY_DETECTOR_ID": "DetectorId",
        "TRIAGE_ALLOW": "TriageAllow",
        "ACCOUNT_NAMES": "AccountNames",
    }.items():
        assert env[variable] == {"Ref": parameter}, variable
    assert env["STATE_TABLE"] == {"Ref": "StateTable"}
    assert {k for k in env if k.startswith("POWERTOOLS_")} == {
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
    }


def test_reserved_concurrency_from_its_parameter(template: dict[str, Any]) -> None:
    fn = props(template, "InteractionsFunction")
    assert fn["ReservedConcurrentExecutions"] == {"Ref": "InteractionsReservedConcurrency"}
    parameter = template["Parameters"]["InteractionsReservedConcurrency"]
    assert parameter["Type"] == "Number"
    assert parameter["Default"] == 5
    assert parameter["MinValue"] == 0  # the kill switch
    assert parameter["MaxValue"] == 1000


def test_own_log_group(template: dict[str, Any]) -> None:
    group = template["Resources"]["InteractionsLogGroup"]
    assert group["Properties"]["LogGroupName"] == {
        "Fn::Sub": "/aws/lambda/${AWS::StackName}-interactions"
    }
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Delete"


def test_deferred_work_is_never_retried(template: dict[str, Any]) -> None:
    assert props(template, "InteractionsEventInvokeConfig") == {
        "FunctionName": {"Ref": "InteractionsFunction"},
        "Qualifier": "$LATEST",
        "MaximumRetryAttempts": 0,
        "MaximumEventAgeInSeconds": 120,
    }


# --- the public URL and its resource policy --------------------------------------------------


def test_function_url_without_iam_auth(template: dict[str, Any]) -> None:
    assert props(template, "InteractionsFunctionUrl") == {
        "AuthType": "NONE",
        "TargetFunctionArn": {"Fn::GetAtt": ["InteractionsFunction", "Arn"]},
        "InvokeMode": "BUFFERED",
    }


def test_the_resource_policy_is_exactly_the_public_url_invoke(template: dict[str, Any]) -> None:
    permissions = {
        name: resource["Properties"]
        for name, resource in resources_of(template, "AWS::Lambda::Permission").items()
    }
    assert permissions == {
        "InteractionsUrlPublicPermission": {
            "Action": "lambda:InvokeFunctionUrl",
            "FunctionName": {"Ref": "InteractionsFunction"},
            "Principal": "*",
            "FunctionUrlAuthType": "NONE",
        },
        # Since October 2025 a public URL also needs InvokeFunction; InvokedViaFunctionUrl
        # restricts it to calls through the URL (no direct Invoke API for anyone).
        "InteractionsUrlInvokePermission": {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "InteractionsFunction"},
            "Principal": "*",
            "InvokedViaFunctionUrl": True,
        },
    }


# --- IAM -------------------------------------------------------------------------------------


def _secret_arn(parameter: str, is_arn: str) -> dict[str, Any]:
    return {
        "Fn::If": [
            is_arn,
            {"Ref": parameter},
            {
                "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:"
                f"${{AWS::AccountId}}:secret:${{{parameter}}}-??????"
            },
        ]
    }


def test_role_statements_exactly(template: dict[str, Any]) -> None:
    role = props(template, "InteractionsRole")
    assert "ManagedPolicyArns" not in role
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust == {
        "Action": ["sts:AssumeRole"],
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
    }
    (policy,) = role["Policies"]
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Sid": "WriteOwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": ["InteractionsLogGroup", "Arn"]}],
        },
        {
            "Sid": "ReadSlackSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [
                _secret_arn("SlackSigningSecretArn", "SlackSigningSecretIsArn"),
                _secret_arn("WebhookSecretArn", "WebhookSecretIsArn"),
            ],
        },
        {
            "Sid": "TriageState",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Resource": [{"Fn::GetAtt": ["StateTable", "Arn"]}],
        },
        {
            # No resource type for these in the Service Authorization Reference: "*" only,
            # bounded to this region.
            "Sid": "TriageFindingsInThisRegion",
            "Effect": "Allow",
            "Action": [
                "guardduty:GetFindings",
                "guardduty:ArchiveFindings",
                "guardduty:UnarchiveFindings",
                "guardduty:UpdateFindingsFeedback",
            ],
            "Resource": ["*"],
            "Condition": {"StringEquals": {"aws:RequestedRegion": {"Ref": "AWS::Region"}}},
        },
        {
            "Sid": "SuppressSimilarOnThisDetector",
            "Effect": "Allow",
            "Action": ["guardduty:CreateFilter"],
            "Resource": [{"Fn::Sub": DETECTOR_ARN}, {"Fn::Sub": DETECTOR_ARN + "/filter/*"}],
        },
        {
            "Sid": "XRayNoResourceLevelPermissions",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": ["*"],
        },
    ]


def test_it_may_invoke_only_itself(template: dict[str, Any]) -> None:
    policy = props(template, "InteractionsSelfInvokePolicy")
    assert policy["Roles"] == [{"Ref": "InteractionsRole"}]
    assert policy["PolicyDocument"]["Statement"] == [
        {
            "Sid": "DeferToItself",
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": [{"Fn::GetAtt": ["InteractionsFunction", "Arn"]}],
        }
    ]


@pytest.mark.parametrize(
    ("values", "keys"),
    [
        ({"WebhookSecretKmsKeyArn": WEBHOOK_KEY}, [WEBHOOK_KEY]),
        ({"SlackSigningSecretKmsKeyArn": SIGNING_KEY}, [SIGNING_KEY]),
        (
            {"WebhookSecretKmsKeyArn": WEBHOOK_KEY, "SlackSigningSecretKmsKeyArn": SIGNING_KEY},
            [WEBHOOK_KEY, SIGNING_KEY],
        ),
    ],
)
def test_key_policy_decrypts_the_given_keys_via_secrets_manager(
    template: dict[str, Any], values: dict[str, str], keys: list[str]
) -> None:
    policy = props(template, "InteractionsSecretKeyPolicy")
    assert policy["Roles"] == [{"Ref": "InteractionsRole"}]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["kms:Decrypt"]
    assert statement["Condition"] == {
        "StringEquals": {
            "kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}
        }
    }
    assert Evaluator(template, **TRIAGE, **values).eval(statement["Resource"]) == keys


@pytest.mark.parametrize(
    ("value", "expected_tail"),
    [(SIGNING_ARN, None), (SIGNING, ":secret:${SlackSigningSecretArn}-??????")],
)
def test_the_signing_secret_is_granted_exactly(
    template: dict[str, Any], value: str, expected_tail: str | None
) -> None:
    (policy,) = props(template, "InteractionsRole")["Policies"]
    (statement,) = [
        s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "ReadSlackSecrets"
    ]
    resolved = Evaluator(template, SlackSigningSecretArn=value).eval(statement["Resource"][0])
    if expected_tail is None:
        assert resolved == value
    else:
        assert resolved["Fn::Sub"].endswith(expected_tail)


# --- alarm, outputs, lint metadata -----------------------------------------------------------


def test_errors_alarm_on_the_interactions_function(template: dict[str, Any]) -> None:
    alarm = template["Resources"]["InteractionsErrorsAlarm"]
    assert alarm["Condition"] == "HasTriage"
    p = alarm["Properties"]
    assert (p["Namespace"], p["MetricName"], p["Statistic"]) == ("AWS/Lambda", "Errors", "Sum")
    assert p["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "InteractionsFunction"}}]
    assert p["Threshold"] == 1 and p["TreatMissingData"] == "notBreaching"
    assert "AlarmActions" not in p, "only the composite notifies"


def test_outputs_only_with_triage(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["InteractionsUrl"] == {
        "Condition": "HasTriage",
        "Value": {"Fn::GetAtt": ["InteractionsFunctionUrl", "FunctionUrl"]},
    }
    assert outputs["InteractionsFunctionName"] == {
        "Condition": "HasTriage",
        "Value": {"Ref": "InteractionsFunction"},
    }


def test_checkov_skips_are_the_reviewed_ones(template: dict[str, Any]) -> None:
    def skipped(name: str) -> set[str]:
        metadata = template["Resources"][name].get("Metadata", {})
        return {s["id"] for s in metadata.get("checkov", {}).get("skip", [])}

    assert skipped("InteractionsFunction") == {"CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"}
    assert skipped("InteractionsFunctionUrl") == {"CKV_AWS_258"}
    assert skipped("InteractionsLogGroup") == {"CKV_AWS_158"}
    for name in ("InteractionsUrlPublicPermission", "InteractionsUrlInvokePermission"):
        assert skipped(name) == set()
