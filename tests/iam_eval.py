"""IAM evaluation for the IAM coverage gate: a synthesized template resolved for one concrete
account/region/parameter set, and the policies it gives each principal evaluated as IAM does.

What is modelled (and only that: anything else raises, so the gate cannot silently pass):
- intrinsics: Ref (parameters, pseudo parameters, resources), Fn::GetAtt, Fn::Sub (both forms),
  Fn::If / Condition / Fn::Equals / Fn::Not / Fn::And / Fn::Or, Fn::Join, Fn::Select,
  Fn::Split, AWS::NoValue;
- physical names as CloudFormation generates them (``<stack>-<LogicalId>-<SUFFIX>``, lower case
  for buckets) unless the template names the resource;
- statements: Effect, Action/NotAction, Resource/NotResource, Principal, Condition; explicit
  Deny wins; actions match case-insensitively, ARNs case-sensitively, with ``*`` and ``?``;
- condition operators: String/Arn Equals/Like (and Not…), Bool, with ``IfExists``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

NO_VALUE = object()


def suffix(stack: str, logical: str) -> str:
    """A stable stand-in for CloudFormation's random suffix."""
    digest = hashlib.sha256(f"{stack}/{logical}".encode()).hexdigest().upper()
    return "".join(c for c in digest if c.isalnum())[:12]


@dataclass
class Stack:
    """One stack of a template, resolved for a concrete deployment."""

    name: str
    template: dict[str, Any]
    parameters: Mapping[str, str]
    account: str = "123456789012"
    region: str = "us-east-1"
    partition: str = "aws"
    physical: Mapping[str, str] = field(default_factory=dict)
    _conditions: dict[str, bool] = field(default_factory=dict)

    # --- basics ---------------------------------------------------------------------------------

    @property
    def resources(self) -> dict[str, Any]:
        return {
            logical: resource
            for logical, resource in self.template["Resources"].items()
            if "Condition" not in resource or self.condition(resource["Condition"])
        }

    def parameter(self, name: str) -> str:
        if name in self.parameters:
            return str(self.parameters[name])
        spec = self.template.get("Parameters", {}).get(name)
        if spec is None:
            raise KeyError(f"no parameter {name}")
        if "Default" not in spec:
            raise KeyError(f"parameter {name} has no default and no value")
        return str(spec["Default"])

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = bool(self.resolve(self.template["Conditions"][name]))
        return self._conditions[name]

    # --- names and ARNs -------------------------------------------------------------------------

    def physical_name(self, logical: str) -> str:
        if logical in self.physical:
            return self.physical[logical]
        resource = self.template["Resources"][logical]
        props = resource.get("Properties", {})
        kind = resource["Type"]
        named = {
            "AWS::Logs::LogGroup": "LogGroupName",
            "AWS::CloudWatch::Alarm": "AlarmName",
            "AWS::CloudWatch::CompositeAlarm": "AlarmName",
            "AWS::ECR::Repository": "RepositoryName",
            "AWS::CodeBuild::Project": "Name",
            "AWS::CodePipeline::Pipeline": "Name",
            "AWS::Events::Rule": "Name",
            "AWS::IAM::Role": "RoleName",
            "AWS::Lambda::Function": "FunctionName",
            "AWS::SQS::Queue": "QueueName",
            "AWS::DynamoDB::Table": "TableName",
            "AWS::S3::Bucket": "BucketName",
        }.get(kind)
        if named and named in props:
            return str(self.resolve(props[named]))
        name = f"{self.name}-{logical}-{suffix(self.name, logical)}"
        return name.lower() if kind == "AWS::S3::Bucket" else name

    def arn(self, service: str, rest: str, *, region: bool = True, account: bool = True) -> str:
        where = self.region if region else ""
        who = self.account if account else ""
        return f"arn:{self.partition}:{service}:{where}:{who}:{rest}"

    def ref(self, logical: str) -> str:
        if logical.startswith("AWS::"):
            return {
                "AWS::AccountId": self.account,
                "AWS::Region": self.region,
                "AWS::Partition": self.partition,
                "AWS::StackName": self.name,
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackId": self.arn(
                    "cloudformation", f"stack/{self.name}/{suffix(self.name, '')}"
                ),
            }[logical]
        if logical in self.template.get("Parameters", {}):
            return self.parameter(logical)
        kind = self.template["Resources"][logical]["Type"]
        name = self.physical_name(logical)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
        if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            return self.get_att(logical, "Arn")
        return name

    def get_att(self, logical: str, attribute: str) -> str:
        resource = self.template["Resources"][logical]
        kind = resource["Type"]
        name = self.physical_name(logical)
        props = resource.get("Properties", {})
        if attribute == "Arn":
            if kind == "AWS::IAM::Role":
                return self.arn("iam", f"role/{name}", region=False)
            if kind == "AWS::Lambda::Function":
                return self.arn("lambda", f"function:{name}")
            if kind == "AWS::Lambda::Version":
                function = self.resolve(props["FunctionName"])
                return self.arn("lambda", f"function:{function}:1")
            if kind == "AWS::Lambda::Alias":
                function = self.resolve(props["FunctionName"])
                return self.arn("lambda", f"function:{function}:{self.resolve(props['Name'])}")
            if kind == "AWS::SQS::Queue":
                return self.arn("sqs", name)
            if kind == "AWS::DynamoDB::Table":
                return self.arn("dynamodb", f"table/{name}")
            if kind == "AWS::S3::Bucket":
                return self.arn("s3", name, region=False, account=False)
            if kind == "AWS::Logs::LogGroup":
                return self.arn("logs", f"log-group:{name}:*")
            if kind == "AWS::Events::Rule":
                return self.arn("events", f"rule/{name}")
            if kind == "AWS::ECR::Repository":
                return self.arn("ecr", f"repository/{name}")
            if kind in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
                return self.arn("cloudwatch", f"alarm:{name}")
            if kind == "AWS::CodeBuild::Project":
                return self.arn("codebuild", f"project/{name}")
        if kind == "AWS::SQS::Queue" and attribute == "QueueName":
            return name
        if kind == "AWS::SQS::Queue" and attribute == "QueueUrl":
            return self.ref(logical)
        if kind == "AWS::Lambda::Version" and attribute == "Version":
            return "1"
        if kind == "AWS::ECR::Repository" and attribute == "RepositoryUri":
            return f"{self.account}.dkr.ecr.{self.region}.amazonaws.com/{name}"
        raise NotImplementedError(f"GetAtt {logical}.{attribute} ({kind})")

    # --- intrinsics -----------------------------------------------------------------------------

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            items = [self.resolve(item) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return NO_VALUE if value == "AWS::NoValue" else self.ref(value)
            if key == "Fn::GetAtt":
                logical, attribute = value if isinstance(value, list) else value.split(".", 1)
                return self.get_att(logical, attribute)
            if key == "Fn::Sub":
                return self._sub(value)
            if key == "Fn::If":
                name, yes, no = value
                return self.resolve(yes if self.condition(name) else no)
            if key == "Condition":
                return self.condition(value)
            if key == "Fn::Equals":
                left, right = (self.resolve(v) for v in value)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(value[0])
            if key == "Fn::And":
                return all(self.resolve(v) for v in value)
            if key == "Fn::Or":
                return any(self.resolve(v) for v in value)
            if key == "Fn::Join":
                separator, parts = value
                return separator.join(str(p) for p in self.resolve(parts))
            if key == "Fn::Select":
                index, items = value
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = value
                return str(self.resolve(text)).split(separator)
            if key == "Fn::FindInMap":
                name, top, second = (self.resolve(v) for v in value)
                return self.template["Mappings"][name][top][second]
            if key.startswith("Fn::"):
                raise NotImplementedError(key)
        resolved = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _sub(self, value: Any) -> str:
        text, variables = (value, {}) if isinstance(value, str) else value
        variables = {k: self.resolve(v) for k, v in variables.items()}

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return self.get_att(logical, attribute)
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", one, text)

    # --- policies -------------------------------------------------------------------------------

    def role_arn(self, logical: str) -> str:
        return self.get_att(logical, "Arn")

    def identity_policies(self, role: str) -> list[dict[str, Any]]:
        """Every policy document attached to the role ``role`` (logical id), resolved."""
        resources = self.resources
        if role not in resources:
            raise KeyError(f"role {role} does not exist under these parameters")
        documents = [
            self.resolve(p["PolicyDocument"])
            for p in self.resolve_keep(resources[role].get("Properties", {}).get("Policies", []))
        ]
        for resource in resources.values():
            if resource["Type"] == "AWS::IAM::Policy":
                roles = resource["Properties"].get("Roles", [])
                if {"Ref": role} in roles:
                    documents.append(self.resolve(resource["Properties"]["PolicyDocument"]))
        return documents

    def resolve_keep(self, items: list[Any]) -> list[Any]:
        """A list whose entries may be ``Fn::If`` → NoValue: the entries that exist."""
        out = []
        for item in items:
            if isinstance(item, dict) and set(item) == {"Fn::If"}:
                name, yes, no = item["Fn::If"]
                chosen = yes if self.condition(name) else no
                if chosen == {"Ref": "AWS::NoValue"}:
                    continue
                out.append(chosen)
            else:
                out.append(item)
        return out


# --- evaluation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One IAM authorization request."""

    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)
    principal: str = ""  # for resource-based policies

    def __str__(self) -> str:
        extra = f" {dict(self.context)}" if self.context else ""
        return f"{self.action} on {self.resource}{extra}"


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str, *, case: bool) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def action_matches(pattern: str, action: str) -> bool:
    return _glob(pattern, action, case=False)


def resource_matches(pattern: str, arn: str) -> bool:
    return _glob(pattern, arn, case=True)


def _arn_like(pattern: str, arn: str) -> bool:
    """ArnLike: each of the six colon-separated parts matched on its own."""
    p_parts, a_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(p_parts) != 6 or len(a_parts) != 6:
        return False
    return all(_glob(p, a, case=True) for p, a in zip(p_parts, a_parts, strict=True))


OPERATORS = {
    "StringEquals": lambda p, v: p == v,
    "StringNotEquals": lambda p, v: p != v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: _glob(p, v, case=True),
    "StringNotLike": lambda p, v: not _glob(p, v, case=True),
    "ArnEquals": lambda p, v: p == v,
    "ArnLike": _arn_like,
    "ArnNotEquals": lambda p, v: p != v,
    "ArnNotLike": lambda p, v: not _arn_like(p, v),
    "Bool": lambda p, v: str(p).lower() == str(v).lower(),
}
NEGATED = {"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


def condition_holds(condition: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    lowered = {k.lower(): v for k, v in context.items()}
    for operator, tests in condition.items():
        base = operator.removesuffix("IfExists")
        if base not in OPERATORS:
            raise NotImplementedError(f"condition operator {operator}")
        for key, expected in tests.items():
            if key.lower() not in lowered:
                if operator.endswith("IfExists"):
                    continue
                return False
            values = [str(v) for v in _listify(lowered[key.lower()])]
            patterns = [str(p) for p in _listify(expected)]
            test = OPERATORS[base]
            if base in NEGATED:
                ok = all(test(p, v) for p in patterns for v in values)
            else:
                ok = all(any(test(p, v) for p in patterns) for v in values)
            if not ok:
                return False
    return True


def statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        if not any(action_matches(a, request.action) for a in _listify(statement["Action"])):
            return False
    elif any(action_matches(a, request.action) for a in _listify(statement["NotAction"])):
        return False
    if "Resource" in statement:
        if not any(resource_matches(r, request.resource) for r in _listify(statement["Resource"])):
            return False
    elif "NotResource" in statement and any(
        resource_matches(r, request.resource) for r in _listify(statement["NotResource"])
    ):
        return False
    return condition_holds(statement.get("Condition", {}), request.context)


def principal_matches(statement: Mapping[str, Any], principal: str) -> bool:
    declared = statement.get("Principal")
    if declared is None:
        return True  # identity policy
    if declared == "*":
        return True
    for kind, values in declared.items():
        for value in _listify(values):
            if value in ("*", principal):
                return True
            # An account root principal stands for every principal of that account.
            if kind == "AWS" and value.endswith(":root"):
                account = value.split(":")[4]
                if principal.split(":")[4:5] == [account]:
                    return True
    return False


def statements(documents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [s for d in documents for s in _listify(d.get("Statement"))]


def decide(documents: Iterable[Mapping[str, Any]], request: Request) -> str:
    """``"Allow"``, ``"Deny"`` (explicit) or ``"ImplicitDeny"``."""
    allowed = False
    for statement in statements(documents):
        if not principal_matches(statement, request.principal):
            continue
        if statement_applies(statement, request):
            if statement["Effect"] == "Deny":
                return "Deny"
            allowed = True
    return "Allow" if allowed else "ImplicitDeny"


def matching_statements(
    documents: Iterable[Mapping[str, Any]], request: Request
) -> list[tuple[int, str]]:
    """(statement index, action pattern) pairs of the Allow statements that grant ``request``."""
    found = []
    for index, statement in enumerate(statements(documents)):
        if statement["Effect"] != "Allow" or not principal_matches(statement, request.principal):
            continue
        if statement_applies(statement, request):
            for pattern in _listify(statement.get("Action")):
                if action_matches(pattern, request.action):
                    found.append((index, pattern))
    return found
