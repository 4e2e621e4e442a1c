"""Hypothesis strategies for GuardDuty findings, generated from botocore's ``Finding`` shape.

The shape walk gives every member its camelCase ``locationName`` (the EventBridge ``detail``
form) and a value of its modelled type; text is drawn from hostile strings as well as random
unicode, and any value may be replaced by an odd type (null, number, list, object) the way
real GuardDuty data sometimes is.
"""

from __future__ import annotations

from typing import Any

import botocore.session
from hypothesis import strategies as st

HOSTILE_TEXT = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U012ABCDEF>",
    "<#C012ABCDEF>",
    "<!subteam^S1>",
    "<https://evil.example/login|Open GuardDuty>",
    "https://evil.example/x?a=1&b=2",
    "www.evil.com",
    "evil.zip",
    "*bold* _it_ ~s~ `code` ```block```",
    "&amp;lt;!here&amp;gt;",
    "\u202eevil\u202c",
    "zero\u200bwidth",
    "nul\x00byte",
    "line\nbreak\r\n",
    "@here",
    "@channel",
    "😈" * 10,
    "a" * 5000,
    "",
    " ",
    "C&CActivity",
    "<",
    ">",
    "&",
]

# Past Python's 4300-digit limit: ``str()`` and ``json.loads`` of it raise ValueError.
HUGE_INT = 10**5000

_MODEL = botocore.session.get_session().get_service_model("guardduty")


def _text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=60))


def _odd() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.integers(-(2**40), 2**40),
        st.sampled_from([HUGE_INT, -HUGE_INT]),
        st.floats(allow_nan=True),
        st.booleans(),
        st.just([]),
        st.just({}),
        _text(),
        st.lists(_text(), max_size=3),
    )


def _for_shape(shape: Any, depth: int) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        if depth <= 0:
            return st.just({})
        members = {
            (member.serialization.get("name") or name): _maybe_odd(_for_shape(member, depth - 1))
            for name, member in shape.members.items()
        }
        return st.fixed_dictionaries({}, optional=members)
    if kind == "list":
        if depth <= 0:
            return st.just([])
        return st.lists(_maybe_odd(_for_shape(shape.member, depth - 1)), max_size=3)
    if kind == "map":
        return st.dictionaries(_text(), _text(), max_size=3)
    if kind in ("integer", "long"):
        return st.integers(-(2**31), 2**31)
    if kind in ("double", "float"):
        return st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.one_of(
            st.sampled_from(["2026-11-28T09:14:00.000Z", "2026-11-28T09:14:00Z"]),
            st.integers(0, 2_000_000_000_000),
            _text(),
        )
    if kind == "string" and shape.enum:
        return st.one_of(st.sampled_from(list(shape.enum)), _text())
    return _text()


def _maybe_odd(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(inner, inner, inner, _odd())


FINDING_SHAPE = _MODEL.shape_for("Finding")


def finding_details(depth: int = 6) -> st.SearchStrategy[dict[str, Any]]:
    """A ``detail`` dict; id, type and severity are usually sane so rendering is exercised."""
    base = _for_shape(FINDING_SHAPE, depth)
    return st.tuples(
        base,
        st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["f" * 32, "<!here>"])),
        st.one_of(st.floats(0, 10), st.sampled_from(["8.0", None, "x", 3.95, 9.0])),
        st.one_of(
            st.sampled_from(
                [
                    "Recon:EC2/PortProbeUnprotectedPort",
                    "Backdoor:EC2/C&CActivity.B!DNS",
                    "AttackSequence:IAM/CompromisedCredentials",
                    "Execution:Runtime/ReverseShell",
                ]
            ),
            _text(),
        ),
        st.sampled_from(["us-east-1", "us-gov-west-1", "cn-north-1", "<!here>", ""]),
    ).map(
        lambda t: {
            **t[0],
            "id": t[1].strip() or "x",
            "severity": t[2],
            "type": t[3],
            "region": t[4],
        }
    )


def eventbridge_events(depth: int = 6) -> st.SearchStrategy[dict[str, Any]]:
    return finding_details(depth).map(
        lambda detail: {
            "version": "0",
            "id": "11111111-2222-3333-4444-555555555555",
            "detail-type": "GuardDuty Finding",
            "source": "aws.guardduty",
            "account": "123456789012",
            "time": "2026-11-28T09:14:00Z",
            "region": "us-east-1",
            "resources": [],
            "detail": detail,
        }
    )
