"""The pipeline stack (troposphere): ``build_template(config)`` and ``to_json(config)``.

Imported lazily: ``pipeline.imagedetail``, ``pipeline.config`` and ``pipeline.names`` are used by
the CLI (deploy, status, promote), which should not pay for (or need) troposphere.

Layout, one construct per module: ``names`` (stage, action, project names), ``config``
(synthesis inputs), ``parameters``, ``storage`` (artifact bucket, ECR), ``roles`` (every role and
grant), ``deploy_permissions`` (this stack's own CloudFormation role), ``projects`` (CodeBuild),
``stages`` (the pipeline resource), ``pipeline`` (assembles the template); ``iam`` is the
statement vocabulary.
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
