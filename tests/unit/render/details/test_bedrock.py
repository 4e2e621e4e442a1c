"""Bedrock: the guardrail and the models."""

from __future__ import annotations

from app.render.details import resource_sections
from app.render.details.resources import bedrock
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


# --- the filter and guardrail lines exactly (called directly) ---------------------------------


def test_a_content_filter_is_its_type_then_confidence_and_action() -> None:
    policy = {"type": "PROMPT_ATTACK", "confidence": "HIGH", "action": "BLOCKED"}
    assert bedrock._filter(policy) == "PROMPT_ATTACK (HIGH, BLOCKED)"
    assert bedrock._filter({"type": "HATE", "action": "BLOCKED"}) == "HATE (BLOCKED)"
    assert bedrock._filter({"type": "HATE", "confidence": "LOW"}) == "HATE (LOW)"
    assert bedrock._filter({"type": "HATE"}) == "HATE"
    assert bedrock._filter({"confidence": "HIGH", "action": "BLOCKED"}) == ""  # no type: nothing
    assert bedrock._filter([{"type": "HATE"}]) == "HATE"
    assert bedrock._filter(None) == ""


def test_a_guardrail_is_its_arn_then_v_version() -> None:
    arn = "arn:aws:bedrock:eu-west-1:123456789012:guardrail/gr-1"
    assert bedrock._guardrail({"arn": arn, "version": "3"}) == f"{arn} v3"
    assert bedrock._guardrail({"arn": arn}) == arn
    assert bedrock._guardrail({"version": 2}) == "2"
    assert bedrock._guardrail("x") == ""


def test_the_guardrail_section_in_field_order_and_its_summary() -> None:
    guardrail, models = bedrock.KINDS
    assert (guardrail.member, guardrail.title, guardrail.resource_types) == (
        "bedrockGuardrailDetails",
        "Bedrock guardrail",
        ("BedrockGuardrail",),
    )
    value = {
        "guardrails": [{"arn": "gr-a", "version": "1"}, {"arn": "gr-b"}],
        "contentPolicyFilters": [{"type": "HATE"}, {"type": "INSULTS", "action": "NONE"}],
        "guardrailSource": "OUTPUT",
        "guardrailAction": "NONE",
        "guardrailVersion": 4,
        "guardrailArn": "gr-a",
    }
    (sect,) = guardrail.build(guardrail.title, value)
    assert [(d.label, d.value) for d in sect.items] == [
        ("Guardrail", "gr-a"),
        ("Version", "4"),
        ("Action", "NONE"),
        ("Source", "OUTPUT"),
        ("Content filters", "HATE, INSULTS (NONE)"),
        ("Guardrails", "gr-a v1, gr-b"),
    ]
    assert guardrail.summary is not None
    assert guardrail.summary(value, {}) == "gr-a"
    assert models.member == "modelDetails"
    (listed,) = models.build(models.title, [{"modelId": "m-1"}, {"modelId": "m-2"}, {}])
    assert (listed.title, [(d.label, d.value) for d in listed.items]) == (
        "Bedrock models",
        [("Models", "m-1, m-2")],
    )
    assert models.build(models.title, []) == []
