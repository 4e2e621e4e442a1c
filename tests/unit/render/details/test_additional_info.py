"""``service.additionalInfo``."""

from __future__ import annotations

from app.render.details import actor_sections
from tests.unit.render.details.support import check_invariants, finding


def test_sample_additional_info_adds_nothing() -> None:
    detail = finding(additionalInfo={"value": '{"sample":true}', "type": "default"})
    assert actor_sections(detail) == []


def test_deeply_nested_additional_info_json_does_not_raise() -> None:
    detail = finding(additionalInfo={"value": "[" * 100_000 + "]" * 100_000})
    check_invariants(actor_sections(detail))
