"""Create by API what moto's CloudFormation silently skips, from the template's own resources.

moto creates the stack's functions, queues, rule, table and log group but skips alarms, the
composite alarm, queue policies (and the alias and secret, which the demo creates itself). The
properties here come from the synthesized template, resolved against the moto stack, so the
demo runs with every resource the real stack has, not a hand-written imitation of them.
"""

from __future__ import annotations

import json
import re
from typing import Any

NO_VALUE = object()
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class TemplateResolver:
    """Resolves the intrinsic functions the runtime template uses, against a created stack."""

    def __init__(self, template: dict[str, Any], stack: dict[str, Any], physical: dict[str, str],
                 clients: Any) -> None:  # fmt: skip
        self.template = template
        self.parameters = {
            name: spec.get("Default", "") for name, spec in template.get("Parameters", {}).items()
        } | {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
        self.stack_name = stack["StackName"]
        self.region = stack["StackId"].split(":")[3]
        self.account = stack["StackId"].split(":")[4]
        self.physical = physical
        self.clients = clients
        self.alarm_arns: dict[str, str] = {}

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::StackName": self.stack_name, "AWS::Region": self.region,
            "AWS::AccountId": self.account, "AWS::Partition": "aws", "AWS::NoValue": NO_VALUE,
        }  # fmt: skip
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical[name]

    def get_att(self, logical: str, attribute: str) -> str:
        if logical in self.alarm_arns and attribute == "Arn":
            return self.alarm_arns[logical]
        kind = self.template["Resources"][logical]["Type"]
        if kind == "AWS::SQS::Queue":
            url = self.physical[logical]
            if attribute == "QueueName":
                return url.rsplit("/", 1)[-1]
            attributes = self.clients("sqs").get_queue_attributes(
                QueueUrl=url, AttributeNames=["QueueArn"]
            )
            return str(attributes["Attributes"]["QueueArn"])
        if kind == "AWS::Events::Rule" and attribute == "Arn":
            return str(self.clients("events").describe_rule(Name=self.physical[logical])["Arn"])
        raise KeyError(f"cannot resolve {logical}.{attribute} in moto")

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template["Conditions"][name]))

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.resolve(x) for x in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return self.ref(value)
            if key == "Fn::GetAtt":
                return self.get_att(*value)
            if key == "Fn::Sub":
                return _SUB_VARIABLE.sub(lambda m: str(self._sub(m.group(1))), value)
            if key == "Fn::Join":
                return value[0].join(str(x) for x in self.resolve(value[1]))
            if key == "Fn::If":
                return self.resolve(value[1] if self.condition(value[0]) else value[2])
            if key == "Fn::Equals":
                left, right = self.resolve(value)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.resolve(value[0])
            if key == "Condition":
                return self.condition(value)
        resolved = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _sub(self, variable: str) -> Any:
        if "." in variable and not variable.startswith("AWS::"):
            logical, attribute = variable.split(".", 1)
            return self.get_att(logical, attribute)
        return self.ref(variable)


def create_skipped(resolver: TemplateResolver) -> list[str]:
    """Alarms, the composite alarm over them (where moto has it), queue policies; returns the
    logical ids created."""
    created = []
    resources = resolver.template["Resources"]
    ordered = sorted(
        resources.items(), key=lambda kv: kv[1]["Type"] == "AWS::CloudWatch::CompositeAlarm"
    )
    for logical, resource in ordered:
        kind = resource["Type"]
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        if kind not in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm",
                        "AWS::SQS::QueuePolicy"):  # fmt: skip
            continue
        props = resolver.resolve(resource.get("Properties", {}))
        if kind == "AWS::SQS::QueuePolicy":
            for url in props["Queues"]:
                resolver.clients("sqs").set_queue_attributes(
                    QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])}
                )
        else:
            props.pop("Tags", None)
            cloudwatch = resolver.clients("cloudwatch")
            if kind == "AWS::CloudWatch::Alarm":
                cloudwatch.put_metric_alarm(**props)
            else:
                try:
                    cloudwatch.put_composite_alarm(**props)
                except NotImplementedError:  # moto has no composite alarms at all
                    continue
            name = props["AlarmName"]
            resolver.alarm_arns[logical] = (
                f"arn:aws:cloudwatch:{resolver.region}:{resolver.account}:alarm:{name}"
            )
        created.append(logical)
    return created
