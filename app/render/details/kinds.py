"""The rows of the registry, and the table form most builders take.

A module per AWS service declares ``KINDS``: a tuple of these rows, next to their builders.
``app.render.details.registry`` collects the modules; nothing else needs to know a kind exists.

* ``ResourceKind``: a member of ``resource`` (``instanceDetails`` …), the ``resourceType``
  values that name it, its section builder, its one-line summary and its companions (members
  shown right after it when the type names it, e.g. the EKS cluster's Kubernetes workload).
* ``ActionKind``: a member of ``service.action`` and the ``actionType`` that names it.
* ``Part``: any other object of the finding (malware scans, the process, threat intel …), read
  at a path from ``detail``, on the resource side (what was hit) or the actor side (who did it).

A builder gets its row's title and the member's value as it is (any JSON value). Most are a
table of ``(label, source)`` fields, made by ``fields``: a source is a key, read as text, or a
function of the member's object (``at`` and ``either`` make the usual ones).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.core.read import first_object
from app.render.details.model import Item, Sections, item, section
from app.render.details.read import first, join, named_line, text

Builder = Callable[[str, Any], Sections]  # (title, the member's raw value) → sections
Get = Callable[[Mapping[str, Any]], str]  # a fact of an object
Source = str | Get  # a key, read as text, or a function of the object
Summary = Callable[[Mapping[str, Any], Mapping[str, Any]], str]  # (member object, resource)
Side = Literal["resource", "actor"]


@dataclass(frozen=True)
class ResourceKind:
    """A member of ``resource``. When ``resourceType`` is one of ``resource_types`` its sections
    lead, then its companions'; otherwise they follow the malware scans and attack sequence.
    ``summary`` is its identity in one line, for digests, after the type (the finding's, else
    ``resource_types[0]``)."""

    member: str  # the key in ``resource``
    title: str  # the title of its (first) section
    build: Builder
    resource_types: tuple[str, ...] = ()
    summary: Summary | None = None
    companions: tuple[str, ...] = ()  # members shown right after it when its type is named

    def sections(self, resource: Mapping[str, Any]) -> Sections:
        return self.build(self.title, resource.get(self.member))


@dataclass(frozen=True)
class ActionKind:
    """A member of ``service.action``: first when ``actionType`` names it, else after that one."""

    member: str  # the key in ``service.action``
    action_type: str  # the ``actionType`` that names it
    title: str
    build: Builder

    def sections(self, action: Mapping[str, Any]) -> Sections:
        return self.build(self.title, action.get(self.member))


@dataclass(frozen=True)
class Part:
    """Any other object of the finding, at ``path`` from ``detail``, always shown on its side."""

    side: Side
    path: tuple[str, ...]  # from ``detail``; objects on the way, the last member as it is
    title: str
    build: Builder

    def sections(self, detail: Mapping[str, Any]) -> Sections:
        container = detail
        for key in self.path[:-1]:
            container = first_object(container.get(key))
        return self.build(self.title, container.get(self.path[-1]))


Kind = ResourceKind | ActionKind | Part


@dataclass(frozen=True)
class Field:
    """A row of a field table; ``(label, source)`` is the short form when it is not prose."""

    label: str
    source: Source
    prose: bool = False  # free text, shown as text rather than as a code span
    untrusted: bool = False  # attacker-controlled and linkable: defanged when shown


Spec = Field | tuple[str, Source]


def get(details: Mapping[str, Any], source: Source) -> str:
    return text(details.get(source)) if isinstance(source, str) else source(details)


def at(*path: str, read: Callable[[Any], str] = text) -> Get:
    """The member at ``path`` (objects on the way), read by ``read``."""

    def fact(details: Mapping[str, Any]) -> str:
        for key in path[:-1]:
            details = first_object(details.get(key))
        return read(details.get(path[-1]))

    return fact


def either(*keys: str) -> Get:
    """The text of the first of ``keys`` that has one (``name``, else ``arn``)."""
    return lambda details: first(details, *keys)


def joined(*keys: str, sep: str = ", ") -> Get:
    """The texts of ``keys`` that have one, distinct, joined (``engine version``)."""
    return lambda details: join(*(text(details.get(key)) for key in keys), sep=sep)


def prose(label: str, source: Source) -> Field:
    return Field(label, source, prose=True)


def untrusted(label: str, source: Source) -> Field:
    """A field the attacker side controls and Slack could turn into a link (a user agent, a
    command line, a request URI, a requested domain): shown defanged, never as an identifier."""
    return Field(label, source, untrusted=True)


def items(details: Mapping[str, Any], specs: tuple[Spec, ...]) -> list[Item]:
    """The items of ``specs`` read from ``details``, in order."""
    spec_fields = (s if isinstance(s, Field) else Field(*s) for s in specs)
    return [
        item(f.label, get(details, f.source), prose=f.prose, untrusted=f.untrusted)
        for f in spec_fields
    ]


def fields(*specs: Spec) -> Builder:
    """A builder of one section: ``specs`` read from the member as an object."""
    return lambda title, value: section(title, items(first_object(value), specs))


def line(ident: Source, name: Source | None = None) -> Summary:
    """A summary ``ident (name)`` read from the member's object."""
    return lambda details, _resource: named_line(
        get(details, ident), get(details, name) if name else ""
    )
