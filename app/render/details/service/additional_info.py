"""``service.additionalInfo``, in both of GuardDuty's shapes, known keys readably, the rest
generically.

The API sends ``{"value": "<JSON in a string>", "type": "default"}``; many EventBridge events
carry the same facts as plain keys beside (or instead of) ``value``. ``additional_info`` merges
the two: the plain keys, then the members of ``value``'s JSON object (decoded only when at most
``MAX_JSON_CHARS`` long and ``MAX_JSON_DEPTH`` deep), a key in both shown once.

Known keys (from AWS's finding documentation, its EventBridge schema and public findings):
the threat keys (``threatListName``, ``threatName``: shown with the rest of the threat
intelligence, ``service/threat_intel.py``), a policy change (``oldPolicy`` → ``newPolicy``),
API lists (``recentApiCalls``, ``apiCalls``), unusual and usual behaviour (``unusual``,
``unusualProtocol``, ``unusualBehavior``, ``anomalies``, ``anomalousAPIs``,
``profiledBehavior``), ports (``portsScannedSample``, ``scannedPort``, ``localPort``,
``additionalScannedPorts``), ``domain``, ``userAgent``, ``recentCredentials`` and
``agentDetails``. ``sample`` is the message's header (``app.core.finding.is_sample``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from app.core.read import as_int, as_list, as_text, first_object, objects, scalar
from app.render.details.generic import generic_items, unknown
from app.render.details.kinds import Part
from app.render.details.model import (
    MAX_ITEMS,
    SCAN,
    Detail,
    Item,
    Sections,
    cut,
    distinct_items,
    item,
    section,
)
from app.render.details.read import listing, named_line, preview, text
from app.render.details.service.additional_behaviour import behaviour_items, pairs

MAX_JSON_CHARS = 100_000  # longer ``value`` text is shown as text, not decoded
MAX_JSON_DEPTH = 16  # GuardDuty's is 4 deep at most; deeper is shown as text
BRIEF_CHARS = 200  # one setting's value in a policy change
THREAT_KEYS = ("threatListName", "threatName")

_MISSING = object()


# --- reading both shapes -------------------------------------------------------------------


def decode(raw: str) -> Any:
    """JSON in a string, or ``None`` when it is too long, too deep or no JSON at all."""
    if len(raw) > MAX_JSON_CHARS:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # huge integers are a ValueError too
        return None
    return value if _within_depth(value) else None


def _within_depth(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return False
            stack += [
                (child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
            ]
    return True


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except RecursionError:
        return False


def _combine(plain: Any, decoded: Any) -> Any:
    """A key in both shapes: once when equal, objects merged, anything else listed together."""
    if _same(plain, decoded):
        return plain
    if isinstance(plain, Mapping) and isinstance(decoded, Mapping):
        return {**dict(islice(decoded.items(), SCAN)), **dict(islice(plain.items(), SCAN))}
    first = as_list(plain)[:SCAN]
    return [*first, *(e for e in as_list(decoded)[:SCAN] if not any(_same(e, f) for f in first))]


def additional_info(value: Any) -> dict[str, Any]:
    """Both shapes as one object: the plain keys, then the members of ``value``'s JSON object.
    A ``value`` that is no JSON object stays under ``value`` (text, or the JSON it holds)."""
    info = first_object(value)
    merged = {k: v for k, v in islice(info.items(), SCAN) if isinstance(k, str) and k != "value"}
    raw = info.get("value")
    decoded = decode(raw) if isinstance(raw, str) else raw
    if isinstance(decoded, Mapping):
        for key, member in islice(decoded.items(), SCAN):
            merged[key] = _combine(merged[key], member) if key in merged else member
    elif decoded is not None or (isinstance(raw, str) and raw.strip()):
        merged["value"] = raw if decoded is None else decoded
    return merged


# --- display -------------------------------------------------------------------------------


def _brief(value: Any) -> str:
    """A setting's value as JSON spells it (``true``, ``null``, ``[…]``), at most 200 chars."""
    if value is _MISSING:
        return "(none)"
    if value is None:
        return "null"
    if not isinstance(value, Mapping | list):
        return cut(as_text(value).strip() or '""', BRIEF_CHARS)
    try:
        shown = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (ValueError, RecursionError, TypeError):
        shown = "…"
    return cut(shown, BRIEF_CHARS)


def _policy(value: Any) -> Any:
    """A policy: an object, or JSON of one in a string."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        decoded = decode(value)
        return decoded if isinstance(decoded, Mapping) else value
    return value


def _policy_change(old: Any, new: Any) -> str:
    """``blockPublicAcls: true → false, …``: the settings that changed, before → after."""
    old, new = _policy(old), _policy(new)
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = dict.fromkeys([*islice(old, SCAN), *islice(new, SCAN)])
        changes = [
            f"{cut(scalar(key), 100)}: {_brief(old.get(key, _MISSING))} → "
            f"{_brief(new.get(key, _MISSING))}"
            for key in keys
            if not _same(old.get(key, _MISSING), new.get(key, _MISSING))
        ]
        unseen = max(len(old) - SCAN, 0) + max(len(new) - SCAN, 0)
        return preview((changes, unseen), MAX_ITEMS) or "no setting changed"
    return f"{_brief(old)} → {_brief(new)}"


def _settings(value: Any) -> str:
    value = _policy(value)
    return pairs(value, _brief) if isinstance(value, Mapping) else text(value)


def _api_calls(value: Any) -> str:
    """``ListBuckets ×4, GetCallerIdentity ×1``: by count, most first; "+N more". A call in
    both shapes (or twice) counts once, with its highest count."""
    counts: dict[str, int | None] = {}
    calls = as_list(value)
    for call in calls[:SCAN]:
        details = first_object(call)
        name = (text(details.get("api")) or text(details.get("name"))) if details else text(call)
        if name:
            number, before = as_int(details.get("count")), counts.get(name)
            counts[name] = (
                number if before is None else before if number is None else max(before, number)
            )
    ranked = sorted(counts.items(), key=lambda pair: -(pair[1] or 0))  # stable: ties in order
    shown = [f"{name} ×{number}" if number is not None else name for name, number in ranked]
    return preview((shown, max(len(calls) - SCAN, 0)))


def _port(element: Any) -> int | None:
    port = as_int(first_object(element).get("port") if isinstance(element, Mapping) else element)
    return port if port is not None and 0 <= port <= 65535 else None


def _ports(value: Any) -> str:
    """Ports in ascending order, "+N more"."""
    ports = as_list(value)
    numbers = {port for element in ports[:SCAN] if (port := _port(element)) is not None}
    return preview(([str(p) for p in sorted(numbers)], max(len(ports) - SCAN, 0)), 10)


def _user_agent(value: Any) -> str:
    """``full (category)``; the category alone when there is no full user agent."""
    if not isinstance(value, Mapping):
        return text(value)
    full, category = text(value.get("fullUserAgent")), text(value.get("userAgentCategory"))
    return full if category and full.startswith(category) else named_line(full, category)


def _credential(value: Any) -> str:
    details = first_object(value)
    key, ip = text(details.get("accessKeyId")), text(details.get("ipAddressV4"))
    principal = text(details.get("principalId"))
    used = f"{key} from {ip}" if key and ip else key or ip
    return f"{used} (principal {principal})" if used and principal else used or principal


def _agent(value: Any) -> str:
    details = first_object(value)
    ident, version = text(details.get("agentId")), text(details.get("agentVersion"))
    return named_line(ident, f"version {version}" if version else "")


# --- the section ---------------------------------------------------------------------------

_EMPTY: tuple[Any, ...] = (None, "", [], {})
KNOWN = (
    *THREAT_KEYS,
    "sample",
    "value",
    "oldPolicy",
    "newPolicy",
    "recentApiCalls",
    "apiCalls",
    "unusual",
    "unusualProtocol",
    "unusualBehavior",
    "anomalies",
    "anomalousAPIs",
    "profiledBehavior",
    "portsScannedSample",
    "scannedPort",
    "localPort",
    "additionalScannedPorts",
    "domain",
    "userAgent",
    "recentCredentials",
    "agentDetails",
)
_MORE = re.compile(r"^\+(\d+) more$")


def _policy_items(info: Mapping[str, Any]) -> list[Item]:
    old, new = info.get("oldPolicy"), info.get("newPolicy")
    if old not in _EMPTY and new not in _EMPTY:
        return [item("Policy change", _policy_change(old, new))]
    return [item("Policy before", _settings(old)), item("Policy after", _settings(new))]


def known_items(info: Mapping[str, Any], shown_user_agent: str = "") -> list[Item]:
    """The known keys of a merged ``additional_info``, most telling first (threat keys aside);
    the user agent only when it is not ``shown_user_agent`` (the API call's, shown already)."""
    get = info.get
    user_agent = _user_agent(get("userAgent"))
    return [
        *_policy_items(info),
        item("Recent API calls", _api_calls(get("recentApiCalls"))),
        item("API calls", _api_calls(get("apiCalls"))),
        *behaviour_items(info),
        item("Ports scanned", _ports(get("portsScannedSample"))),
        item("Scanned port", _ports(get("scannedPort"))),
        item("Other ports scanned", _ports(get("additionalScannedPorts"))),
        item("Local port", _ports(get("localPort"))),
        item("Domain", text(get("domain")), untrusted=True),
        item("User agent", "" if user_agent == shown_user_agent else user_agent, untrusted=True),
        item("Recent credentials", listing(objects(get("recentCredentials")), _credential)),
        item("GuardDuty agent", _agent(get("agentDetails"))),
    ]


def _value_items(raw: Any) -> list[Detail]:
    """A ``value`` that held no JSON object: its text, or the JSON it held, generically."""
    if raw in _EMPTY:
        return []
    if isinstance(raw, str):
        found = item("Information", raw, prose=True)
        return [found] if found else []
    return generic_items({"value": raw})


def _bounded(items: list[Detail]) -> list[Detail]:
    """At most ``MAX_ITEMS``; past that, one item says how many more (the generic's included)."""
    hidden = 0
    if items and items[-1].label == "More fields" and (more := _MORE.match(items[-1].value)):
        items, hidden = items[:-1], int(more[1])
    if len(items) + (1 if hidden else 0) > MAX_ITEMS:
        shown = items[: MAX_ITEMS - 1]
        items, hidden = shown, hidden + len(items) - len(shown)
    return [*items, Detail("More fields", f"+{hidden} more")] if hidden else items


def _additional_info(title: str, detail: Any) -> Sections:
    service = first_object(first_object(detail).get("service"))
    info = additional_info(service.get("additionalInfo"))
    call = first_object(first_object(service.get("action")).get("awsApiCallAction"))
    rest = {k: v for k, v in unknown(info, KNOWN).items() if v not in _EMPTY}
    if scalar(rest.get("type")).lower() == "default":  # the format of ``value``
        del rest["type"]
    known = known_items(info, text(call.get("userAgent")))
    items = distinct_items([*known, *_value_items(info.get("value"))])
    items += generic_items(rest) if rest else []
    return section(title, _bounded(items))


@dataclass(frozen=True)
class DetailPart(Part):
    """A ``Part`` whose builder gets the whole ``detail`` rather than the member at ``path``,
    to read beside it (the API call's user agent; the evidence beside ``additionalInfo``)."""

    def sections(self, detail: Mapping[str, Any]) -> Sections:
        return self.build(self.title, detail)


KINDS = (
    DetailPart("actor", ("service", "additionalInfo"), "Additional information", _additional_info),
)
