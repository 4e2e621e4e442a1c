"""Extended Threat Detection attack sequences (``service.detection.sequence``): the summary on
the resource side (description, MITRE tactics and techniques, signals, resources), the actors
and network endpoints on the actor side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import as_list, first_object, objects, scalar
from app.render.details.actions.network import asn
from app.render.details.generic import safe_label
from app.render.details.kinds import Part, Spec, at, fields, items
from app.render.details.model import SCAN, Item, Sections, item, section
from app.render.details.read import described, first, join, listing, members, scalars, text

_SEQUENCE = ("service", "detection", "sequence")

# Indicator keys of attack sequences and signals, as the model enumerates them.
_INDICATOR_LABELS: dict[str, str] = {
    "ATTACK_TACTIC": "MITRE tactics",
    "ATTACK_TECHNIQUE": "MITRE techniques",
    "HIGH_RISK_API": "High-risk APIs",
    "MALICIOUS_IP": "Malicious IPs",
    "TOR_IP": "Tor IPs",
    "MALICIOUS_DOMAIN": "Malicious domains",
    "MALICIOUS_PROCESS": "Malicious processes",
    "MALICIOUS_FILE": "Malicious files",
    "MALICIOUS_PACKAGE": "Malicious packages",
    "SUSPICIOUS_USER_AGENT": "Suspicious user agents",
    "SUSPICIOUS_NETWORK": "Suspicious networks",
    "SUSPICIOUS_PROCESS": "Suspicious processes",
    "CRYPTOMINING_IP": "Cryptomining IPs",
    "CRYPTOMINING_DOMAIN": "Cryptomining domains",
    "CRYPTOMINING_PROCESS": "Cryptomining processes",
    "UNUSUAL_API_FOR_ACCOUNT": "APIs unusual for the account",
    "UNUSUAL_ASN_FOR_ACCOUNT": "ASNs unusual for the account",
    "UNUSUAL_ASN_FOR_USER": "ASNs unusual for the user",
    "VULNERABILITY": "Vulnerabilities",
    "MISCONFIGURATION": "Misconfigurations",
    "REACHABILITY": "Reachability",
    "SENSITIVE_DATA": "Sensitive data",
}


def _indicator_items(indicators: list[Mapping[str, Any]]) -> list[Item]:
    """One item per indicator key (tactics and techniques first), values merged across entries."""
    merged: dict[str, list[Any]] = {}
    for indicator in indicators:
        key = scalar(indicator.get("key")).upper()
        if key:
            merged.setdefault(key, []).extend(as_list(indicator.get("values"))[:SCAN])
    order = list(_INDICATOR_LABELS)
    ranked = sorted(merged, key=lambda k: order.index(k) if k in order else len(order))
    return [
        item(
            _INDICATOR_LABELS.get(key) or safe_label(key.replace("_", " ").lower()),
            scalars(merged[key]),
        )
        for key in ranked
    ]


def _how_many(values: Any) -> str:
    number = len(as_list(values))
    return str(number) if number else ""


_SUMMARY: tuple[Spec, ...] = (
    ("Signals", at("signals", read=_how_many)),
    ("Signal types", at("signals", read=lambda signals: members(objects(signals), "type"))),
    (
        "Signal names",
        at("signals", read=lambda signals: members(objects(signals), "name", limit=3)),
    ),
    ("Resources", at("resources", read=_how_many)),
    ("Resource names", at("resources", read=lambda r: members(r, "name", "uid", limit=3))),
    ("Also matches", at("additionalSequenceTypes", read=scalars)),
)


def _sequence(title: str, value: Any) -> Sections:
    sequence = first_object(value)
    indicators = objects(sequence.get("sequenceIndicators")) or [
        i for s in objects(sequence.get("signals")) for i in objects(s.get("signalIndicators"))
    ]
    indicator_items = _indicator_items(indicators)
    return section(
        title,
        [
            item("Description", text(sequence.get("description")), prose=True),
            *indicator_items[:4],
            *items(sequence, _SUMMARY),
            *indicator_items[4:],
            item("Sequence ID", text(sequence.get("uid"))),
        ],
    )


def _actor(value: Any) -> str:
    """``name (type, account)``."""
    actor = first_object(value)
    user = first_object(actor.get("user"))
    name = first(user, "name", "uid") or text(actor.get("id"))
    return described(
        name, join(text(user.get("type")), text(first_object(user.get("account")).get("uid")))
    )


def _actor_process(actor: Any) -> str:
    process = first_object(first_object(actor).get("process"))
    return text(process.get("name")) or text(process.get("path"))


def _endpoint(value: Any) -> str:
    """``ip (ASn name, city, country, direction)``."""
    endpoint = first_object(value)
    where = first_object(endpoint.get("location"))
    system = first_object(endpoint.get("autonomousSystem"))
    number = asn(system.get("number"))
    facts = join(
        join(f"AS{number}" if number else "", text(system.get("name")), sep=" "),
        join(text(where.get("city")), text(where.get("country"))),
        text(first_object(endpoint.get("connection")).get("direction")).lower(),
    )
    return described(first(endpoint, "ip", "domain", "id"), facts)


def _sessions(sequence: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        first_object(first_object(a).get("session")) for a in as_list(sequence.get("actors"))[:SCAN]
    ]


KINDS = (
    Part("resource", _SEQUENCE, "Attack sequence", _sequence),
    Part(
        "actor",
        _SEQUENCE,
        "Attack sequence actors",
        fields(
            ("Actors", at("actors", read=lambda actors: listing(actors, _actor, 3))),
            ("Endpoints", at("endpoints", read=lambda endpoints: listing(endpoints, _endpoint, 3))),
            ("MFA", lambda sequence: members(_sessions(sequence), "mfaStatus")),
            ("Session issuers", lambda sequence: members(_sessions(sequence), "issuer", limit=3)),
            ("Processes", at("actors", read=lambda actors: listing(actors, _actor_process, 3))),
        ),
    ),
)
