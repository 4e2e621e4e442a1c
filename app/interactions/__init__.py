"""The interactions function: Slack's triage buttons and modals, behind a Lambda
function URL; the image's second function runs ``app.interactions.lambda_handler``.

Configuration is read and validated at import (cold start), like the notifier's; clients are
made on first use. ``slack_sdk`` and the Lambda client load here only, never in the notifier.
"""

from __future__ import annotations

from typing import Any

from app.adapters.observability import logger, metrics, tracer
from app.interactions.handler import Interactions

INTERACTIONS = Interactions.from_environment()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return INTERACTIONS.handle(event, context)


__all__ = ["INTERACTIONS", "Interactions", "lambda_handler"]
