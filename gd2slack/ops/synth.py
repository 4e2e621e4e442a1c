"""Write the runtime (and pipeline) templates, deterministically: same code, same bytes."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from gd2slack.errors import CliError

RUNTIME_FILE = "runtime.json"
PIPELINE_FILE = "pipeline.json"
PIPELINE_MODULE = "pipeline.pipeline"


def _runtime_to_json() -> Callable[[], str]:
    try:
        from stack import to_json  # noqa: PLC0415 (troposphere only when synthesizing)
    except ModuleNotFoundError as err:
        raise CliError(
            f"synth needs the development dependencies ({err.name} is missing): "
            "pip install -e '.[dev]' (or make test)"
        ) from None
    return to_json


def _pipeline_to_json() -> Callable[[], str] | None:
    """The pipeline template's renderer, or ``None`` while that package does not exist."""
    try:
        module = importlib.import_module(PIPELINE_MODULE)
    except ModuleNotFoundError as err:
        # Only the module itself being absent means "no pipeline yet"; a missing dependency
        # inside it is a real error.
        if err.name in {"pipeline", PIPELINE_MODULE}:
            return None
        raise
    render = getattr(module, "to_json", None)
    return render if callable(render) else None


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot write {path}: {err.strerror}") from None


def synth(out: Path) -> list[Path]:
    """Write the templates into ``out``; returns the paths written, runtime first."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CliError(f"cannot create {out}: {err.strerror}") from None
    written = [out / RUNTIME_FILE]
    _write(written[0], _runtime_to_json()())
    pipeline = _pipeline_to_json()
    if pipeline is not None:
        written.append(out / PIPELINE_FILE)
        _write(written[-1], pipeline())
    return written
