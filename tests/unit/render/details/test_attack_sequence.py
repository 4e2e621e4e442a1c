"""Extended Threat Detection: the attack sequence and its actors."""

from __future__ import annotations

from app.render.details import actor_sections, resource_sections
from tests.unit.render.details.support import finding, section, titles

SEQUENCE = {
    "uid": "seq-9f8e7d6c",
    "description": "A sequence of actions indicating **credential compromise** and data theft.",
    "actors": [
        {
            "id": "actor-1",
            "user": {
                "name": "alice",
                "uid": "AIDAEXAMPLE",
                "type": "IAMUser",
                "credentialUid": "AKIAEXAMPLE",
                "account": {"uid": "123456789012", "account": "prod"},
            },
            "session": {"uid": "s-1", "mfaStatus": "DISABLED", "issuer": "arn:aws:iam::1:role/x"},
        }
    ],
    "resources": [
        {"uid": "arn:aws:s3:::acme-payroll-exports", "name": "acme-payroll-exports"},
        {"uid": "arn:aws:s3:::acme-logs", "name": "acme-logs"},
    ],
    "endpoints": [
        {
            "id": "ep-1",
            "ip": "192.0.2.77",
            "location": {"city": "Sofia", "country": "Bulgaria"},
            "autonomousSystem": {"name": "EXAMPLE-AS", "number": 64500},
            "connection": {"direction": "INBOUND"},
        }
    ],
    "signals": [
        {"uid": "sig-1", "type": "FINDING", "name": "Discovery:S3/AnomalousBehavior"},
        {"uid": "sig-2", "type": "CLOUD_TRAIL", "name": "GetObject"},
        {"uid": "sig-3", "type": "CLOUD_TRAIL", "name": "DeleteObject"},
    ],
    "sequenceIndicators": [
        {"key": "ATTACK_TACTIC", "values": ["Discovery", "Exfiltration", "Impact"]},
        {"key": "ATTACK_TECHNIQUE", "values": ["Data Destruction"]},
        {"key": "HIGH_RISK_API", "values": ["s3:DeleteObject"]},
        {"key": "SOME_FUTURE_KEY", "values": ["x"]},
    ],
    "additionalSequenceTypes": [],
}


def test_attack_sequence() -> None:
    detail = finding(
        {"resourceType": "S3Bucket", "s3BucketDetails": [{"name": "acme-payroll-exports"}]},
        detection={"sequence": SEQUENCE},
    )
    sections = resource_sections(detail)
    assert titles(sections)[:2] == ["S3 bucket", "Attack sequence"]
    seq = section(sections, "Attack sequence")
    assert seq["MITRE tactics"] == "Discovery, Exfiltration, Impact"
    assert seq["MITRE techniques"] == "Data Destruction"
    assert seq["High-risk APIs"] == "s3:DeleteObject"
    assert seq["Some Future Key"] == "x"
    assert seq["Signals"] == "3"
    assert seq["Signal types"] == "FINDING, CLOUD_TRAIL"
    assert seq["Resources"] == "2"
    assert seq["Resource names"] == "acme-payroll-exports, acme-logs"
    description = next(i for i in sections[1].items if i.label == "Description")
    assert description.prose
    actors = section(actor_sections(detail), "Attack sequence actors")
    assert actors["Actors"] == "alice (IAMUser, 123456789012)"
    assert actors["Endpoints"] == "192.0.2.77 (AS64500 EXAMPLE-AS, Sofia, Bulgaria, inbound)"
    assert actors["MFA"] == "DISABLED"
