"""Which AWS partition a region is in, and that partition's console.

A GovCloud or China finding linked to the commercial console is a dead link exactly when a
responder needs it; the function, its messages and the CLI's trace links all ask here.
"""

from __future__ import annotations

PARTITIONS = ("aws", "aws-us-gov", "aws-cn")
_CONSOLE_HOSTS = {
    "aws": "https://{region}.console.aws.amazon.com",
    "aws-us-gov": "https://console.amazonaws-us-gov.com",
    "aws-cn": "https://console.amazonaws.cn",
}


def partition_for(region: str, declared: str = "") -> str:
    """The partition a finding declares, else the one its region belongs to."""
    if declared in PARTITIONS:
        return declared
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def console_host(partition: str, region: str) -> str:
    """``https://…`` of the partition's console; unknown partitions get the commercial one."""
    return _CONSOLE_HOSTS.get(partition, _CONSOLE_HOSTS["aws"]).format(region=region)
