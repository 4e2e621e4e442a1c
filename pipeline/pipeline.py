"""The pipeline stack: push to main → tested image → dev → approval → prod, with rollbacks.

CodePipeline V2, QUEUED executions, a CodeConnections source with a push trigger on one branch
(docs-only pushes do not start it), then Build → UpdatePipeline → DeployDev → TestDev →
ApproveProd → DeployProd → TestProd. Deploys are CodeBuild actions running
``gd2slack deploy-stack``, because CodePipeline's CloudFormation action cannot pass a
``RollbackConfiguration`` (the composite-alarm rollback trigger). See docs/pipeline.md.

This module only assembles the template; each construct is built in its own module and returns
the logical ids it created (``parameters``, ``storage``, ``roles``, ``projects``, ``stages``).
``build_template(config)`` is a pure function of its input: the same config gives the same JSON.
"""

from __future__ import annotations

import json

from troposphere import AWSHelperFn, GetAtt, If, Output, Ref, Sub, Template

from app.core.partition import console_host
from pipeline import parameters, projects, roles, stages, storage
from pipeline.config import PipelineConfig

DESCRIPTION = (
    "gd2slack pipeline: GitHub push -> tested arm64 image -> dev -> approval -> prod, "
    "with composite-alarm rollback triggers"
)


def console_host_value() -> AWSHelperFn:
    """The console of the partition the stack is in: a commercial-console link is dead in
    GovCloud and China."""
    return If(
        parameters.IN_CHINA,
        console_host("aws-cn", ""),
        If(
            parameters.IN_GOVCLOUD,
            console_host("aws-us-gov", ""),
            Sub(console_host("aws", "${AWS::Region}")),
        ),
    )


def outputs(
    config: PipelineConfig, stored: storage.Storage, granted: roles.Roles, pipeline: str
) -> list[Output]:
    """Output keys are a contract: ``deploy-pipeline`` and ``status`` read them by name."""
    return [
        Output("PipelineName", Value=Ref(pipeline)),
        Output("EcrRepositoryUri", Value=GetAtt(stored.repository, "RepositoryUri")),
        Output("ArtifactBucketName", Value=Ref(stored.bucket)),
        Output(
            "DeployRegions",
            Description="Regions the runtime stacks are deployed to (synthesis input)",
            Value=projects.regions_value(config),
        ),
        Output("PipelineExecutionRoleArn", Value=GetAtt(granted.pipeline_execution, "Arn")),
        Output(
            "PipelineConsoleUrl",
            Value=Sub(
                "${ConsoleHost}/codesuite/codepipeline/pipelines/"
                f"${{{pipeline}}}/view?region=${{AWS::Region}}",
                ConsoleHost=console_host_value(),
            ),
        ),
    ]


def build_template(config: PipelineConfig | None = None) -> Template:
    """The pipeline stack for ``config`` (default: deploy to the pipeline's own region only)."""
    config = config or PipelineConfig()
    t = Template(Description=DESCRIPTION)
    t.set_version("2010-09-09")
    parameters.add_to(t)
    stored = storage.add_to(t, config)
    granted = roles.add_to(t, config, stored)
    built = projects.add_to(t, config, stored, granted)
    pipeline = stages.add_to(t, config, stored, granted, built)
    for output in outputs(config, stored, granted, pipeline):
        t.add_output(output)
    return t


def to_json(config: PipelineConfig | None = None) -> str:
    """Deterministic JSON (sorted keys): byte-identical for the same config."""
    return json.dumps(json.loads(build_template(config).to_json()), indent=1, sort_keys=True) + "\n"
