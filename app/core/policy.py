"""Decide, before any I/O: is this finding wanted at all, and which route does it go to?

Noise control against previous state (repeats, escalations) lives in ``app.core.noise``; this is the
stateless part: severity threshold, type globs, sample handling and routing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from app.config import DEFAULT_ROUTE, Config, RouteRule
from app.core.finding import Finding

CANARY_ROUTE = "canary"


@dataclass(frozen=True)
class Verdict:
    """``reason`` is set when the finding is filtered out; it becomes a log field and a metric."""

    wanted: bool
    reason: str | None = None


WANTED = Verdict(True)


def matches_any(finding_type: str, globs: tuple[str, ...]) -> bool:
    """Case-sensitive globs, as GuardDuty types are (``Recon:EC2/*``, ``*:Kubernetes/*``)."""
    return any(fnmatchcase(finding_type, pattern) for pattern in globs)


def screen(finding: Finding, config: Config) -> Verdict:
    """Stateless filters, in the order an operator would reason about them."""
    if finding.is_canary:
        return WANTED
    if finding.sample and config.sample_mode == "skip":
        return Verdict(False, "sample-skipped")
    if finding.score < config.min_score:
        return Verdict(False, "below-threshold")
    if config.types_include and not matches_any(finding.type, config.types_include):
        return Verdict(False, "filtered-type")
    if matches_any(finding.type, config.types_exclude):
        return Verdict(False, "filtered-type")
    return WANTED


def _rule_matches(rule: RouteRule, finding: Finding) -> bool:
    return (
        (rule.min_score is None or finding.score >= rule.min_score)
        and (rule.bands is None or finding.band in rule.bands)
        and (rule.accounts is None or finding.account_id in rule.accounts)
        and (rule.types is None or matches_any(finding.type, rule.types))
        and (rule.regions is None or finding.region in rule.regions)
    )


def route_for(finding: Finding, routes: tuple[RouteRule, ...]) -> str:
    """First matching rule wins; canaries always go to the ``canary`` route."""
    if finding.is_canary:
        return CANARY_ROUTE
    for rule in routes:
        if _rule_matches(rule, finding):
            return rule.route
    return DEFAULT_ROUTE
