"""Property: any finding the model allows (plus odd types) renders to a valid, inert payload,
and the handler never raises on it."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from hypothesis import HealthCheck, given, settings

from app.config import load_config
from app.core.finding import MalformedEvent, parse_event
from app.handler import Notifier
from app.render.message import render_digest, render_finding, render_parts
from app.render.mrkdwn import clean, unescape
from app.render.verdict import lead_facts
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from tests.finding_strategy import eventbridge_events
from tests.slack_checks import assert_valid_payload, text_objects

_DATE_TOKEN = re.compile(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>")
_OUR_LINK = re.compile(r"<https://[a-z0-9.-]*console[a-z0-9.-]*/guardduty/[^<>|]*\|open>")
PROPERTY_SETTINGS = settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(eventbridge_events())
def test_any_finding_renders_valid_and_inert(event: dict[str, Any]) -> None:
    try:
        finding = parse_event(event)
    except MalformedEvent:
        return  # e.g. an id made only of whitespace: rejected with a reason, not rendered
    payload = render_finding(finding, {"123456789012": "<!here> prod"}, "count 1 → 12")
    assert_valid_payload(payload)
    assert_valid_payload(render_digest([finding] * 7, "<!channel>"))
    for made in (payload, render_digest([finding] * 3, "<!here>")):
        text = _DATE_TOKEN.sub("", json.dumps(made, ensure_ascii=False))
        text = _OUR_LINK.sub("", text)
        for live in ("<!", "<@", "<#", "<http"):
            assert live not in text
        assert "\u2060" not in text


@PROPERTY_SETTINGS
@given(eventbridge_events())
def test_every_aws_identifier_shown_appears_verbatim(event: dict[str, Any]) -> None:
    """Type, finding id, account id and the resource's id, byte-exact (invisible and bidi
    characters aside, which no one typed), in the lead's text once Slack's three escapes are
    undone."""
    try:
        finding = parse_event(event)
    except MalformedEvent:
        return
    lead = render_parts(finding).lead
    shown = "\n".join(unescape(o["text"]) for o in text_objects(lead))
    facts = lead_facts(finding)
    for identifier in (finding.type, finding.id, finding.account_id, facts.resource_id):
        exact = clean(identifier)
        if exact and len(exact) <= 150:
            assert exact in shown, (exact, shown)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(eventbridge_events(depth=4))
def test_handler_never_raises_and_accounts_for_every_record(event: dict[str, Any]) -> None:
    with SlackReceiver() as slack:
        notifier = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
        body = _dumps(event)
        records = [
            {"messageId": "m1", "body": body},
            {"messageId": "m2", "body": _dumps(event["detail"])},
        ]
        result = notifier.handle({"Records": records}, LocalLambdaContext())
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        assert "m2" in failed  # a bare detail is not an EventBridge event
        accepted = slack.accepted()
        if not _decodable(body):  # a >4300-digit integer somewhere: that record fails alone
            assert "m1" in failed and not accepted
            return
        try:
            wanted = parse_event(event).score >= 1.0
        except MalformedEvent:
            assert "m1" in failed and not accepted
            return
        # Nothing lost: a wanted finding is either in Slack or reported as failed.
        assert len(accepted) == (1 if wanted and "m1" not in failed else 0)
        assert "m1" not in failed or wanted
        for payload in accepted:
            assert_valid_payload(payload)


def _dumps(value: Any) -> str:
    """JSON as a producer without Python's digit limit would write it (huge ints included)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value)
    finally:
        sys.set_int_max_str_digits(limit)


def _decodable(body: str) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True
