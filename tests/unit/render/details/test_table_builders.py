"""The builders' building blocks, called here directly: ``fields``, ``at``, ``either``,
``joined``, ``prose``, ``untrusted``, ``line``, and the shared field tables made by a function
(containers, the remote side of an action, the RDS login totals, port probes, S3 public access).

The services' ``KINDS`` tables call these once, at import; these tests build a table now and
read one object with it, so each fact is pinned: its label, where it is read from, in order."""

from __future__ import annotations

from typing import Any

from app.core.read import SCAN
from app.render.details.actions import network, rds_login
from app.render.details.kinds import at, either, fields, joined, line, prose, untrusted
from app.render.details.model import Detail, DetailSection
from app.render.details.resources import containers, s3


def _rows(build: Any, value: Any, title: str = "T") -> list[tuple[str, str]]:
    sections: list[DetailSection] = build(title, value)
    assert [s.title for s in sections] == [title]
    return [(d.label, d.value) for d in sections[0].items]


def test_fields_reads_each_spec_in_order_and_drops_empty_ones() -> None:
    build = fields(("B", "b"), ("A", "a"), ("Missing", "nope"), ("Number", "n"))
    assert _rows(build, {"a": "x", "b": " y ", "n": 3}) == [("B", "y"), ("A", "x"), ("Number", "3")]
    assert build("T", {"nope": ""}) == []
    assert build("T", "not an object") == []
    # a list holding an object is read as that object
    assert _rows(build, [{"a": "x"}]) == [("A", "x")]


def test_prose_and_untrusted_mark_their_items() -> None:
    build = fields(prose("Says", "s"), untrusted("Agent", "u"), ("Id", "i"))
    (sect,) = build("T", {"s": "free text", "u": "curl/8 evil.test", "i": "i-1"})
    assert sect.items == (
        Detail("Says", "free text", prose=True, untrusted=False),
        Detail("Agent", "curl/8 evil.test", prose=False, untrusted=True),
        Detail("Id", "i-1", prose=False, untrusted=False),
    )


def test_at_follows_objects_to_the_last_key_and_reads_it() -> None:
    details = {"a": {"b": {"c": "deep"}}, "n": {"x": 5}, "list": [{"k": "first"}, {"k": "no"}]}
    assert at("a", "b", "c")(details) == "deep"
    assert at("a", "b")(details) == ""  # an object is not text
    assert at("list", "k")(details) == "first"
    assert at("missing", "c")(details) == ""
    assert at("n", "x", read=lambda v: f"<{v}>")(details) == "<5>"
    assert at("c")({"c": ["x", "y", "x"]}) == "x, y"


def test_either_takes_the_first_key_that_has_text() -> None:
    get = either("name", "arn")
    assert get({"name": "n", "arn": "a"}) == "n"
    assert get({"name": "", "arn": "a"}) == "a"
    assert get({"name": "  ", "arn": "a"}) == "a"
    assert get({}) == ""


def test_joined_keeps_distinct_texts_in_key_order() -> None:
    assert joined("engine", "version")({"engine": "mysql", "version": "8.0"}) == "mysql, 8.0"
    assert joined("a", "b", sep=" / ")({"a": "x", "b": "x"}) == "x"
    assert joined("a", "b", sep=" / ")({"b": "y", "a": "x"}) == "x / y"
    assert joined("a", "b")({"b": "y"}) == "y"


def test_line_is_ident_then_name_in_parentheses() -> None:
    summary = line("id", "name")
    assert summary({"id": "i-1", "name": "web"}, {}) == "i-1 (web)"
    assert summary({"id": "i-1"}, {}) == "i-1"
    assert summary({"name": "web"}, {}) == "web"
    assert line("id")({"id": "i-1", "name": "web"}, {}) == "i-1"
    assert line(either("name", "id"), "image")({"id": "c1", "image": "nginx"}, {}) == "c1 (nginx)"


def test_container_fields_images_names_privileges_and_mounts() -> None:
    build = fields(*containers.container_fields("pods"))
    value = {
        "pods": [
            {
                "name": "web",
                "image": "nginx:1",
                "securityContext": {"privileged": True, "allowPrivilegeEscalation": False},
                "volumeMounts": [{"mountPath": "/host"}, {"mountPath": "/data"}],
            },
            {
                "id": "sidecar-id",
                "image": "envoy:2",
                "securityContext": {"privileged": "false", "allowPrivilegeEscalation": "true"},
                "volumeMounts": [{"mountPath": "/host"}],
            },
        ],
        "containers": [{"name": "not read", "image": "no"}],
    }
    assert _rows(build, value) == [
        ("Images", "nginx:1, envoy:2"),
        ("Containers", "web"),
        ("Privileged", "web"),
        ("Privilege escalation", "sidecar-id"),
        ("Volume mounts", "/host, /data"),
    ]


def test_container_fields_name_a_privileged_container_without_name_or_id_yes() -> None:
    build = fields(*containers.container_fields("containers"))
    rows = _rows(build, {"containers": [{"securityContext": {"privileged": True}}]})
    assert rows == [("Privileged", "yes")]


def test_the_container_resource_says_how_it_is_privileged() -> None:
    (kind,) = containers.KINDS
    fresh = fields(
        ("Privileged", containers._set("privileged", "yes")),
        ("Privilege escalation", containers._set("allowPrivilegeEscalation", "allowed")),
    )
    context = {"securityContext": {"privileged": True, "allowPrivilegeEscalation": "true"}}
    assert _rows(fresh, context) == [("Privileged", "yes"), ("Privilege escalation", "allowed")]
    assert fresh("T", {"securityContext": {"privileged": False}}) == []
    assert _rows(kind.build, context, kind.title) == _rows(fresh, context, kind.title)


def test_remote_fields_ip_organisation_asn_and_place_at_a_path() -> None:
    build = fields(*network.remote_fields("probe", "remoteIpDetails"))
    remote = {
        "ipAddressV4": "198.51.100.7",
        "organization": {"org": "Org", "asnOrg": "AsnOrg", "isp": "Org", "asn": "64500"},
        "city": {"cityName": "Paris"},
        "country": {"countryName": "France"},
    }
    assert _rows(build, {"probe": {"remoteIpDetails": remote}}) == [
        ("Remote IP", "198.51.100.7"),
        ("Organisation", "Org / AsnOrg"),
        ("ASN", "64500"),
        ("Location", "Paris, France"),
    ]
    v6 = {
        "ipAddressV6": "2001:db8::1",
        "organization": {"asn": -1},
        "country": {"countryCode": "FR"},
    }
    assert _rows(build, {"probe": {"remoteIpDetails": v6}}) == [
        ("Remote IP", "2001:db8::1"),
        ("Location", "FR"),
    ]


def test_rds_login_totals_sum_the_attempts_that_give_a_number() -> None:
    successful = rds_login._total("successfulLoginAttempts")
    attempts = [
        {"successfulLoginAttempts": 2, "failedLoginAttempts": 5},
        {"successfulLoginAttempts": "3"},
        {"successfulLoginAttempts": "many"},
    ]
    assert successful({"loginAttributes": attempts}) == "5"
    assert successful({"LoginAttributes": attempts}) == "5"  # the API's spelling
    assert successful({"loginAttributes": [{"successfulLoginAttempts": 0}]}) == "0"
    assert successful({"loginAttributes": [{"failedLoginAttempts": 1}]}) == ""
    assert rds_login._total("failedLoginAttempts")({"loginAttributes": attempts}) == "5"


def test_port_probes_list_a_fact_only_when_the_probes_differ_in_it() -> None:
    remote_ips = network._probes(lambda probe: network.ip(probe.get("remoteIpDetails")))
    one = {"remoteIpDetails": {"ipAddressV4": "198.51.100.1"}}
    two = {"remoteIpDetails": {"ipAddressV4": "198.51.100.2"}}
    assert remote_ips({"portProbeDetails": [one, one]}) == ""
    assert remote_ips({"portProbeDetails": [one]}) == ""
    assert remote_ips({"portProbeDetails": [one, two, one]}) == "198.51.100.1, 198.51.100.2"
    many = [{"remoteIpDetails": {"ipAddressV4": f"198.51.100.{n}"}} for n in range(7)]
    assert remote_ips({"portProbeDetails": many}) == (
        "198.51.100.0, 198.51.100.1, 198.51.100.2, 198.51.100.3, 198.51.100.4 (+2 more)"
    )


def test_s3_public_access_names_the_sources_that_allow_it() -> None:
    read_via = s3._public_via("allowsPublicReadAccess")
    write_via = s3._public_via("allowsPublicWriteAccess")

    def bucket(acl: dict[str, Any], policy: dict[str, Any]) -> dict[str, Any]:
        levels = {"accessControlList": acl, "bucketPolicy": policy}
        return {"publicAccess": {"permissionConfiguration": {"bucketLevelPermissions": levels}}}

    both = bucket({"allowsPublicReadAccess": True}, {"allowsPublicReadAccess": "true"})
    assert read_via(both) == "ACL, bucket policy"
    assert write_via(both) == ""
    policy_only = bucket({"allowsPublicWriteAccess": False}, {"allowsPublicWriteAccess": True})
    assert write_via(policy_only) == "bucket policy"
    assert read_via({}) == ""


def test_port_probes_count_the_probes_past_the_scan_limit() -> None:
    remote_ips = network._probes(lambda probe: network.ip(probe.get("remoteIpDetails")))
    same = [{"remoteIpDetails": {"ipAddressV4": "198.51.100.1"}}] * (SCAN + 2)
    assert remote_ips({"portProbeDetails": same}) == "198.51.100.1 (+2 more)"


def test_s3_other_buckets_and_other_objects_are_named_after_the_first() -> None:
    (kind,) = s3.KINDS
    value = [
        {"name": "first", "s3ObjectDetails": [{"key": "a.txt"}, {"key": "b.txt"}]},
        {"arn": "arn:aws:s3:::second", "s3ObjectDetails": [{"key": "c.txt"}]},
        {"name": "third"},
    ]
    bucket, objects = kind.build("S3 bucket", value)
    assert (bucket.title, objects.title) == ("S3 bucket", "S3 object")
    assert [(d.label, d.value) for d in bucket.items] == [
        ("Bucket", "first"),
        ("Other buckets", "arn:aws:s3:::second, third"),
    ]
    assert [(d.label, d.value) for d in objects.items] == [
        ("Object key", "a.txt"),
        ("Other objects", "b.txt, c.txt"),
    ]
