"""What was unusual and what is usual, from ``service.additionalInfo`` (``unusual``,
``unusualProtocol``, ``anomalies``, ``anomalousAPIs``, ``unusualBehavior``,
``profiledBehavior``), compactly: ``Unusual ISP: 17756``, ``Unusual APIs: iam.amazonaws.com:
CreateAccessKey, AttachUserPolicy``, ``Usual APIs: frequent: A, B, C (+17 more); rare: D``.

GuardDuty names the profiles ``{frequent|infrequent|rare}Profiled{APIs|ASNs|UserAgents|…}
{Account|UserIdentity|Bucket}Profiling`` and the unusual ones ``unusual{…}{…}Profiling``; the
scopes are merged (distinct names), the levels kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

from app.core.read import as_list, first_object, scalar
from app.render.details.generic import safe_label
from app.render.details.model import MAX_ITEMS, SCAN, Item, cut, item
from app.render.details.read import flag, listing, preview, text, when

_EMPTY: tuple[Any, ...] = (None, "", [], {})


def names(value: Any) -> list[Any]:
    """A list, or a comma-separated string (``"A , B,C"``) as its names."""
    if isinstance(value, str):
        return [name.strip() for name in value[:20_000].split(",")[:SCAN]]
    return as_list(value)[:SCAN]


def pairs(value: Mapping[str, Any], read: Callable[[Any], str] = text) -> str:
    """``key: value, …`` of an object's members that have a value."""
    found = [
        f"{cut(scalar(k), 100)}: {shown}"
        for k, v in islice(value.items(), SCAN)
        if (shown := read(v))
    ]
    return preview((found, max(len(value) - SCAN, 0)))


# ``unusual`` members and the like, by their key without case or a plural "s".
_WORDS = {
    "isp": "ISP",
    "asn": "ASN",
    "asnorg": "ASN organisation",
    "org": "organisation",
    "organization": "organisation",
    "useragent": "user agent",
    "username": "user name",
    "usertype": "user type",
    "protocol": "protocol",
    "port": "port",
    "hoursofday": "hour of day",
    "hourofday": "hour of day",
    "country": "country",
    "countrie": "country",
    "countryname": "country",
    "city": "city",
    "citie": "city",
    "cityname": "city",
    "api": "API",
    "bucket": "bucket",
    "ipaddress": "IP address",
    "ipaddressv4": "IP address",
}
# ``rareProfiledAPIsAccountProfiling``, ``unusualUserAgentsUserIdentityProfiling``, …
_PROFILED = re.compile(
    r"^(?P<level>frequent|infrequent|rare|unusual)(?:profiled)?"
    r"(?P<what>apis|asns|useragents|usernames|usertypes|buckets)[a-z]*profiling$",
    re.IGNORECASE,
)
_DIMENSIONS = {
    "apis": "APIs",
    "asns": "ASNs",
    "useragents": "user agents",
    "usernames": "user names",
    "usertypes": "user types",
    "buckets": "buckets",
}
_DAILY = re.compile(r"^numberofhistoricaldaily(?P<stat>avg|max)apis", re.IGNORECASE)
_PAST_DAY = re.compile(r"^numberofpast24hoursapis", re.IGNORECASE)


def _word(key: str) -> str:
    lowered = key.lower()
    return _WORDS.get(lowered) or _WORDS.get(lowered.removesuffix("s"), "")


def _shown(value: Any) -> str:
    """A scalar, a list or an object (``key: value, …``) as one line."""
    if isinstance(value, Mapping):
        return pairs(value)
    return listing(value, text) if isinstance(value, list) else text(value)


def _unusual_item(key: str, value: Any) -> Item:
    """``Unusual ISP: 17756``; hours of day are times; unknown keys get a sanitised label."""
    word = _word(key)
    label = f"Unusual {word}" if word else safe_label(f"unusual {key}")
    return item(label, listing(value, when) if word == "hour of day" else _shown(value))


def _unusual(value: Any) -> list[Item]:
    """``unusual``: an object of what was unusual, or one bare value (an unusual port …)."""
    if isinstance(value, Mapping):
        return [_unusual_item(scalar(k), v) for k, v in islice(value.items(), MAX_ITEMS)]
    return [item("Unusual", _shown(value))]


def _anomalous_apis(value: Any) -> str:
    """``{service: [api, …]}`` as ``service: api, api; …``; GuardDuty's text form as it is."""
    if isinstance(value, Mapping):
        per_service = [
            f"{cut(scalar(service), 100)}: {listing(names(apis), text)}"
            for service, apis in islice(value.items(), SCAN)
        ]
        return preview((per_service, max(len(value) - SCAN, 0)), 3, sep="; ")
    return text(value)


def _levels(members: Iterable[tuple[str, Any]], other: Callable[[str, Any], Item]) -> list[Item]:
    """Profiled (usual) and unusual names by dimension: ``Usual APIs: frequent: A, B; rare: C``."""
    usual: dict[str, dict[str, list[Any]]] = {}
    unusual: dict[str, list[Any]] = {}
    daily: dict[str, list[Any]] = {}
    past_day: list[Any] = []
    extra: list[Item] = []
    for key, value in members:
        if match := _PROFILED.match(key):
            level, what = match["level"].lower(), _DIMENSIONS[match["what"].lower()]
            found = names(value)
            if level == "unusual":
                unusual.setdefault(what, []).extend(found)
            else:
                usual.setdefault(what, {}).setdefault(level, []).extend(found)
        elif match := _DAILY.match(key):
            daily.setdefault(match["stat"].lower(), []).append(value)
        elif _PAST_DAY.match(key):
            past_day.append(value)
        elif key.lower() == "isunusualuseridentity":
            extra.append(item("Unusual user identity", flag(value)))
        elif key.lower() == "anomalousapis":
            extra.append(item("Unusual APIs", _anomalous_apis(value)))
        else:
            extra.append(other(key, value))
    items = [item(f"Unusual {what}", listing(found, text)) for what, found in unusual.items()]
    items += extra
    items.append(item("API calls in the last 24 h", listing(past_day, text)))
    for what, by_level in usual.items():
        levels = [
            f"{level}: {shown}"
            for level in ("frequent", "infrequent", "rare")
            if (shown := listing(by_level.get(level, []), text, 3))
        ]
        items.append(item(f"Usual {what}", "; ".join(levels)))
    stats = [f"{stat} {shown}" for stat, found in daily.items() if (shown := listing(found, text))]
    items.append(item("Usual daily API calls", ", ".join(stats)))
    return items


def behaviour_items(info: Mapping[str, Any]) -> list[Item]:
    """What was unusual (``unusual``, ``anomalies``, ``unusualBehavior``), then what is usual
    (``profiledBehavior``)."""
    items = _unusual(info["unusual"]) if info.get("unusual") not in _EMPTY else []
    items.append(item("Unusual protocol", text(info.get("unusualProtocol"))))
    items.append(item("Unusual APIs", _anomalous_apis(info.get("anomalousAPIs"))))
    for key in ("anomalies", "unusualBehavior", "profiledBehavior"):
        members = first_object(info.get(key))
        other = _usual_item if key == "profiledBehavior" else _unusual_item
        items += _levels(((scalar(k), v) for k, v in islice(members.items(), SCAN)), other)
    return items


def _usual_item(key: str, value: Any) -> Item:
    return item(safe_label(key), _shown(value))
