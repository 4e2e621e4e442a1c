"""Digests, exactly: the header, the route line, each group's line (count, type, resource, IPs,
account, region, sample, link), the order of groups, the footer and the notification; a group
that must be plain text; where the message stops growing."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from app.core.finding import Finding, parse_event
from app.render.blocks import TOTAL_TEXT_BUDGET as TOTAL
from app.render.blocks import text_size
from app.render.digest import digest_line, render_digest
from tests.conftest import load_event, minimal_event
from tests.slack_checks import assert_valid_payload

CONSOLE = (
    "<https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1"
    "#/findings?macros=current&amp;fId={}|open>"
)
TIME = "<!date^{}^{{date_short_pretty}} {{time}}|{} UTC>"
NOV_28_0914 = TIME.format(1795857240, "2026-11-28 09:14")  # 2026-11-28T09:14:00Z


def _finding(
    n: int,
    *,
    severity: float = 5.0,
    instance: str = "i-0abc1234def567890",
    ip: str | None = None,
    finding_type: str = "Recon:EC2/PortProbeUnprotectedPort",
    **detail: Any,
) -> Finding:
    event = minimal_event(f"{n:032x}", severity=severity, finding_type=finding_type, **detail)
    if "resource" not in detail:
        event["detail"]["resource"]["instanceDetails"]["instanceId"] = instance
    if ip:
        event["detail"]["service"]["action"] = {
            "actionType": "NETWORK_CONNECTION",
            "networkConnectionAction": {
                "connectionDirection": "INBOUND",
                "remoteIpDetails": {"ipAddressV4": ip},
            },
        }
    return parse_event(event)


def _lines(payload: dict[str, Any]) -> list[str]:
    return [
        line
        for block in payload["blocks"]
        if block["type"] == "section"
        for line in block["text"]["text"].split("\n")
    ]


def _id(n: int) -> str:
    return f"{n:032x}"


def test_a_digest_exactly() -> None:
    findings = [
        _finding(1, ip="192.0.2.1"),
        _finding(2, severity=8.0, ip="192.0.2.2"),
        _finding(3, ip="192.0.2.1"),
        _finding(4, instance="i-0fff", severity=2.0),
    ]
    payload = render_digest(findings, "default")
    assert_valid_payload(payload)
    assert payload["text"] == "4 GuardDuty findings (1 High, 2 Medium, 1 Low)"
    assert payload["unfurl_links"] is False and payload["unfurl_media"] is False
    header, route, section, footer = payload["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text", "text": "🟠 4 GuardDuty findings", "emoji": False},
    }
    assert route == {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": f"Digest for route default · {NOV_28_0914} · grouped by resource and "
                "type, most severe first",
                "verbatim": True,
            }
        ],
    }
    assert section["type"] == "section" and section["text"]["verbatim"] is True
    assert section["text"]["text"].split("\n") == [
        "🟠 High 8.0 · 3× `Recon:EC2/PortProbeUnprotectedPort` on Instance i-0abc1234def567890 "
        f"from 2 IPs · 123456789012 us-east-1 · {CONSOLE.format(_id(2))}",
        "🔵 Low 2.0 · `Recon:EC2/PortProbeUnprotectedPort` on Instance i-0fff "
        f"· 123456789012 us-east-1 · {CONSOLE.format(_id(4))}",
    ]
    assert footer == {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": "Each line links to its most severe finding; more in the GuardDuty console",
                "verbatim": True,
            }
        ],
    }


def test_other_types_on_one_resource_are_other_groups_most_severe_first() -> None:
    findings = [
        _finding(1, severity=3.0, finding_type="A:EC2/One"),
        _finding(2, severity=9.5, finding_type="B:EC2/Two", ip="192.0.2.7"),
        _finding(3, severity=3.0, finding_type="A:EC2/One"),
    ]
    assert [line.split(" · <")[0] for line in _lines(render_digest(findings, "r"))] == [
        "🔴 Critical 9.5 · `B:EC2/Two` on Instance i-0abc1234def567890 from 192.0.2.7 "
        "· 123456789012 us-east-1",
        "🔵 Low 3.0 · 2× `A:EC2/One` on Instance i-0abc1234def567890 · 123456789012 us-east-1",
    ]


def test_the_first_of_equal_scores_leads_its_group() -> None:
    line = _lines(render_digest([_finding(7), _finding(8)], "r"))[0]
    assert line.endswith(CONSOLE.format(_id(7)))


def test_no_resource_no_account_no_region() -> None:
    finding = dataclasses.replace(_finding(1, resource={}), account_id="", region="")
    line = digest_line(finding)
    assert line == "🟡 Medium 5.0 · `Recon:EC2/PortProbeUnprotectedPort` · unknown account"


def test_a_sample_in_the_group_marks_the_line() -> None:
    sample = minimal_event(_id(2), severity=2.0, finding_type="Recon:EC2/PortProbeUnprotectedPort")
    sample["detail"]["service"]["additionalInfo"] = {"sample": True}
    findings = [_finding(1), parse_event(sample)]
    line = _lines(render_digest(findings, "r"))[0]
    assert line.startswith("🟡 Medium 5.0 · 2× ")
    assert line.endswith(f"us-east-1 [SAMPLE] · {CONSOLE.format(_id(1))}")
    assert " [SAMPLE]" not in _lines(render_digest([_finding(1)], "r"))[0]


def test_digest_line_of_one_finding_is_its_line_in_a_digest() -> None:
    """With its remote IP (digest_line left it out, unlike the digest's own line)."""
    assert digest_line(_finding(5, ip="192.0.2.9")) == (
        "🟡 Medium 5.0 · `Recon:EC2/PortProbeUnprotectedPort` on Instance i-0abc1234def567890 "
        f"from 192.0.2.9 · 123456789012 us-east-1 · {CONSOLE.format(_id(5))}"
    )
    assert [digest_line(_finding(5, ip="192.0.2.9"))] == _lines(
        render_digest([_finding(5, ip="192.0.2.9")], "r")
    )


def test_a_backtick_makes_the_line_plain_text_without_the_link() -> None:
    odd = _finding(5, finding_type="Odd:EC2/Back`tick")
    assert digest_line(odd) == (
        "🟡 Medium 5.0 · Odd:EC2/Back`tick on Instance i-0abc1234def567890 · 123456789012 us-east-1"
    )
    payload = render_digest([_finding(1, severity=8.0), odd, _finding(3, instance="i-2")], "r")
    assert_valid_payload(payload)
    sections = [b for b in payload["blocks"] if b["type"] == "section"]
    assert [s["text"]["type"] for s in sections] == ["mrkdwn", "plain_text", "mrkdwn"]
    assert sections[1]["text"] == {
        "type": "plain_text",
        "text": "🟡 Medium 5.0 · Odd:EC2/Back`tick on Instance i-0abc1234def567890 "
        "· 123456789012 us-east-1",
        "emoji": False,
    }
    assert sections[0]["text"]["text"].startswith("🟠 High 8.0 · ")
    assert (
        sections[2]["text"]["text"].startswith("🟡 Medium 5.0 · ")
        and "i-2" in (sections[2]["text"]["text"])
    )


def test_no_link_for_a_bogus_region() -> None:
    line = digest_line(_finding(1, region="nowhere"))
    assert line.endswith("· 123456789012 nowhere") and "<" not in line


def test_the_route_is_shown_exactly_and_inert() -> None:
    route = render_digest([_finding(1)], "prod:*alerts*")["blocks"][1]["elements"][0]["text"]
    assert route.startswith("Digest for route `prod:*alerts*` · ")
    route = render_digest([_finding(1)], "a`b<c>")["blocks"][1]["elements"][0]["text"]
    assert route.startswith("Digest for route ab&lt;c&gt; · ")
    long = "r" * 101
    route = render_digest([_finding(1)], long)["blocks"][1]["elements"][0]["text"]
    assert route.startswith(f"Digest for route {'r' * 99}… · ")
    route = render_digest([_finding(1)], "r" * 100)["blocks"][1]["elements"][0]["text"]
    assert route.startswith(f"Digest for route {'r' * 100} · ")
    route = render_digest([_finding(1)], "`" + "r" * 120)["blocks"][1]["elements"][0]["text"]
    assert route.startswith(f"Digest for route {'r' * 100} · ")


def test_the_latest_time_is_the_newest_update() -> None:
    older = _finding(1, updated_at="2026-11-28T08:00:00.000Z")
    newer = _finding(2, updated_at="2026-11-28T09:14:00.000Z")
    route = render_digest([newer, older], "r")["blocks"][1]["elements"][0]["text"]
    assert f" · {NOV_28_0914} · " in route
    route = render_digest([older, newer], "r")["blocks"][1]["elements"][0]["text"]
    assert f" · {NOV_28_0914} · " in route


def test_the_latest_time_falls_back_to_last_seen_then_unknown() -> None:
    event = minimal_event(_id(1))
    del event["detail"]["updatedAt"]
    del event["time"]
    event["detail"]["service"]["eventLastSeen"] = "2026-11-28T09:14:00.000Z"
    route = render_digest([parse_event(event)], "r")["blocks"][1]["elements"][0]["text"]
    assert f" · {NOV_28_0914} · " in route
    del event["detail"]["service"]["eventLastSeen"]
    del event["detail"]["service"]["eventFirstSeen"]
    del event["detail"]["createdAt"]
    route = render_digest([parse_event(event)], "r")["blocks"][1]["elements"][0]["text"]
    assert route == "Digest for route r · unknown · grouped by resource and type, most severe first"


def test_an_empty_digest_has_no_band_and_no_lines() -> None:
    payload = render_digest([], "r")
    assert payload["text"] == "0 GuardDuty findings ()"
    assert payload["blocks"][0]["text"]["text"] == "0 GuardDuty findings"
    assert [b["type"] for b in payload["blocks"]] == ["header", "context", "context"]


def test_the_header_band_is_the_most_severe_findings() -> None:
    payload = render_digest([_finding(1, severity=2.0), _finding(2, severity=9.0)], "r")
    assert payload["blocks"][0]["text"]["text"] == "🔴 2 GuardDuty findings"
    assert payload["text"] == "2 GuardDuty findings (1 Critical, 1 Low)"


def _many(count: int, length: int) -> list[Finding]:
    """``count`` groups (each its own instance) whose lines are long."""
    return [_finding(n, instance=f"i-{n:04d}" + "x" * length) for n in range(count)]


def test_lines_fill_sections_of_at_most_3000_characters() -> None:
    payload = render_digest(_many(12, 400), "r")
    assert_valid_payload(payload)
    sections = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
    assert len(sections) > 1 and all(len(s) <= 3000 for s in sections)
    assert len(_lines(payload)) == 12
    # each section took lines while the next still fitted
    for first, second in itertools.pairwise(sections):
        assert len(first) + 1 + len(second.split("\n")[0]) > 3000
    assert payload["blocks"][-1]["elements"][0]["text"].startswith("Each line links")


def test_a_burst_too_big_for_one_message_says_how_many_groups_are_left() -> None:
    payload = render_digest(_many(60, 400), "r")
    assert_valid_payload(payload)
    shown = len(_lines(payload))
    assert 0 < shown < 60
    assert payload["blocks"][-1]["elements"][0]["text"] == (
        f"…and {60 - shown} more group(s): see the GuardDuty console"
    )
    assert payload["text"] == "60 GuardDuty findings (60 Medium)"


# -- limits, at the boundary and one past it ------------------------------------------------------
def _long(n: int, length: int, **kwargs: Any) -> Finding:
    """Finding ``n`` on its own instance, its line made longer by an account id of ``length``."""
    return dataclasses.replace(
        _finding(n, instance=f"i-{n:04d}", **kwargs), account_id="1" * length
    )


def _text_before_link(line: str) -> str:
    return line.rsplit(" · <", 1)[0]


def test_a_line_is_mrkdwn_with_its_link_up_to_1500_characters_then_plain() -> None:
    base = len(_text_before_link(digest_line(_long(1, 1)))) - 1
    fits = digest_line(_long(1, 1500 - base))
    assert len(_text_before_link(fits)) == 1500 and fits.endswith(f"{CONSOLE.format(_id(1))}")
    over = digest_line(_long(1, 1501 - base))  # plain: no code span, no link
    assert "<" not in over and "`" not in over and len(over) == 1501 - 2
    cut = digest_line(_long(1, 1503 - base))
    assert len(cut) == 1500 and cut.endswith("…")
    payload = render_digest([_long(1, 1501 - base)], "r")
    assert payload["blocks"][2]["text"] == {"type": "plain_text", "text": over, "emoji": False}


def test_the_link_is_the_console_of_the_findings_partition() -> None:
    finding = parse_event(load_event("govcloud-iam-malicious-ip-caller.json"))
    assert (
        digest_line(finding)
        .split(" · <")[-1]
        .startswith("https://console.amazonaws-us-gov.com/guardduty/home?region=us-gov-west-1#")
    )


def test_two_lines_share_a_section_up_to_3000_characters_joined() -> None:
    base = len(digest_line(_long(1, 1))) - 1  # the same for finding 2
    first = _long(1, 1500 - base)
    for total, sections in ((3000, 1), (3001, 2)):
        second = _long(2, total - 1 - 1500 - base)
        payload = render_digest([first, second], "r")
        texts = [b["text"]["text"] for b in payload["blocks"] if b["type"] == "section"]
        assert len(texts) == sections and sum(len(t) for t in texts) == total - sections + 1


def test_the_lines_stop_at_the_budget_exactly() -> None:
    """Each line costs its length and 42 (its share of the JSON and the section around it), a
    plain one 340; the lines get 11,000 characters less the header and route line and 600 kept
    for the footer. A last line that costs exactly what is left is shown, one character more is
    not."""
    plain = _finding(900, finding_type="Odd:EC2/Back`tick")
    assert "`" in digest_line(plain) and "<" not in digest_line(plain)  # a plain line
    long = [_long(n, 1000) for n in range(7)]
    base = len(digest_line(_long(9, 1))) - 1
    head = render_digest([plain, *long, _long(9, 1)], "r")["blocks"][:2]
    left = TOTAL - text_size(head) - 600 - 340 - sum(len(digest_line(f)) + 42 for f in long)
    last = left - 2  # what the last line may be long
    assert base < last < 1500
    for extra, footer in ((0, "Each line links"), (1, "…and 1 more group(s)")):
        payload = render_digest([plain, *long, _long(9, last - base + extra)], "r")
        assert payload["blocks"][:2] == head
        assert payload["blocks"][-1]["elements"][0]["text"].startswith(footer)
        assert len(_lines(payload)) == 9 - extra


def _short(n: int, *, plain: bool) -> Finding:
    """A short line with no resource, region or link; plain text when its type has a backtick."""
    finding = _finding(n, finding_type=f"A:P`{n}" if plain else f"A:M{n}", resource={})
    return dataclasses.replace(finding, region="", account_id="1")


def test_no_section_is_added_once_47_blocks_are_there() -> None:
    """A plain line is a section of its own and ends the mrkdwn section before it, so plain and
    mrkdwn lines in turn make a block each. A line is added while fewer than 47 blocks are
    there (a pending mrkdwn line and the footer still fit in 50)."""
    odd = [_short(n, plain=n % 2 == 0) for n in range(80)]  # P M P M …: 3, 5, … 47 blocks
    payload = render_digest(odd, "r")
    assert_valid_payload(payload)
    assert len(payload["blocks"]) == 48 and len(_lines(payload)) == 45
    assert payload["blocks"][-1]["elements"][0]["text"] == (
        "…and 35 more group(s): see the GuardDuty console"
    )
    even = [_short(80, plain=True), *odd]  # P P M P …: 4, 6, … 46 blocks, then one more pair
    payload = render_digest(even, "r")
    assert_valid_payload(payload)
    assert len(payload["blocks"]) == 49 and len(_lines(payload)) == 46
    assert payload["blocks"][-1]["elements"][0]["text"].startswith("…and 35 more group(s)")
