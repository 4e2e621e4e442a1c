"""What the pipeline template is synthesized from: the deployment regions and alarm names.

CodePipeline stages hold a static list of actions, so the deployment regions cannot be a
CloudFormation parameter that fans out at deploy time: they are an input of synthesis
(``gd2slack deploy-pipeline --regions``), one ``Deploy-<region>``/``Smoke-<region>`` action per
region. The same goes for the composite alarms used by stage conditions: their names are read
from the runtime stacks' outputs when they exist, so a stage gets its alarm condition once its
stack has been deployed (the next pipeline run adds it through the UpdatePipeline stage).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.constants import valid_region
from pipeline.names import PIPELINE_NAME  # re-exported: deploy-pipeline names the pipeline

__all__ = ["PIPELINE_NAME", "PipelineConfig", "parse_regions", "validate_region"]


def validate_region(region: str) -> str:
    """A region name or ``ValueError``: a typo would otherwise become a stage action name."""
    if not valid_region(region):
        raise ValueError(f"not an AWS region name: {region!r}")
    return region


def parse_regions(text: str) -> tuple[str, ...]:
    """``"us-east-1, eu-west-1"`` → ordered, de-duplicated, validated regions."""
    regions: list[str] = []
    for part in text.split(","):
        name = part.strip()
        if name and validate_region(name) not in regions:
            regions.append(name)
    if not regions:
        raise ValueError("no regions given")
    return tuple(regions)


@dataclass(frozen=True)
class PipelineConfig:
    """Inputs of synthesis. The default (no regions) deploys to the pipeline's own region.

    ``home_region`` is the region the pipeline stack is deployed in; the template is then
    specific to it (ECR replication goes to the other regions).

    ``alarm_names`` maps ``(stage, region)`` to the name of that runtime stack's composite alarm
    (its ``CompositeAlarmName`` output); a missing entry means "no stage condition yet".
    """

    regions: tuple[str, ...] = ()
    home_region: str | None = None
    alarm_names: tuple[tuple[str, str, str], ...] = field(default=())

    @classmethod
    def create(
        cls,
        regions: Iterable[str] = (),
        alarm_names: Mapping[tuple[str, str], str] | None = None,
        home_region: str | None = None,
    ) -> PipelineConfig:
        checked = tuple(validate_region(r) for r in regions)
        if len(set(checked)) != len(checked):
            raise ValueError("regions repeat")
        if home_region is not None:
            validate_region(home_region)
        entries = tuple(
            sorted((stage, region, name) for (stage, region), name in (alarm_names or {}).items())
        )
        return cls(regions=checked, home_region=home_region, alarm_names=entries)

    def alarm_name(self, stage: str, region: str) -> str | None:
        for entry_stage, entry_region, name in self.alarm_names:
            if (entry_stage, entry_region) == (stage, region):
                return name
        return None

    @property
    def multi_region(self) -> bool:
        return len(self.regions) > 1

    @property
    def target_regions(self) -> list[str | None]:
        """The regions to deploy to; ``None`` stands for the pipeline's own region."""
        return list(self.regions) if self.regions else [None]

    @property
    def replica_regions(self) -> tuple[str, ...]:
        """Target regions other than the pipeline's own: ECR replicates the image there.

        Known only when synthesis knows the pipeline's region (``deploy-pipeline`` always does);
        a template synthesized without it deploys only where its image already is.
        """
        if self.home_region is None:
            return ()
        return tuple(r for r in self.regions if r != self.home_region)
