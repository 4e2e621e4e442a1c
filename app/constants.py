"""Names shared by the function, the stacks, the pipeline and the CLI, in one place.

Pure and dependency-free: ``stack/``, ``pipeline/`` and ``gd2slack/`` import it without pulling
in anything the function does not need. A name that two packages must agree on lives here; one
that only a single module uses stays in that module.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

SERVICE_NAME: Final = "guardduty-to-slack"  # Powertools service, metric dimension, Project tag
METRICS_NAMESPACE: Final = "GuardDutyToSlack"
RESOURCE_PREFIX: Final = "gd2slack"  # stacks, roles, projects, the repository
STAGES: Final = ("dev", "prod")
PIPELINE_STACK_NAME: Final = f"{RESOURCE_PREFIX}-pipeline"

FINDING_SUBSEGMENT: Final = "## process_finding"  # one X-Ray subsegment per record; CLI reads it
CANARY_TYPE_PREFIX: Final = "Canary:Gd2Slack/"
CANARY_TYPE: Final = f"{CANARY_TYPE_PREFIX}SmokeTest"

# Commercial, GovCloud and ISO regions (us-east-1, us-gov-west-1, us-isob-east-1, eu-central-2).
REGION_PATTERN: Final = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")


def runtime_stack_name(stage: str) -> str:
    return f"{RESOURCE_PREFIX}-{stage}"


def valid_region(region: str) -> bool:
    return bool(REGION_PATTERN.match(region))


class Outcome(StrEnum):
    """What happened to one record: the log line's ``outcome``, the trace annotation, the
    handler's summary and ``gd2slack traces --outcome`` all use exactly these."""

    DELIVERED = "delivered"
    DIGESTED = "digested"
    RENDERED = "rendered"  # a canary with no canary route: rendered, not posted
    SUPPRESSED = "suppressed"
    FILTERED = "filtered"
    IGNORED = "ignored"  # an event that is not a finding (e.g. a CloudTrail call on GuardDuty)
    FAILED = "failed"

    @property
    def notified(self) -> bool:
        return self in (Outcome.DELIVERED, Outcome.DIGESTED)

    @property
    def quiet(self) -> bool:
        """Handled without a message: counted as suppressed in the summary and the metrics."""
        return self in (Outcome.SUPPRESSED, Outcome.FILTERED, Outcome.IGNORED)
