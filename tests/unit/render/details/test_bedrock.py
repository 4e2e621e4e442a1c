"""Bedrock: the guardrail and the models."""

from __future__ import annotations

from app.render.details import resource_sections
from tests.unit.render.details.support import finding, section


def test_bedrock_guardrail_and_models() -> None:
    detail = finding(
        {
            "resourceType": "BedrockGuardrail",
            "bedrockGuardrailDetails": {
                "guardrailArn": "arn:aws:bedrock:eu-west-1:123456789012:guardrail/gr-1",
                "guardrailVersion": "3",
                "guardrailAction": "GUARDRAIL_INTERVENED",
                "guardrailSource": "INPUT",
                "contentPolicyFilters": [
                    {"type": "PROMPT_ATTACK", "confidence": "HIGH", "action": "BLOCKED"}
                ],
            },
            "modelDetails": [{"modelId": "anthropic.claude-3-haiku-20240307-v1:0"}],
        }
    )
    sections = resource_sections(detail)
    guardrail = section(sections, "Bedrock guardrail")
    assert guardrail["Action"] == "GUARDRAIL_INTERVENED"
    assert guardrail["Content filters"] == "PROMPT_ATTACK (HIGH, BLOCKED)"
    assert section(sections, "Bedrock models")["Models"] == "anthropic.claude-3-haiku-20240307-v1:0"
