"""The verdict's stories without an action, exactly: malware found (names, first file, how many
more), the attack sequence (signals, resources, first actor and endpoint, how many more, the
direction) and the Runtime Monitoring process as the actor."""

from __future__ import annotations

from typing import Any

from app.render.parts import ident, ours
from app.render.verdict.action import Story
from app.render.verdict.service import (
    RUNTIME,
    malware_story,
    process_parts,
    runtime_story,
    sequence_story,
)


def _text(parts: tuple[Any, ...]) -> str:
    return "".join(p.text for p in parts)


# --- malware ---------------------------------------------------------------------------------


def _ebs(*threats: dict[str, Any], highest: str = "") -> dict[str, Any]:
    detections: dict[str, Any] = {"threatDetectedByName": {"threatNames": list(threats)}}
    if highest:
        detections["highestSeverityThreatDetails"] = {"threatName": highest}
    return {"service": {"ebsVolumeScanDetails": {"scanDetections": detections}}}


def test_malware_on_ebs_names_files_by_path_else_name_and_counts_the_rest() -> None:
    detail = _ebs(
        {
            "name": "Mirai",
            "filePaths": [{"filePath": "/tmp/x", "fileName": "x"}, {"fileName": "y"}],
        },
        {"name": "EICAR", "filePaths": [{"filePath": "/tmp/x"}, {"filePath": "/home/e"}]},
        {"name": "Third"},
        highest="Mirai",
    )
    story = malware_story(detail)
    assert story.verb == " contains "
    assert story.action == (
        ours("malware "),
        ident("Mirai"),
        ours(", "),
        ident("EICAR"),
        ours(" (+1 more)"),
        ours(" in "),
        ident("/tmp/x"),
        ours(" (+2 more files)"),
    )
    assert (story.actor, story.remote_ip) == ((), "")


def test_malware_one_more_file_singular_and_one_file_no_count() -> None:
    two = _ebs({"name": "M", "filePaths": [{"filePath": "/a"}, {"filePath": "/b"}]})
    assert _text(malware_story(two).action) == "malware M in /a (+1 more file)"
    one = _ebs({"name": "M", "filePaths": [{"filePath": "/a"}]})
    assert _text(malware_story(one).action) == "malware M in /a"
    none = _ebs({"name": "M"})
    assert _text(malware_story(none).action) == "malware M"


def test_malware_highest_severity_name_alone_counts() -> None:
    assert _text(malware_story(_ebs(highest="Worm")).action) == "malware Worm"


def test_malware_in_s3_and_backup_scans_item_paths() -> None:
    detail = {
        "service": {
            "malwareScanDetails": {
                "threats": [
                    {
                        "name": "EICAR",
                        "itemPaths": [{"nestedItemPath": "inbox/a.exe"}],
                        "itemDetails": [{"itemPath": "inbox/b.exe"}, {"itemPath": "inbox/a.exe"}],
                    },
                    {"name": "EICAR"},
                ]
            }
        }
    }
    assert _text(malware_story(detail).action) == "malware EICAR in inbox/a.exe (+1 more file)"


def test_no_threat_name_no_malware_story() -> None:
    assert malware_story(_ebs({"filePaths": [{"filePath": "/a"}]})) == Story()
    assert malware_story({}) == Story()


# --- attack sequences ------------------------------------------------------------------------


def _sequence(**sequence: Any) -> dict[str, Any]:
    return {"service": {"detection": {"sequence": sequence}}}


ROLE = {"user": {"name": "web-role", "type": "AssumedRole"}, "process": {"name": "kdevtmpfsi"}}
ENDPOINT = {
    "ip": "198.51.100.40",
    "autonomousSystem": {"name": "Hetzner"},
    "location": {"country": "Germany"},
}


def test_sequence_of_signals_across_resources_by_the_actor_from_the_endpoint() -> None:
    detail = _sequence(
        signals=[{}] * 7,
        resources=[{}, {}, {}],
        actors=[ROLE],
        endpoints=[ENDPOINT],
    )
    story = sequence_story(detail)
    assert story.action == (ours("an attack sequence of 7 signals across 3 resources"),)
    assert _text(story.actor) == (
        "role web-role (process kdevtmpfsi) from 198.51.100.40 (Hetzner, Germany)"
    )
    assert (story.remote_ip, story.link) == ("198.51.100.40", " by ")


def test_sequence_one_signal_one_resource_and_the_api_spelling() -> None:
    detail = _sequence(Signals=[{}], Resources=[{}], Actors=[{"user": {"uid": "u-1"}}])
    story = sequence_story(detail)
    assert story.action == (ours("an attack sequence of 1 signal"),)
    assert _text(story.actor) == "user u-1"
    assert (story.remote_ip, story.link) == ("", " by ")


def test_sequence_more_actors_and_endpoints_outbound_is_to() -> None:
    outbound = {**ENDPOINT, "connection": {"direction": "outbound"}}
    detail = _sequence(
        actors=[{}, ROLE, {"user": {"name": "b"}}],
        endpoints=[{"autonomousSystem": {"name": "none"}}, outbound, {"domain": "evil.com"}],
    )
    story = sequence_story(detail)
    assert story.action == (ours("an attack sequence"),)
    assert _text(story.actor) == (
        "role web-role (process kdevtmpfsi) and 2 more actors"
        " to 198.51.100.40 (Hetzner, Germany) and 2 more endpoints"
    )
    two = _sequence(actors=[ROLE, {}], endpoints=[ENDPOINT, {}])
    assert _text(sequence_story(two).actor).endswith(
        "and 1 more actor from 198.51.100.40 (Hetzner, Germany) and 1 more endpoint"
    )


def test_sequence_without_actor_is_the_endpoint_joined_by_direction() -> None:
    inbound = _sequence(endpoints=[{"domain": "evil.com", "location": {"country": "FR"}}])
    story = sequence_story(inbound)
    assert (_text(story.actor), story.remote_ip, story.link) == ("evil.com (FR)", "", " from ")
    out = _sequence(endpoints=[{"id": "ep-1", "connection": {"direction": "OUTBOUND"}}])
    assert (_text(sequence_story(out).actor), sequence_story(out).link) == ("ep-1", " to ")


def test_sequence_actor_process_path_when_no_name_and_process_alone() -> None:
    by_path = _sequence(actors=[{"process": {"path": "/tmp/k"}}])
    assert _text(sequence_story(by_path).actor) == "process /tmp/k"
    typed = _sequence(actors=[{"user": {"name": "r", "type": "Root"}, "process": {}}])
    assert _text(sequence_story(typed).actor) == "root user r"
    unknown = _sequence(actors=[{"user": {"name": "x", "type": "Alien"}}])
    assert _text(sequence_story(unknown).actor) == "user x"


def test_sequence_with_actor_but_no_endpoint() -> None:
    story = sequence_story(_sequence(actors=[ROLE], endpoints=[{}]))
    assert _text(story.actor) == "role web-role (process kdevtmpfsi)"


def test_no_sequence_no_story() -> None:
    assert sequence_story({}) == Story()
    assert sequence_story(_sequence()) == Story()


def test_sequence_signals_alone() -> None:
    story = sequence_story(_sequence(signals=[{}, {}], resources=[{}]))
    assert story == Story((ours("an attack sequence of 2 signals"),), (), "", " from ")


# --- runtime ---------------------------------------------------------------------------------


def _runtime(process: dict[str, Any], **runtime: Any) -> dict[str, Any]:
    return {
        "type": "Execution:Runtime/Thing",
        "service": {"runtimeDetails": {"process": process, **runtime}},
    }


def test_process_name_path_and_user() -> None:
    parts = process_parts(_runtime({"name": "bash", "executablePath": "/bin/bash", "user": "app"}))
    assert parts == (
        ours("process "),
        ident("bash"),
        ours(" ("),
        ident("/bin/bash"),
        ours(", "),
        ours("user "),
        ident("app"),
        ours(")"),
    )


def test_process_path_alone_or_equal_to_the_name_is_shown_once() -> None:
    assert _text(process_parts(_runtime({"executablePath": "/x"}))) == "process /x"
    assert _text(process_parts(_runtime({"name": "/x", "executablePath": "/x"}))) == "process /x"
    assert (
        _text(process_parts(_runtime({"name": "sh", "user": "root"}))) == "process sh (user root)"
    )
    assert process_parts(_runtime({"user": "root"})) == ()


def test_runtime_story_names_the_family_and_the_tool() -> None:
    detail = _runtime({"name": "nc"}, context={"toolName": "netcat"})
    story = runtime_story(detail, "ReverseShell")
    assert story == Story(
        (ours("a reverse shell"), ours(" ("), ident("netcat"), ours(")")),
        (ours("process "), ident("nc")),
        "",
        " by ",
    )
    assert RUNTIME["NewBinaryExecuted"] == "execution of a newly created binary"


def test_runtime_story_of_an_unknown_family_is_the_type_as_sent() -> None:
    story = runtime_story(_runtime({"name": "nc"}), "Unknown")
    assert story.action == (ident("Execution:Runtime/Thing"),)
    no_type = {**_runtime({"name": "nc"}), "type": ""}
    assert runtime_story(no_type, "Unknown").action == (ours("runtime activity"),)


def test_runtime_story_needs_a_process() -> None:
    assert runtime_story(_runtime({}), "ReverseShell") == Story()


def test_sequence_across_two_resources_is_counted_one_is_not() -> None:
    two = sequence_story(_sequence(resources=[{}, {}]))
    assert two.action == (ours("an attack sequence across 2 resources"),)
    one = sequence_story(_sequence(resources=[{}], signals=[{}]))
    assert one.action == (ours("an attack sequence of 1 signal"),)
