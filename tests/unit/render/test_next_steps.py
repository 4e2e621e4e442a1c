"""Next steps: our own text per family, identifiers filled in only from structured fields checked
by their syntax, a generic word (commands) or nothing (prose) where one is missing or odd."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.core.finding import Finding, MalformedEvent, NotAFinding, parse_event
from app.render.next_steps import NextSteps, next_steps, remediation, step_parts
from app.render.parts import Parts, Trust
from tests.conftest import all_fixture_paths, load_event, minimal_event

ROOT = Path(__file__).resolve().parents[3]
TYPES: dict[str, Any] = json.loads((ROOT / "app/render/finding_type_docs.json").read_text())[
    "types"
]
STEP_LIMIT = 320  # a responder reads these at 3 a.m.
SAFE_VALUE = re.compile(r"^[A-Za-z0-9+=,.@_:/-]+$")
SAFE_COMMAND = re.compile(r"^aws [a-z0-9-]+ [a-z0-9-]+( [A-Za-z0-9+=,.@_:/<>$-]+)*$")


def _steps(name: str) -> NextSteps:
    found = next_steps(parse_event(load_event(name)))
    assert found is not None
    return found


def _text(parts: Parts) -> str:
    return "".join(part.text for part in parts)


def _commands(steps: NextSteps) -> list[str]:
    return [part.text for step in steps.steps for part in step if part.trust == Trust.COMMAND]


def _with(finding_type: str, resource: dict[str, Any], **service: Any) -> Finding:
    event = minimal_event(finding_type=finding_type, resource=resource)
    event["detail"]["service"].update(service)
    return parse_event(event)


def test_an_access_key_is_deactivated_with_its_id_and_user_filled_in() -> None:
    steps = _steps("govcloud-iam-malicious-ip-caller.json")
    assert (
        "aws iam update-access-key --access-key-id AKIAQ3EGR7EXAMPLEG0V --status Inactive "
        "--user-name svc-reporting"
    ) in _commands(steps)
    first = steps.steps[0]
    assert [p.text for p in first if p.trust == Trust.IDENTIFIER] == ["svc-reporting"]
    assert steps.doc.url == "https://docs.aws.amazon.com/guardduty/latest/ug/compromised-creds.html"


def test_an_ec2_actor_gets_the_isolation_step_first() -> None:
    steps = _steps("ec2-bitcoin-tool.json")  # resourceRole ACTOR
    first = steps.steps[0]
    assert any(
        p.trust == Trust.COMMAND
        and p.text
        == "aws ec2 modify-instance-attribute --instance-id i-0c19a8e7f6d5b4a32 "
        "--groups <isolation-sg-id> --region us-east-2"
        for p in first
    )
    assert _text(first).startswith("Isolate the instance i-0c19a8e7f6d5b4a32")
    assert "source" in steps.title


def test_an_ec2_target_is_checked_before_anything_is_isolated() -> None:
    steps = _steps("ec2-ssh-brute-force.json")  # resourceRole TARGET
    assert _text(steps.steps[0]).startswith(
        "Confirm the traffic to the instance i-04e2d9a7c1b3f8e26"
    )
    assert not any("modify-instance-attribute" in c for c in _commands(steps))
    assert (
        "aws guardduty start-malware-scan --resource-arn "
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-04e2d9a7c1b3f8e26 --region eu-west-1"
    ) in _commands(steps)


def test_the_actor_flag_alone_decides_the_ec2_variant() -> None:
    resource = {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-0abc1234"}}
    actor = next_steps(_with("Backdoor:EC2/DenialOfService.Tcp", resource, resourceRole="ACTOR"))
    target = next_steps(_with("Backdoor:EC2/DenialOfService.Tcp", resource, resourceRole="TARGET"))
    assert actor and target and actor.steps != target.steps
    assert _text(actor.steps[0]).startswith("Isolate")


def test_a_china_instance_gets_its_partition_and_region() -> None:
    commands = _commands(_steps("china-ec2-tor-client.json"))
    assert any("--region cn-north-1" in c and "i-0f1e2d3c4b5a69788" in c for c in commands)


def test_a_role_session_is_revoked_not_deactivated() -> None:
    steps = _steps("iam-credential-exfiltration.json")  # AssumedRole, ASIA key
    text = "\n".join(_text(s) for s in steps.steps)
    assert "update-access-key" not in text
    assert "Revoke active sessions" in text and "web-prod-instance-role" in text
    assert "i-0b7f3c2a91d4e5f60" in text  # the session name, from the principal id


def test_a_users_temporary_key_is_never_put_into_update_access_key() -> None:
    event = load_event("govcloud-iam-malicious-ip-caller.json")
    event["detail"]["resource"]["accessKeyDetails"]["accessKeyId"] = "ASIAQ3EGR7EXAMPLEG0V"
    steps = next_steps(parse_event(event))
    assert steps is not None
    commands = _commands(steps)
    assert "aws iam list-access-keys --user-name svc-reporting" in commands
    assert not any("update-access-key --access-key-id ASIA" in c for c in commands)


def test_root_credentials() -> None:
    event = load_event("govcloud-iam-malicious-ip-caller.json")
    event["detail"]["resource"]["accessKeyDetails"]["userType"] = "Root"
    steps = next_steps(parse_event(event))
    assert steps is not None and steps.title.startswith("Root")
    assert not _commands(steps)


def test_an_unfillable_placeholder_reads_as_a_generic_word_in_commands() -> None:
    steps = _steps("sample-iam-tor-ip-caller.json")  # key id "GeneratedFindingAccessKeyId"
    assert (
        "aws iam update-access-key --access-key-id <access-key-id> --status Inactive "
        "--user-name GeneratedFindingUserName"
    ) in _commands(steps)


def test_an_unfillable_placeholder_is_left_out_of_prose() -> None:
    parts = step_parts("Isolate the instance {instance_id}: now `x --id {instance_id}`", {})
    assert [(p.text, p.trust) for p in parts] == [
        ("Isolate the instance: now ", Trust.OURS),
        ("x --id <instance-id>", Trust.COMMAND),
    ]
    filled = step_parts("Isolate the instance {instance_id}: now", {"instance_id": "i-0abc1234"})
    assert [(p.text, p.trust) for p in filled] == [
        ("Isolate the instance ", Trust.OURS),
        ("i-0abc1234", Trust.IDENTIFIER),
        (": now", Trust.OURS),
    ]


def test_families_by_resource() -> None:
    ecs = _commands(_steps("runtime-ecs-reverse-shell.json"))
    assert (
        "aws ecs stop-task --cluster checkout-prod --task 62faed3312a620424ac10ede1730c3ca "
        "--region eu-west-1"
    ) in ecs
    s3 = _commands(_steps("malware-s3-object.json"))
    assert "aws s3 rm s3://acme-customer-uploads/uploads/2026/11/27/invoice-88231.zip" in s3
    snapshot = _commands(_steps("malware-backup-ebs-snapshot.json"))
    assert any("--snapshot-id snap-0ba5d5bcb4fe9eaf8" in c for c in snapshot)
    assert "Lambda" in _steps("lambda-malicious-ip-caller.json").title
    assert _steps("malware-container-malicious-file.json").title.endswith("container workload")
    assert "EKS" in _steps("runtime-eks-new-binary-executed.json").title
    assert _steps("attack-sequence-iam.json").title.startswith("Attack sequence")
    limitless = _steps("rds-limitless-malicious-ip-failed-login.json")
    assert "orders-limitless" in _text(limitless.steps[0])


@pytest.mark.parametrize("path", all_fixture_paths("events"), ids=lambda p: p.stem)
def test_every_realistic_finding_has_short_steps_of_known_trust(path: Path) -> None:
    steps = next_steps(parse_event(json.loads(path.read_text())))
    assert steps is not None
    assert steps.title and 1 <= len(steps.steps) <= 4
    assert steps.doc.url.startswith("https://docs.aws.amazon.com/guardduty/latest/ug/")
    for step in steps.steps:
        assert 0 < len(_text(step)) <= STEP_LIMIT
        assert "{" not in _text(step) and "`" not in _text(step)
        for part in step:
            assert part.trust in (Trust.OURS, Trust.IDENTIFIER, Trust.COMMAND)
            if part.trust == Trust.IDENTIFIER:
                assert SAFE_VALUE.match(part.text), part.text
            if part.trust == Trust.COMMAND:
                assert SAFE_COMMAND.match(part.text), part.text


@pytest.mark.parametrize("finding_type", sorted(TYPES))
def test_every_documented_type_has_steps(finding_type: str) -> None:
    assert next_steps(parse_event(minimal_event(finding_type=finding_type))) is not None


@pytest.mark.parametrize("finding_type", ["Unknown", "", "Impact:Quantum/EntanglementBroken"])
def test_no_family_no_steps(finding_type: str) -> None:
    assert next_steps(parse_event(minimal_event(finding_type=finding_type))) is None


def _hostile() -> list[Finding]:
    found = []
    for path in all_fixture_paths("hostile"):
        try:
            found.append(parse_event(json.loads(path.read_text())))
        except (MalformedEvent, NotAFinding):
            continue
    return found


@pytest.mark.parametrize("finding", _hostile(), ids=lambda f: f.type[:40])
def test_hostile_text_never_reaches_a_step(finding: Finding) -> None:
    steps = next_steps(finding)
    if steps is None:
        return
    for step in steps.steps:
        for part in step:
            if part.trust == Trust.IDENTIFIER:
                assert SAFE_VALUE.match(part.text), part.text
            elif part.trust == Trust.COMMAND:
                assert SAFE_COMMAND.match(part.text), part.text
            for text in ("evil", "<!", "<@", "<#", "\u202e", "\n", "`", "*bold*"):
                assert text not in part.text


def test_an_injected_identifier_becomes_the_generic_word() -> None:
    commands = _commands(_steps("hostile/injection-iam-credential-exfiltration.json"))
    # userType is injected too, so no variant applies: the long-term key steps, generic words.
    assert commands == [
        "aws iam update-access-key --access-key-id <access-key-id> --status Inactive "
        "--user-name <user-name>"
    ]
    s3 = _commands(_steps("hostile/injection-malware-s3-object.json"))
    assert "aws s3 rm s3://<bucket>/<object-key>" in s3
    ecs = _commands(_steps("hostile/injection-runtime-ecs-reverse-shell.json"))
    assert any(c.startswith("aws ecs stop-task --cluster <cluster> --task ") for c in ecs)


@pytest.mark.parametrize(
    "key", ["a b.zip", "x;rm -rf ~", "$(id)", "a'b", "x|y", "a\nb", "../" * 400 + "x"]
)
def test_object_keys_unsafe_for_a_shell_are_refused(key: str) -> None:
    resource = {
        "resourceType": "S3Object",
        "s3BucketDetails": [{"name": "uploads", "s3ObjectDetails": [{"key": key}]}],
    }
    steps = next_steps(_with("Object:S3/MaliciousFile", resource))
    assert steps is not None
    assert "aws s3 rm s3://uploads/<object-key>" in _commands(steps)


def test_finding_prose_never_appears() -> None:
    marker = "PROSE-MARKER-7f3a"
    event = load_event("govcloud-iam-malicious-ip-caller.json")
    event["detail"]["title"] = event["detail"]["description"] = marker
    event["detail"]["service"]["additionalInfo"] = {"value": json.dumps({"note": marker})}
    steps = next_steps(parse_event(event))
    assert steps is not None
    assert marker not in repr(steps)


def test_the_table_is_well_formed() -> None:
    table = remediation()
    known = set(table["placeholders"])
    families = table["families"]
    assert set(families) == {entry["family"] for entry in TYPES.values()}
    for name, family in families.items():
        assert family["doc"].startswith("https://docs.aws.amazon.com/guardduty/latest/ug/"), name
        for variant in [family, *family.get("variants", {}).values()]:
            assert variant["title"] and len(variant["steps"]) == 4, name
            for step in variant["steps"]:
                assert set(re.findall(r"\{([a-z_]+)\}", step)) <= known, step
                assert step.count("`") % 2 == 0, step
