"""The pieces the interactions function adds to shared clients, against the local Slack and
botocore: SlackAppClient's triage methods (one attempt where a repeat could post twice or a
trigger is spent), the signing secret's two forms, the CreateFilter already-exists answer, a
failed deferral, and neither secret in any output."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from app.adapters.guardduty import GuardDuty
from app.adapters.pacing import Pacer
from app.adapters.slack import PermanentDeliveryError
from app.adapters.slack_app import SlackAppClient, Unanswered
from app.core.finding import parse_event
from app.core.suppress import suppress_filter
from app.core.triage import TriageAction
from app.interactions.verify import SigningSecretError, Verifier, parse_signing_secret
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_web_api import SERVER_ERROR, SlackWebApiServer
from tests.conftest import LogLines, load_event
from tests.unit.interactions.harness import (
    ALERTS,
    ALICE,
    BOB,
    ONCALL,
    SECRET,
    Harness,
    harness,
    workspace,
)
from tests.virtual_time import VirtualClock

VIEW = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Finding feedback"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi", "verbatim": True}}],
}


@pytest.fixture
def slack() -> Iterator[tuple[SlackWebApiServer, SlackAppClient]]:
    with SlackWebApiServer(workspace()) as server:
        clock = VirtualClock()
        client = SlackAppClient(
            server.workspace.bot_token,
            base_url=server.base_url,
            clock=clock,
            sleep=clock.sleep,
            pacer=Pacer(clock=clock),
        )
        yield server, client


def calls(server: SlackWebApiServer, method: str) -> int:
    return len([c for c in server.workspace.calls if c.method == method])


def test_open_view_opens_once_and_a_spent_trigger_is_permanent(
    slack: tuple[SlackWebApiServer, SlackAppClient],
) -> None:
    server, client = slack
    trigger = server.workspace.trigger(ALICE)
    client.open_view(trigger, VIEW, 1000.0 + 2.5)
    assert server.workspace.views[-1]["user"] == ALICE
    with pytest.raises(PermanentDeliveryError) as err:
        client.open_view(trigger, VIEW, 1000.0 + 2.5)
    assert err.value.slack_error == "exchanged_trigger_id"
    assert calls(server, "views.open") == 2  # not retried


def test_an_unanswered_views_open_is_not_repeated(
    slack: tuple[SlackWebApiServer, SlackAppClient],
) -> None:
    server, client = slack
    server.workspace.inject("views.open", SERVER_ERROR)
    with pytest.raises(Unanswered):
        client.open_view(server.workspace.trigger(ALICE), VIEW, 1000.0 + 2.5)
    assert calls(server, "views.open") == 1


def test_ephemeral_and_group_members(slack: tuple[SlackWebApiServer, SlackAppClient]) -> None:
    server, client = slack
    text = "You are not allowed to archive findings here."
    client.post_ephemeral(ALERTS, ALICE, text, 1003)
    (message,) = [m for m in server.workspace.messages[ALERTS] if m.ephemeral_to]
    assert (message.ephemeral_to, message.text) == (ALICE, text)
    with pytest.raises(PermanentDeliveryError) as err:
        client.post_ephemeral(ALERTS, "U0STRANGER", "x", 1003)
    assert err.value.slack_error == "user_not_in_channel"
    assert calls(server, "chat.postEphemeral") == 2
    assert client.group_members(ONCALL, 1003) == frozenset({BOB})
    with pytest.raises(PermanentDeliveryError):
        client.group_members("S0NOSUCH", 1003)


def test_the_signing_secret_as_text_or_json_and_never_shown() -> None:
    assert parse_signing_secret(f"  {SECRET}\n", "gd2slack/signing") == SECRET
    assert parse_signing_secret(json.dumps({"signing_secret": SECRET}), "s") == SECRET
    for bad in ("", "{not json", json.dumps({"secret": SECRET}), "two words"):
        with pytest.raises(SigningSecretError) as err:
            parse_signing_secret(bad, "gd2slack/signing")
        assert SECRET not in str(err.value) and "gd2slack/signing" in str(err.value)
    assert SECRET not in repr(Verifier(SECRET))


def test_create_filter_already_existing_means_it_is_in_place() -> None:
    client = boto3.client("guardduty", region_name="us-east-1")
    rule = suppress_filter(parse_event(load_event("ec2-port-probe.json")), include_account=False)
    with Stubber(client) as stub:
        stub.add_client_error(
            "create_filter",
            service_error_code="BadRequestException",
            service_message="The request is rejected because the filter already exists.",
            http_status_code=400,
            expected_params={
                "DetectorId": "d" * 32,
                "Name": rule.name,
                "Description": rule.description(),
                "Action": "ARCHIVE",
                "FindingCriteria": rule.criteria(),
                "ClientToken": rule.client_token,
            },
        )
        assert GuardDuty("d" * 32, client).create_filter(rule) is False
        stub.assert_no_pending_responses()


@pytest.fixture
def h() -> Iterator[Harness]:
    with mock_aws():
        yield from harness()


def test_a_failed_deferral_tells_the_user(h: Harness, handler_logs: LogLines) -> None:
    h.notify()
    h.stub_lambda.add_client_error("invoke", service_error_code="TooManyRequestsException")
    assert h.press(TriageAction.ARCHIVE)["statusCode"] == 200
    assert h.ephemerals()[-1].text == "Could not start that; try again."
    audits = [e for e in handler_logs.entries() if e["message"] == "triage"]
    assert audits[-1]["result"] == "not_deferred"


def test_no_secret_in_any_log_line_or_metric(
    h: Harness, handler_logs: LogLines, capsys: pytest.CaptureFixture[str]
) -> None:
    h.notify()
    h.expect_invoke()
    h.press(TriageAction.ARCHIVE)
    h.press(TriageAction.ARCHIVE, user="U0CAROL")
    h.expect_get_findings()
    ids = {"DetectorId": h.detector, "FindingIds": [h.target.finding_id]}
    h.stub_gd.add_response("archive_findings", {}, ids)
    h.run_deferred()
    out = capsys.readouterr().out + "\n".join(handler_logs.lines)
    assert out and SECRET not in out and h.ws.bot_token not in out


def test_the_package_entry_point_tells_the_shapes_apart() -> None:
    from app import interactions

    answer = interactions.lambda_handler({"detail": {}}, LocalLambdaContext())
    assert answer == {"error": "unrecognised event"}


def test_the_clients_slack_waits_on_time_out_within_its_three_seconds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """boto3's defaults (60 s read, several attempts) would outlast Slack's 3 s answer window."""
    from app.config import load_config
    from app.interactions.defer import Deferrer
    from app.interactions.handler import Interactions

    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    config = load_config(
        {
            "STATE_TABLE": "t",
            "SLACK_SIGNING_SECRET_ID": "s",
            "SLACK_TEAM_ID": "T0TEAM",
            "SLACK_APP_ID": "A0APP",
            "GUARDDUTY_DETECTOR_ID": "d" * 32,
        }
    )
    interactions = Interactions(config)
    clients = {
        "dynamodb": interactions.state.client,
        "guardduty": interactions.guardduty.client,
        "lambda": Deferrer(function_name="f").client,
    }
    for service, client in clients.items():
        meta = client.meta
        assert meta.service_model.service_name == service
        assert (meta.config.connect_timeout, meta.config.read_timeout) == (1, 2), service
        assert meta.config.retries["total_max_attempts"] == 2, service
