"""Powertools Logger, Tracer and Metrics, created once per process.

Tracing goes through Powertools' Tracer only (the AWS X-Ray SDK is in maintenance mode since
2026-02-25; a move to OpenTelemetry should touch this module and nothing else). Only botocore
is patched: patching ``requests`` would record the Slack webhook URL (a secret) in every trace.
botocore is patched when the first AWS client is made (``aws_client``), not at import: a
webhook-only configuration never loads botocore at cold start.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from app.constants import METRICS_NAMESPACE, SERVICE_NAME

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE_NAME)
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", METRICS_NAMESPACE)

# Every metric carries the stage, so dev's Slack errors never trip prod's rollback alarm.
DIMENSIONS = {"service": SERVICE} | (
    {"stage": os.environ["STAGE"]} if os.environ.get("STAGE") else {}
)

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE, auto_patch=False)
_botocore_traced = False
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
if "stage" in DIMENSIONS:
    metrics.set_default_dimensions(stage=DIMENSIONS["stage"])


def trace_aws_calls() -> None:
    """Patch botocore for X-Ray once, before the first AWS call (ours or Powertools')."""
    global _botocore_traced  # noqa: PLW0603 - once per process
    if not _botocore_traced:
        tracer.patch(["botocore"])
        _botocore_traced = True


def aws_client(service: str, region: str | None = None, *, quick: bool = False) -> Any:
    """A traced boto3 client (boto3 imported here: only configurations that call AWS pay).

    ``quick``: a 1 s connect and 2 s read timeout and two attempts, for a function that
    answers Slack within its 3 s (boto3's defaults wait up to a minute per attempt).
    """
    trace_aws_calls()
    import boto3  # noqa: PLC0415
    from botocore.config import Config  # noqa: PLC0415

    config = (
        Config(
            connect_timeout=1, read_timeout=2, retries={"total_max_attempts": 2, "mode": "standard"}
        )
        if quick
        else None
    )
    return boto3.client(service, region_name=region, config=config)


def count(name: str, value: float = 1) -> None:
    """A count on the invocation's metric set (flushed by ``log_metrics``)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_by(name: str, dimension: str, value: str) -> None:
    """A count split by one dimension (suppression reason, HTTP status): its own EMF blob."""
    with single_metric(
        name=name,
        unit=MetricUnit.Count,
        value=1,
        namespace=NAMESPACE,
        default_dimensions=DIMENSIONS,
    ) as metric:
        metric.add_dimension(name=dimension, value=value)


def latency(name: str, milliseconds: float) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Milliseconds, value=milliseconds)


@contextmanager
def subsegment(name: str, **annotations: str | int | bool) -> Iterator[Any]:
    """An X-Ray subsegment with annotations (no-op outside Lambda: Powertools disables it)."""
    with tracer.provider.in_subsegment(name) as segment:
        for key, value in annotations.items():
            segment.put_annotation(key, cast(Any, value))
        yield segment
