"""SnapStart: the restore hook makes every restored environment its own (fresh HTTP session,
claim owner id, random state, secret cache, pace); the hooks are no-ops off SnapStart."""

from __future__ import annotations

import json
import random

import boto3
from moto import mock_aws

from app.adapters.snapstart import runtime_hooks
from app.config import load_config
from app.handler import Notifier
from gd2slack.local.lambda_context import LocalLambdaContext
from gd2slack.local.slack_receiver import SlackReceiver
from tests.conftest import LogLines, minimal_event


def test_restore_hook_renews_everything_the_snapshot_would_share(slack: SlackReceiver) -> None:
    notifier = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
    session, environment = notifier.slack.session, notifier.environment_id
    notifier.handle(minimal_event(), LocalLambdaContext())  # a pooled connection exists now
    notifier.slack.pacer.reserve("webhook:x", 10)
    random.seed(1234)  # the state every restored environment would start from
    from_snapshot = random.random()
    random.seed(1234)

    notifier.after_restore()

    assert notifier.slack.session is not session
    assert not session.adapters["http://"].poolmanager.pools  # old connections closed
    assert notifier.environment_id != environment
    assert random.random() != from_snapshot  # reseeded from the OS, not the snapshot
    assert notifier.slack.pacer.reserve("webhook:x", 0) == 0  # pace from before is forgotten
    assert notifier.handle(minimal_event(event_id="e2"), LocalLambdaContext())["notified"] == 1


@mock_aws
def test_restore_hook_forgets_secrets_cached_before_the_snapshot() -> None:
    with SlackReceiver() as old, SlackReceiver() as new:
        secrets = boto3.client("secretsmanager")
        secrets.create_secret(Name="hooks", SecretString=json.dumps({"default": old.url()}))
        notifier = Notifier(load_config({"SLACK_WEBHOOKS_SECRET_ID": "hooks"}))
        notifier.handle(minimal_event(), LocalLambdaContext())  # cached for five minutes
        secrets.put_secret_value(SecretId="hooks", SecretString=json.dumps({"default": new.url()}))
        notifier.after_restore()
        notifier.handle(minimal_event(event_id="e2"), LocalLambdaContext())
        assert len(old.accepted()) == 1 and len(new.accepted()) == 1


def test_claim_owners_name_the_environment(slack: SlackReceiver) -> None:
    a = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
    b = Notifier(load_config({"SLACK_WEBHOOK_URL": slack.url()}))
    assert a.environment_id != b.environment_id


def test_hooks_are_no_ops_off_snapstart_and_loud_without_the_runtime_library(
    handler_logs: LogLines,
) -> None:
    def hook() -> None:
        return None

    after, before = runtime_hooks({"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"})
    assert after(hook) is hook and before(hook) is hook
    assert handler_logs.entries() == []
    after, _ = runtime_hooks({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"})
    assert after(hook) is hook  # snapshot_restore_py exists only in AWS's base images
    (line,) = handler_logs.entries()
    assert line["level"] == "ERROR" and "snapshot_restore_py" in line["message"]
