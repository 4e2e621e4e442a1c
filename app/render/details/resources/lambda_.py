"""Lambda: the function (``lambdaDetails``)."""

from __future__ import annotations

from app.render.details.kinds import ResourceKind, at, either, fields, line, prose
from app.render.details.read import scalars, tags, when
from app.render.details.resources.ec2 import security_groups

KINDS = (
    ResourceKind(
        "lambdaDetails",
        "Lambda function",
        fields(
            ("Function", either("functionName", "functionArn")),
            ("Version", "functionVersion"),
            ("Role", "role"),
            prose("Description", "description"),
            ("Last modified", at("lastModifiedAt", read=when)),
            ("VPC", at("vpcConfig", "vpcId")),
            ("Subnets", at("vpcConfig", "subnetIds", read=scalars)),
            ("Security groups", at("vpcConfig", "securityGroups", read=security_groups)),
            ("Tags", at("tags", read=tags)),
            ("Revision", "revisionId"),
            ("Function ARN", "functionArn"),
        ),
        resource_types=("Lambda",),
        summary=line(either("functionName", "functionArn")),
    ),
)
