"""RDS login attempts."""

from __future__ import annotations

import pytest

from app.render.details import actor_sections
from tests.unit.render.details.support import REMOTE_IP, finding, section


@pytest.mark.parametrize("key", ["loginAttributes", "LoginAttributes"])
def test_rds_login_attempts(key: str) -> None:
    detail = finding(
        action={
            "actionType": "RDS_LOGIN_ATTEMPT",
            "rdsLoginAttemptAction": {
                "remoteIpDetails": REMOTE_IP,
                key: [
                    {
                        "user": "postgres",
                        "application": "psql",
                        "failedLoginAttempts": 37,
                        "successfulLoginAttempts": 1,
                    },
                    {
                        "user": "admin",
                        "application": "psql",
                        "failedLoginAttempts": "5",
                        "successfulLoginAttempts": 0,
                    },
                ],
            },
        }
    )
    login = section(actor_sections(detail), "Database login attempts")
    assert login["Remote IP"] == "198.51.100.23"
    assert login["Users"] == "postgres, admin"
    assert login["Applications"] == "psql"
    assert login["Successful logins"] == "1"
    assert login["Failed logins"] == "42"
