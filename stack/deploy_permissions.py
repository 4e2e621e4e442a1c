"""What CloudFormation needs to create, update and delete one stage's runtime stack: the
statements of that stage's execution role (the pipeline stack creates the role).

``KINDS`` is the table from the CloudFormation types of this stack to their statements (usually
``on_named``: actions on the stage's named resources; a function where a kind needs more). A
resource type added to the stack needs a row (``tests/templates/test_deploy_permissions.py``
fails until it has one); without it the deploy would fail with AccessDenied naming the missing
action.

Resource names are CloudFormation-generated and start with the stack name (``gd2slack-dev-...``),
which is what scopes every statement; reads use ``Get*``/``List*``/``Describe*`` on those same
resources.

Regions: ``None`` is the stack's own region; ``"*"`` stands for "any of several target regions"
(listing each region in every ARN would push the template past CloudFormation's size limit;
names stay scoped by their ``gd2slack-<stage>`` prefix). The statement helpers below are shared
with the pipeline's own roles (``pipeline/iam.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from awacs.aws import Action, Allow, ArnLike, Condition, Statement, StringEquals
from troposphere import Sub

from app.constants import runtime_stack_name

Resource = Any  # a string or a troposphere intrinsic (Sub, GetAtt, If...)

READS: Final = ("Get*", "List*", "Describe*")
TAGGING: Final = ("TagResource", "UntagResource")
# What CloudFormation calls for a role with inline policies, and for a log group with a
# retention period: the same for both stacks' roles and log groups.
ROLE_ACTIONS: Final = (
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
)
LOG_GROUP_ACTIONS: Final = (
    "CreateLogGroup",
    "DeleteLogGroup",
    "DeleteRetentionPolicy",
    "ListTagsForResource",
    "PutRetentionPolicy",
    *TAGGING,
)


def actions(service: str, *names: str) -> list[Action]:
    return [Action(service, name) for name in names]


def allow(
    action_list: Sequence[Action], resources: Iterable[Resource], condition: Any = None
) -> Statement:
    kwargs: dict[str, Any] = {}
    if condition is not None:
        kwargs["Condition"] = condition
    return Statement(Effect=Allow, Action=list(action_list), Resource=list(resources), **kwargs)


def pass_role_to(service: str | list[str], roles: Sequence[Resource]) -> Statement:
    """``iam:PassRole`` on ``roles``, handed to ``service`` (``lambda.amazonaws.com``...) only."""
    return allow(
        actions("iam", "PassRole"),
        list(roles),
        Condition(StringEquals("iam:PassedToService", service)),
    )


def region_ref(region: str | None) -> str:
    """A region in an ARN pattern: ``None`` is the stack's own (``${AWS::Region}``)."""
    return region if region else "${AWS::Region}"


def in_regions(pattern: str, regions: Sequence[str | None]) -> list[Sub]:
    """``pattern`` with ``{region}`` filled for each target region."""
    return [Sub(pattern.format(region=region_ref(r))) for r in regions]


@dataclass(frozen=True)
class Scope:
    """One stage's runtime stack: its name prefix, its regions, where its image comes from."""

    stage: str
    regions: tuple[str | None, ...]
    image_repositories: tuple[Resource, ...]

    @property
    def prefix(self) -> str:
        return runtime_stack_name(self.stage)

    def arns(self, service: str, suffix: str) -> list[Sub]:
        """``arn:<partition>:<service>:<region>:<account><suffix>`` in each region."""
        return in_regions(
            "arn:${{AWS::Partition}}:" + service + ":{region}:${{AWS::AccountId}}" + suffix,
            self.regions,
        )

    @property
    def functions(self) -> list[Sub]:
        return self.arns("lambda", ":function:" + self.prefix + "*")

    @property
    def roles(self) -> Sub:
        return Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{self.prefix}-*")


Statements = Callable[[Scope], list[Statement]]


def on_named(service: str, suffix: str, *names: str) -> Statements:
    """The usual row: ``names`` of ``service`` on the stage's resources, whose ARNs end in
    ``suffix`` (``{prefix}`` is the stack name) in each region."""

    def statements(scope: Scope) -> list[Statement]:
        return [
            allow(actions(service, *names), scope.arns(service, suffix.format(prefix=scope.prefix)))
        ]

    return statements


def event_source_mapping(scope: Scope) -> list[Statement]:
    return [
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
            Condition(ArnLike("lambda:FunctionArn", scope.functions)),
        ),
        allow(
            actions("lambda", "ListTags", *TAGGING),
            scope.arns("lambda", ":event-source-mapping:*"),
        ),
    ]


def unscoped_reads(scope: Scope) -> list[Statement]:
    """Read-only calls CloudFormation makes that IAM cannot scope to a resource."""
    return [
        allow(
            [Action("cloudwatch", "DescribeAlarms"), Action("logs", "DescribeLogGroups")],
            ["*"],
        )
    ]


def role(scope: Scope) -> list[Statement]:
    """The function's role and its inline policies (``AWS::IAM::Policy`` attaches to it)."""
    return [
        allow(actions("iam", *ROLE_ACTIONS), [scope.roles]),
        pass_role_to("lambda.amazonaws.com", [scope.roles]),
    ]


def image(scope: Scope) -> list[Statement]:
    """Lambda reads the image when it creates or updates the function; in a replica region it
    adds its own pull permission to the repository policy (needs Get/SetRepositoryPolicy)."""
    return [
        allow(
            actions(
                "ecr",
                "BatchGetImage",
                "GetDownloadUrlForLayer",
                "GetRepositoryPolicy",
                "SetRepositoryPolicy",
            ),
            scope.image_repositories,
        )
    ]


@dataclass(frozen=True)
class Kind:
    """A group of the runtime stack's resource types and the statements that deploy them."""

    types: tuple[str, ...]
    statements: Statements


FUNCTION_ACTIONS: Final = (
    *READS[:2],
    "CreateAlias",
    "CreateFunction",
    "DeleteAlias",
    "DeleteFunction",
    "DeleteFunctionConcurrency",
    "PublishVersion",
    "PutFunctionConcurrency",
    *TAGGING,
    "UpdateAlias",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
)
# The interactions function's URL, its resource policy and its asynchronous-invoke settings
# (triage only). The reads (GetFunctionUrlConfig, GetPolicy, GetFunctionEventInvokeConfig) are
# among FUNCTION_ACTIONS' Get*.
FUNCTION_URL_ACTIONS: Final = (
    "AddPermission",
    "CreateFunctionUrlConfig",
    "DeleteFunctionEventInvokeConfig",
    "DeleteFunctionUrlConfig",
    "PutFunctionEventInvokeConfig",
    "RemovePermission",
    "UpdateFunctionEventInvokeConfig",
    "UpdateFunctionUrlConfig",
)
QUEUE_ACTIONS: Final = (
    "CreateQueue",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListQueueTags",
    "SetQueueAttributes",  # also how a queue policy is set
    "TagQueue",
    "UntagQueue",
)
TABLE_ACTIONS: Final = (
    *READS[1:],
    "CreateTable",
    "GetResourcePolicy",
    "DeleteTable",
    *TAGGING,
    "UpdateContinuousBackups",
    "UpdateTable",
    "UpdateTimeToLive",
)
RULE_ACTIONS: Final = (*READS[1:], "DeleteRule", "PutRule", "PutTargets", "RemoveTargets", *TAGGING)
ALARM_ACTIONS: Final = (
    "DeleteAlarms",
    "ListTagsForResource",
    "PutCompositeAlarm",
    "PutMetricAlarm",
    *TAGGING,
)

# In statement order. A type may need several rows (a function also needs its image).
KINDS: Final = (
    Kind(
        (
            "AWS::Lambda::Function",
            "AWS::Lambda::Version",
            "AWS::Lambda::Alias",
            "AWS::Lambda::Url",
            "AWS::Lambda::Permission",
            "AWS::Lambda::EventInvokeConfig",
        ),
        on_named("lambda", ":function:{prefix}*", *FUNCTION_ACTIONS, *FUNCTION_URL_ACTIONS),
    ),
    Kind(("AWS::Lambda::EventSourceMapping",), event_source_mapping),
    Kind(
        ("AWS::SQS::Queue", "AWS::SQS::QueuePolicy"), on_named("sqs", ":{prefix}*", *QUEUE_ACTIONS)
    ),
    Kind(("AWS::DynamoDB::Table",), on_named("dynamodb", ":table/{prefix}*", *TABLE_ACTIONS)),
    Kind(("AWS::Events::Rule",), on_named("events", ":rule/{prefix}*", *RULE_ACTIONS)),
    Kind(
        ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"),
        on_named("cloudwatch", ":alarm:{prefix}*", *ALARM_ACTIONS),
    ),
    Kind(
        ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::Logs::LogGroup"),
        unscoped_reads,
    ),
    Kind(
        ("AWS::Logs::LogGroup",),
        on_named("logs", ":log-group:/aws/lambda/{prefix}*", *LOG_GROUP_ACTIONS),
    ),
    Kind(("AWS::IAM::Role", "AWS::IAM::Policy"), role),
    Kind(("AWS::Lambda::Function",), image),
)


def kinds_for(resource_type: str) -> list[Kind]:
    return [kind for kind in KINDS if resource_type in kind.types]


def statements(
    stage: str, regions: Sequence[str | None], image_repositories: Sequence[Resource]
) -> list[Statement]:
    """The execution role of ``stage``'s runtime stack in ``regions`` (one region, or ``"*"``);
    ``image_repositories``: the ECR repositories its function's image is pulled from."""
    scope = Scope(stage, tuple(regions), tuple(image_repositories))
    return [statement for kind in KINDS for statement in kind.statements(scope)]
