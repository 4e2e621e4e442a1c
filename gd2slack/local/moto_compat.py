"""The one change the runtime template needs before moto's CloudFormation can create it.

moto does not model ``AWS::Lambda::Alias``: ``Ref`` of the alias resolves to nothing and the
event source mapping fails with "Missing FunctionName". ``make demo`` points the mapping at the
function itself (and creates the alias by API); the deployed template is never changed.
"""

from __future__ import annotations

import copy
from typing import Any

from stack.function import EVENT_SOURCE_MAPPING, FUNCTION


def for_moto(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of the synthesized template whose mapping targets the unqualified function."""
    patched = copy.deepcopy(template)
    mapping = patched["Resources"][EVENT_SOURCE_MAPPING]["Properties"]
    mapping["FunctionName"] = {"Fn::GetAtt": [FUNCTION, "Arn"]}
    return patched
