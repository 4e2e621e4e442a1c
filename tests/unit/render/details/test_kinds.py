"""The registry's rows read their member and hand it to their builder as it is; the field
tables' pieces (``get``, ``items``, ``fields``, ``line``) read exactly what they name."""

from __future__ import annotations

from typing import Any

from app.render.details.kinds import (
    ActionKind,
    Field,
    Part,
    ResourceKind,
    fields,
    get,
    items,
    joined,
    line,
    prose,
    untrusted,
)
from app.render.details.model import Detail, DetailSection


def _echo(title: str, value: Any) -> list[DetailSection]:
    """A builder that shows what it was given."""
    return [DetailSection(title, (Detail("Value", repr(value)),))]


def test_resource_kind_builds_its_member_as_it_is_under_its_title() -> None:
    kind = ResourceKind("fooDetails", "Foo", _echo)
    assert (kind.resource_types, kind.summary, kind.companions) == ((), None, ())
    assert kind.sections({"fooDetails": [1, "x"], "barDetails": 2}) == _echo("Foo", [1, "x"])
    assert kind.sections({}) == _echo("Foo", None)


def test_action_kind_builds_its_member_under_its_title() -> None:
    kind = ActionKind("dnsRequestAction", "DNS_REQUEST", "DNS request", _echo)
    assert kind.sections({"dnsRequestAction": {"domain": "d"}}) == _echo(
        "DNS request", {"domain": "d"}
    )
    assert kind.sections({"other": 1}) == _echo("DNS request", None)


def test_part_follows_objects_on_its_path_and_builds_the_last_member_as_it_is() -> None:
    part = Part("actor", ("service", "runtimeDetails", "process"), "Process", _echo)
    detail = {"service": {"runtimeDetails": {"process": ["p"], "context": 1}}}
    assert part.sections(detail) == _echo("Process", ["p"])
    # a list holding an object on the way is read as that object
    listed = {"service": [{"runtimeDetails": {"process": "q"}}]}
    assert part.sections(listed) == _echo("Process", "q")
    assert part.sections({"service": "text"}) == _echo("Process", None)
    assert part.sections({}) == _echo("Process", None)
    top = Part("resource", ("ebsVolumeScanDetails",), "Scan", _echo)
    assert top.sections({"ebsVolumeScanDetails": 5}) == _echo("Scan", 5)


def test_get_reads_a_key_as_text_or_calls_a_function() -> None:
    assert get({"k": 12, "l": ["a", "b"]}, "k") == "12"
    assert get({"l": ["a", "b", "a"]}, "l") == "a, b"
    assert get({"k": {"x": 1}}, "k") == ""
    assert get({"k": "v"}, lambda d: "fn " + d["k"]) == "fn v"


def test_items_reads_each_spec_in_order_keeping_its_marks_and_the_empty_ones_as_none() -> None:
    specs = (("A", "a"), Field("B", "b", prose=True), Field("C", "c", untrusted=True), ("D", "d"))
    assert items({"a": " x ", "b": "free", "c": "agent", "d": ""}, specs) == [
        Detail("A", "x"),
        Detail("B", "free", prose=True),
        Detail("C", "agent", untrusted=True),
        None,
    ]


def test_prose_and_untrusted_fields() -> None:
    assert prose("L", "k") == Field("L", "k", prose=True, untrusted=False)
    assert untrusted("L", "k") == Field("L", "k", prose=False, untrusted=True)


def test_fields_reads_a_list_holding_an_object_and_nothing_else() -> None:
    build = fields(("A", "a"))
    assert build("T", {"a": "x"}) == [DetailSection("T", (Detail("A", "x"),))]
    assert build("T", [{"a": "y"}, {"a": "z"}]) == [DetailSection("T", (Detail("A", "y"),))]
    assert build("T", None) == []


def test_joined_default_separator_is_comma_space() -> None:
    assert joined("a", "b")({"a": "x", "b": "y"}) == "x, y"
    assert joined("a", "b", sep="/")({"a": "x", "b": "y"}) == "x/y"


def test_line_without_name_reads_only_the_ident_and_ignores_the_resource() -> None:
    assert line("id")({"id": "i-1"}, {"id": "other"}) == "i-1"
    assert line("id", "name")({"name": "n"}, {"id": "i-9"}) == "n"
    assert line(lambda d: d["x"].upper(), "n")({"x": "ab", "n": "c"}, {}) == "AB (c)"
