"""The interactions function: Slack's triage button presses, behind a public
function URL. Only with triage: every resource here carries the ``HasTriage`` condition
(``SlackSigningSecretArn`` set), so a stack without it has exactly the notifier's resources.

The same image as the notifier, another command (``ImageConfig.Command``); the notifier's
environment; its own role, log group and reserved concurrency cap (its errors alarm is in
``alarms.py``). The URL is ``AuthType: NONE`` because Slack cannot sign with SigV4: the function
verifies Slack's request signature itself before anything else, and the resource policy grants
exactly the public URL invoke AWS requires (since October 2025 both ``lambda:InvokeFunctionUrl``
with auth type ``NONE`` and ``lambda:InvokeFunction`` restricted to invocations via the URL).

Slack wants an answer within 3 seconds: the function acknowledges, then invokes itself
asynchronously for the slow part (GuardDuty, ``chat.update``); that self-invocation is never
retried (``EventInvokeConfig``): the code reports a failed action in Slack itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from troposphere import GetAtt, Ref, Tags, Template
from troposphere.awslambda import (
    Code,
    Environment,
    EventInvokeConfig,
    Function,
    ImageConfig,
    Permission,
    TracingConfig,
    Url,
)
from troposphere.iam import Policy, PolicyType, Role
from troposphere.logs import LogGroup

from stack import checkov
from stack.function import FunctionLoggingConfig, environment, function_log_group
from stack.parameters import HAS_TRIAGE, HAS_TRIAGE_SECRET_KMS_KEY
from stack.policies import (
    assume_role_policy,
    interactions_key_policy,
    interactions_policy,
    self_invoke_policy,
)
from stack.state import State

FUNCTION: Final = "InteractionsFunction"
ROLE: Final = "InteractionsRole"
SELF_INVOKE_POLICY: Final = "InteractionsSelfInvokePolicy"
SECRET_KEY_POLICY: Final = "InteractionsSecretKeyPolicy"  # noqa: S105 (a logical id)
LOG_GROUP: Final = "InteractionsLogGroup"
URL: Final = "InteractionsFunctionUrl"
URL_PERMISSION: Final = "InteractionsUrlPublicPermission"
INVOKE_PERMISSION: Final = "InteractionsUrlInvokePermission"
EVENT_INVOKE_CONFIG: Final = "InteractionsEventInvokeConfig"

HANDLER: Final = "app.interactions.lambda_handler"
# Slack gives an interaction 3 s for its answer; anything slower is deferred to an asynchronous
# self-invocation, which gets the same timeout.
TIMEOUT_SECONDS: Final = 10
# More memory is more CPU for the cold start inside Slack's 3 s; presses are rare, so cheap.
MEMORY_MB: Final = 1024
# A deferred action waiting longer than this (throttled at the cap, or the kill switch) is
# dropped rather than done late; the responder sees no update and can press again.
MAX_EVENT_AGE_SECONDS: Final = 120


@dataclass(frozen=True)
class Interactions:
    """Logical ids of what ``add_to`` created; all of them exist only under ``condition``."""

    condition: str
    function: str
    role: str
    log_group: str
    self_invoke_policy: str
    secret_key_policy: str
    url: str
    url_permission: str
    invoke_permission: str
    event_invoke_config: str


def log_group(tags: Tags) -> LogGroup:
    return function_log_group(
        LOG_GROUP, "-interactions", tags, checkov.LOG_GROUP, Condition=HAS_TRIAGE
    )


def role(tags: Tags, group: str, table: str) -> Role:
    return Role(
        ROLE,
        Condition=HAS_TRIAGE,
        Description=(
            "GuardDuty-to-Slack interactions: its logs, the two Slack secrets, the state table, "
            "triage on this region's detector, invoking itself."
        ),
        AssumeRolePolicyDocument=assume_role_policy(),
        Policies=[
            Policy(PolicyName="interactions", PolicyDocument=interactions_policy(group, table))
        ],
        Tags=tags,
    )


def secret_key_policy_resource(role_id: str) -> PolicyType:
    """kms:Decrypt for either secret on a customer managed key; only when a key is given."""
    return PolicyType(
        SECRET_KEY_POLICY,
        Condition=HAS_TRIAGE_SECRET_KMS_KEY,
        PolicyName="slack-secrets-keys",
        Roles=[Ref(role_id)],
        PolicyDocument=interactions_key_policy(),
    )


def function(tags: Tags, role_id: str, group: str, table: str) -> Function:
    return Function(
        FUNCTION,
        Condition=HAS_TRIAGE,
        Description="GuardDuty triage from Slack: verified button presses (function URL)",
        PackageType="Image",
        Code=Code(ImageUri=Ref("ImageUri")),  # the notifier's image, another command
        ImageConfig=ImageConfig(Command=[HANDLER]),
        Architectures=["arm64"],
        Role=GetAtt(role_id, "Arn"),
        Timeout=TIMEOUT_SECONDS,
        MemorySize=MEMORY_MB,
        ReservedConcurrentExecutions=Ref("InteractionsReservedConcurrency"),
        TracingConfig=TracingConfig(Mode="Active"),
        Environment=Environment(Variables=environment(table)),
        LoggingConfig=FunctionLoggingConfig(LogGroup=Ref(group), LogFormat="JSON"),
        Tags=tags,
        Metadata=checkov.INTERACTIONS_FUNCTION,
    )


def self_invoke_policy_resource(role_id: str, function_id: str) -> PolicyType:
    """Attached after the function exists: inline in the role it would be a dependency cycle
    (the function needs the role's ARN, the statement the function's)."""
    return PolicyType(
        SELF_INVOKE_POLICY,
        Condition=HAS_TRIAGE,
        PolicyName="invoke-itself",
        Roles=[Ref(role_id)],
        PolicyDocument=self_invoke_policy(function_id),
    )


def url(function_id: str) -> Url:
    return Url(
        URL,
        Condition=HAS_TRIAGE,
        AuthType="NONE",
        TargetFunctionArn=GetAtt(function_id, "Arn"),
        InvokeMode="BUFFERED",
        Metadata=checkov.INTERACTIONS_URL,
    )


def url_permissions(function_id: str) -> list[Permission]:
    """The resource policy of a public function URL, and nothing else: anyone may call the URL
    (``FunctionUrlAuthType: NONE``), and the function only through it
    (``InvokedViaFunctionUrl``: a direct ``Invoke`` by any other principal is not granted)."""
    return [
        Permission(
            URL_PERMISSION,
            Condition=HAS_TRIAGE,
            Action="lambda:InvokeFunctionUrl",
            FunctionName=Ref(function_id),
            Principal="*",
            FunctionUrlAuthType="NONE",
        ),
        Permission(
            INVOKE_PERMISSION,
            Condition=HAS_TRIAGE,
            Action="lambda:InvokeFunction",
            FunctionName=Ref(function_id),
            Principal="*",
            InvokedViaFunctionUrl=True,
        ),
    ]


def event_invoke_config(function_id: str) -> EventInvokeConfig:
    """The asynchronous self-invocation: never repeated, and dropped when it waited too long."""
    return EventInvokeConfig(
        EVENT_INVOKE_CONFIG,
        Condition=HAS_TRIAGE,
        FunctionName=Ref(function_id),
        Qualifier="$LATEST",
        MaximumRetryAttempts=0,
        MaximumEventAgeInSeconds=MAX_EVENT_AGE_SECONDS,
    )


def add_to(template: Template, tags: Tags, state: State) -> Interactions:
    """The interactions function, writing ``state``'s table; only under ``HasTriage``."""
    group = template.add_resource(log_group(tags)).title
    role_id = template.add_resource(role(tags, group, state.table)).title
    key_policy = template.add_resource(secret_key_policy_resource(role_id)).title
    function_id = template.add_resource(function(tags, role_id, group, state.table)).title
    invoke_itself = template.add_resource(self_invoke_policy_resource(role_id, function_id)).title
    url_id = template.add_resource(url(function_id)).title
    public, via_url = (template.add_resource(p).title for p in url_permissions(function_id))
    invoke_config = template.add_resource(event_invoke_config(function_id)).title
    return Interactions(
        condition=HAS_TRIAGE,
        function=function_id,
        role=role_id,
        log_group=group,
        self_invoke_policy=invoke_itself,
        secret_key_policy=key_policy,
        url=url_id,
        url_permission=public,
        invoke_permission=via_url,
        event_invoke_config=invoke_config,
    )
