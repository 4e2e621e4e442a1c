"""Network actions: the connection (``networkConnectionAction``) and the port probe
(``portProbeAction``); and the remote side every action shares (IP, organisation, ASN, place)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core.read import as_int, as_list, first_object
from app.render.details.kinds import ActionKind, Get, Spec, at, fields, items
from app.render.details.model import Sections, section
from app.render.details.read import Found, distinct, flag, join, named, named_line, preview, text


def ip(value: Any) -> str:
    details = first_object(value)
    return text(details.get("ipAddressV4")) or text(details.get("ipAddressV6"))


def asn(value: Any) -> str:
    """GuardDuty sends ``-1`` (sometimes as a number) when it does not know the ASN."""
    number = as_int(value)
    if number is not None and number <= 0:
        return ""
    return text(value)


def port(value: Any) -> str:
    """``22 (SSH)``; GuardDuty's ``Unknown`` port name is left out."""
    if not isinstance(value, Mapping | list):
        return text(value)
    details = first_object(value)
    number, name = text(details.get("port")), text(details.get("portName"))
    if name.lower() in ("", "unknown"):
        return number
    return named_line(number, name)


def _organisation(value: Any) -> str:
    org = first_object(first_object(value).get("organization"))
    return join(text(org.get("org")), text(org.get("asnOrg")), text(org.get("isp")), sep=" / ")


def _location(value: Any) -> str:
    remote = first_object(value)
    country = remote.get("country")
    country_text = named(country, "countryName")
    if not country_text and isinstance(country, Mapping):
        country_text = text(country.get("countryCode"))
    return join(named(remote.get("city"), "cityName"), country_text)


def remote_fields(*path: str) -> tuple[Spec, ...]:
    """The remote side of an action, at ``path`` (usually ``remoteIpDetails``)."""
    return (
        ("Remote IP", at(*path, read=ip)),
        ("Organisation", at(*path, read=_organisation)),
        ("ASN", at(*path, "organization", "asn", read=asn)),
        ("Location", at(*path, read=_location)),
    )


_DIRECTIONS = {"INBOUND": "inbound", "OUTBOUND": "outbound"}

_CONNECTION: tuple[Spec, ...] = (
    *remote_fields("remoteIpDetails"),
    ("Remote port", at("remotePortDetails", read=port)),
    ("Local port", at("localPortDetails", read=port)),
    ("Protocol", "protocol"),
    ("Direction", at("connectionDirection", read=lambda d: "" if _direction(d) else text(d))),
    ("Blocked", at("blocked", read=flag)),
    ("Local IP", at("localIpDetails", read=ip)),
    ("Network interface", "localNetworkInterface"),
)


def _direction(value: Any) -> str:
    return _DIRECTIONS.get(text(value).upper(), "")


def _connection(title: str, value: Any) -> Sections:
    action = first_object(value)
    direction = _direction(action.get("connectionDirection"))
    return section(f"{title} ({direction})" if direction else title, items(action, _CONNECTION))


def _probes(read: Callable[[Any], str]) -> Get:
    """What the probes have in ``read``, when there is more than one distinct value."""

    def several(action: Mapping[str, Any]) -> str:
        found: Found = distinct(action.get("portProbeDetails"), lambda p: read(first_object(p)))
        return preview(found) if len(found[0]) + found[1] > 1 else ""

    return several


def _probe_count(action: Mapping[str, Any]) -> str:
    probes = len(as_list(action.get("portProbeDetails")))
    return str(probes) if probes > 1 else ""


KINDS = (
    ActionKind("networkConnectionAction", "NETWORK_CONNECTION", "Network connection", _connection),
    ActionKind(
        "portProbeAction",
        "PORT_PROBE",
        "Port probe",
        fields(
            *remote_fields("portProbeDetails", "remoteIpDetails"),
            ("Local port", at("portProbeDetails", "localPortDetails", read=port)),
            ("Probes", _probe_count),
            ("Remote IPs", _probes(lambda probe: ip(probe.get("remoteIpDetails")))),
            ("Local ports", _probes(lambda probe: port(probe.get("localPortDetails")))),
            ("Blocked", at("blocked", read=flag)),
            ("Local IP", at("portProbeDetails", "localIpDetails", read=ip)),
        ),
    ),
)
