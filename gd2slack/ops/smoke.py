"""Invoke a stage's live alias with a canary finding and check the answer and the stage's alarm."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config

from app.constants import CANARY_TYPE, runtime_stack_name
from gd2slack.errors import CliError
from gd2slack.ops import aws
from gd2slack.ops.aws import AwsClients

MAX_REASON = 300
# The function may cold-start a container and retry Slack; do not retry an invoke on timeout.
INVOKE_CONFIG = Config(read_timeout=900, connect_timeout=10, retries={"total_max_attempts": 1})


def canary_event(account: str, region: str, now: datetime | None = None) -> dict[str, Any]:
    """A bare EventBridge GuardDuty event carrying a clearly-marked test finding.

    The id is unique per run: the handler is idempotent on event ids, so a reused id would be
    (correctly) suppressed as a duplicate and prove nothing.
    """
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    iso = now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    finding_id = f"gd2slack-canary-{stamp}"
    partition = "aws-us-gov" if region.startswith("us-gov-") else "aws"
    if region.startswith("cn-"):
        partition = "aws-cn"
    return {
        "version": "0",
        "id": finding_id,
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "account": account,
        "time": iso,
        "region": region,
        "resources": [],
        "detail": {
            "schemaVersion": "2.0",
            "accountId": account,
            "region": region,
            "partition": partition,
            "id": finding_id,
            "arn": f"arn:{partition}:guardduty:{region}:{account}:detector/gd2slack/finding/"
            f"{finding_id}",
            "type": CANARY_TYPE,
            "title": "gd2slack smoke test (canary finding, not a threat)",
            "description": "Synthetic finding sent by 'gd2slack smoke' after a deployment.",
            "severity": 1.0,
            "createdAt": iso,
            "updatedAt": iso,
            "resource": {"resourceType": "Canary"},
            "service": {
                "serviceName": "guardduty",
                "detectorId": "gd2slack",
                "archived": False,
                "count": 1,
                "eventFirstSeen": iso,
                "eventLastSeen": iso,
                "resourceRole": "TARGET",
                "action": {},
            },
        },
    }


def _short(text: object) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 1] + "…"


def check_response(response: dict[str, Any]) -> dict[str, Any]:
    """The handler's summary, or a ``CliError`` saying why the invocation failed."""
    raw = response.get("Payload")
    body = raw.read() if raw is not None else b""
    try:
        payload: Any = json.loads(body) if body else None
    except ValueError:
        payload = None
    if response.get("FunctionError"):
        detail = ""
        if isinstance(payload, dict):
            detail = f": {payload.get('errorType', '')}: {payload.get('errorMessage', '')}"
        raise CliError(_short(f"function error ({response['FunctionError']}){detail}"))
    if response.get("StatusCode") != 200:
        raise CliError(f"invoke returned HTTP {response.get('StatusCode')}")
    if not isinstance(payload, dict) or "failed" not in payload:
        raise CliError(_short(f"unexpected handler response (no summary): {body[:200]!r}"))
    if payload.get("failed") != 0:
        reasons = [
            o.get("reason")
            for o in payload.get("outcomes") or []
            if isinstance(o, dict) and o.get("outcome") == "failed"
        ]
        why = f": {reasons[0]}" if reasons and reasons[0] else ""
        raise CliError(_short(f"canary failed in the handler ({payload['failed']} failed){why}"))
    if payload.get("received") != 1:
        raise CliError(f"handler saw {payload.get('received')} findings, expected the 1 canary")
    return payload


def check_alarm(clients: AwsClients, name: str) -> str:
    """The composite alarm's state; ALARM (or a missing alarm) is a ``CliError``."""
    cloudwatch = clients.client("cloudwatch")
    with aws.aws_call_errors(f"reading alarm {name}"):
        found = cloudwatch.describe_alarms(
            AlarmNames=[name], AlarmTypes=["CompositeAlarm", "MetricAlarm"]
        )
    alarms = [*found.get("CompositeAlarms", []), *found.get("MetricAlarms", [])]
    if not alarms:
        raise CliError(f"alarm {name} not found: the stack's alarms are missing")
    state = str(alarms[0].get("StateValue", "?"))
    if state == "ALARM":
        with aws.aws_call_errors(f"reading the children of alarm {name}"):
            children = cloudwatch.describe_alarms(ChildrenOfAlarmName=name)
        firing = sorted(
            a["AlarmName"]
            for a in [*children.get("MetricAlarms", []), *children.get("CompositeAlarms", [])]
            if a.get("StateValue") == "ALARM"
        )
        which = f" ({', '.join(firing)})" if firing else ""
        raise CliError(f"composite alarm {name} is in ALARM{which}")
    return state


def _alarm_name(outputs: dict[str, str], stack_name: str) -> str:
    if aws.OUT_COMPOSITE_ALARM_NAME in outputs:
        return outputs[aws.OUT_COMPOSITE_ALARM_NAME]
    arn = aws.require_output(outputs, aws.OUT_COMPOSITE_ALARM_ARN, stack_name)
    return arn.split(":alarm:", 1)[-1]


def smoke(
    clients: AwsClients,
    stage: str,
    *,
    expect_image_uri: str | None = None,
    lambda_client: Any = None,
) -> str:
    """Run the smoke test; returns the one-line success summary.

    ``lambda_client`` defaults to one with a long read timeout and no retries (tests pass a
    stubbed one).
    """
    stack_name = runtime_stack_name(stage)
    outputs = clients.require_stack_outputs(stack_name)
    alias_arn = aws.require_output(outputs, aws.OUT_ALIAS_ARN, stack_name)
    if expect_image_uri is not None:
        running = outputs.get(aws.OUT_IMAGE_URI)
        if running != expect_image_uri:
            raise CliError(f"{stack_name} runs {running}, expected {expect_image_uri}")
    account = alias_arn.split(":")[4]
    event = canary_event(account, clients.region)
    if lambda_client is None:
        lambda_client = clients.session.client(
            "lambda", region_name=clients.region, config=INVOKE_CONFIG
        )
    with aws.aws_call_errors(f"invoking {alias_arn}"):
        response = lambda_client.invoke(
            FunctionName=alias_arn,
            InvocationType="RequestResponse",
            Payload=json.dumps(event).encode("utf-8"),
        )
    summary = check_response(response)
    outcome = next(
        (o.get("outcome") for o in summary.get("outcomes") or [] if isinstance(o, dict)), "?"
    )
    state = check_alarm(clients, _alarm_name(outputs, stack_name))
    return (
        f"smoke {stage} in {clients.region}: ok: canary {event['id']} {outcome}, "
        f"composite alarm {state}"
    )
