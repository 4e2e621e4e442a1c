"""Anomaly detection: unusual behaviour (with additional info beside it)."""

from __future__ import annotations

import json

from app.render.details import actor_sections
from tests.unit.render.details.support import finding, section


def test_anomaly_and_additional_info() -> None:
    detail = finding(
        detection={
            "anomaly": {
                "profiles": {},
                "unusual": {
                    "behavior": {
                        "AKIAEXAMPLE": {
                            "API": {
                                "profileType": "FREQUENCY",
                                "profileSubtype": "UNSEEN",
                                "observations": {"text": ["DeleteTrail", "StopLogging"]},
                            },
                            "userAgent <x>": {
                                "profileSubtype": "RARE",
                                "observations": {"text": ["curl/8.0"]},
                            },
                        }
                    }
                },
            }
        },
        additionalInfo={
            "value": json.dumps({"sample": False, "unusualProtocol": "UDP", "inBytes": 1200}),
            "type": "default",
        },
    )
    sections = actor_sections(detail)
    unusual = section(sections, "Unusual behaviour")
    assert unusual["API"] == "DeleteTrail, StopLogging (unseen)"
    assert unusual["User Agent X"] == "curl/8.0 (rare)"
    info = section(sections, "Additional information")
    assert info == {"Unusual protocol": "UDP", "In Bytes": "1200"}
