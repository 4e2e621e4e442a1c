"""Odd and hostile input anywhere: never raises, always bounded, labels stay ours."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.render.details import actor_sections, resource_sections, resource_summary
from tests.unit.render.details.support import (
    check_invariants,
    finding,
    leaf_and_object_paths,
    model_finding,
    replace_at,
    section,
)

ODD_VALUES: list[Any] = [
    None,
    [],
    {},
    "",
    0,
    -1,
    3.5,
    True,
    "text",
    [None],
    [{}],
    [[]],
    {"x": None},
]


@pytest.mark.parametrize("odd", ODD_VALUES, ids=repr)
def test_odd_values_anywhere_never_raise(odd: Any) -> None:
    skeleton = model_finding()
    for path in leaf_and_object_paths(skeleton):
        detail = replace_at(skeleton, path, odd)
        check_invariants(resource_sections(detail))
        check_invariants(actor_sections(detail))
        assert isinstance(resource_summary(detail), str)


@pytest.mark.parametrize("odd", [*ODD_VALUES, "nonsense", 42])
def test_odd_top_level_never_raises(odd: Any) -> None:
    for detail in (odd, {"resource": odd, "service": odd}, {"service": {"action": odd}}):
        check_invariants(resource_sections(detail))
        check_invariants(actor_sections(detail))
        assert isinstance(resource_summary(detail), str)


def test_hundreds_of_tags_are_bounded() -> None:
    tags = [{"key": f"k{i}", "value": f"v{i}"} for i in range(300)]
    detail = finding(
        {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-1", "tags": tags}}
    )
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert ec2["Tags"] == "k0=v0, k1=v1, k2=v2, k3=v3, k4=v4 (+295 more)"


def test_tags_as_an_object_are_read_too() -> None:
    detail = finding(
        {"resourceType": "Lambda", "lambdaDetails": {"functionName": "f", "tags": {"env": "prod"}}}
    )
    assert section(resource_sections(detail), "Lambda function")["Tags"] == "env=prod"


def test_object_as_list_and_list_as_object() -> None:
    detail = finding(
        {
            "resourceType": "Instance",
            "instanceDetails": [
                {"instanceId": "i-0listed", "networkInterfaces": {"publicIp": "1.2.3.4"}}
            ],
        }
    )
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert ec2["Instance"] == "i-0listed"
    assert ec2["Public IPs"] == "1.2.3.4"


def test_enormous_values_are_capped_and_huge_ints_do_not_raise() -> None:
    detail = finding(
        {
            "resourceType": "Instance",
            "instanceDetails": {"instanceId": "i-" + "x" * 1_000_000, "instanceType": 10**5000},
        }
    )
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert len(ec2["Instance"]) <= 3000
    assert len(resource_summary(detail)) <= 200


def test_labels_never_carry_finding_text_outside_the_generic_fallback() -> None:
    hostile = "<!channel> <https://evil.example|click> *x* `y` & @here"
    skeleton = model_finding()
    for path in leaf_and_object_paths(skeleton):
        detail = replace_at(skeleton, path, hostile)
        for sect in [*resource_sections(detail), *actor_sections(detail)]:
            assert not set("<>&@*`|") & set(sect.title)
            for item in sect.items:
                assert not set("<>&@*`|") & set(item.label)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hypothesis_values_at_model_paths_never_raise(data: st.DataObject) -> None:
    skeleton = model_finding()
    paths = leaf_and_object_paths(skeleton)
    detail: Any = skeleton
    for _ in range(data.draw(st.integers(1, 6))):
        path = data.draw(st.sampled_from(paths))
        detail = replace_at(detail, path, data.draw(json_values))
    check_invariants(resource_sections(detail))
    check_invariants(actor_sections(detail))
    assert isinstance(resource_summary(detail), str)


@settings(max_examples=200, deadline=None)
@given(detail=json_values)
def test_hypothesis_arbitrary_json_never_raises(detail: Any) -> None:
    check_invariants(resource_sections(detail))
    check_invariants(actor_sections(detail))
    assert isinstance(resource_summary(detail), str)
