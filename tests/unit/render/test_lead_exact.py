"""The lead, exactly: every header, field, context line and button a responder reads, for a
fixture read by hand and for findings and facts built to hit each rule (which source wins, what
is left out when empty, the limits at and one past the boundary)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from app.core.finding import Finding, parse_event
from app.render.lead import (
    attacker_domains,
    buttons,
    fallback_text,
    header_block,
    lead_blocks,
    lead_fields,
    lead_payload,
)
from app.render.parts import ident, ours
from app.render.verdict import LeadFacts
from tests.conftest import load_event, minimal_event
from tests.slack_checks import assert_valid_payload


def _date(text: str) -> str:
    """Slack's date token for an ISO time, with its UTC fallback (``2026-11-27 01:05 UTC``)."""
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    fallback = text[:16].replace("T", " ")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback} UTC>"


def _finding(**changes: Any) -> Finding:
    return dataclasses.replace(parse_event(minimal_event()), **changes)


def _facts(**changes: Any) -> LeadFacts:
    base = LeadFacts(
        resource=(),
        resource_id="",
        role="",
        action=(),
        actor=(),
        remote_ip="",
        span=(),
        account=(),
        region="",
    )
    return dataclasses.replace(base, **changes)


def _texts(fields: list[dict[str, Any]]) -> list[str]:
    return [f["text"] for f in fields]


# -- the whole lead of one fixture, read from its JSON ------------------------------------------
SSH_ID = "23fc4d9d2cb548adbb8fa757af2ebe7b"


def test_the_ssh_brute_force_lead_exactly() -> None:
    """ec2-ssh-brute-force.json: severity 2.0, instance i-04e2d9a7c1b3f8e26 tagged Name
    bastion-euw1, TARGET of 203.0.113.57 (org China Telecom Guangdong, CN) on local port 22,
    count 12, first seen 01:05:13, last 05:47:36, updated 06:02:10, eu-west-1."""
    finding = parse_event(load_event("ec2-ssh-brute-force.json"))
    payload = lead_payload(finding, {"123456789012": "prod-payments"}, "severity Medium → High")
    assert_valid_payload(payload)
    assert payload["unfurl_links"] is False and payload["unfurl_media"] is False
    assert payload["text"] == (
        "Low 2.0: 203.0.113.57 is performing SSH brute force attacks against "
        "i-04e2d9a7c1b3f8e26. · 123456789012 (prod-payments) eu-west-1 (severity Medium → High)"
    )
    header, verdict, fields, notes, actions = payload["blocks"]
    assert header == {
        "type": "header",
        "text": {
            "type": "plain_text",
            "text": "🔵 Low 2.0 · 203.0.113.57 is performing SSH brute force attacks against "
            "i-04e2d9a7c1b3f8e26.",
            "emoji": False,
        },
    }
    assert verdict["type"] == "section"
    assert verdict["text"] == {
        "type": "mrkdwn",
        "text": "Instance bastion-euw1 (i-04e2d9a7c1b3f8e26) is the target of SSH brute force on "
        "port 22 from 203.0.113.57 (China Telecom Guangdong, CN) · 12× since 27 Nov 01:05 UTC",
        "verbatim": True,
    }
    assert fields["type"] == "section"
    assert all(f["type"] == "mrkdwn" and f["verbatim"] is True for f in fields["fields"])
    assert _texts(fields["fields"]) == [
        "*Account*\n123456789012 (prod-payments)",
        "*Region*\neu-west-1",
        "*Resource*\nInstance bastion-euw1 (i-04e2d9a7c1b3f8e26) · target",
        "*Actor*\n203.0.113.57 (China Telecom Guangdong, CN)",
        "*Action*\nSSH brute force on port 22",
        "*Count*\n12",
        f"*Seen*\n{_date('2026-11-27T01:05:13')} → {_date('2026-11-27T05:47:36')}",
    ]
    assert notes["type"] == "context"
    assert [e["text"] for e in notes["elements"]] == [
        ":repeat: *Notified again:* severity Medium → High",
        "`UnauthorizedAccess:EC2/SSHBruteForce`",
        f"Finding ID {SSH_ID}",
        f"updated {_date('2026-11-27T06:02:10')}",
    ]
    assert actions == {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open in GuardDuty", "emoji": False},
                "url": "https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1"
                f"#/findings?macros=current&fId={SSH_ID}",
                "action_id": "open_console",
                "style": "primary",
            },
            {
                "type": "button",
                "text": {"type": "plain_text", "text": "Finding type docs", "emoji": False},
                "url": "https://docs.aws.amazon.com/guardduty/latest/ug/"
                "guardduty_finding-types-ec2.html#unauthorizedaccess-ec2-sshbruteforce",
                "action_id": "open_docs",
            },
            {
                "type": "button",
                "text": {
                    "type": "plain_text",
                    "text": "EC2 instance i-04e2d9a7c1b3f8e26",
                    "emoji": False,
                },
                "url": "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
                "#InstanceDetails:instanceId=i-04e2d9a7c1b3f8e26",
                "action_id": "investigate_0",
            },
        ],
    }
    assert (
        lead_blocks(finding, {"123456789012": "prod-payments"}, "severity Medium → High")
        == (payload["blocks"])
    )


def test_without_a_notice_or_names_the_lead_says_nothing_of_them() -> None:
    finding = parse_event(load_event("ec2-ssh-brute-force.json"))
    payload = lead_payload(finding, {})
    assert payload["text"].endswith(" · 123456789012 eu-west-1")
    notes = [e["text"] for e in payload["blocks"][3]["elements"]]
    assert notes[0] == "`UnauthorizedAccess:EC2/SSHBruteForce`"
    assert payload["blocks"][2]["fields"][0]["text"] == "*Account*\n123456789012"


# -- the header ----------------------------------------------------------------------------------
def test_the_header_is_band_score_sample_and_title() -> None:
    header = header_block(_finding(sample=True, title="Probe"))
    assert header["text"]["text"] == "🟠 High 8.0 · [SAMPLE] Probe"


def test_the_header_falls_back_to_the_type_and_cleans_the_title() -> None:
    assert header_block(_finding(title=""))["text"]["text"] == (
        "🟠 High 8.0 · UnauthorizedAccess:EC2/SSHBruteForce"
    )
    assert header_block(_finding(title="a\u202eb  <c>"))["text"]["text"] == (
        "🟠 High 8.0 · ab &lt;c&gt;"
    )


# -- the fields ----------------------------------------------------------------------------------
def test_resource_gets_its_id_and_role_when_the_phrase_lacks_them() -> None:
    finding = _finding()
    fields = lead_fields(
        finding, _facts(resource=(ours("Instance "), ident("web")), resource_id="i-1")
    )
    assert "*Resource*\nInstance web i-1" in _texts(fields)
    fields = lead_fields(finding, _facts(resource=(ours("Instance "), ident("i-1")),
                                         resource_id="i-1", role="source"))  # fmt: skip
    assert "*Resource*\nInstance i-1 · source (ours is acting)" in _texts(fields)
    fields = lead_fields(finding, _facts(resource_id="i-1", role="target"))
    assert "*Resource*\ni-1 · target" in _texts(fields)
    fields = lead_fields(finding, _facts(resource=(ours("Bucket"),), role="other"))
    assert "*Resource*\nBucket" in _texts(fields)


def test_an_id_the_phrase_shows_across_parts_is_not_repeated() -> None:
    """The id is looked for in the text a reader sees, however the phrase is split."""
    facts = _facts(resource=(ours("Instance "), ident("i-0a"), ident("bc")), resource_id="i-0abc")
    assert "*Resource*\nInstance i-0abc" in _texts(lead_fields(_finding(), facts))


def test_no_resource_no_actor_no_action_means_no_such_fields() -> None:
    """An empty resource stays out even with a role; Count and Seen are always there."""
    finding = _finding(count=None, first_seen=None, last_seen=None)
    fields = lead_fields(finding, _facts(role="target", account=(ident("111122223333"),)))
    assert _texts(fields) == [
        "*Account*\n111122223333",
        "*Region*\nus-east-1",
        "*Count*\nunknown",
        "*Seen*\nunknown",
    ]


def test_the_actor_is_the_remote_ip_then_the_rest_of_the_actor() -> None:
    finding = _finding()
    fields = lead_fields(
        finding, _facts(remote_ip="192.0.2.9", actor=(ours("user "), ident("bob")))
    )
    assert "*Actor*\n192.0.2.9 · user bob" in _texts(fields)
    fields = lead_fields(finding, _facts(remote_ip="192.0.2.9"))
    assert "*Actor*\n192.0.2.9" in _texts(fields)
    fields = lead_fields(finding, _facts(remote_ip="192.0.2.9", actor=(ident("192.0.2.9 (X)"),)))
    assert "*Actor*\n192.0.2.9 (X)" in _texts(fields)
    fields = lead_fields(finding, _facts(actor=(ident("bob"),)))
    assert "*Actor*\nbob" in _texts(fields)


def test_account_and_region_fall_back_to_the_finding_then_to_unknown() -> None:
    facts = _facts()
    fields = lead_fields(_finding(account_id="210987654321", region="eu-west-3"), facts)
    assert _texts(fields)[:2] == ["*Account*\n210987654321", "*Region*\neu-west-3"]
    fields = lead_fields(_finding(account_id="", region=""), facts)
    assert _texts(fields)[:2] == ["*Account*\nunknown", "*Region*\nunknown"]
    fields = lead_fields(_finding(region="eu-west-3"), _facts(region="ap-south-1"))
    assert _texts(fields)[1] == "*Region*\nap-south-1"


def test_all_eight_fields_in_order_with_threat_intel_and_a_large_count() -> None:
    event = minimal_event(count=1234567)
    event["detail"]["service"]["additionalInfo"] = {
        "threatListName": "ProofPoint",
        "threatName": "evil.example.com",
    }
    first, last = "2026-11-28T09:00:00", "2026-11-28T09:14:00"
    finding = parse_event(event)
    facts = _facts(
        resource=(ident("i-1"),),
        resource_id="i-1",
        action=(ours("DNS lookup"),),
        actor=(ident("bob"),),
        account=(ident("123456789012"),),
    )
    assert _texts(lead_fields(finding, facts)) == [
        "*Account*\n123456789012",
        "*Region*\nus-east-1",
        "*Resource*\ni-1",
        "*Actor*\nbob",
        "*Action*\nDNS lookup",
        "*Threat intel*\nProofPoint, evil[.]example[.]com",
        "*Count*\n1,234,567",
        f"*Seen*\n{_date(first)} → {_date(last)}",
    ]


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("2026-11-28T09:00:00", "2026-11-28T09:00:00", "a"),
        ("2026-11-28T09:00:00", None, "a"),
        (None, "2026-11-28T09:14:00", "b"),
    ],
)
def test_seen_is_one_time_when_there_is_only_one(
    first: str | None, last: str | None, shown: str
) -> None:
    def moment(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None

    finding = _finding(first_seen=moment(first), last_seen=moment(last))
    seen = _texts(lead_fields(finding, _facts()))[-1]
    assert seen == f"*Seen*\n{_date(first if shown == 'a' else last)}"  # type: ignore[arg-type]


# -- the context line ------------------------------------------------------------------------------
def test_sample_canary_and_archived_notes_in_order() -> None:
    finding = _finding(sample=True, archived=True, type="Canary:Gd2Slack/SmokeTest", id="c1")
    notes = [e["text"] for e in lead_blocks(finding, {}, "a <b>")[3]["elements"]]
    assert notes == [
        ":repeat: *Notified again:* a &lt;b&gt;",
        ":test_tube: *[SAMPLE]* generated by GuardDuty, not real activity",
        ":bird: *Canary* deployment smoke test, not a GuardDuty finding",
        ":file_cabinet: archived in GuardDuty",
        "`Canary:Gd2Slack/SmokeTest`",
        "Finding ID c1",
        f"updated {_date('2026-11-28T09:14:00')}",
    ]


def test_the_notice_is_escaped_and_cut_at_200_characters() -> None:
    notes = lead_blocks(_finding(), {}, "n" * 200)[3]["elements"]
    assert notes[0]["text"] == ":repeat: *Notified again:* " + "n" * 200
    notes = lead_blocks(_finding(), {}, "n" * 201)[3]["elements"]
    assert notes[0]["text"] == ":repeat: *Notified again:* " + "n" * 199 + "…"
    notes = lead_blocks(_finding(), {}, "n" * 195 + "&")[3]["elements"]  # &amp; ends at 200
    assert notes[0]["text"] == ":repeat: *Notified again:* " + "n" * 195 + "&amp;"
    notes = lead_blocks(_finding(), {}, "n" * 196 + "&")[3]["elements"]  # never half of it
    assert notes[0]["text"] == ":repeat: *Notified again:* " + "n" * 196 + "…"


def test_a_finding_without_update_time_says_updated_unknown() -> None:
    notes = [e["text"] for e in lead_blocks(_finding(updated_at=None), {})[3]["elements"]]
    assert notes[-1] == "updated unknown"


def test_the_type_note_is_mrkdwn_up_to_400_characters_then_plain() -> None:
    """A type holds ``:``, so it is a code span: 398 characters fit in 400, 399 do not."""
    fits = "A:" + "b" * 396
    notes = lead_blocks(_finding(type=fits), {})[3]["elements"]
    assert notes[0] == {"type": "mrkdwn", "text": f"`{fits}`", "verbatim": True}
    over = "A:" + "b" * 397
    notes = lead_blocks(_finding(type=over), {})[3]["elements"]
    assert notes[0] == {"type": "plain_text", "text": over, "emoji": False}
    longer = "A:" + "b" * 500
    notes = lead_blocks(_finding(type=longer), {})[3]["elements"]
    assert notes[0]["text"] == longer[:399] + "…"


def test_the_finding_id_note_is_mrkdwn_up_to_400_characters_then_plain() -> None:
    fits = "f" * 389  # "Finding ID " is 11
    notes = lead_blocks(_finding(id=fits), {})[3]["elements"]
    assert notes[1] == {"type": "mrkdwn", "text": f"Finding ID {fits}", "verbatim": True}
    over = "f" * 390
    notes = lead_blocks(_finding(id=over), {})[3]["elements"]
    assert notes[1] == {
        "type": "plain_text",
        "text": f"Finding ID {over}"[:399] + "…",
        "emoji": False,
    }


# -- the buttons --------------------------------------------------------------------------------
def test_no_console_button_for_a_bogus_region() -> None:
    block = buttons(_finding(region="not a region"))
    assert block["type"] == "actions"
    first = block["elements"][0]
    assert first["text"]["text"] == "Finding type docs" and first["action_id"] == "open_docs"
    assert "style" not in first
    assert all(e["action_id"] != "open_console" for e in block["elements"])


def test_investigate_buttons_are_numbered_from_zero() -> None:
    finding = parse_event(load_event("iam-credential-exfiltration.json"))
    ids = [e["action_id"] for e in buttons(finding)["elements"]]
    assert ids[:2] == ["open_console", "open_docs"]
    assert ids[2:] == [f"investigate_{n}" for n in range(len(ids) - 2)] and len(ids) > 3
    assert all("style" not in e for e in buttons(finding)["elements"][1:])


# -- attacker domains ------------------------------------------------------------------------------
def test_attacker_domains_come_from_dns_additional_info_and_the_sequence() -> None:
    event = minimal_event()
    event["detail"]["service"]["action"] = {
        "dnsRequestAction": {"domain": "a.evil.test", "domainWithSuffix": "evil.test"}
    }
    event["detail"]["service"]["additionalInfo"] = {"domain": "c2.\u200bbad.test"}
    event["detail"]["service"]["detection"] = {
        "sequence": {"endpoints": [{"domain": "x.seq.test"}, {"domain": "nodot"}, {}]}
    }
    assert attacker_domains(parse_event(event)) == (
        "a.evil.test",
        "evil.test",
        "c2.bad.test",
        "x.seq.test",
    )


def test_attacker_domains_are_each_named_once_and_need_a_dot() -> None:
    event = minimal_event()
    event["detail"]["service"]["action"] = {
        "dnsRequestAction": {"domain": "evil.test", "domainWithSuffix": "evil.test"}
    }
    event["detail"]["service"]["additionalInfo"] = {"domain": "localhost"}
    assert attacker_domains(parse_event(event)) == ("evil.test",)
    assert attacker_domains(parse_event(minimal_event())) == ()


def test_the_verdict_defangs_the_attacker_domains() -> None:
    finding = parse_event(load_event("ec2-c2-dns.json"))
    verdict = lead_blocks(finding, {})[1]["text"]["text"]
    assert "kq7v2x9d[.]update-cdn[.]example[.]net" in verdict
    assert "kq7v2x9d.update-cdn.example.net" not in verdict


def test_the_attacker_domain_is_defanged_in_the_verdict_even_as_a_name() -> None:
    """An instance whose Name tag is the domain it queried: the verdict shows no live domain."""
    event = load_event("ec2-c2-dns.json")
    event["detail"]["resource"]["instanceDetails"]["tags"] = [
        {"key": "Name", "value": "kq7v2x9d.update-cdn.example.net"}
    ]
    verdict = lead_blocks(parse_event(event), {})[1]["text"]["text"]
    assert verdict.startswith(
        "Instance kq7v2x9d[.]update-cdn[.]example[.]net (i-0b7f3c2a91d4e5f60)"
    )


# -- the notification ------------------------------------------------------------------------------
def test_the_notification_names_the_account_and_cleans_the_name() -> None:
    finding = _finding(sample=True, title="")
    assert fallback_text(finding, "again", {"123456789012": "prod\u202e <x>"}) == (
        "[SAMPLE] High 8.0: UnauthorizedAccess:EC2/SSHBruteForce · "
        "123456789012 (prod &lt;x&gt;) us-east-1 (again)"
    )
    assert fallback_text(_finding(account_id="", title="T")) == (
        "High 8.0: T · unknown account us-east-1"
    )


def test_the_notification_is_cut_at_300_characters() -> None:
    exact = fallback_text(_finding(title="t" * 265))
    assert len(exact) == 300 and not exact.endswith("…")
    cut = fallback_text(_finding(title="t" * 266))
    assert len(cut) == 300 and cut.endswith("…")
