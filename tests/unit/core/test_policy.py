"""Screening and routing (docs/architecture.md#screening-and-routing): stateless, before any I/O."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from app.config import DEFAULT_ROUTE, Config, RouteRule, parse_routes
from app.core.finding import Finding, parse_event
from app.core.policy import CANARY_ROUTE, WANTED, Verdict, matches_any, route_for, screen
from app.core.severity import Band
from tests.conftest import minimal_event

ADMIN = "111111111111"
MEMBER = "222222222222"


def finding(**overrides: Any) -> Finding:
    """A member account's finding as the administrator's EventBridge bus delivers it."""
    event = minimal_event(severity=5.0, finding_type="Recon:EC2/PortProbeUnprotectedPort")
    event["account"] = ADMIN
    event["detail"]["accountId"] = MEMBER
    event["region"] = event["detail"]["region"] = "eu-west-1"
    return replace(parse_event(event), **overrides)


def canary() -> Finding:
    return finding(type="Canary:Gd2Slack/Smoke", score=0.0, sample=True)


# --- screen -----------------------------------------------------------------------------------


def test_an_ordinary_finding_is_wanted() -> None:
    assert screen(finding(), Config()) == Verdict(True, None) == WANTED


def test_a_canary_skips_every_filter() -> None:
    strict = Config(
        min_score=9.0, sample_mode="skip", types_include=("Recon:*",), types_exclude=("*",)
    )
    assert screen(canary(), strict) == WANTED


@pytest.mark.parametrize(("mode", "wanted"), [("skip", False), ("notify", True)])
def test_samples_follow_sample_findings(mode: str, wanted: bool) -> None:
    verdict = screen(finding(sample=True), Config(sample_mode=mode))
    assert verdict == (WANTED if wanted else Verdict(False, "sample-skipped"))


def test_a_real_finding_is_not_skipped_as_a_sample() -> None:
    assert screen(finding(sample=False), Config(sample_mode="skip")) == WANTED


@pytest.mark.parametrize(("score", "wanted"), [(3.9, False), (4.0, True), (4.1, True)])
def test_min_severity_is_inclusive(score: float, wanted: bool) -> None:
    verdict = screen(finding(score=score), Config(min_score=4.0))
    assert verdict == (WANTED if wanted else Verdict(False, "below-threshold"))


def test_sample_skip_is_reported_before_the_threshold() -> None:
    config = Config(sample_mode="skip", min_score=9.0)
    assert screen(finding(sample=True, score=1.0), config).reason == "sample-skipped"


def test_threshold_is_reported_before_the_type_filters() -> None:
    config = Config(min_score=9.0, types_exclude=("Recon:*",))
    assert screen(finding(score=1.0), config).reason == "below-threshold"


@pytest.mark.parametrize(
    ("include", "wanted"),
    [(("Recon:EC2/*",), True), (("Backdoor:*", "*:EC2/Port*"), True), (("Backdoor:*",), False)],
)
def test_include_globs(include: tuple[str, ...], wanted: bool) -> None:
    verdict = screen(finding(), Config(types_include=include))
    assert verdict == (WANTED if wanted else Verdict(False, "filtered-type"))


@pytest.mark.parametrize(
    ("exclude", "wanted"),
    [(("Recon:EC2/*",), False), (("Backdoor:*", "*Probe*"), False), (("Backdoor:*",), True)],
)
def test_exclude_globs(exclude: tuple[str, ...], wanted: bool) -> None:
    verdict = screen(finding(), Config(types_exclude=exclude))
    assert verdict == (WANTED if wanted else Verdict(False, "filtered-type"))


def test_exclude_wins_over_include() -> None:
    config = Config(types_include=("Recon:*",), types_exclude=("*:EC2/PortProbe*",))
    assert screen(finding(), config) == Verdict(False, "filtered-type")


def test_globs_are_case_sensitive_like_guardduty_types() -> None:
    assert matches_any("Recon:EC2/PortProbeUnprotectedPort", ("Recon:EC2/*",))
    assert not matches_any("Recon:EC2/PortProbeUnprotectedPort", ("recon:ec2/*",))
    assert not matches_any("Recon:EC2/PortProbeUnprotectedPort", ())


# --- route_for --------------------------------------------------------------------------------


def test_no_rules_is_the_default_route() -> None:
    assert route_for(finding(), ()) == DEFAULT_ROUTE == "default"


def test_a_rule_without_criteria_matches_everything() -> None:
    assert route_for(finding(), (RouteRule("all"),)) == "all"


def test_canaries_always_go_to_the_canary_route() -> None:
    assert route_for(canary(), (RouteRule("all"),)) == CANARY_ROUTE == "canary"
    assert route_for(canary(), ()) == "canary"


def test_first_matching_rule_wins() -> None:
    rules = (RouteRule("high", min_score=7.0), RouteRule("rest"), RouteRule("never"))
    assert route_for(finding(score=8.0), rules) == "high"
    assert route_for(finding(score=5.0), rules) == "rest"


def test_routing_by_accounts_uses_the_member_account_not_the_administrator() -> None:
    # The envelope's `account` is the GuardDuty administrator; the finding belongs to
    # detail.accountId (docs/architecture.md#regions-and-accounts).
    member_rule = RouteRule("member-team", accounts=frozenset({MEMBER, "333333333333"}))
    admin_rule = RouteRule("admin-team", accounts=frozenset({ADMIN}))
    assert route_for(finding(), (admin_rule, member_rule)) == "member-team"
    assert route_for(finding(), (admin_rule,)) == DEFAULT_ROUTE


def test_routing_by_accounts_from_the_routes_setting() -> None:
    rules = parse_routes(json.dumps([{"match": {"accounts": MEMBER}, "route": "prod"}]))
    assert route_for(finding(), rules) == "prod"
    assert route_for(finding(account_id="444444444444"), rules) == DEFAULT_ROUTE


@pytest.mark.parametrize(("score", "route"), [(6.9, DEFAULT_ROUTE), (7.0, "r"), (9.9, "r")])
def test_routing_by_min_severity_is_inclusive(score: float, route: str) -> None:
    assert route_for(finding(score=score), (RouteRule("r", min_score=7.0),)) == route


@pytest.mark.parametrize(("score", "route"), [(3.9, DEFAULT_ROUTE), (4.0, "r"), (9.0, "r")])
def test_routing_by_bands(score: float, route: str) -> None:
    rule = RouteRule("r", bands=frozenset({Band.MEDIUM, Band.CRITICAL}))
    assert route_for(finding(score=score), (rule,)) == route
    assert route_for(finding(score=7.5), (rule,)) == DEFAULT_ROUTE


def test_routing_by_type_globs() -> None:
    rules = (RouteRule("k8s", types=("*:Kubernetes/*",)), RouteRule("ec2", types=("*:EC2/*",)))
    assert route_for(finding(), rules) == "ec2"
    assert route_for(finding(type="Discovery:Kubernetes/MaliciousIPCaller"), rules) == "k8s"
    assert route_for(finding(type="Policy:S3/BucketPublic"), rules) == DEFAULT_ROUTE


def test_routing_by_regions() -> None:
    rule = RouteRule("eu", regions=frozenset({"eu-west-1", "eu-central-1"}))
    assert route_for(finding(), (rule,)) == "eu"
    assert route_for(finding(region="us-east-1"), (rule,)) == DEFAULT_ROUTE


@pytest.mark.parametrize(
    "miss",
    [
        {"min_score": 9.0},
        {"bands": frozenset({Band.HIGH})},
        {"accounts": frozenset({ADMIN})},
        {"types": ("Backdoor:*",)},
        {"regions": frozenset({"us-east-1"})},
    ],
)
def test_every_present_criterion_must_match(miss: dict[str, Any]) -> None:
    matching: dict[str, Any] = {
        "min_score": 4.0,
        "bands": frozenset({Band.MEDIUM}),
        "accounts": frozenset({MEMBER}),
        "types": ("Recon:*",),
        "regions": frozenset({"eu-west-1"}),
    }
    assert route_for(finding(), (RouteRule("r", **matching),)) == "r"
    assert route_for(finding(), (RouteRule("r", **{**matching, **miss}),)) == DEFAULT_ROUTE
