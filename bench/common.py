"""Shared bits: an environment without real AWS, a median, a realistic event."""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "gd2slack" / "local" / "samples" / "ec2-c2-dns.json"


def offline_aws() -> None:
    os.environ.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - never real
        POWERTOOLS_METRICS_NAMESPACE="GuardDutyToSlack",
        POWERTOOLS_LOG_LEVEL="WARNING",
        POWERTOOLS_METRICS_DISABLED="true",
    )


def sample_event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    return event


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000
