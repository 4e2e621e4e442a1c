"""Lambda: the function."""

from __future__ import annotations

from app.render.details import resource_sections, resource_summary
from tests.unit.render.details.support import finding, section


def test_lambda() -> None:
    detail = finding(
        {
            "resourceType": "Lambda",
            "lambdaDetails": {
                "functionName": "thumbnailer",
                "functionArn": "arn:aws:lambda:eu-west-1:123456789012:function:thumbnailer",
                "description": "Resizes *uploaded* images",
                "lastModifiedAt": "2024-02-02T02:02:02Z",
                "revisionId": "a1b2c3d4-0000-1111-2222-333344445555",
                "functionVersion": "$LATEST",
                "role": "arn:aws:iam::123456789012:role/thumbnailer",
                "vpcConfig": {
                    "subnetIds": ["subnet-1", "subnet-2"],
                    "vpcId": "vpc-0456efgh",
                    "securityGroups": [{"groupId": "sg-1", "groupName": "lambda"}],
                },
                "tags": [{"key": "owner", "value": "media"}],
            },
        }
    )
    sections = resource_sections(detail)
    fn = section(sections, "Lambda function")
    assert fn["Function"] == "thumbnailer"
    assert fn["Version"] == "$LATEST"
    assert fn["Role"] == "arn:aws:iam::123456789012:role/thumbnailer"
    assert fn["Subnets"] == "subnet-1, subnet-2"
    assert fn["Last modified"] == "2024-02-02 02:02:02 UTC"
    description = next(i for i in sections[0].items if i.label == "Description")
    assert description.prose and description.value == "Resizes *uploaded* images"
    assert resource_summary(detail) == "Lambda thumbnailer"
