"""IAM: the access key."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import finding, section


def test_access_key() -> None:
    detail = finding(
        {
            "resourceType": "AccessKey",
            "accessKeyDetails": {
                "accessKeyId": "ASIAY34FZKBOKMUTVV7A",
                "principalId": "AROAY34FZKBOKMEXAMPLE:alice",
                "userName": "alice",
                "userType": "AssumedRole",
            },
        }
    )
    key = section(resource_sections(detail), "IAM access key")
    assert key == {
        "User": "alice",
        "User type": "AssumedRole",
        "Access key": "ASIAY34FZKBOKMUTVV7A",
        "Principal": "AROAY34FZKBOKMEXAMPLE:alice",
    }
    assert resource_summary(detail) == "AccessKey ASIAY34FZKBOKMUTVV7A (alice)"
