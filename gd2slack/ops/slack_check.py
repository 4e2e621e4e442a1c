"""``slack-check``: is the stage's Slack app usable? From the token and channels in its secret:
``auth.test``, each route's channel exists, is not archived and has the bot as a member, and the
granted scopes cover slack/manifest.yml's. Problems are one line each with the fix; the token is
never printed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from app.adapters.destinations import DestinationError, SlackApp, is_app_secret, parse_app_secret
from app.constants import runtime_stack_name
from gd2slack.errors import CliError
from gd2slack.ops.aws import AwsClients, aws_call_errors

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"
SECRET_PARAMETER = "WebhookSecretArn"  # noqa: S105 (a parameter name)


def manifest_scopes(path: Path = MANIFEST) -> set[str]:
    """The bot scopes of the manifest (``oauth_config.scopes.bot``), read without a YAML parser."""
    scopes: set[str] = set()
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s+bot:\s*$", line):
            inside = True
        elif inside and (m := re.match(r"^\s+-\s+([a-z:._]+)\s*$", line)):
            scopes.add(m.group(1))
        elif inside and line.strip() and not line.lstrip().startswith("#"):
            inside = False
    return scopes


def stage_app(clients: AwsClients, stage: str, secret_id: str | None = None) -> SlackApp:
    """The stage's token and channels: its secret (from the runtime stack's parameter)."""
    if secret_id is None:
        stack = runtime_stack_name(stage)
        with aws_call_errors(f"reading stack {stack}"):
            stacks = clients.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
        params = {p["ParameterKey"]: p.get("ParameterValue") for p in stacks[0]["Parameters"]}
        secret_id = params.get(SECRET_PARAMETER)
        if not secret_id:
            raise CliError(f"stack {stack} has no {SECRET_PARAMETER} parameter")
    with aws_call_errors(f"reading secret {secret_id}"):
        text = clients.client("secretsmanager").get_secret_value(SecretId=secret_id)
    try:
        data = json.loads(text.get("SecretString") or "")
    except json.JSONDecodeError:
        data = None
    if not is_app_secret(data):
        raise CliError(
            f"secret {secret_id} holds webhooks, not a Slack app: store "
            '{"bot_token": "xoxb-…", "channels": {"default": "C…"}} (docs/slack-app.md)'
        )
    try:
        return parse_app_secret(data, secret_id)
    except DestinationError as err:
        raise CliError(str(err)) from None


def _error(call: Callable[[], Any]) -> tuple[Any, str]:
    from slack_sdk.errors import SlackApiError  # noqa: PLC0415

    try:
        return call(), ""
    except SlackApiError as err:
        data = err.response.data if isinstance(err.response.data, dict) else {}
        return None, str(data.get("error") or f"HTTP {err.response.status_code}")
    except OSError as err:
        return None, f"no answer ({type(err).__name__})"


def check(app: SlackApp, *, base_url: str | None = None, manifest: Path = MANIFEST) -> list[str]:
    """Every problem, one line each with its fix (empty: all good)."""
    from slack_sdk import WebClient  # noqa: PLC0415

    extra: dict[str, Any] = {"base_url": base_url} if base_url else {}
    web = WebClient(token=app.token, retry_handlers=[], **extra)
    auth, error = _error(web.auth_test)
    if error:
        return [
            f"token: auth.test answered {error}: store the app's Bot User OAuth Token (xoxb-…, "
            "Install App) in the secret, or reinstall the app"
        ]
    problems = []
    granted = set(
        str(auth.headers.get("X-OAuth-Scopes") or auth.headers.get("x-oauth-scopes") or "")
        .replace(" ", "")
        .split(",")
    ) - {""}
    missing = sorted(manifest_scopes(manifest) - granted)
    if missing:
        problems.append(
            f"scopes: the token lacks {', '.join(missing)}: reinstall the app from "
            "slack/manifest.yml (App Manifest → Save, then Install App → Reinstall)"
        )
    for route, channel in sorted(app.channels.items()):
        info, error = _error(partial(web.conversations_info, channel=channel))
        if error == "channel_not_found":
            problems.append(
                f"route {route}: channel {channel} not found (or private without the bot): check "
                "the id (channel details → About) and /invite @GuardDuty"
            )
        elif error:
            problems.append(f"route {route}: conversations.info on {channel} answered {error}")
        elif info["channel"].get("is_archived"):
            problems.append(
                f"route {route}: channel {channel} is archived: unarchive it or pick another"
            )
        elif not info["channel"].get("is_member"):
            name = info["channel"].get("name", channel)
            problems.append(
                f"route {route}: the bot is not in #{name} ({channel}): /invite @GuardDuty there"
            )
    return problems
