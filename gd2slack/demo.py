"""The whole event path, locally: the real runtime template in moto, a local Slack receiver.

1. Synthesize ``runtime.json`` and create it as a stack in moto's CloudFormation; create by API
   what moto skips (the webhook secret; alarms and the alias are not needed to run).
2. Put the bundled sample findings on the default bus, where the stack's rule sends them to its
   queue; then a few re-publications, a severity escalation, a duplicate event and a poison
   message, to show noise control, idempotency and the DLQ at work.
3. Drain the queue into ``app.handler.lambda_handler`` the way the event source mapping does
   (batches of up to 10, partial batch failures, redelivery until the DLQ).
4. Print what happened to each record, from the handler's own structured logs.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from gd2slack.lambda_context import LocalLambdaContext
from gd2slack.slack_receiver import RATE_LIMITED, SlackReceiver
from gd2slack.table import render_table

REGION = "us-east-1"
ACCOUNT = "123456789012"
STAGE = "demo"
STACK_NAME = "gd2slack-demo"
IMAGE_URI = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/guardduty-to-slack@sha256:" + "0" * 64
MAX_RECEIVES_SAFETY = 50


@dataclass
class Row:
    label: str
    finding_type: str
    band: str
    outcome: str
    reason: str


def bundled_samples() -> list[dict[str, Any]]:
    folder = resources.files("gd2slack") / "samples"
    events = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            events.append(json.loads(entry.read_text()))
    return events


def noise_scenario(base: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Re-publications of one finding (same id, growing count), then a severity escalation."""
    start = datetime(2026, 11, 28, 9, 14, tzinfo=UTC)
    steps = []
    for n, (count, severity, label) in enumerate(
        [
            (2, 5.0, "re-publication"),
            (5, 5.0, "re-publication"),
            (12, 5.0, "count crossed 10"),
            (13, 8.0, "severity escalation"),
        ],
        start=1,
    ):
        event = copy.deepcopy(base)
        event["id"] = f"{base['id'][:-2]}{n:02d}"
        event["detail"]["severity"] = severity
        event["detail"]["service"]["count"] = count
        seen = (start + timedelta(minutes=15 * n)).isoformat().replace("+00:00", "Z")
        event["detail"]["updatedAt"] = seen
        event["detail"]["service"]["eventLastSeen"] = seen
        steps.append((label, event))
    return steps


@contextlib.contextmanager
def _captured(log: io.StringIO) -> Iterator[None]:
    with contextlib.redirect_stdout(log):
        yield


class Demo:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.log = io.StringIO()
        self.records: dict[str, dict[str, Any]] = {}
        self.seen_bodies: set[str] = set()

    def run(self) -> int:
        os.environ.update(
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_SESSION_TOKEN="testing",
        )
        os.environ.pop("AWS_PROFILE", None)
        import boto3  # noqa: PLC0415 - heavy, only for the demo
        from moto import mock_aws  # noqa: PLC0415

        self.out_dir.mkdir(parents=True, exist_ok=True)
        for old in self.out_dir.glob("*.json"):
            old.unlink()
        with SlackReceiver() as slack, mock_aws(config={"lambda": {"use_docker": False}}):
            self.boto3 = boto3
            outputs, env = self.provision(slack)
            print(
                f"local Slack receiver on 127.0.0.1:{slack.port}; AWS emulated by moto in-process"
            )
            labels = self.publish(outputs)
            slack.script(RATE_LIMITED)  # Slack's first answer: 429 + Retry-After, as it can be
            handler = self.load_handler(env)
            self.drain(handler, outputs)
            labels |= self.redeliver_one(outputs)
            self.drain(handler, outputs)
            dlq_depth = self.queue_depth(outputs["DeadLetterQueueUrl"])
            self.write_payloads(slack)
        rows = self.rows(labels)
        print(
            render_table(
                ["#", "event", "finding type", "band", "outcome", "reason"],
                [
                    [str(i), r.label, r.finding_type, r.band, r.outcome, r.reason]
                    for i, r in enumerate(rows, start=1)
                ],
            )
        )
        delivered = sum(r.outcome in ("delivered", "digested") for r in rows)
        failed = sum(r.outcome == "failed" for r in rows)
        print(
            f"Slack accepted {len(slack.accepted())} message(s) (first answer was 429 + "
            f"Retry-After: waited, then delivered); payloads in {self.out_dir}/"
        )
        print(
            f"dead-letter queue holds {dlq_depth} message(s); handler log: {self.out_dir}/handler.log"
        )
        print(f"delivered {delivered}, filtered {len(rows) - delivered - failed}, failed {failed}")
        return 0

    def provision(self, slack: SlackReceiver) -> tuple[dict[str, str], dict[str, str]]:
        from stack.runtime import to_json  # noqa: PLC0415

        template = to_json()
        (self.out_dir / "runtime.json").write_text(template)
        secret = self.boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="gd2slack/demo/webhooks",
            SecretString=json.dumps({"default": slack.url()}),
        )
        cfn = self.boto3.client("cloudformation", region_name=REGION)
        cfn.create_stack(
            StackName=STACK_NAME,
            TemplateBody=template,
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            Parameters=[
                {"ParameterKey": "Stage", "ParameterValue": "dev"},
                {"ParameterKey": "ImageUri", "ParameterValue": IMAGE_URI},
                {"ParameterKey": "WebhookSecretArn", "ParameterValue": secret["ARN"]},
                {"ParameterKey": "MinSeverity", "ParameterValue": "LOW"},
                {"ParameterKey": "MaxReceiveCount", "ParameterValue": "3"},
                {
                    "ParameterKey": "AccountNames",
                    "ParameterValue": json.dumps({ACCOUNT: "demo-production"}),
                },
            ],
        )
        resources_ = {
            r["LogicalResourceId"]: r
            for r in cfn.describe_stack_resources(StackName=STACK_NAME)["StackResources"]
        }
        function = resources_["GuardDutyToSlackFunction"]["PhysicalResourceId"]
        lam = self.boto3.client("lambda", region_name=REGION)
        for mapping in lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]:
            lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
        env = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
        outputs = {
            o["OutputKey"]: o["OutputValue"]
            for o in cfn.describe_stacks(StackName=STACK_NAME)["Stacks"][0].get("Outputs", [])
        }
        sqs = self.boto3.client("sqs", region_name=REGION)
        for key, logical in (
            ("QueueUrl", "FindingsQueue"),
            ("DeadLetterQueueUrl", "DeadLetterQueue"),
        ):
            if key not in outputs and logical in resources_:
                outputs[key] = sqs.get_queue_url(
                    QueueName=resources_[logical]["PhysicalResourceId"].rsplit("/", 1)[-1]
                )["QueueUrl"]
        print(
            f"stack {STACK_NAME} created in moto from {self.out_dir}/runtime.json "
            f"({len(resources_)} resources); moto skips the secret, alias, queue policy and "
            "alarms: the secret was created by API, the others are not needed locally"
        )
        return outputs, env

    def publish(self, outputs: dict[str, str]) -> dict[str, str]:
        """Put events on the bus; returns a label per EventBridge event id."""
        events = self.boto3.client("events", region_name=REGION)
        samples = bundled_samples()
        labelled = [("sample", e) for e in samples]
        medium = next(
            (e for e in samples if 4.0 <= float(e["detail"].get("severity") or 0) < 7.0), samples[0]
        )
        labelled += noise_scenario(medium)
        labels = {}
        for label, event in labelled:
            labels[event["id"]] = label
            events.put_events(
                Entries=[
                    {
                        "Source": event["source"],
                        "DetailType": event["detail-type"],
                        "Detail": json.dumps(event["detail"]),
                        "Resources": event.get("resources", []),
                    }
                ]
            )
        # EventBridge assigns new event ids; remember labels by finding id + count instead.
        sqs = self.boto3.client("sqs", region_name=REGION)
        sqs.send_message(
            QueueUrl=outputs["QueueUrl"], MessageBody="this is not an EventBridge event"
        )
        return {self._key(e["detail"]): label for label, e in labelled}

    def redeliver_one(self, outputs: dict[str, str]) -> dict[str, str]:
        """At-least-once delivery: an already delivered event arrives again, same event id."""
        delivered = next(
            body
            for body in (m["Body"] for m in self.records.values())
            if body.startswith("{") and json.loads(body).get("detail", {}).get("severity") == 8.0
        )
        sqs = self.boto3.client("sqs", region_name=REGION)
        sqs.send_message(QueueUrl=outputs["QueueUrl"], MessageBody=delivered)
        return {"redelivery": "same event delivered again"}

    @staticmethod
    def _key(detail: dict[str, Any]) -> str:
        service = detail.get("service") or {}
        return f"{detail.get('id')}#{service.get('count')}#{detail.get('severity')}"

    def load_handler(self, env: dict[str, str]) -> Any:
        os.environ.update(env)
        os.environ.update(POWERTOOLS_METRICS_NAMESPACE="GuardDutyToSlack", AWS_REGION=REGION)
        with _captured(self.log):
            from app import handler  # noqa: PLC0415 - config is read at import, like a cold start

        return handler.lambda_handler

    def drain(self, handler: Any, outputs: dict[str, str]) -> None:
        sqs = self.boto3.client("sqs", region_name=REGION)
        queue = outputs["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        for _ in range(MAX_RECEIVES_SAFETY):
            messages = sqs.receive_message(
                QueueUrl=queue, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                break
            event = {
                "Records": [
                    {
                        "messageId": m["MessageId"],
                        "receiptHandle": m["ReceiptHandle"],
                        "body": m["Body"],
                        "attributes": m.get("Attributes", {}),
                        "messageAttributes": {},
                        "md5OfBody": m["MD5OfBody"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": arn,
                        "awsRegion": REGION,
                    }
                    for m in messages
                ]
            }
            for m in messages:
                self.records.setdefault(m["MessageId"], m)
            with _captured(self.log):
                result = handler(event, LocalLambdaContext())
            failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
            for m in messages:
                if m["MessageId"] in failed:
                    sqs.change_message_visibility(
                        QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
                    )
                else:
                    sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])

    def queue_depth(self, url: str) -> int:
        sqs = self.boto3.client("sqs", region_name=REGION)
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attrs["Attributes"]["ApproximateNumberOfMessages"])

    def write_payloads(self, slack: SlackReceiver) -> None:
        for n, payload in enumerate(slack.accepted(), start=1):
            (self.out_dir / f"message-{n:02d}.json").write_text(
                json.dumps(payload, indent=2, ensure_ascii=False)
            )
        (self.out_dir / "handler.log").write_text(self.log.getvalue())

    def rows(self, labels: dict[str, str]) -> list[Row]:
        """The last outcome per SQS message, from the handler's log lines."""
        last: dict[str, dict[str, Any]] = {}
        for line in self.log.getvalue().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "outcome" in entry and "message_id" in entry:
                last[entry["message_id"]] = entry
        rows = []
        for message_id, entry in last.items():
            body = self.records.get(message_id, {}).get("Body", "")
            try:
                detail = json.loads(body).get("detail", {})
            except (ValueError, AttributeError):
                detail = {}
            outcome = entry["outcome"]
            reason = entry.get("reason", "")
            if outcome == "failed" and "malformed" in reason:
                reason = reason + " (dead-letter queue after max receives)"
            if not detail:
                label = "poison message"
            elif body in self.seen_bodies:
                label = labels.get("redelivery", "redelivery")
            else:
                label = labels.get(self._key(detail), "event")
                self.seen_bodies.add(body)
            rows.append(
                Row(
                    label,
                    entry.get("finding_type", "-"),
                    entry.get("severity_band", "-"),
                    outcome,
                    reason,
                )
            )
        return rows


def run_demo(out_dir: Path = Path("build/demo")) -> int:
    return Demo(out_dir).run()
