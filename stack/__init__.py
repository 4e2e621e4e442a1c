"""The runtime CloudFormation stack, in troposphere (docs/architecture.md#runtime-stack)."""

from stack.runtime import build_template, to_json

__all__ = ["build_template", "to_json"]
