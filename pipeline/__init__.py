"""The pipeline stack (troposphere): ``build_template(config)`` and ``to_json(config)``.

Imported lazily: ``pipeline.imagedetail`` and ``pipeline.config`` are used by the deploy
commands, which should not pay for (or need) troposphere.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PipelineConfig", "build_template", "to_json"]


def __getattr__(name: str) -> Any:
    if name == "PipelineConfig":
        from pipeline.config import PipelineConfig  # noqa: PLC0415 - lazy on purpose

        return PipelineConfig
    if name in ("build_template", "to_json"):
        from pipeline import pipeline as module  # noqa: PLC0415 - lazy on purpose

        return getattr(module, name)
    raise AttributeError(name)
