"""The runtime CloudFormation stack, in troposphere (DESIGN §7)."""

from stack.runtime import build_template, to_json

__all__ = ["build_template", "to_json"]
