"""EC2: the instance."""

from __future__ import annotations

from app.render.details import MAX_ITEMS, resource_sections, resource_summary
from tests.unit.render.details.support import INSTANCE, check_invariants, finding, section


def test_instance() -> None:
    detail = finding(INSTANCE)
    sections = resource_sections(detail)
    ec2 = section(sections, "EC2 instance")
    assert ec2["Instance"] == "i-0a1b2c3d4e5f60718"
    assert ec2["Name"] == "web-1"
    assert ec2["Type"] == "t3.medium"
    assert ec2["State"] == "running"
    assert ec2["Public IPs"] == "203.0.113.10"
    assert ec2["Private IPs"] == "10.0.1.25, 10.0.1.26"
    assert ec2["Instance profile"] == "arn:aws:iam::123456789012:instance-profile/web-server"
    assert ec2["Image"] == "ami-0c55b159cbfafe1f0"
    assert ec2["Tags"] == "team=payments"  # the Name tag is shown on its own
    assert ec2["VPC / subnet"] == "vpc-0456efgh / subnet-0123abcd"
    assert ec2["Security groups"] == "sg-0aa11bb22 web"
    assert "Launched" in ec2  # 12 items at most: the rest is cut in priority order
    assert "Platform" not in ec2  # null
    assert len(ec2) == MAX_ITEMS
    assert resource_summary(detail) == "Instance i-0a1b2c3d4e5f60718 (web-1)"
    check_invariants(sections)


def test_instance_launch_time_as_epoch_milliseconds() -> None:
    detail = finding({"resourceType": "Instance", "instanceDetails": {"launchTime": 1709280900000}})
    ec2 = section(resource_sections(detail), "EC2 instance")
    assert ec2["Launched"] == "2024-03-01 08:15:00 UTC"
