"""The changes the runtime template needs before moto's CloudFormation can create and update it.

moto does not model ``AWS::Lambda::Alias``: ``Ref`` of the alias resolves to nothing and the
event source mapping fails with "Missing FunctionName". ``make demo`` points the mapping at the
function itself (and creates the alias by API).

moto models neither ``AWS::Lambda::Url`` nor ``AWS::Lambda::EventInvokeConfig``, and when it
updates a stack it ignores a resource's ``Condition`` (moto 5.2.5: an update re-parses every
resource whose parameters changed, conditions or not). The demo and the deploy tests run without
triage (its default), so the triage-only resources and outputs (``stack/interactions.py``) are
left out. The deployed template is never changed.
"""

from __future__ import annotations

import copy
from typing import Any

from stack.function import EVENT_SOURCE_MAPPING, FUNCTION
from stack.parameters import HAS_TRIAGE, HAS_TRIAGE_SECRET_KMS_KEY

TRIAGE_ONLY = frozenset({HAS_TRIAGE, HAS_TRIAGE_SECRET_KMS_KEY})


def for_moto(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of the synthesized template whose mapping targets the unqualified function, without
    the resources and outputs that exist only with triage."""
    patched = copy.deepcopy(template)
    for section in ("Resources", "Outputs"):
        patched[section] = {
            name: value
            for name, value in patched.get(section, {}).items()
            if value.get("Condition") not in TRIAGE_ONLY
        }
    mapping = patched["Resources"][EVENT_SOURCE_MAPPING]["Properties"]
    mapping["FunctionName"] = {"Fn::GetAtt": [FUNCTION, "Arn"]}
    return patched
