"""SnapStart runtime hooks: what must be fresh in every environment restored from a snapshot.

With SnapStart, Lambda runs the init code once, snapshots the microVM, and resumes many
execution environments from that one snapshot, so anything made at init is shared by all of
them: open connections, random state, ids, cached secrets. ``after_restore`` hooks renew those.

The hooks come from ``snapshot_restore_py``, which exists only in AWS's Lambda base images; it
is imported only when Lambda says this environment is a SnapStart one
(``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``), so an on-demand cold start pays nothing, and
everywhere else registration is a local no-op.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Any

from app.adapters.observability import logger

Hook = Callable[..., Any]
Register = Callable[..., Hook]


def _no_op_register(func: Hook, *args: Any, **kwargs: Any) -> Hook:
    return func


def runtime_hooks(
    environ: dict[str, str] | os._Environ[str] = os.environ,
) -> tuple[Register, Register]:
    """``(register_after_restore, register_before_snapshot)`` of the runtime, or no-ops."""
    if environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "snap-start":
        return _no_op_register, _no_op_register
    try:
        module = importlib.import_module("snapshot_restore_py")
    except ImportError:
        logger.error(
            "SnapStart is on but snapshot_restore_py is missing (not an AWS base image?): "
            "restored environments would share the snapshot's connections and random state"
        )
        return _no_op_register, _no_op_register
    return module.register_after_restore, module.register_before_snapshot


register_after_restore, register_before_snapshot = runtime_hooks()
