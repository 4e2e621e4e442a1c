"""Parameters, mappings and conditions of the runtime stack: one template, every stage.

The stage differs only in parameter values, so dev and prod cannot drift apart structurally.
Names here are a contract (``gd2slack deploy-stack`` and the pipeline pass them).
"""

from __future__ import annotations

from typing import Final

from troposphere import (
    And,
    Condition,
    Equals,
    FindInMap,
    If,
    Not,
    Or,
    Parameter,
    Ref,
    Select,
    Split,
    Template,
)

from app.config import SETTINGS, Setting
from app.constants import SERVICE_NAME, STAGES
from app.core.severity import BAND_NAMES, band_by_name

PROJECT: Final = SERVICE_NAME  # the Project tag

# Lambda timeouts the stack accepts. The queue's visibility timeout comes from a Mappings table
# (CloudFormation has no arithmetic), so the set is closed.
FUNCTION_TIMEOUTS: Final = (15, 30, 45, 60, 90, 120, 180, 300, 600, 900)
MAX_BATCHING_WINDOW: Final = 60
SNAPSTART_VALUES: Final = ("None", "PublishedVersions")
# CloudWatch Logs' accepted retention periods.
LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

# ECR image by digest, or by an immutable tag that is not "latest" (a moving tag would leave
# the function on whatever the tag pointed to when it was last created).
IMAGE_URI_PATTERN: Final = (
    r"^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?"
    r"/[a-z0-9]+(?:[._/-][a-z0-9]+)*"
    r"(?:@sha256:[a-f0-9]{64}|:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$"
)
TOPIC_PATTERN: Final = r"^(?:|arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256})$"
KMS_KEY_PATTERN: Final = r"^(?:|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)$"

# Mapping names.
VISIBILITY_MAP: Final = "VisibilityTimeoutByFunctionTimeout"

# Condition names.
IS_PROD: Final = "IsProd"
HAS_ALARM_TOPIC: Final = "HasAlarmTopic"
HAS_RESERVED_CONCURRENCY: Final = "HasReservedConcurrency"
SECRET_IS_ARN: Final = "WebhookSecretIsArn"  # noqa: S105
HAS_SECRET_KMS_KEY: Final = "HasWebhookSecretKmsKey"  # noqa: S105
# Triage (docs/slack-app.md): on when the signing secret is set; every interactions resource
# carries HAS_TRIAGE, so a stack without it has exactly the notifier's resources.
HAS_TRIAGE: Final = "HasTriage"
SIGNING_SECRET_IS_ARN: Final = "SlackSigningSecretIsArn"  # noqa: S105
HAS_SIGNING_SECRET_KMS_KEY: Final = "HasSlackSigningSecretKmsKey"  # noqa: S105
# The interactions role reads both secrets: kms:Decrypt when triage is on and either has a key.
HAS_TRIAGE_SECRET_KMS_KEY: Final = "HasTriageSecretKmsKey"  # noqa: S105
TRIAGE_RULE: Final = "TriageNeedsTeamAppAndDetector"


def min_severity_condition(band: str) -> str:
    """Condition name true when ``MinSeverity`` is ``band`` (e.g. ``MinSeverityIsHigh``)."""
    return f"MinSeverityIs{band.capitalize()}"


def severity_floor(band: str) -> int:
    """The band's lowest score as a JSON integer for the EventBridge numeric filter."""
    floor = band_by_name(band).floor
    assert floor == int(floor), "GuardDuty band floors are whole numbers"
    return int(floor)


def visibility_timeout(function_timeout: int) -> int:
    """AWS: at least 6 x the function timeout plus the batching window."""
    return 6 * function_timeout + MAX_BATCHING_WINDOW


def _number(
    title: str, description: str, default: int, min_value: int, max_value: int
) -> Parameter:
    return Parameter(
        title,
        Type="Number",
        Description=description,
        Default=default,
        MinValue=min_value,
        MaxValue=max_value,
    )


def _string(title: str, description: str, default: str, **constraints: object) -> Parameter:
    return Parameter(title, Type="String", Description=description, Default=default, **constraints)


def setting_parameter(setting: Setting) -> Parameter:
    """The parameter that sets one handler setting (``app.config.SETTINGS``): its name,
    description, default and constraints all come from the row."""
    spec = setting.parameter
    assert spec is not None, f"{setting.variable} is not set by a stack parameter"
    properties: dict[str, object] = {"Type": spec.type, "Description": setting.description}
    if setting.default is not None:
        properties["Default"] = int(setting.default) if spec.type == "Number" else setting.default
    if spec.allowed_values:
        properties["AllowedValues"] = list(spec.allowed_values)
    if spec.allowed_pattern is not None:
        properties["AllowedPattern"] = spec.allowed_pattern
    if spec.constraint_description is not None:
        properties["ConstraintDescription"] = spec.constraint_description
    if spec.min_value is not None:
        properties["MinValue"] = spec.min_value
    if spec.max_value is not None:
        properties["MaxValue"] = spec.max_value
    return Parameter(spec.name, **properties)


def parameters() -> list[Parameter]:
    return [
        Parameter(
            "Stage",
            Type="String",
            AllowedValues=list(STAGES),
            Description="Deployment stage; prod turns on the state table's deletion protection.",
        ),
        Parameter(
            "ImageUri",
            Type="String",
            AllowedPattern=IMAGE_URI_PATTERN,
            MaxLength=190,
            ConstraintDescription=(
                "an ECR image URI by digest (…@sha256:<64 hex>) or by an immutable tag other "
                "than 'latest'"
            ),
            Description="Function image in ECR, by digest or immutable tag.",
        ),
        Parameter(
            "DeploymentId",
            Type="String",
            Default="",
            MaxLength=64,
            AllowedPattern=r"^[A-Za-z0-9._:-]*$",
            Description=(
                "Unique per deployment (e.g. the pipeline execution id): forces a new Lambda "
                "version so the 'live' alias carries configuration-only changes too."
            ),
        ),
        # The handler's settings, from their rows in app.config.SETTINGS.
        *(setting_parameter(setting) for setting in SETTINGS if setting.parameter),
        _string(
            "WebhookSecretKmsKeyArn",
            "Customer managed KMS key of the secret, if any; empty for aws/secretsmanager.",
            "",
            AllowedPattern=KMS_KEY_PATTERN,
        ),
        _string(
            "SlackSigningSecretKmsKeyArn",
            "Triage: customer managed KMS key of the signing secret, if any; empty for "
            "aws/secretsmanager.",
            "",
            AllowedPattern=KMS_KEY_PATTERN,
        ),
        _number(
            "InteractionsReservedConcurrency",
            "Triage: reserved concurrency of the public interactions function (its cap; 0 "
            "refuses every request: the kill switch).",
            5,
            0,
            1000,
        ),
        _string(
            "AlarmTopicArn",
            "SNS topic for the composite alarm's notifications; empty for none.",
            "",
            AllowedPattern=TOPIC_PATTERN,
        ),
        Parameter(
            "LogRetentionDays",
            Type="Number",
            Default=90,
            AllowedValues=list(LOG_RETENTION_DAYS),
            Description="Retention of the function's log group.",
        ),
        Parameter(
            "FunctionTimeout",
            # A String so that it is a Mappings key as is (moto resolves a Number to an int).
            Type="String",
            Default="60",
            AllowedValues=[str(timeout) for timeout in FUNCTION_TIMEOUTS],
            Description="Function timeout in seconds (the queue's visibility timeout follows).",
        ),
        _number("FunctionMemory", "Function memory in MB.", 512, 128, 10240),
        _string(
            "SnapStart",
            "PublishedVersions restores the live alias's versions from a snapshot (billed for "
            "snapshot cache and restores); None initializes normally. See stack/README.md.",
            "None",
            AllowedValues=list(SNAPSTART_VALUES),
        ),
        _number(
            "MaximumConcurrency",
            "Concurrent invocations the SQS mapping may run (Slack allows ~1 msg/s per webhook).",
            2,
            2,
            1000,
        ),
        _number(
            "ReservedConcurrency",
            "Reserved concurrency; -1 leaves it unset (the mapping's MaximumConcurrency caps).",
            -1,
            -1,
            1000,
        ),
        _number("BatchSize", "SQS messages per invocation.", 10, 1, 10),
        _number(
            "MaximumBatchingWindow",
            "Seconds the mapping waits to fill a batch.",
            5,
            0,
            MAX_BATCHING_WINDOW,
        ),
        _number("MaxReceiveCount", "Receives before a message moves to the DLQ.", 5, 1, 1000),
    ]


def mappings() -> dict[str, dict[str, dict[str, int]]]:
    return {
        VISIBILITY_MAP: {
            str(timeout): {"VisibilityTimeout": visibility_timeout(timeout)}
            for timeout in FUNCTION_TIMEOUTS
        }
    }


def visibility_timeout_ref() -> FindInMap:
    return FindInMap(VISIBILITY_MAP, Ref("FunctionTimeout"), "VisibilityTimeout")


def conditions() -> dict[str, object]:
    result: dict[str, object] = {
        IS_PROD: Equals(Ref("Stage"), "prod"),
        HAS_ALARM_TOPIC: Not(Equals(Ref("AlarmTopicArn"), "")),
        HAS_RESERVED_CONCURRENCY: Not(Equals(Ref("ReservedConcurrency"), "-1")),
        # A name has no ':'; an ARN's first ':'-separated field is "arn".
        SECRET_IS_ARN: Equals(Select(0, Split(":", Ref("WebhookSecretArn"))), "arn"),
        HAS_SECRET_KMS_KEY: Not(Equals(Ref("WebhookSecretKmsKeyArn"), "")),
        HAS_TRIAGE: Not(Equals(Ref("SlackSigningSecretArn"), "")),
        SIGNING_SECRET_IS_ARN: Equals(Select(0, Split(":", Ref("SlackSigningSecretArn"))), "arn"),
        HAS_SIGNING_SECRET_KMS_KEY: Not(Equals(Ref("SlackSigningSecretKmsKeyArn"), "")),
        HAS_TRIAGE_SECRET_KMS_KEY: And(
            Condition(HAS_TRIAGE),
            Or(Condition(HAS_SECRET_KMS_KEY), Condition(HAS_SIGNING_SECRET_KMS_KEY)),
        ),
    }
    # The last band is the Fn::If chain's final else: it needs no condition.
    for band in BAND_NAMES[:-1]:
        result[min_severity_condition(band)] = Equals(Ref("MinSeverity"), band)
    return result


def rules() -> dict[str, object]:
    """Triage needs the workspace, app and detector ids: refused at change-set creation, before
    the functions would refuse to start (``app.config.load_config`` checks the same)."""
    return {
        TRIAGE_RULE: {
            "RuleCondition": Not(Equals(Ref("SlackSigningSecretArn"), "")),
            "Assertions": [
                {
                    "Assert": Not(Equals(Ref(name), "")),
                    "AssertDescription": f"Triage is on (SlackSigningSecretArn is set): set {name}",
                }
                for name in ("SlackTeamId", "SlackAppId", "DetectorId")
            ],
        }
    }


def add_to(template: Template) -> None:
    for parameter in parameters():
        template.add_parameter(parameter)
    for name, mapping in mappings().items():
        template.add_mapping(name, mapping)
    for name, condition in conditions().items():
        template.add_condition(name, condition)
    for name, rule in rules().items():
        template.add_rule(name, rule)


def by_min_severity(values: dict[str, object]) -> object:
    """``Fn::If`` chain choosing ``values[band]`` by ``MinSeverity`` (literals stay literals)."""
    bands = list(BAND_NAMES)
    result: object = values[bands[-1]]
    for band in reversed(bands[:-1]):
        result = If(min_severity_condition(band), values[band], result)
    return result
