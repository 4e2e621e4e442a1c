"""The verdict line and the lead facts: what happened, to which resource, whose side it is on,
by whom and how often, composed from a finding's structured fields, never from its prose
(``title``, ``description``).

Pure: no I/O and no Slack formatting. Every piece is a ``Part`` whose trust says how the
renderer must show it (``app.render.parts``): identifiers are exactly as sent (so each can be
found, as written, in the finding), attacker-controlled link-capable text is ``untrusted``, our
own words are ``ours``. Nothing here escapes.

Layout: ``words`` (identifiers, the remote side, the span), ``resource`` (the resource phrase
per registry resource kind and attack sequence resources), ``action`` (a story per registry
action kind), ``service`` (malware scans, attack sequences, Runtime Monitoring).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.finding import Finding
from app.core.read import as_mapping, first_object, scalar
from app.render.parts import Part, Parts, Trust, ident, ours
from app.render.verdict.action import Context, Story, action_story, family_of
from app.render.verdict.resource import resource_identity
from app.render.verdict.service import (
    malware_story,
    process_parts,
    runtime_story,
    sequence_story,
)
from app.render.verdict.words import shown, span, word

__all__ = ["LeadFacts", "lead_facts", "verdict"]

_ROLES = {"TARGET": "target", "ACTOR": "source"}
_ROLE_VERBS = {"target": " is the target of ", "source": " is the source of ", "": ": "}


@dataclass(frozen=True)
class LeadFacts:
    resource: Parts  # ``Instance web-prod-03 (i-0abc123)``; () if none
    resource_id: str  # the resource's primary identifier verbatim, or ""
    role: str  # "target" | "source" | "" (``service.resourceRole`` TARGET / ACTOR)
    action: Parts  # our phrase for what happened; () if none
    actor: Parts  # the remote side: IP (organisation, country), API caller, user, process
    remote_ip: str  # verbatim, or ""
    span: Parts  # ``4× since 12 Jan 03:12 UTC``, ``once``; () if unknown
    account: Parts  # account id (and its friendly name when one is configured)
    region: str
    link: str = " from "  # our word joining action and actor in the verdict
    verb: str = ""  # our words joining resource and action, when the role's do not fit


def _story(finding: Finding, role: str, resource_is_key: bool) -> Story:
    detail = as_mapping(finding.detail)
    service = first_object(detail.get("service"))
    action = first_object(service.get("action"))
    resource = first_object(detail.get("resource"))
    family = family_of(finding.type)
    context = Context(family, role, resource, resource_is_key, action)
    for story in (
        sequence_story(detail),
        action_story(action, context),
        malware_story(detail),
        runtime_story(detail, family),
    ):
        if story.action:
            if not story.actor:  # e.g. a DNS query on a monitored host: the process asked
                process = process_parts(detail)
                if process:
                    return Story(story.action, process, story.remote_ip, " by ", story.verb)
            return story
    return Story()


def _account(account_id: str, account_names: Mapping[str, str] | None) -> Parts:
    if not account_id:
        return ()
    name = (account_names or {}).get(account_id, "")
    name = name.strip() if isinstance(name, str) else ""
    return (*shown(account_id), *((ours(" ("), ident(name), ours(")")) if name else ()))


def lead_facts(finding: Finding, account_names: Mapping[str, str] | None = None) -> LeadFacts:
    """The facts of the lead, each as parts of known trust (or verbatim text)."""
    detail = as_mapping(finding.detail)
    service = first_object(detail.get("service"))
    role = _ROLES.get(scalar(service.get("resourceRole")).upper(), "")
    resource, resource_id = resource_identity(detail)
    key_id = word(
        first_object(first_object(detail.get("resource")).get("accessKeyDetails")).get(
            "accessKeyId"
        )
    )
    story = _story(finding, role, bool(key_id) and resource_id == key_id)
    return LeadFacts(
        resource=resource,
        resource_id=resource_id,
        role=role,
        action=story.action,
        actor=story.actor,
        remote_ip=story.remote_ip,
        span=span(finding.count, finding.first_seen, finding.last_seen),
        account=_account(word(detail.get("accountId")), account_names),
        region=word(finding.region),
        link=story.link,
        verb=story.verb,
    )


def _capitalised(parts: Parts) -> Parts:
    head = parts[0]
    if head.trust is Trust.OURS and head.text:
        return (ours(head.text[:1].upper() + head.text[1:]), *parts[1:])
    return parts


def compose(facts: LeadFacts, finding_type: str) -> Parts:  # the type as sent, or ""
    """``resource`` ``is the target of`` ``action`` ``from`` ``actor`` `` · `` ``span``."""
    line: list[Part] = list(facts.resource)
    if facts.action:
        line += [ours(facts.verb or _ROLE_VERBS[facts.role])] if line else []
        line += facts.action
        line += [ours(facts.link), *facts.actor] if facts.actor else []
    else:
        named = shown(finding_type) or (ours("GuardDuty finding"),)
        line += [ours(": ")] if line else []
        line += named
    parts = _capitalised(tuple(line))
    return (*parts, ours(" · "), *facts.span) if facts.span else parts


def verdict(finding: Finding, account_names: Mapping[str, str] | None = None) -> Parts:
    """One line composed from structured fields, never from finding prose (title/description):
    the resource (name tag + id), its role (is the *target* of / is the *source* of), the
    action and the remote side, and the span. E.g. "Instance web-prod-03 (i-0abc123) is the
    source of TCP DoS traffic to 81.2.69.144 (Example Telecom, DE) · 4× since 12 Jan 03:12 UTC".
    Falls back gracefully ("Access key AKIA… (user john.doe) made API call ListBuckets from
    198.51.100.7 (…) · once") and never returns an empty tuple (at worst: the finding type)."""
    return compose(lead_facts(finding, account_names), word(as_mapping(finding.detail).get("type")))
