"""Every checkov check the runtime stack skips, with the reason, in one place.

Each skip goes into the ``Metadata`` of the one resource it applies to, so a new resource never
inherits a skip it was not reviewed for.
"""

from __future__ import annotations

from typing import Final


def skip(*checks: tuple[str, str]) -> dict[str, object]:
    """checkov's inline-skip metadata: ``(check id, one-line reason)`` pairs."""
    return {"checkov": {"skip": [{"id": check, "comment": why} for check, why in checks]}}


FUNCTION: Final = skip(
    (
        "CKV_AWS_116",
        "Invoked only by the SQS mapping: failed records reach the queue's DLQ by redrive.",
    ),
    ("CKV_AWS_117", "No VPC: the function only calls Slack and public AWS APIs."),
    (
        "CKV_AWS_173",
        "Environment holds no secrets (the webhook is in Secrets Manager): AWS-owned key.",
    ),
)
QUEUE: Final = skip(
    (
        "CKV_AWS_27",
        "Encrypted with SSE-SQS: EventBridge cannot send to a queue on the aws/sqs KMS key.",
    ),
)
TABLE: Final = skip(
    ("CKV_AWS_119", "SSE with the AWS managed key: the table holds finding ids and counters."),
)
LOG_GROUP: Final = skip(
    (
        "CKV_AWS_158",
        "AWS-owned encryption: logs never carry the webhook URL "
        "(docs/architecture.md#secret-hygiene).",
    ),
)
# The interactions function (stack/interactions.py): public by design, verified in code.
INTERACTIONS_FUNCTION: Final = skip(
    (
        "CKV_AWS_116",
        "Invoked by its URL (synchronous) and by itself (asynchronous, no retries): a failed "
        "deferred action is reported in Slack by the code; a DLQ would hold nothing to redo.",
    ),
    ("CKV_AWS_117", "No VPC: the function only calls Slack and public AWS APIs."),
    (
        "CKV_AWS_173",
        "Environment holds no secrets (signing secret and token are in Secrets Manager).",
    ),
)
INTERACTIONS_URL: Final = skip(
    (
        "CKV_AWS_258",
        "Slack cannot sign with SigV4: AuthType NONE, and the function refuses every request "
        "without a valid, fresh Slack signature, team and app before any AWS call.",
    ),
)
