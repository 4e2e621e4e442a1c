"""A local stand-in for the Slack Web API (app mode, triage): ``SlackWorkspace`` answers methods
like ``slack.com/api/<method>`` with no HTTP of its own; ``SlackWebApiServer`` serves it on
127.0.0.1 for ``slack_sdk.WebClient(base_url=...)``. Behaviour and the Slack facts behind it:
docs/slack-app.md."""

from gd2slack.local.slack_web_api.model import (
    ACCEPT_THEN_CLOSE,
    BOT_SCOPES,
    DROP,
    INTERNAL_ERROR,
    NON_MARKETPLACE_READS,
    RESET,
    SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    SLACK_LIMITS,
    Fault,
    Limit,
    Message,
)
from gd2slack.local.slack_web_api.server import SlackWebApiServer, answer
from gd2slack.local.slack_web_api.workspace import SlackWorkspace

__all__ = [
    "ACCEPT_THEN_CLOSE",
    "BOT_SCOPES",
    "DROP",
    "INTERNAL_ERROR",
    "NON_MARKETPLACE_READS",
    "RESET",
    "SERVER_ERROR",
    "SERVICE_UNAVAILABLE",
    "SLACK_LIMITS",
    "Fault",
    "Limit",
    "Message",
    "SlackWebApiServer",
    "SlackWorkspace",
    "answer",
]
