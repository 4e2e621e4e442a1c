"""``gd2slack synth --out DIR``: write the CloudFormation templates the pipeline deploys.

``DIR/runtime.json`` always; ``DIR/pipeline.json`` when the ``pipeline`` package is present.
Output is deterministic (same code, same bytes), so a diff of the files is a review of the
infrastructure change. troposphere is imported here, not at CLI start: other commands must
not need the template toolchain.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from gd2slack.commands import add_command
from gd2slack.ops.synth import synth


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "synth",
        help="write the runtime (and pipeline) CloudFormation templates",
        run=run,
    )
    parser.add_argument(
        "--out", type=Path, default=Path("build"), help="output directory (default: build)"
    )


def run(args: argparse.Namespace) -> int:
    for path in synth(args.out):
        print(f"wrote {path}")
    return 0
