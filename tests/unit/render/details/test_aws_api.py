"""AWS API calls."""

from __future__ import annotations

from app.render.details import actor_sections
from tests.unit.render.details.support import REMOTE_IP, finding, section


def test_aws_api_call() -> None:
    detail = finding(
        {"resourceType": "AccessKey", "accessKeyDetails": {"userName": "alice"}},
        action={
            "actionType": "AWS_API_CALL",
            "awsApiCallAction": {
                "api": "GetSecretValue",
                "serviceName": "secretsmanager.amazonaws.com",
                "callerType": "Remote IP",
                "errorCode": "AccessDenied",
                "userAgent": "aws-cli/2.15.0 Python/3.11 Linux/6.1 md/arch#x86_64",
                "remoteIpDetails": REMOTE_IP,
                "affectedResources": {
                    "AWS::SecretsManager::Secret": "arn:aws:secretsmanager:eu-west-1:1:secret:db"
                },
            },
        },
    )
    call = section(actor_sections(detail), "AWS API call")
    assert call["API"] == "GetSecretValue"
    assert call["Service"] == "secretsmanager.amazonaws.com"
    assert call["Caller type"] == "Remote IP"
    assert call["Error code"] == "AccessDenied"
    assert call["User agent"].startswith("aws-cli/2.15.0")
    assert call["Remote IP"] == "198.51.100.23"
    assert call["Affected resources"] == (
        "AWS::SecretsManager::Secret: arn:aws:secretsmanager:eu-west-1:1:secret:db"
    )


def test_aws_api_call_from_another_account_or_domain() -> None:
    detail = finding(
        action={
            "actionType": "AWS_API_CALL",
            "awsApiCallAction": {
                "api": "AssumeRole",
                "serviceName": "sts.amazonaws.com",
                "callerType": "AWS Service",
                "remoteAccountDetails": {
                    "accountId": "999988887777",
                    "affiliated": False,
                    "awsServiceName": "lambda.amazonaws.com",
                },
                "domainDetails": {"domain": "lambda.amazonaws.com"},
            },
        }
    )
    call = section(actor_sections(detail), "AWS API call")
    assert call["Remote account"] == "999988887777"
    assert call["Calling service"] == "lambda.amazonaws.com"
    assert call["Domain"] == "lambda.amazonaws.com"
