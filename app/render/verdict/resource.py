"""The resource a finding is about, as a noun phrase of identifiers: ``Instance web-prod-03
(i-0abc123)``, and its primary identifier verbatim.

The kind is the one ``resource.resourceType`` names (``registry.primary``), else the first kind
present in the registry's order, else the first resource of an attack sequence
(``service.detection.sequence.resources``). Every registry resource kind has a row in
``RESOURCE_FACTS`` (a test checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any

from app.core.read import SCAN, as_list, first_object, objects, scalar
from app.render.details.registry import RESOURCES, primary
from app.render.parts import Parts, ours
from app.render.verdict.words import bracketed, either, field, named, shown, word

Identity = tuple[Parts, str]  # the resource phrase, its primary identifier
Facts = Callable[[Mapping[str, Any], Mapping[str, Any]], Identity]  # (member object, resource)

USER_TYPES = {
    "IAMUser": "user",
    "AssumedRole": "role",
    "Role": "role",
    "Root": "root user",
    "FederatedUser": "federated user",
    "AWSService": "AWS service",
    "AWSAccount": "account",
    "KubernetesServiceAccount": "service account",
    "KubernetesUser": "Kubernetes user",
}


def principal(key: Mapping[str, Any]) -> Parts:
    """``user john.doe``, ``role app-role``: the access key's principal."""
    user = word(key.get("userName"))
    noun = USER_TYPES.get(scalar(key.get("userType")), "user")
    return (ours(f"{noun} "), *shown(user)) if user else ()


def _instance(instance: Mapping[str, Any], _resource: Mapping[str, Any]) -> Identity:
    instance_id = word(instance.get("instanceId"))
    return named("Instance", _name_tag(instance.get("tags")), instance_id), instance_id


def _name_tag(tags: Any) -> str:
    """The Name tag's value as sent (``[{key, value}]``, or a ``{key: value}`` object)."""
    if isinstance(tags, Mapping):
        pairs = list(islice(tags.items(), SCAN))
    else:
        pairs = [(t.get("key"), t.get("value")) for t in objects(tags)]
    return next((word(v) for k, v in pairs if scalar(k).lower() == "name" and word(v)), "")


def _access_key(key: Mapping[str, Any], _resource: Mapping[str, Any]) -> Identity:
    key_id = word(key.get("accessKeyId"))
    who = principal(key)
    if key_id:
        return (ours("Access key "), *shown(key_id), *bracketed(who)), key_id
    return ((ours("Access key of "), *who) if who else ()), ""


def _buckets(_first: Mapping[str, Any], resource: Mapping[str, Any]) -> Identity:
    buckets = objects(resource.get("s3BucketDetails"))
    if not buckets:
        return (), ""
    bucket = buckets[0]
    name = either(bucket, "name", "arn")
    key = field(bucket, "s3ObjectDetails", "key")
    more = len(as_list(resource.get("s3BucketDetails"))) - 1
    extra = (ours(f" (+{more} more)"),) if more > 0 else ()
    if key:
        in_bucket = (ours(" in bucket "), *shown(name)) if name else ()
        return (ours("Object "), *shown(key), *in_bucket, *extra), name
    return ((*named("Bucket", "", name), *extra) if name else ()), name


def _workload(resource: Mapping[str, Any]) -> Parts:
    workload = first_object(
        first_object(resource.get("kubernetesDetails")).get("kubernetesWorkloadDetails")
    )
    namespace, name = word(workload.get("namespace")), word(workload.get("name"))
    if namespace and name:
        return (*shown(namespace), ours("/"), *shown(name))
    return shown(name)


def _eks(cluster: Mapping[str, Any], resource: Mapping[str, Any]) -> Identity:
    cluster_id = either(cluster, "name", "arn")
    workload = _workload(resource)
    if not cluster_id:
        return (), ""
    where = (ours("workload "), *workload) if workload else ()
    return (*named("EKS cluster", "", cluster_id), *bracketed(where)), cluster_id


def _kubernetes(details: Mapping[str, Any], resource: Mapping[str, Any]) -> Identity:
    workload = _workload(resource)
    name = field(details, "kubernetesWorkloadDetails", "name")
    return ((ours("Kubernetes workload "), *workload) if workload else ()), name


def _ecs(cluster: Mapping[str, Any], resource: Mapping[str, Any]) -> Identity:
    cluster_id = either(cluster, "name", "arn")
    container = field(resource, "containerDetails", "name") or field(
        cluster, "taskDetails", "containers", "name"
    )
    where = (ours("container "), *shown(container)) if container else ()
    return (
        (*named("ECS cluster", "", cluster_id), *bracketed(where)) if cluster_id else ()
    ), cluster_id


def _container(container: Mapping[str, Any], _resource: Mapping[str, Any]) -> Identity:
    container_id = word(container.get("id"))
    return named("Container", word(container.get("name")), container_id), container_id or word(
        container.get("name")
    )


def _database(noun: str, *keys: str) -> Facts:
    def facts(database: Mapping[str, Any], _resource: Mapping[str, Any]) -> Identity:
        database_id = either(database, *keys)
        cluster = word(database.get("dbClusterIdentifier"))
        where = (ours("cluster "), *shown(cluster)) if cluster else ()
        phrase = (*named(noun, "", database_id), *bracketed(where)) if database_id else ()
        return phrase, database_id

    return facts


def _one(noun: str, *keys: str, listed: str = "") -> Facts:
    """``Noun id`` from the first of ``keys`` (in the first element of list member ``listed``)."""

    def facts(member: Mapping[str, Any], resource: Mapping[str, Any]) -> Identity:
        elements = objects(member.get(listed)) if listed else [member]
        found = either(elements[0], *keys) if elements else ""
        more = len(elements) - 1
        extra = (ours(f" (+{more} more)"),) if more > 0 and found else ()
        return (*named(noun, "", found), *extra), found

    return facts


def _models(_first: Mapping[str, Any], resource: Mapping[str, Any]) -> Identity:
    models = objects(resource.get("modelDetails"))
    found = either(models[0], "modelId", "modelArn") if models else ""
    extra = (ours(f" (+{len(models) - 1} more)"),) if len(models) > 1 and found else ()
    return (*named("Bedrock model", "", found), *extra), found


RESOURCE_FACTS: dict[str, Facts] = {
    "instanceDetails": _instance,
    "accessKeyDetails": _access_key,
    "s3BucketDetails": _buckets,
    "eksClusterDetails": _eks,
    "kubernetesDetails": _kubernetes,
    "ecsClusterDetails": _ecs,
    "containerDetails": _container,
    "rdsDbInstanceDetails": _database("DB instance", "dbInstanceIdentifier", "dbInstanceArn"),
    "rdsLimitlessDbDetails": _database(
        "Limitless DB shard group", "dbShardGroupIdentifier", "dbShardGroupArn"
    ),
    "rdsDbUserDetails": _one("Database user", "user"),
    "lambdaDetails": _one("Lambda function", "functionName", "functionArn"),
    "ebsVolumeDetails": _one(
        "EBS volume", "volumeArn", "snapshotArn", listed="scannedVolumeDetails"
    ),
    "ebsSnapshotDetails": _one("EBS snapshot", "snapshotArn"),
    "ec2ImageDetails": _one("EC2 image", "imageArn"),
    "recoveryPointDetails": _one("Backup recovery point", "recoveryPointArn"),
    "bedrockGuardrailDetails": _one("Bedrock guardrail", "guardrailArn"),
    "modelDetails": _models,
}

# Attack sequence resources (``ResourceV2.resourceType``): the noun, and whether the name (not
# the uid) is the primary identifier.
SEQUENCE_NOUNS: dict[str, tuple[str, bool]] = {
    "EC2_INSTANCE": ("Instance", False),
    "EC2_NETWORK_INTERFACE": ("Network interface", False),
    "S3_BUCKET": ("Bucket", True),
    "S3_OBJECT": ("Object", False),
    "ACCESS_KEY": ("Access key", False),
    "EKS_CLUSTER": ("EKS cluster", True),
    "KUBERNETES_WORKLOAD": ("Kubernetes workload", True),
    "CONTAINER": ("Container", False),
    "ECS_CLUSTER": ("ECS cluster", True),
    "ECS_TASK": ("ECS task", False),
    "AUTOSCALING_AUTO_SCALING_GROUP": ("Auto Scaling group", True),
    "IAM_INSTANCE_PROFILE": ("Instance profile", False),
    "CLOUDFORMATION_STACK": ("CloudFormation stack", True),
    "EC2_LAUNCH_TEMPLATE": ("Launch template", False),
    "EC2_VPC": ("VPC", False),
    "EC2_IMAGE": ("EC2 image", False),
    "BEDROCK_GUARDRAIL": ("Bedrock guardrail", False),
    "SAGEMAKER_ENDPOINT": ("SageMaker endpoint", True),
}


def sequence_of(detail: Mapping[str, Any]) -> Mapping[str, Any]:
    """``service.detection.sequence``."""
    service = first_object(detail.get("service"))
    return first_object(first_object(service.get("detection")).get("sequence"))


def member(sequence: Mapping[str, Any], key: str) -> Any:
    """A sequence member: camelCase in EventBridge, PascalCase where the model has no
    locationName (the API's spelling)."""
    found = sequence.get(key)
    return found if found is not None else sequence.get(key[:1].upper() + key[1:])


def _sequence_resource(detail: Mapping[str, Any]) -> Identity:
    for resource in objects(member(sequence_of(detail), "resources")):
        kind = scalar(resource.get("resourceType")).upper()
        noun, by_name = SEQUENCE_NOUNS.get(kind, ("Resource", False))
        if kind.startswith("BEDROCK_"):
            noun = "Bedrock resource" if noun == "Resource" else noun
        name, uid = word(resource.get("name")), word(resource.get("uid"))
        if name or uid:
            return named(noun, name, uid), (name or uid) if by_name else (uid or name)
    return (), ""


def resource_identity(detail: Mapping[str, Any]) -> Identity:
    """The resource phrase and its primary identifier; ``((), "")`` when nothing is known."""
    resource = first_object(detail.get("resource"))
    first = primary(resource)
    ordered = [*first, *(kind for kind in RESOURCES if kind not in first)]
    for kind in ordered:
        facts = RESOURCE_FACTS.get(kind.member)
        value = resource.get(kind.member)
        if facts is None or value in (None, "", [], {}):
            continue
        phrase, resource_id = facts(first_object(value), resource)
        if phrase:
            return phrase, resource_id
    phrase, resource_id = _sequence_resource(detail)
    if phrase:
        return phrase, resource_id
    return shown(word(resource.get("resourceType"))), ""
