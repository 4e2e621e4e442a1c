"""What the interactions function tells operators: one ``triage refused`` line and a
``TriageRefused`` count (by ``reason``) per refusal, one ``triage`` audit line and a
``TriageAction`` count (by ``action`` and ``result``) per action tried."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from app.adapters.observability import DIMENSIONS, NAMESPACE, count_by, logger
from app.core.triage import TriageAction
from app.interactions.request import Refused


def refused(refusal: Refused, *, size: int) -> None:
    """Nothing from the request but its size, the reason and (verified requests only) our
    words for the detail."""
    extra: dict[str, Any] = {"reason": refusal.reason, "status": refusal.status, "size": size}
    if refusal.detail:
        extra["detail"] = refusal.detail
    logger.warning("triage refused", extra=extra)
    count_by("TriageRefused", "reason", refusal.reason)


def audit(action: TriageAction, user_id: str, finding_id: str, result: str, **extra: Any) -> None:
    """The audit line (who did what to which finding, and how it went) and its metric."""
    logger.info(
        "triage",
        extra={
            "user_id": user_id,
            "action": action.value,
            "finding_id": finding_id,
            "result": result,
            **extra,
        },
    )
    with single_metric(
        name="TriageAction",
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions=DIMENSIONS,
    ) as metric:
        metric.add_dimension(name="action", value=action.value)
        metric.add_dimension(name="result", value=result)
