"""The interactions function under test with real parts: requests signed as Slack signs them
(HMAC computed here, not by the code under test) and sent as function URL events, moto's
DynamoDB (the state table as the stack declares it) and GuardDuty filters, botocore's Stubber
for what moto lacks (GetFindings, Archive/Unarchive, feedback, Lambda Invoke), and the local
Slack Web API over HTTP. A root is posted by the real notifier first, so presses act on it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import boto3
import botocore.session
from botocore.stub import ANY, Stubber

from app.adapters.guardduty import GuardDuty
from app.adapters.pacing import Pacer
from app.adapters.slack_app import SlackAppClient
from app.adapters.state import StateStore
from app.adapters.webhooks import WebhookDirectory
from app.config import load_config
from app.core.triage import Target, TriageAction
from app.handler import Notifier
from app.interactions.defer import Deferrer
from app.interactions.handler import Interactions
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_web_api import SlackWebApiServer, SlackWorkspace
from gd2slack.local.state_table import create_state_table
from tests.conftest import minimal_event
from tests.virtual_time import VirtualClock

TABLE = "interactions-state"
ALERTS = "C0ALERTS"
TEAM, APP = "T0GD2SLCK", "A0GD2SLCK"  # the stand-in's workspace and app
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # a signing secret's shape (32 characters)
SIGNING_ID, APP_SECRET_ID = "gd2slack/signing", "gd2slack/app"
FINDING = "b4c6b1d1e6f0a5d2c3e4f5a6b7c8d9e0"
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "U0CAROL"
ONCALL = "S0ONCALL"
NOW = 1_796_000_000  # the wall clock: epoch seconds (2026-11-30 00:53 UTC)
FUNCTION = "gd2slack-dev-interactions"


def sign(body: str | bytes, *, secret: str = SECRET, timestamp: int = NOW) -> dict[str, str]:
    """Slack's headers for ``body``: ``v0=`` HMAC-SHA256 of ``v0:{ts}:{body}``."""
    raw = body.encode() if isinstance(body, str) else body
    base = f"v0:{timestamp}:".encode() + raw
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": str(timestamp), "x-slack-signature": f"v0={digest}"}


def form(payload: dict[str, Any]) -> str:
    """The body Slack posts: ``payload=`` and the JSON, form-encoded."""
    return "payload=" + quote_plus(json.dumps(payload))


def url_event(
    body: str | bytes,
    headers: dict[str, str] | None = None,
    *,
    encode: bool = False,
    method: str = "POST",
) -> dict[str, Any]:
    """A Lambda function URL event (payload format 2.0) as AWS delivers it."""
    raw = body.encode() if isinstance(body, str) else body
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "host": "abc123.lambda-url.us-east-1.on.aws",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "http": {
                "method": method,
                "path": "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.10",
                "userAgent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            },
            "requestId": "c0ffee00-0000-4000-8000-000000000000",
            "routeKey": "$default",
            "stage": "$default",
            "timeEpoch": NOW * 1000,
        },
        "body": base64.b64encode(raw).decode() if encode else raw.decode(),
        "isBase64Encoded": encode,
    }


def api_shape(value: Any, shape: Any) -> Any:
    """An EventBridge (camelCase) value in the API's shape for ``shape``, by botocore's model
    (member names for location names): what boto3's GetFindings returns."""
    if shape.type_name == "structure":
        out = {}
        for member, inner in shape.members.items():
            where = inner.serialization.get("name", member)
            if isinstance(value, dict) and where in value:
                out[member] = api_shape(value[where], inner)
        return out
    if shape.type_name == "list":
        return [api_shape(v, shape.member) for v in value]
    if shape.type_name == "map":
        return {k: api_shape(v, shape.value) for k, v in value.items()}
    if shape.type_name == "double":
        return float(value)
    return value


def api_finding(detail: dict[str, Any]) -> dict[str, Any]:
    model = botocore.session.get_session().get_service_model("guardduty")
    result: dict[str, Any] = api_shape(detail, model.shape_for("Finding"))
    return result


def block_actions(
    action: TriageAction | str,
    value: str,
    *,
    user: str = ALICE,
    trigger: str = "1796000000.123.abc",
    message_ts: str = "1796000000.000100",
    team: str = TEAM,
    app: str = APP,
) -> dict[str, Any]:
    """A ``block_actions`` payload as Slack sends it for a button on our root."""
    action_id = action.action_id if isinstance(action, TriageAction) else action
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": team},
        "api_app_id": app,
        "token": "verification-token-unused",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": ALERTS,
            "is_ephemeral": False,
        },
        "trigger_id": trigger,
        "team": {"id": team, "domain": "acme"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": ALERTS, "name": "security-alerts"},
        "message": {"type": "message", "ts": message_ts, "text": "finding", "blocks": []},
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0GD2SLCK/1/abc",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "triage",
                "text": {"type": "plain_text", "text": "Archive", "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{NOW}.000200",
            }
        ],
    }


def view_submission(view: dict[str, Any], values: dict[str, Any], *, user: str = ALICE) -> dict:
    """Slack's ``view_submission`` for a modal it opened (``view`` as the stand-in holds it)."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": TEAM},
        "api_app_id": APP,
        "token": "verification-token-unused",
        "trigger_id": "1796000001.456.def",
        "view": {
            **{k: v for k, v in view.items() if k != "user"},
            "state": {"values": values},
            "hash": "1796000001.abc",
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


class Harness:
    """One interactions function with its real clients; ``stub_gd``/``stub_lambda`` are
    activated Stubbers (no expected call: any call to them fails the test)."""

    def __init__(self, server: SlackWebApiServer, detector: str, **settings: str) -> None:
        self.server, self.ws = server, server.workspace
        self.detector = detector
        self.dynamodb = boto3.client("dynamodb")
        self.gd_client = boto3.client("guardduty")
        self.lambda_client = boto3.client("lambda")
        self.clock = VirtualClock()
        self.pacer = Pacer(clock=self.clock)
        self.app_secret = json.dumps(
            {"bot_token": self.ws.bot_token, "channels": {"default": ALERTS}}
        )
        self.secrets = {SIGNING_ID: SECRET, APP_SECRET_ID: self.app_secret}
        allow = json.dumps({"archive": [ALICE, ONCALL], "feedback": [ALICE, ONCALL],
                            "snooze": [ALICE], "suppress": [ALICE]})  # fmt: skip
        self.config = load_config(
            {
                "SLACK_WEBHOOKS_SECRET_ID": APP_SECRET_ID,
                "STATE_TABLE": TABLE,
                "SLACK_SIGNING_SECRET_ID": SIGNING_ID,
                "SLACK_TEAM_ID": TEAM,
                "SLACK_APP_ID": APP,
                "GUARDDUTY_DETECTOR_ID": detector,
                "TRIAGE_ALLOW": allow,
                **settings,
            }
        )
        self.table = self.config.state_table or TABLE  # STATE_TABLE in ``settings`` names it
        self.target = Target(FINDING, detector, "us-east-1")
        # Every call either client is asked to make, before the Stubber answers or refuses it.
        self.gd_calls: list[str] = []
        self.lambda_calls: list[str] = []
        self.invoked: list[dict[str, Any]] = []
        self.gd_client.meta.events.register("provide-client-params", self._record(self.gd_calls))
        self.lambda_client.meta.events.register(
            "provide-client-params", self._record(self.lambda_calls)
        )
        self.stub_gd = Stubber(self.gd_client)
        self.stub_lambda = Stubber(self.lambda_client)
        self.stub_gd.activate()
        self.stub_lambda.activate()
        self.interactions = self.make()

    def _record(self, calls: list[str]) -> Any:
        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            calls.append(model.name)
            if model.name == "Invoke":
                self.invoked.append(json.loads(params["Payload"]))

        return record

    def slack_client(self, token: str) -> SlackAppClient:
        return SlackAppClient(
            token,
            base_url=self.server.base_url,
            clock=self.clock,
            sleep=self.clock.sleep,
            pacer=self.pacer,
        )

    def make(self) -> Interactions:
        return Interactions(
            self.config,
            state=StateStore(self.table, self.dynamodb),
            guardduty=GuardDuty(self.detector, self.gd_client),
            deferrer=Deferrer(self.lambda_client, function_name=FUNCTION, version="$LATEST"),
            fetch_secret=self.secrets.__getitem__,
            app_client=self.slack_client,
            region="us-east-1",
            clock=self.clock,
            wall=lambda: float(NOW),
        )

    # -- the notifier's root --------------------------------------------------------------
    def event(self, **detail: Any) -> dict[str, Any]:
        arn = f"arn:aws:guardduty:us-east-1:123456789012:detector/{self.detector}/finding/{FINDING}"
        return minimal_event(FINDING, **{"arn": arn, **detail})

    def notify(self, *others: str, **detail: Any) -> Any:
        """Post the finding's root through the real notifier (with ``others``, more findings
        in the same batch: a digest beyond DIGEST_THRESHOLD); the last root posted."""
        notifier = Notifier(
            self.config,
            webhooks=WebhookDirectory(self.config, fetch_secret=self.secrets.__getitem__),
            state=StateStore(self.table, self.dynamodb),
            clock=self.clock,
            app_client=self.slack_client,
        )
        events = [self.event(**detail)] + [
            minimal_event(other, event_id=f"evt-{other}") for other in others
        ]
        records = [{"messageId": f"m{i}", "body": json.dumps(e)} for i, e in enumerate(events)]
        assert (
            notifier.handle({"Records": records}, LocalLambdaContext())["batchItemFailures"] == []
        )
        return self.roots()[-1]

    def roots(self) -> list[Any]:
        return [m for m in self.ws.visible(ALERTS) if not m.thread_ts]

    def replies(self, root: Any) -> list[Any]:
        return [m for m in self.ws.visible(ALERTS) if m.thread_ts == root.ts]

    def ephemerals(self) -> list[Any]:
        return [m for m in self.ws.messages[ALERTS] if m.ephemeral_to is not None]

    def item(self, finding_id: str = FINDING) -> dict[str, Any]:
        answer = self.dynamodb.get_item(
            TableName=self.table, Key={"pk": {"S": f"finding#{finding_id}"}}
        )
        item: dict[str, Any] = answer.get("Item", {})
        return item

    # -- requests ---------------------------------------------------------------------------
    def send(self, payload: dict[str, Any], **sign_args: Any) -> dict[str, Any]:
        body = form(payload)
        return self.handle(url_event(body, sign(body, **sign_args)))

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.interactions.handle(event, LocalLambdaContext())
        return result

    def press(self, action: TriageAction, **kwargs: Any) -> dict[str, Any]:
        value = kwargs.pop("value", self.target.encode())
        if "trigger" not in kwargs:
            kwargs["trigger"] = self.ws.trigger(kwargs.get("user", ALICE))
        return self.send(block_actions(action, value, **kwargs))

    def expect_invoke(self) -> None:
        self.stub_lambda.add_response(
            "invoke",
            {"StatusCode": 202},
            {"FunctionName": FUNCTION, "InvocationType": "Event", "Payload": ANY},
        )

    def expect_get_findings(self, detail: dict[str, Any] | None = None) -> None:
        finding = api_finding(detail or self.event()["detail"])
        self.stub_gd.add_response(
            "get_findings",
            {"Findings": [finding]},
            {"DetectorId": self.detector, "FindingIds": [FINDING]},
        )

    def run_deferred(self) -> dict[str, Any]:
        """Run the work path with the payload the request path invoked the function with."""
        (work,) = self.invoked
        self.invoked.clear()
        return self.handle(work)


def create_table(client: Any, table: str = TABLE) -> None:
    create_state_table(client, table)


def workspace() -> SlackWorkspace:
    ws = SlackWorkspace(limits={})
    ws.add_channel(ALERTS, "security-alerts", members=[ALICE, BOB, CAROL])
    ws.usergroups[ONCALL] = [BOB]
    return ws


def harness() -> Iterator[Harness]:
    """Used by the fixture in test modules (``with mock_aws()`` around it)."""
    with SlackWebApiServer(workspace()) as server:
        create_table(boto3.client("dynamodb"))
        detector = boto3.client("guardduty").create_detector(Enable=True)["DetectorId"]
        h = Harness(server, detector)
        yield h


def moto_after_get_findings(h: Harness) -> None:
    """GetFindings answered by the Stubber (moto lacks it), every later GuardDuty call by moto
    (CreateFilter, GetFilter): the Stubber steps aside once GetFindings has returned."""

    def step_aside(**_: Any) -> None:
        h.stub_gd.deactivate()

    h.gd_client.meta.events.register("after-call.guardduty.GetFindings", step_aside)
