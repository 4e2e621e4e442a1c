"""``make demo``'s triage press: the on-call user presses **Archive** on a root the real notifier
posted; the real interactions function (``app.interactions``) handles it end to end.

The request is what Slack would send, built from the root as the local Slack holds it (the
button's ``action_id`` and ``value`` from its blocks, a trigger id the workspace issued): a
``block_actions`` payload, form-encoded, signed as Slack signs (``v0=`` HMAC-SHA256 of
``v0:{ts}:{raw body}``), as a function URL event (payload format 2.0, base64 body). Lambda's
async self-invoke is botocore's ``Stubber`` on a real Lambda client (the exact request checked,
202 answered), and the recorded payload is then delivered to the same function, as Lambda
would. GuardDuty is a real boto3 client with a ``Stubber`` (moto has no GetFindings or
ArchiveFindings): GetFindings answers with the posted finding in the API's shape, and
ArchiveFindings is expected with this detector and this finding. Then the same body is
replayed, and a request signed with another secret is sent: both must be refused.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote_plus

from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_web_api import SlackWorkspace
from gd2slack.local.slack_web_api.model import Message

if TYPE_CHECKING:
    from app.interactions.handler import Interactions

REGION: Final = "us-east-1"
USER: Final = "U0ONCALL1"  # the demo user, in the on-call group
ONCALL: Final = "S0ONCALL"
SIGNING_ID: Final = "gd2slack/local/demo/signing"
FUNCTION: Final = "gd2slack-demo-interactions"
PRESSED_TYPE: Final = "Policy:S3/BucketBlockPublicAccessDisabled"  # intended: archive it


def pressed(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The sample whose root gets the press (a us-east-1 finding of this account's detector)."""
    return next(e for e in samples if e["detail"]["type"] == PRESSED_TYPE)


def detector_of(event: Mapping[str, Any]) -> str:
    return str(event["detail"]["arn"]).split(":detector/", 1)[1].split("/", 1)[0]


def triage_settings(ws: SlackWorkspace, detector: str) -> dict[str, str]:
    """The triage settings as the stack sets them (the stand-in's team and app ids)."""
    allow = {"archive": [ONCALL], "feedback": [ONCALL], "snooze": [ONCALL], "suppress": [ONCALL]}
    return {
        "SLACK_SIGNING_SECRET_ID": SIGNING_ID,
        "SLACK_TEAM_ID": ws.team_id,
        "SLACK_APP_ID": ws.app_id,
        "GUARDDUTY_DETECTOR_ID": detector,
        "TRIAGE_ALLOW": json.dumps(allow),
    }


def prepare(ws: SlackWorkspace, channel: str) -> str:
    """The on-call group with the demo user in it, the user in the channel; a fresh signing
    secret (generated, so none is written down here)."""
    ws.usergroups[ONCALL] = [USER]
    ws.channels[channel].members.add(USER)
    return secrets.token_hex(16)


# -- what Slack sends --------------------------------------------------------------------------
def sign(body: bytes, secret: str, timestamp: int) -> dict[str, str]:
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": str(timestamp), "x-slack-signature": f"v0={digest}"}


def url_event(body: bytes, headers: Mapping[str, str], now: int) -> dict[str, Any]:
    """A function URL event (payload format 2.0) with a base64 body, as AWS may deliver it."""
    host = "demo.lambda-url.us-east-1.on.aws"
    agent = "Slackbot 1.0 (+https://api.slack.com/robots)"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "host": host,
            "user-agent": agent,
            **headers,
        },
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/",
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.10",
                "userAgent": agent,
            },
            "domainName": host,
            "requestId": secrets.token_hex(8),
            "timeEpoch": now * 1000,
        },
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def button(root: Message, action_id: str) -> dict[str, Any]:
    for block in root.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id")}
    raise LookupError(f"no {action_id} button on the root {root.ts}")


def block_actions(ws: SlackWorkspace, root: Message, pressed_button: dict[str, Any]) -> bytes:
    """The form body Slack posts when ``USER`` presses ``pressed_button`` on ``root``."""
    team = {"id": ws.team_id, "domain": "gd2slack-local"}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": USER, "username": "oncall", "name": "oncall", "team_id": ws.team_id},
        "api_app_id": ws.app_id,
        "token": "verification-token-unused",
        "container": {
            "type": "message",
            "message_ts": root.ts,
            "channel_id": root.channel,
            "is_ephemeral": False,
        },
        "trigger_id": ws.trigger(USER),
        "team": team,
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": root.channel, "name": ws.channels[root.channel].name},
        "message": {"type": "message", "ts": root.ts, "text": root.text, "blocks": root.blocks},
        "state": {"values": {}},
        "response_url": f"https://hooks.slack.com/actions/{ws.team_id}/1/demo",
        "actions": [
            {
                "action_id": pressed_button["action_id"],
                "block_id": pressed_button["block_id"],
                "text": pressed_button["text"],
                "value": pressed_button["value"],
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return ("payload=" + quote_plus(json.dumps(payload))).encode()


def api_finding(detail: Mapping[str, Any]) -> dict[str, Any]:
    """The EventBridge detail (camelCase) in GetFindings' shape, by botocore's model."""
    import botocore.session  # noqa: PLC0415

    def shaped(value: Any, shape: Any) -> Any:
        if shape.type_name == "structure":
            return {
                member: shaped(value[inner.serialization.get("name", member)], inner)
                for member, inner in shape.members.items()
                if isinstance(value, dict) and inner.serialization.get("name", member) in value
            }
        if shape.type_name == "list":
            return [shaped(v, shape.member) for v in value]
        if shape.type_name == "map":
            return {k: shaped(v, shape.value) for k, v in value.items()}
        return float(value) if shape.type_name == "double" else value

    model = botocore.session.get_session().get_service_model("guardduty")
    result: dict[str, Any] = shaped(detail, model.shape_for("Finding"))
    return result


# -- the function's log lines ------------------------------------------------------------------
class _Collect(logging.Handler):
    def __init__(self, lines: list[dict[str, Any]]) -> None:
        super().__init__()
        self.lines = lines

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(ValueError):
            self.lines.append(json.loads(self.format(record)))


@contextlib.contextmanager
def function_logs(lines: list[dict[str, Any]]) -> Iterator[None]:
    """The function's INFO log lines (as JSON) collected instead of printed; metrics dropped."""
    from app.adapters.observability import logger  # noqa: PLC0415

    underlying = logging.getLogger(logger.name)
    collector = _Collect(lines)
    collector.setFormatter(logger.registered_formatter)
    handlers, level = underlying.handlers, logger.log_level
    underlying.handlers = [collector]
    logger.setLevel("INFO")
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # EMF metric lines
            yield
    finally:
        logger.setLevel(level)
        underlying.handlers = handlers


def readable(mrkdwn: str) -> str:
    """``<!date^…|fallback>`` as its fallback text, for the transcript."""
    return re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", mrkdwn)


def press_archive(
    ws: SlackWorkspace,
    root: Message,
    *,
    event: Mapping[str, Any],
    interactions_for: Callable[..., Interactions],
    signing_secret: str,
) -> tuple[list[str], int]:
    """Press Archive on ``root`` (``event`` is the finding it shows); the transcript lines and
    how many things went otherwise than Slack and GuardDuty would have them."""
    import boto3  # noqa: PLC0415
    from botocore.stub import ANY, Stubber  # noqa: PLC0415

    from app.adapters.guardduty import GuardDuty  # noqa: PLC0415
    from app.interactions.defer import Deferrer  # noqa: PLC0415

    detector, finding_id = detector_of(event), str(event["detail"]["id"])
    gd, lam = (boto3.client(name, region_name=REGION) for name in ("guardduty", "lambda"))
    invoked: list[bytes] = []
    lam.meta.events.register(
        "provide-client-params.lambda.Invoke", lambda params, **_: invoked.append(params["Payload"])
    )
    gd_stub, lambda_stub = Stubber(gd), Stubber(lam)
    lambda_stub.add_response(
        "invoke", {"StatusCode": 202},
        {"FunctionName": FUNCTION, "InvocationType": "Event", "Payload": ANY},
    )  # fmt: skip
    ids = {"DetectorId": detector, "FindingIds": [finding_id]}
    gd_stub.add_response("get_findings", {"Findings": [api_finding(event["detail"])]}, ids)
    gd_stub.add_response("archive_findings", {}, ids)
    interactions = interactions_for(
        guardduty=GuardDuty(detector, gd),
        deferrer=Deferrer(lam, function_name=FUNCTION, version="$LATEST"),
    )
    archive = button(root, "triage_archive")
    body = block_actions(ws, root, archive)
    now = int(time.time())
    request = url_event(body, sign(body, signing_secret, now), now)
    logs: list[dict[str, Any]] = []
    with gd_stub, lambda_stub, function_logs(logs):
        answer = interactions.handle(request, LocalLambdaContext())
        work = json.loads(invoked[0]) if invoked else {}
        done = interactions.handle(work, LocalLambdaContext()) if work else {}
        replay = interactions.handle(request, LocalLambdaContext())
        forged = url_event(body, sign(body, secrets.token_hex(16), now), now)
        wrong = interactions.handle(forged, LocalLambdaContext())
    problems = 0
    for stub in (gd_stub, lambda_stub):
        try:
            stub.assert_no_pending_responses()  # every expected call was made
        except AssertionError:
            problems += 1
    refusals = [e.get("reason", "?") for e in logs if e.get("message") == "triage refused"]
    first, second = [*refusals, "-", "-"][:2]
    audits = [e for e in logs if e.get("message") == "triage"]
    after = next(m for m in ws.visible(root.channel) if m.ts == root.ts)
    contexts = [e.get("text", "") for b in after.blocks or [] if b["type"] == "context"
                for e in b["elements"]]  # fmt: skip
    status = next((t.split(" · ")[0] for t in contexts if t.startswith("*Status:*")), "-")
    note = next((readable(t) for t in contexts if f"<@{USER}>" in t), "-")
    labels = [e["text"]["text"] for b in after.blocks or [] if b.get("block_id") == "triage"
              for e in b["elements"]]  # fmt: skip
    replies = [m for m in ws.visible(root.channel) if m.thread_ts == root.ts]
    triage = work.get("gd2slack_triage", {})
    channel = ws.channels[root.channel].name
    lines = [
        f"\nTriage: {USER} (user group {ONCALL}, allowed to archive) presses "
        f"{archive['text']['text']} on root {root.ts} in #{channel}",
        "  Slack's request: block_actions, signed v0 HMAC-SHA256, function URL event (base64 "
        f"body) → HTTP {answer['statusCode']}",
        f"  deferred: Lambda Invoke (Event) gd2slack_triage {triage.get('action', '-')} → the "
        f"work path: {done.get('result', '-')}",
        f"  GuardDuty (Stubber): GetFindings, then ArchiveFindings DetectorId={detector} "
        f"FindingIds=[{finding_id}]",
        f"  root now: {status.replace('*', '')}; {note}",
        f"  root's buttons now: {', '.join(labels)}",
        f"  thread reply: {readable(replies[-1].text) if replies else '-'}",
    ]
    for line in audits:
        lines.append(
            f"  audit: user {line.get('user_id')}, action {line.get('action')}, "
            f"finding {line.get('finding_id')}, result {line.get('result')}"
        )
    lines.append(f"  the same body replayed → HTTP {replay['statusCode']} ({first})")
    lines.append(f"  signed with another secret → HTTP {wrong['statusCode']} ({second})")
    expected = {
        "Slack got 200": answer["statusCode"] == 200,
        "the work was done": done.get("result") == "ok",
        "the root says so": note != "-" and labels[:1] == ["Unarchive"],
        "a thread reply": bool(replies) and f"<@{USER}>" in replies[-1].text,
        "one audit line": [(a.get("user_id"), a.get("result")) for a in audits] == [(USER, "ok")],
        "both refused": (replay["statusCode"], wrong["statusCode"]) == (401, 401)
        and refusals == ["replay", "bad_signature"],
    }
    missing = [what for what, held in expected.items() if not held]
    if missing or problems:
        lines.append(f"  NOT AS EXPECTED: {', '.join(missing) or 'a GuardDuty or Lambda call'}")
    problems += len(missing)
    return lines, problems
