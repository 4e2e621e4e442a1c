"""The interactions function: Slack's triage presses arrive on a function URL; slow work comes
back to this same function as an asynchronous invoke (docs/architecture.md#triage).

Request path, in this order, each step refusing quickly with one log line and a metric:
size cap → raw body → signature → replay (the signature, once) → parse → team and app →
action known → target is this detector in this region → authorized (else an ephemeral "not
allowed") → a modal opened now (trigger ids live 3 s), or the work deferred and 200 at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from app.adapters.guardduty import GuardDuty, GuardDutyFailure
from app.adapters.observability import aws_client, count, count_by, logger
from app.adapters.slack import DeliveryError
from app.adapters.slack_app import SlackAppClient
from app.adapters.state import StateStore, StateUnavailable
from app.adapters.webhooks import WebhookDirectory, fetch_secret_with_powertools
from app.config import Config, load_config
from app.core.suppress import SuppressRefused, suppress_options
from app.core.triage import Target, TriageAction, TriageValueError
from app.interactions.actions import Worker, look_up
from app.interactions.audit import audit, refused
from app.interactions.authorize import Authorizer, MembershipUnknown
from app.interactions.defer import WORK_KEY, DeferFailed, Deferrer, Work
from app.interactions.payload import LinkClick, Press, Submission, parse_interaction
from app.interactions.request import Refused, is_function_url_event, read_request
from app.interactions.verify import Verifier, parse_signing_secret
from app.render.triage import ModalContext, feedback_modal, not_allowed_text, suppress_modal

REQUEST_BUDGET: Final = 2.5  # seconds of Slack's 3 for everything up to our answer
WORK_SAFETY: Final = 2.0  # seconds kept at the end of a work invocation
FEEDBACK = frozenset({TriageAction.USEFUL, TriageAction.NOT_USEFUL})


def _http(status: int, body: str = "") -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "text/plain"}, "body": body}


def _remaining(context: Any) -> float:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return remaining() / 1000 if callable(remaining) else 30.0


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Interactions:
    """One warm container's clients and caches; every dependency injectable for tests."""

    def __init__(
        self,
        config: Config,
        *,
        state: StateStore | None = None,
        guardduty: GuardDuty | None = None,
        deferrer: Deferrer | None = None,
        fetch_secret: Callable[[str], str] = fetch_secret_with_powertools,
        app_client: Callable[[str], SlackAppClient] = SlackAppClient,
        region: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.fetch_secret, self.app_client = config, fetch_secret, app_client
        self._state, self._guardduty, self._deferrer = state, guardduty, deferrer
        self.region = region or os.environ.get("AWS_REGION", "")
        self.clock, self.wall = clock, wall
        self.authorizer = Authorizer(config.triage_allow, clock=clock)
        self._verifiers: dict[str, Verifier] = {}
        self._clients: dict[str, SlackAppClient] = {}

    @classmethod
    def from_environment(cls) -> Interactions:
        return cls(load_config(os.environ))

    # -- dependencies (made on first use) --------------------------------------------------
    @property
    def state(self) -> StateStore:
        if self._state is None:
            if not self.config.state_table:
                raise StateUnavailable("STATE_TABLE is not set: replays cannot be refused")
            self._state = StateStore(self.config.state_table, aws_client("dynamodb", quick=True))
        return self._state

    @property
    def guardduty(self) -> GuardDuty:
        if self._guardduty is None:
            self._guardduty = GuardDuty(self.config.detector_id or "")
        return self._guardduty

    @property
    def deferrer(self) -> Deferrer:
        if self._deferrer is None:
            self._deferrer = Deferrer()
        return self._deferrer

    def verifier(self) -> Verifier:
        secret_id = self.config.signing_secret_id or ""
        secret = parse_signing_secret(self.fetch_secret(secret_id), secret_id)
        key = _digest(secret)  # a rotated secret (Powertools re-reads it) gets a new verifier
        if key not in self._verifiers:
            self._verifiers = {key: Verifier(secret, wall=self.wall)}
        return self._verifiers[key]

    def slack(self) -> SlackAppClient | None:
        """The bot's client from the app-mode secret; ``None`` without a bot token."""
        app = WebhookDirectory(self.config, fetch_secret=self.fetch_secret).app()
        if app is None:
            return None
        key = _digest(app.token)
        if key not in self._clients:
            self._clients = {key: self.app_client(app.token)}
        return self._clients[key]

    # -- the two event shapes --------------------------------------------------------------
    def handle(self, event: Any, context: Any) -> dict[str, Any]:
        if isinstance(event, Mapping) and is_function_url_event(event):
            return self.request(event, context)
        if isinstance(event, Mapping) and WORK_KEY in event:
            return self.work(event[WORK_KEY], context)
        shape = sorted(str(k)[:40] for k in event)[:10] if isinstance(event, Mapping) else []
        logger.error(
            "interactions: neither a function URL request nor deferred triage work",
            extra={"event_type": type(event).__name__, "keys": shape},
        )
        return {"error": "unrecognised event"}

    def request(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        body = event.get("body")
        size = len(body) if isinstance(body, str) else 0
        deadline = self.clock() + min(REQUEST_BUDGET, max(_remaining(context) - 0.3, 0.5))
        try:
            request = read_request(event)
            if not self.config.triage_enabled:
                raise Refused("triage_off", 404)
            signature = self.verifier().verify(request)
            if not self.state.first_request(signature):
                raise Refused("replay", 401)
            interaction = parse_interaction(
                request.body,
                request.headers.get("content-type", ""),
                team_id=self.config.slack_team_id or "",
                app_id=self.config.slack_app_id or "",
            )
            if isinstance(interaction, LinkClick):
                return _http(200)
            self._check_target(interaction.target)
            return self._act(interaction, deadline)
        except Refused as refusal:
            refused(refusal, size=size)
            return _http(refusal.status)
        except Exception as err:  # never a crash: Slack sees a 500, we see what failed
            logger.error("interactions: request failed", extra={"error": type(err).__name__})
            count("TriageErrors")
            return _http(503 if isinstance(err, StateUnavailable) else 500)

    def _check_target(self, target: Target) -> None:
        if target.region != self.region or target.detector_id != self.config.detector_id:
            raise Refused(
                "another_detector", 403, "the target is another detector or another region"
            )

    # -- a verified, well-formed press or submission ---------------------------------------
    def _act(self, interaction: Press | Submission, deadline: float) -> dict[str, Any]:
        action, user = interaction.action, interaction.user_id
        channel = (
            interaction.channel if isinstance(interaction, Press) else interaction.context.channel
        )
        finding_id = interaction.target.finding_id
        client = self.slack()
        try:
            allowed = self.authorizer.allowed(
                action, user, lambda group: _members(client, group, deadline)
            )
        except MembershipUnknown as err:
            logger.error("triage: user groups unreadable", extra={"error": str(err)[:200]})
            self._ephemeral(
                client, channel, user, "Could not check your user groups; try again.", deadline
            )
            audit(action, user, finding_id, "membership_unknown")
            return _http(200)
        if not allowed:
            self._ephemeral(client, channel, user, not_allowed_text(action), deadline)
            audit(action, user, finding_id, "not_allowed")
            return _http(200)
        if isinstance(interaction, Press) and action in FEEDBACK | {TriageAction.SUPPRESS}:
            return self._open_modal(interaction, client, deadline)
        work = Work(
            action,
            interaction.target,
            user,
            channel,
            interaction.comment if isinstance(interaction, Submission) else "",
            interaction.include_account if isinstance(interaction, Submission) else False,
            int(self.wall()),
        )
        try:
            self.deferrer.defer(work)
        except DeferFailed as err:
            logger.error("triage: not deferred", extra={"error": str(err)[:200]})
            self._ephemeral(client, channel, user, "Could not start that; try again.", deadline)
            audit(action, user, finding_id, "not_deferred")
            return _http(200)
        logger.info("triage deferred", extra={"action": action.value, "finding_id": finding_id})
        return _http(200)

    def _open_modal(
        self, press: Press, client: SlackAppClient | None, deadline: float
    ) -> dict[str, Any]:
        context = ModalContext(press.target, press.action, press.channel, press.message_ts)
        try:
            if press.action is TriageAction.SUPPRESS:
                rule, account = suppress_options(look_up(self.guardduty, press.target.finding_id))
                view = suppress_modal(context, rule, account)
            else:
                view = feedback_modal(context)
        except (GuardDutyFailure, SuppressRefused) as err:
            text = f"Cannot suppress similar findings: {err}"
            self._ephemeral(client, press.channel, press.user_id, text, deadline)
            result = err.result if isinstance(err, GuardDutyFailure) else "refused"
            audit(press.action, press.user_id, press.target.finding_id, result, detail=str(err))
            return _http(200)
        try:
            if client is None:
                raise DeliveryError("no Slack bot token in the app-mode secret")
            client.open_view(press.trigger_id, view, deadline)
        except DeliveryError as err:
            logger.error("triage: modal not opened", extra={"error": str(err)[:200]})
            count("TriageModalFailed")
        return _http(200)

    def _ephemeral(
        self, client: SlackAppClient | None, channel: str, user: str, text: str, deadline: float
    ) -> None:
        if client is None:
            return
        try:
            client.post_ephemeral(channel, user, text, deadline)
        except DeliveryError as err:
            logger.warning("triage: ephemeral not sent", extra={"error": str(err)[:200]})

    # -- the work path ---------------------------------------------------------------------
    def work(self, data: Any, context: Any) -> dict[str, Any]:
        try:
            work = Work.from_event(data)
            self._check_target(work.target)
            canonical = json.dumps(work.to_event(), sort_keys=True)
            if not self.state.first_request("work:" + canonical):  # an async redelivery
                logger.warning("triage work already done", extra={"action": work.action.value})
                return {"result": "duplicate"}
        except (TriageValueError, Refused) as err:
            detail = err.detail if isinstance(err, Refused) else str(err)
            logger.error("triage work refused", extra={"detail": detail})
            count_by("TriageRefused", "reason", "bad_work")
            return {"result": "refused"}
        except Exception as err:
            logger.error("triage work failed", extra={"error": type(err).__name__})
            count("TriageErrors")
            return {"result": "error"}
        deadline = self.clock() + max(_remaining(context) - WORK_SAFETY, 1.0)
        worker = Worker(self.config, self.guardduty, self.state, self.slack, wall=self.wall)
        try:
            return {"result": worker.run(work, deadline)}
        except Exception as err:  # an async invoke that raises is retried: never raise
            logger.error("triage work failed", extra={"error": type(err).__name__})
            count("TriageErrors")
            return {"result": "error"}


def _members(client: SlackAppClient | None, group: str, deadline: float) -> frozenset[str]:
    if client is None:
        raise DeliveryError("no Slack bot token: user groups cannot be read")
    return client.group_members(group, deadline)
