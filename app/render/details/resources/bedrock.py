"""Bedrock: the guardrail (``bedrockGuardrailDetails``) and the models (``modelDetails``)."""

from __future__ import annotations

from typing import Any

from app.core.read import first_object
from app.render.details.kinds import ResourceKind, at, fields, line
from app.render.details.model import item, section
from app.render.details.read import described, join, listing, members, text


def _filter(value: Any) -> str:
    """``type (confidence, action)``."""
    policy = first_object(value)
    facts = join(text(policy.get("confidence")), text(policy.get("action")))
    return described(text(policy.get("type")), facts)


def _guardrail(value: Any) -> str:
    guardrail = first_object(value)
    return join(text(guardrail.get("arn")), text(guardrail.get("version")), sep=" v")


KINDS = (
    ResourceKind(
        "bedrockGuardrailDetails",
        "Bedrock guardrail",
        fields(
            ("Guardrail", "guardrailArn"),
            ("Version", "guardrailVersion"),
            ("Action", "guardrailAction"),
            ("Source", "guardrailSource"),
            ("Content filters", at("contentPolicyFilters", read=lambda v: listing(v, _filter))),
            ("Guardrails", at("guardrails", read=lambda v: listing(v, _guardrail))),
        ),
        resource_types=("BedrockGuardrail",),
        summary=line("guardrailArn"),
    ),
    ResourceKind(
        "modelDetails",  # a list of models
        "Bedrock models",
        lambda title, value: section(title, [item("Models", members(value, "modelId"))]),
    ),
)
