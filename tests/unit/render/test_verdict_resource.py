"""The resource phrase of the verdict, exactly (``resource_identity``): the noun, the identifier
(name before ARN), the bracketed where, ``(+N more)``, and the primary identifier beside it.

``_one`` and ``_database`` make the phrase of the kinds with a single identifier; the table
calls them at import, so they are also called here directly."""

from __future__ import annotations

from typing import Any

from app.core.read import SCAN
from app.render.parts import Parts, Trust
from app.render.verdict import resource
from app.render.verdict.resource import resource_identity


def _text(parts: Parts) -> str:
    return "".join(p.text for p in parts)


def _identity(res: dict[str, Any]) -> tuple[str, str]:
    phrase, resource_id = resource_identity({"resource": res})
    return _text(phrase), resource_id


def test_an_object_in_a_bucket_and_how_many_other_buckets() -> None:
    buckets = [{"name": "b", "s3ObjectDetails": [{"key": "k/1"}]}, {"name": "c"}, {"name": "d"}]
    res = {"resourceType": "S3Object", "s3BucketDetails": buckets}
    assert _identity(res) == ("Object k/1 in bucket b (+2 more)", "b")
    res["s3BucketDetails"] = buckets[:1]
    assert _identity(res) == ("Object k/1 in bucket b", "b")
    res["s3BucketDetails"] = [{"s3ObjectDetails": [{"key": "k/1"}]}]
    assert _identity(res) == ("Object k/1", "")


def test_a_bucket_by_name_else_arn() -> None:
    res = {"resourceType": "S3Bucket", "s3BucketDetails": [{"arn": "arn:aws:s3:::b"}]}
    assert _identity(res) == ("Bucket arn:aws:s3:::b", "arn:aws:s3:::b")
    res["s3BucketDetails"] = [{"name": "b", "arn": "arn:aws:s3:::b"}, {"name": "c"}]
    assert _identity(res) == ("Bucket b (+1 more)", "b")
    # a bucket without name or ARN says nothing: the resource type is all there is
    res["s3BucketDetails"] = [{"type": "Destination"}]
    assert _identity(res) == ("S3Bucket", "")


def test_an_eks_cluster_and_its_workload() -> None:
    workload = {"kubernetesWorkloadDetails": {"namespace": "ns", "name": "w"}}
    res: dict[str, Any] = {
        "resourceType": "EKSCluster",
        "eksClusterDetails": {"name": "c", "arn": "arn:aws:eks:::cluster/c"},
        "kubernetesDetails": workload,
    }
    assert _identity(res) == ("EKS cluster c (workload ns/w)", "c")
    res["eksClusterDetails"] = {"arn": "arn:aws:eks:::cluster/c"}
    res["kubernetesDetails"] = {"kubernetesWorkloadDetails": {"name": "w"}}
    assert _identity(res) == (
        "EKS cluster arn:aws:eks:::cluster/c (workload w)",
        "arn:aws:eks:::cluster/c",
    )
    res["kubernetesDetails"] = {"kubernetesWorkloadDetails": {"namespace": "ns"}}
    assert _identity(res) == ("EKS cluster arn:aws:eks:::cluster/c", "arn:aws:eks:::cluster/c")


def test_a_kubernetes_workload_without_a_cluster() -> None:
    res = {
        "resourceType": "EKSCluster",
        "eksClusterDetails": {"status": "ACTIVE"},
        "kubernetesDetails": {"kubernetesWorkloadDetails": {"namespace": "ns", "name": "w"}},
    }
    phrase, resource_id = resource_identity({"resource": res})
    assert (_text(phrase), resource_id) == ("Kubernetes workload ns/w", "w")
    assert [p.trust for p in phrase] == [Trust.OURS, Trust.IDENTIFIER, Trust.OURS, Trust.IDENTIFIER]


def test_an_ecs_cluster_and_its_container() -> None:
    cluster = {"name": "c", "taskDetails": {"containers": [{"name": "task-c"}]}}
    res: dict[str, Any] = {
        "resourceType": "ECSCluster",
        "ecsClusterDetails": cluster,
        "containerDetails": {"name": "k"},
    }
    assert _identity(res) == ("ECS cluster c (container k)", "c")
    del res["containerDetails"]
    assert _identity(res) == ("ECS cluster c (container task-c)", "c")
    res["ecsClusterDetails"] = {"arn": "arn:aws:ecs:::cluster/c"}
    assert _identity(res) == ("ECS cluster arn:aws:ecs:::cluster/c", "arn:aws:ecs:::cluster/c")


def test_database_phrase_by_identifier_else_arn_with_its_cluster() -> None:
    facts = resource._database("DB instance", "dbInstanceIdentifier", "dbInstanceArn")
    db = {"dbInstanceIdentifier": "db-1", "dbInstanceArn": "arn:db", "dbClusterIdentifier": "cl"}
    phrase, resource_id = facts(db, {})
    assert (_text(phrase), resource_id) == ("DB instance db-1 (cluster cl)", "db-1")
    phrase, resource_id = facts({"dbInstanceArn": "arn:db"}, {})
    assert (_text(phrase), resource_id) == ("DB instance arn:db", "arn:db")
    assert facts({"dbClusterIdentifier": "cl"}, {}) == ((), "")
    # through the table, the same
    res = {"resourceType": "RDSDBInstance", "rdsDbInstanceDetails": db}
    assert _identity(res) == ("DB instance db-1 (cluster cl)", "db-1")


def test_one_identifier_phrase_first_key_that_has_one() -> None:
    facts = resource._one("Lambda function", "functionName", "functionArn")
    phrase, resource_id = facts({"functionName": "f", "functionArn": "arn:f"}, {})
    assert (_text(phrase), resource_id) == ("Lambda function f", "f")
    phrase, resource_id = facts({"functionArn": "arn:f"}, {})
    assert (_text(phrase), resource_id) == ("Lambda function arn:f", "arn:f")
    assert facts({}, {}) == ((), "")


def test_one_identifier_phrase_in_a_list_says_how_many_more() -> None:
    facts = resource._one("EBS volume", "volumeArn", "snapshotArn", listed="scanned")
    three = {"scanned": [{"volumeArn": "v1"}, {"snapshotArn": "s2"}, {"volumeArn": "v3"}]}
    phrase, resource_id = facts(three, {})
    assert (_text(phrase), resource_id) == ("EBS volume v1 (+2 more)", "v1")
    phrase, resource_id = facts({"scanned": [{"snapshotArn": "s1"}]}, {})
    assert (_text(phrase), resource_id) == ("EBS volume s1", "s1")
    # nothing found in the first: no phrase, and no "+N more" on its own
    assert facts({"scanned": [{"size": 8}, {"volumeArn": "v2"}]}, {}) == ((), "")
    assert facts({"scanned": []}, {}) == ((), "")
    assert facts({"volumeArn": "top-level is not the list"}, {}) == ((), "")


def test_nothing_identified_falls_through_to_the_next_kind_or_the_type() -> None:
    # a bucket list whose first bucket has no name: no phrase, not a bare "(+1 more)"
    res: dict[str, Any] = {
        "resourceType": "S3Bucket",
        "s3BucketDetails": [{"type": "x"}, {"name": "c"}],
    }
    assert _identity(res) == ("S3Bucket", "")
    # an ECS cluster without name or ARN: the container is the resource
    res = {
        "resourceType": "ECSCluster",
        "ecsClusterDetails": {"status": "ACTIVE"},
        "containerDetails": {"name": "k"},
    }
    assert _identity(res) == ("Container k", "k")
    res = {"resourceType": "Kubernetes", "kubernetesDetails": {"kubernetesUserDetails": {}}}
    assert _identity(res) == ("Kubernetes", "")


def test_an_access_key_and_its_principal() -> None:
    res: dict[str, Any] = {
        "resourceType": "AccessKey",
        "accessKeyDetails": {"accessKeyId": "AKIAX", "userName": "r", "userType": "AssumedRole"},
    }
    assert _identity(res) == ("Access key AKIAX (role r)", "AKIAX")
    res["accessKeyDetails"] = {"accessKeyId": "AKIAX", "userName": "u", "userType": "Odd"}
    assert _identity(res) == ("Access key AKIAX (user u)", "AKIAX")
    res["accessKeyDetails"] = {"accessKeyId": "AKIAX", "userType": "Root"}
    assert _identity(res) == ("Access key AKIAX", "AKIAX")
    res["accessKeyDetails"] = {"userName": "root", "userType": "Root"}
    assert _identity(res) == ("Access key of root user root", "")
    res["accessKeyDetails"] = {"userType": "Root"}
    assert _identity(res) == ("AccessKey", "")


def test_an_instance_by_its_name_tag() -> None:
    tags = [{"key": "env", "value": "prod"}, {"key": "Name", "value": "web"}]
    res: dict[str, Any] = {
        "resourceType": "Instance",
        "instanceDetails": {"instanceId": "i-1", "tags": tags},
    }
    assert _identity(res) == ("Instance web (i-1)", "i-1")
    res["instanceDetails"] = {"instanceId": "i-1", "tags": {"env": "prod", "name": "web"}}
    assert _identity(res) == ("Instance web (i-1)", "i-1")
    res["instanceDetails"] = {"instanceId": "i-1", "tags": {"env": "prod"}}
    assert _identity(res) == ("Instance i-1", "i-1")
    # only the first SCAN tags are looked at, in an object as in a list
    many = {f"k{n}": "v" for n in range(SCAN)} | {"Name": "web"}
    res["instanceDetails"] = {"instanceId": "i-1", "tags": many}
    assert _identity(res) == ("Instance i-1", "i-1")


def test_a_container_by_name_and_id() -> None:
    res: dict[str, Any] = {
        "resourceType": "Container",
        "containerDetails": {"id": "c-1", "name": "web"},
    }
    assert _identity(res) == ("Container web (c-1)", "c-1")
    res["containerDetails"] = {"name": "web"}
    assert _identity(res) == ("Container web", "web")


def test_one_more_in_a_list() -> None:
    facts = resource._one("EBS volume", "volumeArn", listed="scanned")
    phrase, _ = facts({"scanned": [{"volumeArn": "v1"}, {"volumeArn": "v2"}]}, {})
    assert _text(phrase) == "EBS volume v1 (+1 more)"


def test_bedrock_models_first_by_id_else_arn_and_how_many_more() -> None:
    res: dict[str, Any] = {
        "resourceType": "Model",
        "modelDetails": [{"modelId": "m1", "modelArn": "arn:m1"}, {"modelId": "m2"}],
    }
    assert _identity(res) == ("Bedrock model m1 (+1 more)", "m1")
    res["modelDetails"] = [{"modelArn": "arn:m1"}]
    assert _identity(res) == ("Bedrock model arn:m1", "arn:m1")
    res["modelDetails"] = [{"size": 1}, {"modelId": "m2"}]
    assert _identity(res) == ("Model", "")


def _sequence(*resources: dict[str, Any], key: str = "resources") -> dict[str, Any]:
    return {"service": {"detection": {"sequence": {key: list(resources)}}}}


def test_sequence_resource_noun_and_identifier() -> None:
    def identity(detail: dict[str, Any]) -> tuple[str, str]:
        phrase, resource_id = resource_identity(detail)
        return _text(phrase), resource_id

    bucket = {"resourceType": "S3_BUCKET", "name": "b", "uid": "arn:aws:s3:::b"}
    instance = {"resourceType": "ec2_instance", "name": "web", "uid": "i-1"}
    assert identity(_sequence(bucket)) == ("Bucket b (arn:aws:s3:::b)", "b")
    assert identity(_sequence(instance)) == ("Instance web (i-1)", "i-1")
    assert identity(_sequence({"resourceType": "S3_BUCKET", "uid": "arn:b"})) == (
        "Bucket arn:b",
        "arn:b",
    )
    assert identity(_sequence({"resourceType": "EC2_INSTANCE", "name": "web"})) == (
        "Instance web",
        "web",
    )
    odd = {"resourceType": "ODD_THING", "name": "n", "uid": "u"}
    assert identity(_sequence(odd)) == ("Resource n (u)", "u")
    model = {"resourceType": "BEDROCK_MODEL", "uid": "arn:model"}
    assert identity(_sequence(model)) == ("Bedrock resource arn:model", "arn:model")
    guardrail = {"resourceType": "BEDROCK_GUARDRAIL", "uid": "arn:g"}
    assert identity(_sequence(guardrail)) == ("Bedrock guardrail arn:g", "arn:g")
    # the first resource with a name or uid, in the API's spelling too
    assert identity(_sequence({"resourceType": "S3_BUCKET"}, instance, key="Resources")) == (
        "Instance web (i-1)",
        "i-1",
    )
    assert identity(_sequence()) == ("", "")


def test_sequence_member_camel_case_first_then_pascal_case() -> None:
    assert resource.member({"resources": [1], "Resources": [2]}, "resources") == [1]
    assert resource.member({"Resources": [2]}, "resources") == [2]
    assert resource.member({"resources": [], "Resources": [2]}, "resources") == []
    assert resource.member({"SignalCount": 3}, "signalCount") == 3
    assert resource.member({}, "resources") is None
