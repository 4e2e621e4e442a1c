"""Which webhook URL a route posts to: ``SLACK_WEBHOOK_URL`` or a Secrets Manager secret.

The secret holds a URL, or JSON ``{"default": URL, "<route>": URL}``, or (Slack app mode,
``app.adapters.destinations``) ``{"bot_token": "xoxb-…", "channels": {...}}``. It is fetched through
Powertools Parameters and cached for ``SECRET_MAX_AGE`` seconds, so a rotated webhook is picked
up within five minutes without a deploy, and a batch costs at most one Secrets Manager call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

from app.adapters.destinations import DestinationError, SlackApp, is_app_secret, parse_app_secret
from app.adapters.observability import logger, trace_aws_calls
from app.adapters.slack import validate_webhook_url
from app.config import DEFAULT_ROUTE, Config

SECRET_MAX_AGE = 300


class WebhookConfigError(Exception):
    """No usable webhook for a route; the message names what to set, never a URL."""


def _checked(url: str, where: str) -> str:
    try:
        return validate_webhook_url(url, where)
    except ValueError as err:
        raise WebhookConfigError(str(err)) from None


def fetch_secret_with_powertools(secret_id: str) -> str:
    """Cached Secrets Manager read (imported lazily: cold start pays only when used)."""
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415

    trace_aws_calls()
    value = parameters.get_secret(secret_id, max_age=SECRET_MAX_AGE)
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def parse_webhooks(secret_value: str, secret_id: str) -> dict[str, str]:
    """A bare URL means every route posts there; JSON maps route names to URLs."""
    text = secret_value.strip()
    if not text.startswith("{"):
        return {DEFAULT_ROUTE: _checked(text, f"secret {secret_id}")}
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise WebhookConfigError(
            f"secret {secret_id} starts like JSON but does not parse; store a URL or "
            '{"default": URL, "<route>": URL}'
        ) from None
    if not isinstance(data, Mapping) or not data:
        raise WebhookConfigError(f"secret {secret_id} must be a URL or a non-empty JSON object")
    if is_app_secret(data):
        raise WebhookConfigError(f"secret {secret_id} holds a Slack app token, not webhooks")
    urls = {}
    for route, url in data.items():
        if not isinstance(url, str):
            raise WebhookConfigError(f"secret {secret_id}: route {route!r} is not a string URL")
        urls[str(route)] = _checked(url, f"secret {secret_id} route {route!r}")
    return urls


class WebhookDirectory:
    """Resolves route names to URLs, reading the secret on demand (cached by Powertools)."""

    def __init__(
        self, config: Config, fetch_secret: Callable[[str], str] = fetch_secret_with_powertools
    ) -> None:
        self._config = config
        self._fetch_secret = fetch_secret
        self._warned: set[str] = set()

    def app(self) -> SlackApp | None:
        """Slack app mode's token and channels when the secret holds them, else None."""
        secret_id = self._config.webhooks_secret_id
        if self._config.webhook_url or not secret_id:
            return None
        text = self._fetch_secret(secret_id).strip()
        if not text.startswith("{"):
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return None  # parse_webhooks says what is wrong
        if not is_app_secret(data):
            return None
        try:
            return parse_app_secret(data, secret_id)
        except DestinationError as err:
            raise WebhookConfigError(str(err)) from None

    def _all(self) -> dict[str, str]:
        if self._config.webhook_url:
            return {DEFAULT_ROUTE: _checked(self._config.webhook_url, "SLACK_WEBHOOK_URL")}
        secret_id = self._config.webhooks_secret_id
        if not secret_id:
            raise WebhookConfigError(
                "no Slack webhook configured: set SLACK_WEBHOOKS_SECRET_ID (a Secrets Manager "
                "secret holding the URL or a JSON route map) or SLACK_WEBHOOK_URL"
            )
        return parse_webhooks(self._fetch_secret(secret_id), secret_id)

    def url_for(self, route: str, *, fall_back_to_default: bool = True) -> str | None:
        """The route's URL; unknown routes use ``default`` unless told not to (canaries)."""
        urls = self._all()
        if route in urls:
            return urls[route]
        if not fall_back_to_default:
            return None
        if DEFAULT_ROUTE in urls:
            if route not in self._warned:
                self._warned.add(route)
                logger.warning(
                    "route has no webhook of its own in the secret: posting to 'default'",
                    extra={"route": route},
                )
            return urls[DEFAULT_ROUTE]
        raise WebhookConfigError(
            f"no webhook for route {route!r} and no 'default' in the webhook secret: add one"
        )
