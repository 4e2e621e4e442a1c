"""cfn-lint (0 errors, 0 warnings) and checkov (0 failed) on every template the project deploys,
as the deploy path produces it: the runtime template from ``gd2slack synth``, and the pipeline
template exactly as ``deploy-pipeline`` (the UpdatePipeline action) synthesizes it, for one region
before any runtime stack exists and for several regions once their alarms are known.

checkov lives in its own environment (it pins an old urllib3): ``$GD2SLACK_CHECKOV`` names the
binary (``make test`` sets it). Skips are allowed only in a resource's ``Metadata`` with a reason
(tests/templates/test_runtime_template.py checks the reasons).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import stack
from gd2slack.ops import template_lint
from gd2slack.ops.deploy_pipeline import synthesize
from pipeline import pipeline

HOME = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1")
ALARMS = {
    (stage, region): f"gd2slack-{stage}-delivery-{region}"
    for stage in ("dev", "prod")
    for region in REGIONS
}


def _deployed(regions: tuple[str, ...], alarms: dict[tuple[str, str], str]) -> Callable[[], str]:
    return lambda: synthesize(regions, alarms, HOME)[0]


TEMPLATES: dict[str, Callable[[], str]] = {
    "runtime": stack.to_json,
    "pipeline-synth": pipeline.to_json,
    "pipeline-deployed-first": _deployed((HOME,), {}),
    "pipeline-deployed-regions-alarms": _deployed(REGIONS, ALARMS),
}


@pytest.fixture(scope="module", params=sorted(TEMPLATES))
def template_text(request: pytest.FixtureRequest) -> str:
    return TEMPLATES[request.param]()


def test_cfn_lint_clean(template_text: str) -> None:
    problems = template_lint.cfn_lint_problems(template_text)
    assert not problems, "\n".join(problems)


def test_checkov_clean(template_text: str) -> None:
    if not template_lint.checkov_binary().exists():
        pytest.skip("checkov not installed (make test installs it and sets GD2SLACK_CHECKOV)")
    problems = template_lint.checkov_problems(template_text)
    assert not problems, "\n".join(problems)


def test_the_lint_catches_a_broken_template() -> None:
    """The shared lint must be able to fail: a dangling Ref is a cfn-lint error."""
    broken = json.dumps(
        {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Ref": "N"}}}}}
    )
    assert any("E" in line.split()[1] for line in template_lint.cfn_lint_problems(broken))


def test_every_stateful_resource_has_a_chosen_deletion_policy(template_text: str) -> None:
    """cfn-lint's informational I3011: no data-bearing resource is left on the default."""
    from cfnlint.api import ManualArgs, lint

    config = ManualArgs(regions=["us-east-1"], include_checks=["I3011"])
    unset = [m for m in lint(template_text, config=config) if m.rule.id == "I3011"]
    assert not unset, "\n".join(f"{m.path_string}: {m.message[:60]}" for m in unset)
