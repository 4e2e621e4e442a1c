"""The whole event path, locally: the real runtime template in moto, a local Slack receiver.

1. Synthesize ``runtime.json`` and create it as a stack in moto's CloudFormation; create by API
   what moto skips and the demo needs (the webhook secret, the ``live`` alias).
2. Publish, in phases: the bundled sample findings; re-publications of one finding, a count
   milestone and a severity escalation (15 minutes apart, as GuardDuty does); a burst that
   becomes one digest; a poison message; and one event delivered a second time.
3. After each phase, drain the queue into ``app.handler.lambda_handler`` the way the event
   source mapping does (batches of up to 10, partial batch failures, redelivery until the DLQ).
4. Print what happened to each record, read from the handler's own structured logs.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import logging
import os
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from app.constants import Outcome
from app.core.read import parse_time
from gd2slack.local.event_source_mapping import drain_once
from gd2slack.local.moto_skipped import TemplateResolver, create_skipped
from gd2slack.local.slack_receiver import RATE_LIMITED, SlackReceiver
from gd2slack.ops.xray import OUTCOMES
from gd2slack.table import render_table

REGION = "us-east-1"
ACCOUNT = "123456789012"
STACK_NAME = "gd2slack-demo"
IMAGE_URI = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/guardduty-to-slack@sha256:" + "0" * 64
DIGEST_THRESHOLD = 9  # the nine samples arrive as individual messages, the burst of 10 as one
MAX_RECEIVE_COUNT = 3


def bundled_samples() -> list[dict[str, Any]]:
    folder = resources.files("gd2slack.local") / "samples"
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".json")), key=lambda e: e.name
    )
    return [json.loads(entry.read_text()) for entry in entries]


def _at(event: dict[str, Any], moment: datetime, count: int, severity: float) -> dict[str, Any]:
    event = copy.deepcopy(event)
    seen = moment.isoformat().replace("+00:00", "Z")
    event["detail"]["severity"] = severity
    event["detail"]["updatedAt"] = seen
    event["detail"].setdefault("service", {}).update(count=count, eventLastSeen=seen)
    return event


def noise_steps(base: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One finding re-published every 15 minutes: repeats, a count milestone, an escalation."""
    start = parse_time(base["detail"].get("updatedAt")) or datetime(2026, 11, 28, 9, 14, tzinfo=UTC)
    severity = float(base["detail"].get("severity") or 5.0)
    plan = [
        ("re-publication", 2, severity),
        ("re-publication", 5, severity),
        ("count crossed 10", 12, severity),
        ("severity escalation", 13, 8.0),
        ("re-publication", 14, 8.0),
    ]
    return [
        (label, _at(base, start + timedelta(minutes=15 * n), count, sev))
        for n, (label, count, sev) in enumerate(plan, start=1)
    ]


def burst(base: dict[str, Any], size: int = 10) -> list[dict[str, Any]]:
    """Ten port probes against ten instances at once: one digest, not ten messages."""
    events = []
    for n in range(size):
        event = _at(base, datetime(2026, 11, 28, 11, 0, tzinfo=UTC), 1, 2.0)
        event["detail"]["id"] = f"{n:02d}" + event["detail"]["id"][2:]
        instance = event["detail"].get("resource", {}).get("instanceDetails")
        if isinstance(instance, dict):
            instance["instanceId"] = f"i-0burst{n:012d}"
        events.append(event)
    return events


@contextlib.contextmanager
def quiet_moto() -> Iterator[None]:
    """moto announces every resource type it skips; the demo says it once, in one line."""
    moto_logger = logging.getLogger("moto")
    level = moto_logger.level
    moto_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        moto_logger.setLevel(level)


class Demo:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.log = io.StringIO()
        self.labels: dict[str, str] = {}  # SQS message id → what the demo published
        self.last_body: dict[str, str] = {}

    def run(self) -> int:
        os.environ.update(
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
            AWS_SESSION_TOKEN="testing",  # noqa: S106
        )
        os.environ.pop("AWS_PROFILE", None)
        import boto3  # noqa: PLC0415 - heavy, only for the demo
        from moto import mock_aws  # noqa: PLC0415

        self.boto3 = boto3
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for old in self.out_dir.glob("*.json"):
            old.unlink()
        with (
            SlackReceiver() as slack,
            mock_aws(config={"lambda": {"use_docker": False}}),
            quiet_moto(),
        ):
            outputs, env = self.provision(slack)
            print(
                f"local Slack receiver on 127.0.0.1:{slack.port}; AWS emulated by moto in-process"
            )
            self.handler = self.load_handler(env)
            self.queue = outputs["QueueUrl"]
            slack.script(RATE_LIMITED)  # Slack's first answer is a 429 + Retry-After
            self.play(outputs)
            dlq_depth = self.depth(outputs["DeadLetterQueueUrl"])
            self.write_payloads(slack)
            accepted = len(slack.accepted())
        return self.report(accepted, dlq_depth)

    # -- AWS side ---------------------------------------------------------------------------
    def provision(self, slack: SlackReceiver) -> tuple[dict[str, str], dict[str, str]]:
        from gd2slack.local.moto_compat import for_moto  # noqa: PLC0415
        from stack.runtime import to_json  # noqa: PLC0415

        template = to_json()
        (self.out_dir / "runtime.json").write_text(template)
        secret = self.boto3.client("secretsmanager").create_secret(
            Name="gd2slack/local/demo/webhooks", SecretString=json.dumps({"default": slack.url()})
        )
        parameters = {
            "Stage": "dev",
            "ImageUri": IMAGE_URI,
            "WebhookSecretArn": secret["ARN"],
            "MinSeverity": "LOW",
            "MaxReceiveCount": str(MAX_RECEIVE_COUNT),
            "DigestThreshold": str(DIGEST_THRESHOLD),
            "AccountNames": json.dumps(
                {e["detail"]["accountId"]: "demo-account" for e in bundled_samples()}
            ),
        }
        cfn = self.boto3.client("cloudformation")
        cfn.create_stack(
            StackName=STACK_NAME,
            TemplateBody=json.dumps(for_moto(json.loads(template))),
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
        stack_resources = {
            r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.describe_stack_resources(StackName=STACK_NAME)["StackResources"]
            if "LogicalResourceId" in r and "PhysicalResourceId" in r
        }
        function = stack_resources["GuardDutyToSlackFunction"]
        lam = self.boto3.client("lambda")
        # The demo drains the queue itself, the way the mapping would: moto cannot run an image.
        for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
            if mapping["FunctionArn"].rsplit(":", 1)[-1] == function:
                lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
        lam.create_alias(FunctionName=function, Name="live", FunctionVersion="$LATEST")
        variables = lam.get_function_configuration(FunctionName=function)["Environment"][
            "Variables"
        ]
        outputs = {
            o["OutputKey"]: o["OutputValue"]
            for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0].get("Outputs", [])
        }
        stack = cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0]
        resolver = TemplateResolver(json.loads(template), stack, stack_resources, self.boto3.client)
        skipped = create_skipped(resolver)
        kinds = [json.loads(template)["Resources"][logical]["Type"] for logical in skipped]
        alarms = kinds.count("AWS::CloudWatch::Alarm")
        print(
            f"stack {STACK_NAME} created in moto from {self.out_dir}/runtime.json; moto skips "
            f"some resource types, so the demo created by API the secret, the alias, {alarms} "
            f"alarms and {len(kinds) - alarms} queue policies from the template's own properties "
            "(not the composite alarm: moto has none)"
        )
        return outputs, {key: str(value) for key, value in variables.items()}

    def load_handler(self, env: dict[str, str]) -> Any:
        """Import the handler with the function's own environment: a cold start."""
        os.environ.update(env)
        with contextlib.redirect_stdout(self.log):
            from app import handler  # noqa: PLC0415

        return handler.lambda_handler

    def put(self, events: list[dict[str, Any]]) -> None:
        client = self.boto3.client("events")
        for event in events:
            client.put_events(
                Entries=[
                    {
                        "Source": event["source"],
                        "DetailType": event["detail-type"],
                        "Detail": json.dumps(event["detail"]),
                        "Resources": event.get("resources", []),
                    }
                ]
            )

    def send_raw(self, body: str) -> None:
        self.boto3.client("sqs").send_message(QueueUrl=self.queue, MessageBody=body)

    def depth(self, url: str) -> int:
        attrs = self.boto3.client("sqs").get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])

    # -- the story --------------------------------------------------------------------------
    def play(self, outputs: dict[str, str]) -> None:
        samples = bundled_samples()
        self.put(samples)
        self.send_raw("this is not an EventBridge event")
        self.drain("sample")
        medium = next(e for e in samples if 4.0 <= float(e["detail"].get("severity") or 0) < 7.0)
        for label, event in noise_steps(medium):
            self.put([event])
            self.drain(label)
        probe = next(e for e in samples if e["detail"]["type"].startswith("Recon:EC2/PortProbe"))
        self.put(burst(probe))
        self.drain("burst")
        delivered = next(
            body
            for mid, body in self.last_body.items()
            if self.labels[mid] == "severity escalation"
        )
        self.send_raw(delivered)  # at-least-once delivery: the same EventBridge event again
        self.drain("same event delivered again")
        for _ in range(MAX_RECEIVE_COUNT):  # SQS redelivers the poison message until the DLQ
            self.drain("redelivery")

    def drain(self, label: str) -> None:
        def remember(messages: list[dict[str, Any]]) -> None:
            for m in messages:
                poison = not m["Body"].startswith("{")
                self.labels.setdefault(m["MessageId"], "poison message" if poison else label)
                self.last_body[m["MessageId"]] = m["Body"]

        with contextlib.redirect_stdout(self.log):
            drain_once(self.boto3.client("sqs"), self.queue, self.handler, remember)

    # -- output -----------------------------------------------------------------------------
    def write_payloads(self, slack: SlackReceiver) -> None:
        for n, payload in enumerate(slack.accepted(), start=1):
            (self.out_dir / f"message-{n:02d}.json").write_text(
                json.dumps(payload, indent=2, ensure_ascii=False)
            )
        (self.out_dir / "handler.log").write_text(self.log.getvalue())

    def outcomes(self) -> dict[str, dict[str, Any]]:
        """The last outcome per SQS message, from the handler's log lines."""
        last: dict[str, dict[str, Any]] = {}
        for line in self.log.getvalue().splitlines():
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                if isinstance(entry, dict) and "outcome" in entry and "message_id" in entry:
                    last[entry["message_id"]] = entry
        return last

    def report(self, accepted: int, dlq_depth: int) -> int:
        rows = []
        for message_id, entry in self.outcomes().items():
            reason = entry.get("reason", "")
            if entry["outcome"] == "failed" and dlq_depth:
                reason += " → dead-letter queue"
            rows.append(
                [
                    self.labels.get(message_id, "?"),
                    entry.get("finding_type", "-"),
                    entry.get("severity_band", "-"),
                    entry["outcome"],
                    reason,
                ]
            )
        print(
            render_table(
                ["#", "event", "finding type", "band", "outcome", "reason"],
                [[str(n), *row] for n, row in enumerate(rows, start=1)],
            )
        )
        delivered = sum(Outcome(row[3]).notified for row in rows if row[3] in OUTCOMES)
        failed = sum(row[3] == Outcome.FAILED for row in rows)
        print(
            f"Slack accepted {accepted} message(s), the first after a 429 + Retry-After; "
            f"payloads in {self.out_dir}/, handler log in {self.out_dir}/handler.log"
        )
        print(f"dead-letter queue: {dlq_depth} message(s)")
        print(f"delivered {delivered}, filtered {len(rows) - delivered - failed}, failed {failed}")
        return 0


def run_demo(out_dir: Path = Path("build/demo")) -> int:
    return Demo(out_dir).run()
