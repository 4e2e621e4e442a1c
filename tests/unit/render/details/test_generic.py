"""The generic fallback: unknown resource and action kinds, bounded; labels made safe."""

from __future__ import annotations

from typing import Any

from app.render.details import (
    MAX_ITEMS,
    actor_sections,
    resource_sections,
    resource_summary,
    safe_label,
)
from tests.unit.render.details.support import check_invariants, finding, section


def test_unknown_resource_type_is_generic() -> None:
    detail = finding(
        {
            "resourceType": "QuantumComputer",
            "quantumComputerDetails": {
                "qpuId": "qpu-42",
                "location": {"siteName": "Lab <b>7</b> & co"},
                "qubits": [1, 2, 3],
                "<!channel> injected": "x",
            },
        }
    )
    sections = resource_sections(detail)
    generic = section(sections, "Resource details")
    assert generic["Quantum Computer Details Qpu Id"] == "qpu-42"
    assert generic["Location Site Name"] == "Lab <b>7</b> & co"  # raw: the renderer escapes
    assert generic["Quantum Computer Details Qubits"] == "1, 2, 3"
    assert generic["Quantum Computer Details Channel"] == "x"
    check_invariants(sections)
    assert resource_summary(detail) == "QuantumComputer"


def test_unknown_type_with_nothing_known_still_says_the_type() -> None:
    detail = finding({"resourceType": "Widget"})
    assert section(resource_sections(detail), "Resource") == {"Resource type": "Widget"}


def test_safe_label() -> None:
    assert safe_label("someKey") == "Some Key"
    assert safe_label("<@U123> *bold* `code`") == "U123 Bold Code"
    assert safe_label("") == "Field"
    assert safe_label("<>&") == "Field"
    assert len(safe_label("x" * 500)) == 40
    assert (
        safe_label("aVeryLongKeyThatGoesOnAndOnForeverAndEver")
        == "A Very Long Key That Goes On And On"
    )


def test_generic_fallback_is_bounded() -> None:
    unknown = {f"field{i}": f"value-{i}" for i in range(300)}
    detail = finding({"resourceType": "Thing", "thingDetails": unknown})
    generic = section(resource_sections(detail), "Resource details")
    assert len(generic) == MAX_ITEMS
    assert generic["More fields"] == f"+{300 - (MAX_ITEMS - 1)} more"


def test_unknown_action_type_is_generic() -> None:
    detail = finding(
        action={
            "actionType": "TELEPATHY",
            "telepathyAction": {"thoughtCount": 3, "target": {"brainId": "b-1"}},
        }
    )
    generic = section(actor_sections(detail), "Action details")
    assert generic["Telepathy Action Thought Count"] == "3"
    assert generic["Target Brain Id"] == "b-1"


def test_action_type_with_empty_action_object() -> None:
    detail = finding(action={"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {}})
    assert section(actor_sections(detail), "Action") == {"Action type": "NETWORK_CONNECTION"}


def test_deep_nesting_in_unknown_keys_is_bounded() -> None:
    deep: dict[str, Any] = {"leaf": "bottom"}
    for _ in range(500):
        deep = {"level": deep}
    detail = finding({"resourceType": "Thing", "thingDetails": deep}, action={"x": deep})
    check_invariants(resource_sections(detail))
    check_invariants(actor_sections(detail))


def test_self_referencing_object_is_bounded() -> None:
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    detail = finding({"resourceType": "Thing", "thingDetails": loop})
    check_invariants(resource_sections(detail))
