"""``service.additionalInfo`` in both of GuardDuty's shapes: the API's ``{"value": "<JSON>",
"type": "default"}`` and EventBridge's plain keys; known keys readably, the rest generically,
hostile input bounded; threat intelligence from both shapes and from the evidence."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.core.finding import is_sample, parse_event
from app.render.details import MAX_ITEMS, actor_sections
from app.render.details.service.additional_info import MAX_JSON_CHARS, additional_info
from app.render.details.service.threat_intel import MAX_NAMES, threat_intel_names
from tests.unit.render.details.support import all_values, check_invariants, finding, section

FIXTURES = Path(__file__).parents[3] / "fixtures"
EVENTS = sorted((FIXTURES / "events").glob("*.json"))
EVENTBRIDGE_SHAPE = FIXTURES / "hostile" / "s3-policy-changed-eventbridge-shape.json"
INFO = "Additional information"
INTEL = "Threat intelligence"


def api_shape(info: dict[str, Any]) -> dict[str, Any]:
    return {"value": json.dumps(info), "type": "default"}


def shown(info: Any) -> dict[tuple[str, str], str]:
    """{(section title, label): value} of the actor sections of a finding with this info."""
    sections = actor_sections(finding(additionalInfo=info))
    check_invariants(sections)
    return {(s.title, i.label): i.value for s in sections for i in s.items}


# --- every known key, in both shapes -------------------------------------------------------

KNOWN: list[tuple[str, dict[str, Any], dict[tuple[str, str], str]]] = [
    ("threat list", {"threatListName": "ProofPoint"}, {(INTEL, "Threat lists"): "ProofPoint"}),
    ("threat name", {"threatName": "Scanner"}, {(INTEL, "Threat names"): "Scanner"}),
    (
        "block public access change",
        {
            "oldPolicy": {
                "blockPublicAcls": True,
                "ignorePublicAcls": True,
                "blockPublicPolicy": True,
                "restrictPublicBuckets": True,
            },
            "newPolicy": {
                "blockPublicAcls": False,
                "ignorePublicAcls": True,
                "blockPublicPolicy": False,
                "restrictPublicBuckets": True,
            },
        },
        {(INFO, "Policy change"): "blockPublicAcls: true → false, blockPublicPolicy: true → false"},
    ),
    (
        "password policy change",  # the retired Policy:IAMUser/PasswordPolicyChange
        {
            "oldPolicy": {"minimumPasswordLength": 14, "requireSymbols": True},
            "newPolicy": {"minimumPasswordLength": 6, "requireSymbols": True, "hardExpiry": False},
        },
        {(INFO, "Policy change"): "minimumPasswordLength: 14 → 6, hardExpiry: (none) → false"},
    ),
    (
        "new policy only",
        {"newPolicy": {"blockPublicAcls": False}},
        {(INFO, "Policy after"): "blockPublicAcls: false"},
    ),
    (
        "recent API calls",
        {
            "recentApiCalls": [
                {"count": 1, "api": "GetCallerIdentity"},
                {"count": 4, "api": "ListBuckets"},
                {"count": 2, "api": "DescribeInstances"},
            ]
        },
        {(INFO, "Recent API calls"): "ListBuckets ×4, DescribeInstances ×2, GetCallerIdentity ×1"},
    ),
    (
        "API calls with names and times",
        {
            "apiCalls": [
                {
                    "name": "StopLogging",
                    "count": 1,
                    "firstSeen": 1795600000,
                    "lastSeen": 1795600000,
                },
                {
                    "name": "DeleteTrail",
                    "count": 2,
                    "firstSeen": 1795600010,
                    "lastSeen": 1795600090,
                },
            ]
        },
        {(INFO, "API calls"): "DeleteTrail ×2, StopLogging ×1"},
    ),
    ("unusual ISP", {"unusual": {"isps": "17756"}}, {(INFO, "Unusual ISP"): "17756"}),
    (
        "unusual user agent, ASN and hour",
        {
            "unusual": {
                "userAgents": ["curl/8.4.0"],
                "asns": ["64496", "64511"],
                "hoursOfDay": [1795737600000],
            }
        },
        {
            (INFO, "Unusual user agent"): "curl/8.4.0",
            (INFO, "Unusual ASN"): "64496, 64511",
            (INFO, "Unusual hour of day"): "2026-11-27 00:00:00 UTC",
        },
    ),
    ("unusual port, bare", {"unusual": 22}, {(INFO, "Unusual"): "22"}),
    ("unusual protocol", {"unusualProtocol": "UDP"}, {(INFO, "Unusual protocol"): "UDP"}),
    (
        "ports scanned",
        {"portsScannedSample": [3389, 22, 80, 22, "443"]},
        {(INFO, "Ports scanned"): "22, 80, 443, 3389"},
    ),
    (
        "anomalous APIs by service",
        {
            "anomalies": {
                "anomalousAPIs": {
                    "iam.amazonaws.com": ["CreateAccessKey", "AttachUserPolicy"],
                    "s3.amazonaws.com": ["ListBuckets"],
                }
            }
        },
        {
            (INFO, "Unusual APIs"): (
                "iam.amazonaws.com: CreateAccessKey, AttachUserPolicy; "
                "s3.amazonaws.com: ListBuckets"
            )
        },
    ),
    (
        "anomalous APIs as GuardDuty's text",
        {"anomalies": {"anomalousAPIs": "redshift.amazonaws.com:[DescribeClusters:success]"}},
        {(INFO, "Unusual APIs"): "redshift.amazonaws.com:[DescribeClusters:success]"},
    ),
    (
        "profiled behaviour: what is usual",
        {
            "profiledBehavior": {
                "rareProfiledAPIsAccountProfiling": "",
                "frequentProfiledAPIsAccountProfiling": (
                    "DescribeInstances , ListBuckets , GetObject , PutObject"
                ),
                "rareProfiledAPIsUserIdentityProfiling": "DeleteBucket",
                "frequentProfiledASNsUserIdentityProfiling": "64496",
                "numberOfHistoricalDailyAvgAPIsUserIdentityProfiling": "12",
                "numberOfHistoricalDailyMaxAPIsUserIdentityProfiling": "40",
            }
        },
        {
            (
                INFO,
                "Usual APIs",
            ): "frequent: DescribeInstances, ListBuckets, GetObject (+1 more); rare: DeleteBucket",
            (INFO, "Usual ASNs"): "frequent: 64496",
            (INFO, "Usual daily API calls"): "avg 12, max 40",
        },
    ),
    (
        "unusual behaviour (S3 profiling)",
        {
            "unusualBehavior": {
                "isUnusualUserIdentity": "true",
                "unusualAPIsUserIdentityProfiling": "GetObject,ListObjects",
                "unusualASNsBucketProfiling": "64511",
                "numberOfPast24HoursAPIsBucketUserIdentityProfiling": "4120",
            }
        },
        {
            (INFO, "Unusual APIs"): "GetObject, ListObjects",
            (INFO, "Unusual ASNs"): "64511",
            (INFO, "Unusual user identity"): "yes",
            (INFO, "API calls in the last 24 h"): "4120",
        },
    ),
    ("domain", {"domain": "c2.example.net"}, {(INFO, "Domain"): "c2.example.net"}),
    (
        "user agent, full and category",
        {
            "userAgent": {
                "fullUserAgent": "Boto3/1.35.68 md/Botocore#1.35.68",
                "userAgentCategory": "Boto3",
            }
        },
        {(INFO, "User agent"): "Boto3/1.35.68 md/Botocore#1.35.68"},
    ),
    (
        "recent credentials",
        {
            "recentCredentials": [
                {
                    "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
                    "principalId": "AROAEXAMPLEID:i-0a1b2c3d",
                    "ipAddressV4": "198.51.100.9",
                }
            ]
        },
        {
            (INFO, "Recent credentials"): (
                "ASIAIOSFODNN7EXAMPLE from 198.51.100.9 (principal AROAEXAMPLEID:i-0a1b2c3d)"
            )
        },
    ),
    (
        "runtime agent",
        {"agentDetails": {"agentVersion": "1.8.1", "agentId": "eks-node-agent-cc5de1ba"}},
        {(INFO, "GuardDuty agent"): "eks-node-agent-cc5de1ba (version 1.8.1)"},
    ),
    ("unknown keys, generically", {"inBytes": 1200, "sample": False}, {(INFO, "In Bytes"): "1200"}),
]


@pytest.mark.parametrize(("info", "expected"), [c[1:] for c in KNOWN], ids=[c[0] for c in KNOWN])
@pytest.mark.parametrize("shape", ["eventbridge", "api", "both"])
def test_known_keys_render_the_same_in_either_shape(
    shape: str, info: dict[str, Any], expected: dict[tuple[str, str], str]
) -> None:
    wrapped = {"eventbridge": info, "api": api_shape(info), "both": {**info, **api_shape(info)}}
    assert shown(wrapped[shape]) == expected


def test_threat_intel_comes_from_both_shapes_and_the_evidence_each_name_once() -> None:
    detail = finding(
        evidence={
            "threatIntelligenceDetails": [
                {"threatListName": "ProofPoint", "threatNames": ["Scanner"]}
            ]
        },
        additionalInfo={
            "threatListName": "ProofPoint",
            "threatName": "Scanner",
            **api_shape({"threatListName": "acme-blocklist", "threatName": "Scanner"}),
        },
    )
    sections = actor_sections(detail)
    assert section(sections, INTEL) == {
        "Threat lists": "ProofPoint, acme-blocklist",
        "Threat names": "Scanner",
    }
    assert INFO not in [s.title for s in sections]  # nothing else to say
    assert threat_intel_names(detail) == ("ProofPoint", "acme-blocklist", "Scanner")


def test_the_two_shapes_merged_show_each_fact_once() -> None:
    calls = [{"api": "ListBuckets", "count": 4}, {"api": "GetCallerIdentity", "count": 1}]
    info = {
        "recentApiCalls": calls,
        "unusual": {"isps": "17756"},
        "domain": "a.example.com",
        **api_shape(
            {
                "recentApiCalls": [*calls, {"api": "ListBuckets", "count": 3}],
                "unusual": {"asns": "64496"},
                "domain": "b.example.com",
                "sample": False,
            }
        ),
    }
    assert shown(info) == {
        (INFO, "Recent API calls"): "ListBuckets ×4, GetCallerIdentity ×1",
        (INFO, "Unusual ISP"): "17756",
        (INFO, "Unusual ASN"): "64496",
        (INFO, "Domain"): "a.example.com, b.example.com",
    }
    merged = additional_info(info)
    assert merged["recentApiCalls"][:2] == calls and len(merged["recentApiCalls"]) == 3
    assert "value" not in merged


def test_api_lists_are_ranked_bounded_and_tolerant() -> None:
    calls = [{"api": f"Api{i}", "count": i} for i in range(1, 9)]
    calls += [{"name": "NoCount"}, "BareName", {"count": 99}, None]
    value = shown({"recentApiCalls": calls})[(INFO, "Recent API calls")]
    assert value == "Api8 ×8, Api7 ×7, Api6 ×6, Api5 ×5, Api4 ×4 (+5 more)"
    one = shown({"recentApiCalls": {"count": "1", "api": "ConsoleLogin"}})  # an object, count text
    assert one == {(INFO, "Recent API calls"): "ConsoleLogin ×1"}


def test_an_unchanged_policy_says_so_and_policies_in_strings_are_read() -> None:
    same = {"oldPolicy": {"blockPublicAcls": True}, "newPolicy": {"blockPublicAcls": True}}
    assert shown(same) == {(INFO, "Policy change"): "no setting changed"}
    texts = {"oldPolicy": '{"a": 1, "b": [1, 2]}', "newPolicy": '{"a": 2, "b": [1, 2]}'}
    assert shown(texts) == {(INFO, "Policy change"): "a: 1 → 2"}
    plain = {"oldPolicy": "private", "newPolicy": "public-read"}
    assert shown(plain) == {(INFO, "Policy change"): "private → public-read"}


def test_the_api_call_user_agent_is_not_repeated() -> None:
    agent = "aws-cli/2.22.9 md/command#s3api.put-public-access-block"
    detail = finding(
        action={"actionType": "AWS_API_CALL", "awsApiCallAction": {"api": "X", "userAgent": agent}},
        additionalInfo={"userAgent": {"fullUserAgent": agent, "userAgentCategory": "aws-cli"}},
    )
    sections = actor_sections(detail)
    assert section(sections, "AWS API call")["User agent"] == agent
    assert INFO not in [s.title for s in sections]


def test_a_value_that_is_not_a_json_object() -> None:
    assert shown({"value": "scanned 3 ports", "type": "default"}) == {
        (INFO, "Information"): "scanned 3 ports"
    }
    assert shown({"value": "[22, 80]", "type": "default"}) == {(INFO, "Value"): "22, 80"}
    assert shown({"value": "", "type": "default"}) == {}
    assert shown({"value": "{}", "type": "odd"}) == {(INFO, "Type"): "odd"}
    sections = actor_sections(finding(additionalInfo={"value": "not json", "type": "default"}))
    assert [i.prose for s in sections for i in s.items] == [True]  # free text, shown as text


# --- the fixtures --------------------------------------------------------------------------


def test_the_eventbridge_shape_fixture_shows_the_change_once() -> None:
    """Facts read from the fixture's JSON: three of four Block Public Access settings turned off,
    three recent calls; the same facts sit in plain keys and in ``value``."""
    event = json.loads(EVENTBRIDGE_SHAPE.read_text())
    sections = actor_sections(event["detail"])
    check_invariants(sections)
    assert section(sections, INFO) == {
        "Policy change": (
            "blockPublicAcls: true → false, ignorePublicAcls: true → false, "
            "restrictPublicBuckets: true → false"
        ),
        "Recent API calls": "GetBucketPolicy ×2, PutBucketPublicAccessBlock ×1, ListBuckets ×1",
    }
    assert all_values(sections).count("md/command#s3api.put-public-access-block") == 1
    assert parse_event(event).sample is False
    assert threat_intel_names(event["detail"]) == ()


def _eventbridge_shape(detail: dict[str, Any], keep_value: bool) -> dict[str, Any]:
    """The same finding with ``additionalInfo``'s JSON as plain keys (and ``value`` kept)."""
    converted = copy.deepcopy(detail)
    info = converted["service"]["additionalInfo"]
    plain = json.loads(info["value"])
    converted["service"]["additionalInfo"] = {**plain, **(info if keep_value else {})}
    return converted


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("keep_value", [False, True], ids=["plain keys", "both shapes"])
def test_every_realistic_fixture_reads_the_same_in_eventbridge_shape(
    path: Path, keep_value: bool
) -> None:
    event = json.loads(path.read_text())
    converted = {**event, "detail": _eventbridge_shape(event["detail"], keep_value)}
    assert actor_sections(converted["detail"]) == actor_sections(event["detail"])
    assert threat_intel_names(converted["detail"]) == threat_intel_names(event["detail"])
    assert parse_event(converted).sample is parse_event(event).sample


def test_fixture_threat_intel_names() -> None:
    def names(name: str) -> tuple[str, ...]:
        return threat_intel_names(json.loads((FIXTURES / "events" / name).read_text())["detail"])

    assert names("ec2-port-probe.json") == ("ProofPoint", "Scanner")
    assert names("china-ec2-tor-client.json") == ("TorNodes", "Tor Entry Node")
    assert names("iam-credential-exfiltration.json") == ()


# --- sample detection (app.core.finding.is_sample) -----------------------------------------


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"sample": True}, True),
        ({"sample": "True"}, True),
        ({"sample": True, "threatListName": "GeneratedFindingThreatListName"}, True),
        ([{"sample": True}], True),
        ({"value": '{"sample":true}', "type": "default"}, True),
        ({"value": '{"sample": true', "type": "default"}, True),  # broken JSON, still said
        ({"sample": False, "value": "{}"}, False),
        ({"value": "[" * 100_000 + "]" * 100_000}, False),
        ({"value": '{"sample": true, "n": ' + "9" * 5000 + "}"}, True),
        ({"value": '{"sample": true, "pad": "' + "x" * MAX_JSON_CHARS + '"}'}, False),
        ("sample", False),
        (None, False),
    ],
    ids=repr,
)
def test_is_sample_reads_both_shapes_and_never_raises(info: Any, expected: bool) -> None:
    assert is_sample({"additionalInfo": info}) is expected


# --- hostile -------------------------------------------------------------------------------

INJECTION = "<!channel> <@U012ABCDEF> <https://evil.example/|click> *b* `c` &amp;lt; \u202e"
HUGE = 10**5000  # past Python's 4300-digit str limit

HOSTILE: list[tuple[str, Any]] = [
    ("deep JSON brackets", {"value": "[" * 100_000 + "]" * 100_000}),
    ("50 deep objects", {"value": "{" * 50 + "}" * 50}),
    ("40 deep value", {"value": '{"a":' * 40 + "1" + "}" * 40}),
    (
        "huge integer in value",
        {"value": '{"recentApiCalls": [{"api": "X", "count": ' + "9" * 5000 + "}]}"},
    ),
    ("a megabyte of text", {"value": "x" * 1_000_000}),
    ("value a number, type a list", {"value": 42, "type": ["default"]}),
    ("value an object", {"value": {"threatListName": "direct object"}}),
    ("a list where an object goes", [{"threatListName": "a list where an object goes"}]),
    ("a string where an object goes", "a string where an object goes"),
    (
        "huge and odd counts",
        {"recentApiCalls": [{"api": "X", "count": HUGE}, {"api": ["A", "B"], "count": -1}]},
    ),
    (
        "20000 API calls",
        {"recentApiCalls": [{"api": f"Api{i}", "count": i} for i in range(20_000)]},
    ),
    ("odd ports", {"portsScannedSample": [HUGE, -1, 70_000, "x", None, {"port": 22}, [80]]}),
    ("policy list and huge int", {"oldPolicy": [1, 2], "newPolicy": {"a": HUGE}}),
    (
        "deep policies",
        {"oldPolicy": {"k": [[[[[]]]]]}, "newPolicy": {"k": {"deep": {"x": [1] * 10_000}}}},
    ),
    ("odd unusual list", {"unusual": [{"x": 1}, [], None, HUGE]}),
    ("5000 unusual keys", {"unusual": {f"key{i}": i for i in range(5_000)}}),
    ("100000 commas", {"profiledBehavior": {"rareProfiledAPIsAccountProfiling": "," * 100_000}}),
    (
        "600 services",
        {"anomalies": {"anomalousAPIs": {f"svc{i}": list(range(1000)) for i in range(600)}}},
    ),
    ("2000 unknown keys", {f"unknown{i}": {"nested": [i] * 3} for i in range(2_000)}),
    ("threat keys of odd types", {"threatListName": [["nested"]], "threatName": {"an": "object"}}),
]


def _deep(levels: int) -> Any:
    node: Any = "bottom"
    for _ in range(levels):
        node = {"d": [node]}
    return node


@pytest.mark.parametrize(
    "info",
    [*(v for _, v in HOSTILE), {"unusual": _deep(400)}],
    ids=[*(n for n, _ in HOSTILE), "400 deep plain key"],
)
def test_hostile_additional_info_never_raises_and_stays_bounded(info: Any) -> None:
    detail = finding(additionalInfo=info)
    sections = actor_sections(detail)
    check_invariants(sections)
    assert sum(len(i.value) for s in sections for i in s.items) < 60_000
    names = threat_intel_names(detail)
    assert isinstance(names, tuple) and len(names) <= MAX_NAMES
    assert all(isinstance(n, str) and n and len(n) <= 200 for n in names)
    assert isinstance(is_sample(detail["service"]), bool)


def test_injection_strings_stay_raw_values_under_our_labels() -> None:
    """Values are raw finding text (the renderer escapes them); labels are never finding text."""
    info = {
        "threatListName": INJECTION,
        "threatName": INJECTION,
        "domain": INJECTION,
        "unusualProtocol": INJECTION,
        "unusual": {"isps": INJECTION, INJECTION: INJECTION},
        "recentApiCalls": [{"api": INJECTION, "count": 2}],
        "oldPolicy": {INJECTION: True},
        "newPolicy": {INJECTION: False},
        "userAgent": INJECTION,
        INJECTION: INJECTION,
    }
    sections = actor_sections(finding(additionalInfo=info))
    check_invariants(sections)  # labels: [A-Za-z0-9 _./()-], at most 40
    values = section(sections, INFO)
    assert values["Domain"] == INJECTION.strip()
    assert values["Recent API calls"] == f"{INJECTION.strip()} ×2"
    assert values["Policy change"] == f"{INJECTION.strip()}: true → false"
    assert section(sections, INTEL)["Threat lists"] == INJECTION.strip()
    assert threat_intel_names(finding(additionalInfo=info)) == (INJECTION.strip(),)


def test_long_lists_and_many_keys_say_how_many_more() -> None:
    many = shown({"portsScannedSample": list(range(1, 31))})[(INFO, "Ports scanned")]
    assert many == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 (+20 more)"
    info = {f"field{i}": i for i in range(40)}
    items = next(s for s in actor_sections(finding(additionalInfo=info)) if s.title == INFO).items
    assert len(items) == MAX_ITEMS
    assert (items[-1].label, items[-1].value) == ("More fields", "+29 more")


@pytest.mark.parametrize("odd", [None, [], {}, "x", 42, {"service": None}, {"service": []}])
def test_threat_intel_names_of_odd_details(odd: Any) -> None:
    assert threat_intel_names(odd) == ()
