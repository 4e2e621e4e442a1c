"""The facts a responder needs from a finding's ``detail``, as label/value pairs of raw text.

Pure: no I/O, no logging, no Slack formatting and no escaping. The renderer escapes every
value; labels and titles are our own static strings (it does not escape those), except in the
generic fallback for unknown keys, where a label is derived from the key and sanitised to
``[A-Za-z0-9 _.-]``, at most 40 characters.

Shape: botocore's GuardDuty model, shape ``Finding`` (camelCase ``locationName`` keys), read
defensively: any field may be missing, null, of the wrong JSON type, huge or hostile. Output is
bounded (``MAX_SECTIONS`` sections of at most ``MAX_ITEMS`` items, long lists shown as a preview
and "+N more") and never contains an empty value. Values stay raw; the only normalisations are
the ones a reader needs to compare facts: times (ISO or epoch) as ``YYYY-MM-DD HH:MM:SS UTC``,
JSON booleans as yes/no, GuardDuty's "unknown ASN" ``-1`` and port name ``Unknown`` left out.
Command lines and request parameters are not ``prose``: responders need them verbatim.

Where things go, most important first:

* ``resource_sections``, what was hit: the resource named by ``resource.resourceType``; the
  malware scan results (EBS volume scans, Malware Protection for S3/Backup), which describe what
  was found *on* the resource; the Extended Threat Detection attack sequence summary
  (description, MITRE tactics and techniques, signals, resources); then any other resource
  objects present, and unknown ones generically.
* ``actor_sections``, who or what did it: the action (the one ``actionType`` names, then any
  other action object present, unknown ones generically); the Kubernetes user; the Runtime
  Monitoring process and its context (on a host, the process is the actor); threat intelligence;
  the attack sequence's actors and network endpoints; unusual behaviour (anomaly detection);
  ``service.additionalInfo``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from app.finding import as_int, as_list, as_mapping, as_text, parse_time

MAX_SECTIONS = 6
MAX_ITEMS = 12
PREVIEW = 5  # list elements shown before "+N more"
MAX_VALUE_CHARS = 3000  # nothing longer can be shown in Slack anyway; keeps memory bounded
SUMMARY_CHARS = 200
_SCAN = 500  # elements or keys looked at in any one list or object
_DEPTH = 5  # nesting followed by the generic fallback
_NODES = 2000  # nodes the generic fallback visits per object
_LABEL_CHARS = 40
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Detail:
    label: str  # our own static label, never finding text (except sanitised generic labels)
    value: str  # raw finding-sourced text, unescaped, non-empty
    prose: bool = False  # free text, shown as text rather than as a code span


@dataclass(frozen=True)
class DetailSection:
    title: str  # our own static text
    items: tuple[Detail, ...]


Item = Detail | None
Sections = list[DetailSection]
Builder = Callable[[Mapping[str, Any]], Sections]


# --- small readers: every one tolerates any JSON value --------------------------------------


def _obj(value: Any) -> Mapping[str, Any]:
    """An object; a list where an object is usual gives its first object."""
    if isinstance(value, list):
        value = next((v for v in value[:_SCAN] if isinstance(v, Mapping)), None)
    return as_mapping(value)


def _objs(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list; a lone object is a list of one."""
    return [v for v in as_list(value)[:_SCAN] if isinstance(v, Mapping)]


def _scalar(value: Any) -> str:
    try:
        return as_text(value).strip()
    except ValueError:  # int too large to print (Python's 4300-digit limit)
        return ""


def _text(value: Any) -> str:
    """A scalar as text; a list of scalars where a scalar is usual is joined."""
    if isinstance(value, list):
        return _preview(_distinct(value, _scalar))
    return _scalar(value)


def _distinct(values: Any, read: Callable[[Any], str]) -> tuple[list[str], int]:
    """Non-empty distinct texts read from a list, and how many elements were not looked at."""
    elements = as_list(values)
    seen: dict[str, None] = {}
    for element in elements[:_SCAN]:
        text = read(element)
        if text:
            seen.setdefault(text)
    return list(seen), max(len(elements) - _SCAN, 0)


def _preview(found: tuple[list[str], int], limit: int = PREVIEW, sep: str = ", ") -> str:
    """``a, b, c (+N more)``."""
    texts, unseen = found
    more = max(len(texts) - limit, 0) + unseen
    shown = sep.join(texts[:limit])
    if more and shown:
        return f"{shown} (+{more} more)"
    return shown


def _first(details: Mapping[str, Any], *keys: str) -> str:
    return next((text for key in keys if (text := _text(details.get(key)))), "")


def _members(values: Any, *keys: str, limit: int = PREVIEW) -> str:
    """``a, b (+N more)``: from each object of a list, the first of ``keys`` that has a value."""
    return _preview(_distinct(values, lambda value: _first(_obj(value), *keys)), limit)


def _scalars(values: Any, limit: int = PREVIEW) -> str:
    return _preview(_distinct(values, _text), limit)


def _flat(objects: Iterable[Mapping[str, Any]], key: str) -> list[Any]:
    """The members ``key`` of a list of objects, each a list, concatenated."""
    return [element for obj in objects for element in as_list(obj.get(key))[:_SCAN]]


def _join(*parts: str, sep: str = ", ") -> str:
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            seen.setdefault(part)
    return sep.join(seen)


def _true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _flag(value: Any) -> str:
    if isinstance(value, bool) or (
        isinstance(value, str) and value.strip().lower() in ("true", "false")
    ):
        return "yes" if _true(value) else "no"
    return _text(value)


def _when(value: Any) -> str:
    """ISO strings and epoch numbers alike, as UTC; unparseable text is shown as it is."""
    moment = parse_time(value)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else _text(value)


def _int(value: Any) -> int | None:
    """``as_int`` that also survives infinities (Python's json accepts ``Infinity``)."""
    try:
        return as_int(value)
    except OverflowError:
        return None


def _count(value: Any) -> str:
    number = _int(value)
    return "" if number is None else str(number)


def _named(value: Any, key: str) -> str:
    """``{"cityName": "Paris"}`` or plainly ``"Paris"``."""
    return _text(value.get(key)) if isinstance(value, Mapping) else _text(value)


def _tag_text(tag: Any) -> str:
    tag = _obj(tag)
    key, value = _text(tag.get("key")), _text(tag.get("value"))
    return f"{key}={value}" if key and value else key or value


def _tag_list(tags: Any) -> list[Any]:
    """Tags are ``[{key, value}]``; a ``{key: value}`` object is read the same way."""
    if isinstance(tags, Mapping):
        return [{"key": k, "value": v} for k, v in islice(tags.items(), _SCAN)]
    return as_list(tags)


def _tags(tags: Any, *, skip_name: bool = False) -> str:
    listed = _tag_list(tags)
    if skip_name:
        listed = [t for t in listed[:_SCAN] if _scalar(_obj(t).get("key")).lower() != "name"]
    return _preview(_distinct(listed, _tag_text))


def _name_tag(tags: Any) -> str:
    for tag in map(_obj, _tag_list(tags)[:_SCAN]):
        if _scalar(tag.get("key")).lower() == "name":
            return _text(tag.get("value"))
    return ""


def _d(label: str, value: str, *, prose: bool = False) -> Item:
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_VALUE_CHARS:
        value = value[: MAX_VALUE_CHARS - 1] + _ELLIPSIS
    return Detail(label, value, prose)


def _section(title: str, items: Iterable[Item]) -> Sections:
    """A section of the items that have a value, in priority order, at most ``MAX_ITEMS``."""
    kept: list[Detail] = []
    seen: set[tuple[str, str]] = set()
    for item in items:
        if item is not None and (item.label, item.value) not in seen:
            seen.add((item.label, item.value))
            kept.append(item)
    return [DetailSection(title, tuple(kept[:MAX_ITEMS]))] if kept else []


# --- generic fallback -------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.-]+")


def safe_label(key: str) -> str:
    """``someKey`` → ``Some Key``: only ``[A-Za-z0-9 _.-]``, at most 40 characters."""
    words = _UNSAFE.sub(" ", _CAMEL.sub(" ", key[:200]).replace("_", " ")).split()
    label = " ".join(w[:1].upper() + w[1:] for w in words)
    if len(label) > _LABEL_CHARS:
        cut = label[: _LABEL_CHARS + 1]
        label = cut[: cut.rfind(" ")] if " " in cut[_LABEL_CHARS // 2 :] else cut[:_LABEL_CHARS]
    return label.strip() or "Field"


class _Budget:
    def __init__(self, nodes: int) -> None:
        self.nodes = nodes

    def spend(self) -> bool:
        self.nodes -= 1
        return self.nodes >= 0


def _leaves(value: Any, path: tuple[str, ...], depth: int, budget: _Budget) -> Iterator[Item]:
    """Scalar leaves as items labelled by their last two keys; lists of scalars joined."""
    if depth > _DEPTH or not budget.spend():
        return
    label = safe_label(" ".join(path[-2:])) if path else "Value"
    if isinstance(value, Mapping):
        for key, child in islice(value.items(), _SCAN):
            yield from _leaves(child, (*path, _scalar(key)), depth + 1, budget)
    elif isinstance(value, list):
        scalars = [v for v in value[:_SCAN] if not isinstance(v, Mapping | list)]
        yield _d(label, _preview(_distinct(scalars, _scalar)))
        nested = (v for v in value[:_SCAN] if isinstance(v, Mapping | list))
        for child in islice(nested, 3):
            yield from _leaves(child, path, depth + 1, budget)
    else:
        yield _d(label, _text(value))


def _generic_items(value: Any, path: tuple[str, ...] = ()) -> list[Detail]:
    """Up to ``MAX_ITEMS`` leaves of an unknown object; past that, one item says how many more."""
    items: list[Detail] = []
    seen: set[tuple[str, str]] = set()
    for item in _leaves(value, path, 0, _Budget(_NODES)):
        if item is not None and (item.label, item.value) not in seen:
            seen.add((item.label, item.value))
            items.append(item)
    if len(items) <= MAX_ITEMS:
        return items
    shown = items[: MAX_ITEMS - 1]
    return [*shown, Detail("More fields", f"+{len(items) - len(shown)} more")]


def _generic(title: str, container: Mapping[str, Any], known: Iterable[str]) -> Sections:
    """The keys of ``container`` we have no builder for, rendered as flat label/value pairs."""
    known_keys = set(known)
    unknown = {
        key: value
        for key, value in islice(container.items(), _SCAN)
        if key not in known_keys and value not in (None, "", [], {})
    }
    return _section(title, _generic_items(unknown)) if unknown else []


# --- shared pieces ------------------------------------------------------------------------------


def _ip(value: Any) -> str:
    details = _obj(value)
    return _text(details.get("ipAddressV4")) or _text(details.get("ipAddressV6"))


def _asn(value: Any) -> str:
    """GuardDuty sends ``-1`` (sometimes as a number) when it does not know the ASN."""
    number = _int(value)
    if number is not None and number <= 0:
        return ""
    return _text(value)


def _location(remote: Mapping[str, Any]) -> str:
    country = remote.get("country")
    country_text = _named(country, "countryName")
    if not country_text and isinstance(country, Mapping):
        country_text = _text(country.get("countryCode"))
    return _join(_named(remote.get("city"), "cityName"), country_text)


def _remote_items(value: Any) -> list[Item]:
    remote = _obj(value)
    org = _obj(remote.get("organization"))
    return [
        _d("Remote IP", _ip(remote)),
        _d(
            "Organisation",
            _join(
                _text(org.get("org")), _text(org.get("asnOrg")), _text(org.get("isp")), sep=" / "
            ),
        ),
        _d("ASN", _asn(org.get("asn"))),
        _d("Location", _location(remote)),
    ]


def _port(value: Any) -> str:
    """``22 (SSH)``; GuardDuty's ``Unknown`` port name is left out."""
    if not isinstance(value, Mapping | list):
        return _text(value)
    details = _obj(value)
    port, name = _text(details.get("port")), _text(details.get("portName"))
    if name.lower() in ("", "unknown"):
        return port
    return f"{port} ({name})" if port else name


def _process_text(value: Any) -> str:
    process = _obj(value)
    name, path = _text(process.get("name")), _text(process.get("executablePath"))
    return f"{name} ({path})" if name and path and name != path else name or path


def _container_items(containers: Any) -> list[Item]:
    listed = _objs(containers)
    privileged = [c for c in listed if _true(_obj(c.get("securityContext")).get("privileged"))]
    escalating = [
        c for c in listed if _true(_obj(c.get("securityContext")).get("allowPrivilegeEscalation"))
    ]

    def name(c: Any) -> str:
        return _text(_obj(c).get("name")) or _text(_obj(c).get("id")) or "yes"

    return [
        _d("Images", _members(listed, "image")),
        _d("Containers", _members(listed, "name")),
        _d("Privileged", _preview(_distinct(privileged, name))),
        _d("Privilege escalation", _preview(_distinct(escalating, name))),
        _d(
            "Volume mounts",
            _members(_flat(listed, "volumeMounts"), "mountPath"),
        ),
    ]


def _host_paths(volumes: Any) -> str:
    return _members([_obj(v).get("hostPath") for v in as_list(volumes)[:_SCAN]], "path")


def _groups(value: Any) -> str:
    return _preview(
        _distinct(
            value,
            lambda g: (
                _join(_text(_obj(g).get("groupId")), _text(_obj(g).get("groupName")), sep=" ")
                if isinstance(g, Mapping)
                else _text(g)
            ),
        )
    )


# --- resources ------------------------------------------------------------------------------


def _instance(details: Mapping[str, Any]) -> Sections:
    nics = _objs(details.get("networkInterfaces"))
    private = [n.get("privateIpAddress") for n in nics] + [
        _obj(p).get("privateIpAddress") for p in _flat(nics, "privateIpAddresses")
    ]
    profile = _obj(details.get("iamInstanceProfile"))
    first = nics[0] if nics else {}
    return _section(
        "EC2 instance",
        [
            _d("Instance", _text(details.get("instanceId"))),
            _d("Name", _name_tag(details.get("tags"))),
            _d("Type", _text(details.get("instanceType"))),
            _d("State", _text(details.get("instanceState"))),
            _d("Public IPs", _scalars([n.get("publicIp") for n in nics])),
            _d("Private IPs", _scalars(private)),
            _d("Instance profile", _text(profile.get("arn")) or _text(profile.get("id"))),
            _d("Image", _text(details.get("imageId"))),
            _d("Tags", _tags(details.get("tags"), skip_name=True)),
            _d(
                "VPC / subnet",
                _join(_text(first.get("vpcId")), _text(first.get("subnetId")), sep=" / "),
            ),
            _d(
                "Security groups",
                _groups(_flat(nics, "securityGroups")),
            ),
            _d("Launched", _when(details.get("launchTime"))),
            _d("Availability zone", _text(details.get("availabilityZone"))),
            _d("Platform", _text(details.get("platform"))),
            _d("Image description", _text(details.get("imageDescription")), prose=True),
            _d(
                "IPv6 addresses",
                _scalars(_flat(nics, "ipv6Addresses")),
            ),
            _d("Outpost", _text(details.get("outpostArn"))),
        ],
    )


def _access_key(details: Mapping[str, Any]) -> Sections:
    return _section(
        "IAM access key",
        [
            _d("User", _text(details.get("userName"))),
            _d("User type", _text(details.get("userType"))),
            _d("Access key", _text(details.get("accessKeyId"))),
            _d("Principal", _text(details.get("principalId"))),
        ],
    )


def _public_via(permissions: Mapping[str, Any], member: str) -> str:
    sources = (("accessControlList", "ACL"), ("bucketPolicy", "bucket policy"))
    return ", ".join(
        label for key, label in sources if _true(_obj(permissions.get(key)).get(member))
    )


def _s3_buckets(resource: Mapping[str, Any]) -> Sections:
    buckets = _objs(resource.get("s3BucketDetails"))
    if not buckets:
        return []
    bucket = buckets[0]
    access = _obj(bucket.get("publicAccess"))
    level = _obj(_obj(access.get("permissionConfiguration")).get("bucketLevelPermissions"))
    encryption = _obj(bucket.get("defaultServerSideEncryption"))
    sections = _section(
        "S3 bucket",
        [
            _d("Bucket", _text(bucket.get("name")) or _text(bucket.get("arn"))),
            _d("Role", _text(bucket.get("type"))),
            _d("Public access", _text(access.get("effectivePermission"))),
            _d("Public read via", _public_via(level, "allowsPublicReadAccess")),
            _d("Public write via", _public_via(level, "allowsPublicWriteAccess")),
            _d("Encryption", _text(encryption.get("encryptionType"))),
            _d("KMS key", _text(encryption.get("kmsMasterKeyArn"))),
            _d("Created", _when(bucket.get("createdAt"))),
            _d("Owner", _text(_obj(bucket.get("owner")).get("id"))),
            _d("Tags", _tags(bucket.get("tags"))),
            _d(
                "Other buckets",
                _preview(_distinct(as_list(resource.get("s3BucketDetails"))[1:], _bucket_name)),
            ),
        ],
    )
    objects = [o for b in buckets for o in _objs(b.get("s3ObjectDetails"))]
    if objects:
        first = objects[0]
        sections += _section(
            "S3 object",
            [
                _d("Object key", _text(first.get("key"))),
                _d("Version", _text(first.get("versionId"))),
                _d("SHA-256", _text(first.get("hash"))),
                _d("ETag", _text(first.get("eTag"))),
                _d("Object ARN", _text(first.get("objectArn"))),
                _d(
                    "Other objects",
                    _members(objects[1:], "key"),
                ),
            ],
        )
    return sections


def _bucket_name(bucket: Any) -> str:
    bucket = _obj(bucket)
    return _text(bucket.get("name")) or _text(bucket.get("arn"))


def _eks_cluster(details: Mapping[str, Any]) -> Sections:
    return _section(
        "EKS cluster",
        [
            _d("Cluster", _text(details.get("name")) or _text(details.get("arn"))),
            _d("Status", _text(details.get("status"))),
            _d("VPC", _text(details.get("vpcId"))),
            _d("Created", _when(details.get("createdAt"))),
            _d("Tags", _tags(details.get("tags"))),
            _d("Cluster ARN", _text(details.get("arn"))),
        ],
    )


def _host_namespaces(workload: Mapping[str, Any]) -> str:
    flags = (("hostNetwork", "network"), ("hostIPC", "IPC"), ("hostPID", "PID"))
    return ", ".join(label for key, label in flags if _true(workload.get(key)))


def _kubernetes_workload(details: Mapping[str, Any]) -> Sections:
    workload = _obj(details.get("kubernetesWorkloadDetails"))
    return _section(
        "Kubernetes workload",
        [
            _d("Workload", _text(workload.get("name"))),
            _d("Kind", _text(workload.get("type"))),
            _d("Namespace", _text(workload.get("namespace"))),
            _d("Service account", _text(workload.get("serviceAccountName"))),
            *_container_items(workload.get("containers")),
            _d("Host namespaces", _host_namespaces(workload)),
            _d("Host paths", _host_paths(workload.get("volumes"))),
            _d("UID", _text(workload.get("uid"))),
        ],
    )


def _ecs_cluster(details: Mapping[str, Any]) -> Sections:
    task = _obj(details.get("taskDetails"))
    cluster = _section(
        "ECS cluster",
        [
            _d("Cluster", _text(details.get("name")) or _text(details.get("arn"))),
            _d("Status", _text(details.get("status"))),
            _d("Running tasks", _count(details.get("runningTasksCount"))),
            _d("Active services", _count(details.get("activeServicesCount"))),
            _d("Container instances", _count(details.get("registeredContainerInstancesCount"))),
            _d("Tags", _tags(details.get("tags"))),
            _d("Cluster ARN", _text(details.get("arn"))),
        ],
    )
    return cluster + _section(
        "ECS task",
        [
            _d("Task", _text(task.get("arn"))),
            _d("Task definition", _text(task.get("definitionArn"))),
            _d("Launch type", _text(task.get("launchType"))),
            _d("Started by", _text(task.get("startedBy"))),
            _d("Started", _when(task.get("startedAt"))),
            _d("Group", _text(task.get("group"))),
            *_container_items(task.get("containers")),
            _d("Host paths", _host_paths(task.get("volumes"))),
            _d("Tags", _tags(task.get("tags"))),
        ],
    )


def _container(details: Mapping[str, Any]) -> Sections:
    context = _obj(details.get("securityContext"))
    return _section(
        "Container",
        [
            _d("Container", _text(details.get("name"))),
            _d("Image", _text(details.get("image"))),
            _d("Container ID", _text(details.get("id"))),
            _d("Image prefix", _text(details.get("imagePrefix"))),
            _d("Runtime", _text(details.get("containerRuntime"))),
            _d("Privileged", "yes" if _true(context.get("privileged")) else ""),
            _d(
                "Privilege escalation",
                "allowed" if _true(context.get("allowPrivilegeEscalation")) else "",
            ),
            _d(
                "Volume mounts",
                _members(details.get("volumeMounts"), "mountPath"),
            ),
        ],
    )


def _engine(details: Mapping[str, Any]) -> str:
    return _join(_text(details.get("engine")), _text(details.get("engineVersion")), sep=" ")


def _rds_instance(details: Mapping[str, Any]) -> Sections:
    return _section(
        "RDS DB instance",
        [
            _d("DB instance", _text(details.get("dbInstanceIdentifier"))),
            _d("Cluster", _text(details.get("dbClusterIdentifier"))),
            _d("Engine", _engine(details)),
            _d("Tags", _tags(details.get("tags"))),
            _d("Resource ID", _text(details.get("dbiResourceId"))),
            _d("DB instance ARN", _text(details.get("dbInstanceArn"))),
        ],
    )


def _rds_limitless(details: Mapping[str, Any]) -> Sections:
    return _section(
        "RDS Limitless database",
        [
            _d("Shard group", _text(details.get("dbShardGroupIdentifier"))),
            _d("Cluster", _text(details.get("dbClusterIdentifier"))),
            _d("Engine", _engine(details)),
            _d("Tags", _tags(details.get("tags"))),
            _d("Resource ID", _text(details.get("dbShardGroupResourceId"))),
            _d("Shard group ARN", _text(details.get("dbShardGroupArn"))),
        ],
    )


def _rds_user(details: Mapping[str, Any]) -> Sections:
    return _section(
        "Database user",
        [
            _d("User", _text(details.get("user"))),
            _d("Database", _text(details.get("database"))),
            _d("Application", _text(details.get("application"))),
            _d("SSL", _text(details.get("ssl"))),
            _d("Authentication", _text(details.get("authMethod"))),
        ],
    )


def _lambda(details: Mapping[str, Any]) -> Sections:
    vpc = _obj(details.get("vpcConfig"))
    return _section(
        "Lambda function",
        [
            _d("Function", _text(details.get("functionName")) or _text(details.get("functionArn"))),
            _d("Version", _text(details.get("functionVersion"))),
            _d("Role", _text(details.get("role"))),
            _d("Description", _text(details.get("description")), prose=True),
            _d("Last modified", _when(details.get("lastModifiedAt"))),
            _d("VPC", _text(vpc.get("vpcId"))),
            _d("Subnets", _scalars(vpc.get("subnetIds"))),
            _d("Security groups", _groups(vpc.get("securityGroups"))),
            _d("Tags", _tags(details.get("tags"))),
            _d("Revision", _text(details.get("revisionId"))),
            _d("Function ARN", _text(details.get("functionArn"))),
        ],
    )


def _volume_text(volume: Any) -> str:
    volume = _obj(volume)
    size = _count(volume.get("volumeSizeInGB"))
    facts = _join(
        _text(volume.get("deviceName")),
        _text(volume.get("volumeType")),
        f"{size} GB" if size else "",
        _text(volume.get("encryptionType")),
    )
    name = _text(volume.get("volumeArn")) or _text(volume.get("snapshotArn"))
    return f"{name} ({facts})" if name and facts else name or facts


def _ebs_volumes(details: Mapping[str, Any]) -> Sections:
    return _section(
        "EBS volumes",
        [
            _d(
                "Scanned", _preview(_distinct(details.get("scannedVolumeDetails"), _volume_text), 3)
            ),
            _d(
                "Skipped", _preview(_distinct(details.get("skippedVolumeDetails"), _volume_text), 3)
            ),
        ],
    )


def _ebs_snapshot(details: Mapping[str, Any]) -> Sections:
    return _section("EBS snapshot", [_d("Snapshot", _text(details.get("snapshotArn")))])


def _ec2_image(details: Mapping[str, Any]) -> Sections:
    return _section("EC2 image (AMI)", [_d("Image", _text(details.get("imageArn")))])


def _recovery_point(details: Mapping[str, Any]) -> Sections:
    window = _obj(details.get("continuousScanDetails"))
    return _section(
        "Backup recovery point",
        [
            _d("Recovery point", _text(details.get("recoveryPointArn"))),
            _d("Backup vault", _text(details.get("backupVaultName"))),
            _d("Scanned from", _when(window.get("startTime"))),
            _d("Scanned to", _when(window.get("endTime"))),
        ],
    )


def _filter_text(value: Any) -> str:
    policy = _obj(value)
    facts = _join(_text(policy.get("confidence")), _text(policy.get("action")))
    kind = _text(policy.get("type"))
    return f"{kind} ({facts})" if kind and facts else kind


def _bedrock_guardrail(details: Mapping[str, Any]) -> Sections:
    return _section(
        "Bedrock guardrail",
        [
            _d("Guardrail", _text(details.get("guardrailArn"))),
            _d("Version", _text(details.get("guardrailVersion"))),
            _d("Action", _text(details.get("guardrailAction"))),
            _d("Source", _text(details.get("guardrailSource"))),
            _d(
                "Content filters",
                _preview(_distinct(details.get("contentPolicyFilters"), _filter_text)),
            ),
            _d(
                "Guardrails",
                _preview(
                    _distinct(
                        details.get("guardrails"),
                        lambda g: _join(
                            _text(_obj(g).get("arn")), _text(_obj(g).get("version")), sep=" v"
                        ),
                    )
                ),
            ),
        ],
    )


def _models(resource: Mapping[str, Any]) -> Sections:
    return _section(
        "Bedrock models",
        [
            _d(
                "Models",
                _members(resource.get("modelDetails"), "modelId"),
            )
        ],
    )


def _on(key: str, build: Builder) -> Builder:
    """A builder of one member of ``resource``, read as an object."""
    return lambda resource: build(_obj(resource.get(key)))


# Builders of ``resource`` members, in the order they are shown when the type does not say.
_RESOURCE_BUILDERS: dict[str, Builder] = {
    "instanceDetails": _on("instanceDetails", _instance),
    "accessKeyDetails": _on("accessKeyDetails", _access_key),
    "s3BucketDetails": _s3_buckets,
    "eksClusterDetails": _on("eksClusterDetails", _eks_cluster),
    "kubernetesDetails": _on("kubernetesDetails", _kubernetes_workload),
    "ecsClusterDetails": _on("ecsClusterDetails", _ecs_cluster),
    "containerDetails": _on("containerDetails", _container),
    "rdsDbInstanceDetails": _on("rdsDbInstanceDetails", _rds_instance),
    "rdsLimitlessDbDetails": _on("rdsLimitlessDbDetails", _rds_limitless),
    "rdsDbUserDetails": _on("rdsDbUserDetails", _rds_user),
    "lambdaDetails": _on("lambdaDetails", _lambda),
    "ebsVolumeDetails": _on("ebsVolumeDetails", _ebs_volumes),
    "ebsSnapshotDetails": _on("ebsSnapshotDetails", _ebs_snapshot),
    "ec2ImageDetails": _on("ec2ImageDetails", _ec2_image),
    "recoveryPointDetails": _on("recoveryPointDetails", _recovery_point),
    "bedrockGuardrailDetails": _on("bedrockGuardrailDetails", _bedrock_guardrail),
    "modelDetails": _models,
}

# ``resource.resourceType`` (lower-cased) → the members that describe that resource, shown first.
_PRIMARY: dict[str, tuple[str, ...]] = {
    "instance": ("instanceDetails",),
    "accesskey": ("accessKeyDetails",),
    "s3bucket": ("s3BucketDetails",),
    "s3object": ("s3BucketDetails",),
    "ekscluster": ("eksClusterDetails", "kubernetesDetails"),
    "ecscluster": ("ecsClusterDetails",),
    "container": ("containerDetails",),
    "rdsdbinstance": ("rdsDbInstanceDetails", "rdsDbUserDetails"),
    "rdslimitlessdb": ("rdsLimitlessDbDetails", "rdsDbUserDetails"),
    "lambda": ("lambdaDetails",),
    "ebsvolume": ("ebsVolumeDetails",),
    "ebssnapshot": ("ebsSnapshotDetails",),
    "ec2snapshot": ("ebsSnapshotDetails",),
    "ec2image": ("ec2ImageDetails",),
    "recoverypoint": ("recoveryPointDetails",),
    "bedrockguardrail": ("bedrockGuardrailDetails",),
}


def _primary_keys(resource: Mapping[str, Any]) -> tuple[str, ...]:
    return _PRIMARY.get(_scalar(resource.get("resourceType")).lower(), ())


# --- malware scans and attack sequences (resource side) -------------------------------------


def _scan_files(threats: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [_obj(f) for f in _flat(threats, "filePaths")]


def _ebs_scan(service: Mapping[str, Any]) -> Sections:
    scan = _obj(service.get("ebsVolumeScanDetails"))
    detections = _obj(scan.get("scanDetections"))
    by_name = _obj(detections.get("threatDetectedByName"))
    threats = _objs(by_name.get("threatNames"))
    files = _scan_files(threats)
    first = files[0] if files else {}
    highest = _obj(detections.get("highestSeverityThreatDetails"))
    scanned = _obj(detections.get("scannedItemCount"))
    files_n, gb, volumes = (_count(scanned.get(k)) for k in ("files", "totalGb", "volumes"))
    return _section(
        "Malware scan (EBS volumes)",
        [
            _d("Threats", _members(threats, "name")),
            _d(
                "Highest severity",
                _join(_text(highest.get("threatName")), _text(highest.get("severity")), sep=", "),
            ),
            _d(
                "Infected files",
                _count(_obj(detections.get("threatsDetectedItemCount")).get("files")),
            ),
            _d("File", _text(first.get("filePath")) or _text(first.get("fileName"))),
            _d("SHA-256", _text(first.get("hash"))),
            _d("Volume", _text(first.get("volumeArn"))),
            _d(
                "Other files",
                _members(files[1:], "filePath", "fileName", limit=3),
            ),
            _d(
                "Scanned",
                _join(
                    f"{files_n} files" if files_n else "",
                    f"{gb} GB" if gb else "",
                    f"{volumes} volumes" if volumes else "",
                ),
            ),
            _d("Scan type", _text(scan.get("scanType"))),
            _d("Scan ID", _text(scan.get("scanId"))),
            _d("Completed", _when(scan.get("scanCompletedAt"))),
            _d("Trigger finding", _text(scan.get("triggerFindingId"))),
            _d("Sources", _scalars(scan.get("sources"))),
        ],
    )


def _threat_files(threats: list[Mapping[str, Any]]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(path, hash, item details) for every scanned item a threat names."""
    files: list[tuple[str, str, Mapping[str, Any]]] = []
    for threat in threats:
        for path in map(_obj, as_list(threat.get("itemPaths"))[:_SCAN]):
            files.append((_text(path.get("nestedItemPath")), _text(path.get("hash")), {}))
        for item in map(_obj, as_list(threat.get("itemDetails"))[:_SCAN]):
            files.append((_text(item.get("itemPath")), _text(item.get("hash")), item))
        if not threat.get("itemPaths") and not threat.get("itemDetails") and threat.get("hash"):
            files.append(("", _text(threat.get("hash")), {}))
    return files


def _malware_scan(service: Mapping[str, Any]) -> Sections:
    scan = _obj(service.get("malwareScanDetails"))
    threats = _objs(scan.get("threats"))
    files = _threat_files(threats)
    path, sha, item = files[0] if files else ("", "", {})
    info = _obj(item.get("additionalInfo"))
    config = _obj(scan.get("scanConfiguration"))
    return _section(
        "Malware scan",
        [
            _d("Threats", _members(threats, "name")),
            _d("File", path),
            _d("SHA-256", sha),
            _d("Scanned resource", _text(item.get("resourceArn"))),
            _d("Object version", _text(info.get("versionId"))),
            _d("Device", _text(info.get("deviceName"))),
            _d("Other files", _preview(_distinct(files[1:], lambda f: f[0]), 3)),
            _d("Unique threats", _count(scan.get("uniqueThreatCount"))),
            _d("Detected by", _members(threats, "source")),
            _d("Scan type", _join(_text(scan.get("scanType")), _text(scan.get("scanCategory")))),
            _d("Trigger", _text(config.get("triggerType"))),
            _d(
                "Baseline",
                _text(_obj(config.get("incrementalScanDetails")).get("baselineResourceArn")),
            ),
            _d("Scan ID", _text(scan.get("scanId"))),
        ],
    )


# Indicator keys of attack sequences and signals, as the model enumerates them.
_INDICATOR_LABELS: dict[str, str] = {
    "ATTACK_TACTIC": "MITRE tactics",
    "ATTACK_TECHNIQUE": "MITRE techniques",
    "HIGH_RISK_API": "High-risk APIs",
    "MALICIOUS_IP": "Malicious IPs",
    "TOR_IP": "Tor IPs",
    "MALICIOUS_DOMAIN": "Malicious domains",
    "MALICIOUS_PROCESS": "Malicious processes",
    "MALICIOUS_FILE": "Malicious files",
    "MALICIOUS_PACKAGE": "Malicious packages",
    "SUSPICIOUS_USER_AGENT": "Suspicious user agents",
    "SUSPICIOUS_NETWORK": "Suspicious networks",
    "SUSPICIOUS_PROCESS": "Suspicious processes",
    "CRYPTOMINING_IP": "Cryptomining IPs",
    "CRYPTOMINING_DOMAIN": "Cryptomining domains",
    "CRYPTOMINING_PROCESS": "Cryptomining processes",
    "UNUSUAL_API_FOR_ACCOUNT": "APIs unusual for the account",
    "UNUSUAL_ASN_FOR_ACCOUNT": "ASNs unusual for the account",
    "UNUSUAL_ASN_FOR_USER": "ASNs unusual for the user",
    "VULNERABILITY": "Vulnerabilities",
    "MISCONFIGURATION": "Misconfigurations",
    "REACHABILITY": "Reachability",
    "SENSITIVE_DATA": "Sensitive data",
}


def _indicator_items(indicators: list[Mapping[str, Any]]) -> list[Item]:
    """One item per indicator key (tactics and techniques first), values merged across entries."""
    merged: dict[str, list[Any]] = {}
    for indicator in indicators:
        key = _scalar(indicator.get("key")).upper()
        if key:
            merged.setdefault(key, []).extend(as_list(indicator.get("values"))[:_SCAN])
    order = list(_INDICATOR_LABELS)
    ranked = sorted(merged, key=lambda k: order.index(k) if k in order else len(order))
    return [
        _d(
            _INDICATOR_LABELS.get(key) or safe_label(key.replace("_", " ").lower()),
            _scalars(merged[key]),
        )
        for key in ranked
    ]


def _sequence(service: Mapping[str, Any]) -> Sections:
    sequence = _obj(_obj(service.get("detection")).get("sequence"))
    signals = _objs(sequence.get("signals"))
    indicators = _objs(sequence.get("sequenceIndicators")) or [
        i for s in signals for i in _objs(s.get("signalIndicators"))
    ]
    indicator_items = _indicator_items(indicators)
    resources = as_list(sequence.get("resources"))
    signal_count = len(as_list(sequence.get("signals")))
    return _section(
        "Attack sequence",
        [
            _d("Description", _text(sequence.get("description")), prose=True),
            *indicator_items[:4],
            _d("Signals", str(signal_count) if signal_count else ""),
            _d("Signal types", _members(signals, "type")),
            _d(
                "Signal names",
                _members(signals, "name", limit=3),
            ),
            _d("Resources", str(len(resources)) if resources else ""),
            _d(
                "Resource names",
                _members(resources, "name", "uid", limit=3),
            ),
            _d("Also matches", _scalars(sequence.get("additionalSequenceTypes"))),
            *indicator_items[4:],
            _d("Sequence ID", _text(sequence.get("uid"))),
        ],
    )


def resource_sections(detail: Mapping[str, Any]) -> list[DetailSection]:
    """What was hit: the typed resource, malware found on it, the attack sequence, the rest."""
    detail = as_mapping(detail)
    resource = _obj(detail.get("resource"))
    service = _obj(detail.get("service"))
    primary = _primary_keys(resource)
    sections: Sections = []
    for key in primary:
        sections += _RESOURCE_BUILDERS[key](resource)
    sections += _ebs_scan(service) + _malware_scan(service) + _sequence(service)
    for key, build in _RESOURCE_BUILDERS.items():
        if key not in primary and resource.get(key) not in (None, "", [], {}):
            sections += build(resource)
    sections += _generic("Resource details", resource, [*_RESOURCE_BUILDERS, "resourceType"])
    if not sections and _text(resource.get("resourceType")):
        sections = _section("Resource", [_d("Resource type", _text(resource.get("resourceType")))])
    return sections[:MAX_SECTIONS]


# --- actions --------------------------------------------------------------------------------

_DIRECTION_TITLES = {
    "INBOUND": "Network connection (inbound)",
    "OUTBOUND": "Network connection (outbound)",
}


def _network_connection(action: Mapping[str, Any]) -> Sections:
    direction = _text(action.get("connectionDirection"))
    title = _DIRECTION_TITLES.get(direction.upper(), "Network connection")
    return _section(
        title,
        [
            *_remote_items(action.get("remoteIpDetails")),
            _d("Remote port", _port(action.get("remotePortDetails"))),
            _d("Local port", _port(action.get("localPortDetails"))),
            _d("Protocol", _text(action.get("protocol"))),
            _d("Direction", "" if direction.upper() in _DIRECTION_TITLES else direction),
            _d("Blocked", _flag(action.get("blocked"))),
            _d("Local IP", _ip(action.get("localIpDetails"))),
            _d("Network interface", _text(action.get("localNetworkInterface"))),
        ],
    )


def _port_probe(action: Mapping[str, Any]) -> Sections:
    probes = as_list(action.get("portProbeDetails"))
    first = _obj(probes)
    remote_ips = _distinct(probes, lambda p: _ip(_obj(p).get("remoteIpDetails")))
    ports = _distinct(probes, lambda p: _port(_obj(p).get("localPortDetails")))
    return _section(
        "Port probe",
        [
            *_remote_items(first.get("remoteIpDetails")),
            _d("Local port", _port(first.get("localPortDetails"))),
            _d("Probes", str(len(probes)) if len(probes) > 1 else ""),
            _d(
                "Remote IPs", _preview(remote_ips) if len(remote_ips[0]) + remote_ips[1] > 1 else ""
            ),
            _d("Local ports", _preview(ports) if len(ports[0]) + ports[1] > 1 else ""),
            _d("Blocked", _flag(action.get("blocked"))),
            _d("Local IP", _ip(first.get("localIpDetails"))),
        ],
    )


def _dns_request(action: Mapping[str, Any]) -> Sections:
    domain = _text(action.get("domain"))
    suffix = _text(action.get("domainWithSuffix"))
    return _section(
        "DNS request",
        [
            _d("Domain", domain),
            _d("Domain with suffix", "" if suffix == domain else suffix),
            _d("Protocol", _text(action.get("protocol"))),
            _d("Blocked", _flag(action.get("blocked"))),
            _d("VPC owner account", _text(action.get("vpcOwnerAccountId"))),
        ],
    )


def _affected(value: Any) -> str:
    if isinstance(value, Mapping):
        pairs = [
            f"{_scalar(k)}: {_text(v)}" if _text(v) else _scalar(k)
            for k, v in islice(value.items(), _SCAN)
        ]
        return _preview((pairs, max(len(value) - _SCAN, 0)), 3)
    return _scalars(value, limit=3)


def _aws_api_call(action: Mapping[str, Any]) -> Sections:
    account = _obj(action.get("remoteAccountDetails"))
    affiliated = " (affiliated)" if _true(account.get("affiliated")) else ""
    account_id = _text(account.get("accountId"))
    return _section(
        "AWS API call",
        [
            _d("API", _text(action.get("api"))),
            _d("Service", _text(action.get("serviceName"))),
            _d("Caller type", _text(action.get("callerType"))),
            *_remote_items(action.get("remoteIpDetails")),
            _d("User agent", _text(action.get("userAgent"))),
            _d("Error code", _text(action.get("errorCode"))),
            _d("Remote account", account_id + affiliated if account_id else ""),
            _d("Calling service", _text(account.get("awsServiceName"))),
            _d("Domain", _text(_obj(action.get("domainDetails")).get("domain"))),
            _d("Affected resources", _affected(action.get("affectedResources"))),
        ],
    )


def _kubernetes_api_call(action: Mapping[str, Any]) -> Sections:
    remote_ip = _ip(action.get("remoteIpDetails"))
    sources = _distinct(
        action.get("sourceIPs"), lambda ip: "" if _text(ip) == remote_ip else _text(ip)
    )
    resource = _join(_text(action.get("resource")), _text(action.get("subresource")), sep="/")
    return _section(
        "Kubernetes API call",
        [
            _d("Verb", _text(action.get("verb"))),
            _d("Request URI", _text(action.get("requestUri"))),
            _d("Status code", _text(action.get("statusCode"))),
            *_remote_items(action.get("remoteIpDetails")),
            _d("User agent", _text(action.get("userAgent"))),
            _d("Source IPs", _preview(sources)),
            _d("Resource", resource),
            _d("Namespace", _text(action.get("namespace"))),
            _d("Resource name", _text(action.get("resourceName"))),
            _d("Parameters", _text(action.get("parameters"))),
        ],
    )


def _kubernetes_permission(action: Mapping[str, Any]) -> Sections:
    return _section(
        "Kubernetes permission check",
        [
            _d("Verb", _text(action.get("verb"))),
            _d("Resource", _text(action.get("resource"))),
            _d("Namespace", _text(action.get("namespace"))),
            _d("Allowed", _flag(action.get("allowed"))),
        ],
    )


def _kubernetes_role_binding(action: Mapping[str, Any]) -> Sections:
    return _section(
        "Kubernetes role binding",
        [
            _d("Binding", _text(action.get("name"))),
            _d("Kind", _text(action.get("kind"))),
            _d(
                "Role",
                _join(_text(action.get("roleRefKind")), _text(action.get("roleRefName")), sep=" "),
            ),
            _d("UID", _text(action.get("uid"))),
        ],
    )


def _kubernetes_role(action: Mapping[str, Any]) -> Sections:
    return _section(
        "Kubernetes role",
        [
            _d("Role", _text(action.get("name"))),
            _d("Kind", _text(action.get("kind"))),
            _d("UID", _text(action.get("uid"))),
        ],
    )


def _rds_login(action: Mapping[str, Any]) -> Sections:
    # The model gives this member no locationName, so the API would spell it "LoginAttributes";
    # EventBridge findings use camelCase. Accept both.
    attempts = _objs(action.get("loginAttributes") or action.get("LoginAttributes"))
    successes = [_int(a.get("successfulLoginAttempts")) for a in attempts]
    failures = [_int(a.get("failedLoginAttempts")) for a in attempts]
    return _section(
        "Database login attempts",
        [
            *_remote_items(action.get("remoteIpDetails")),
            _d("Users", _members(attempts, "user")),
            _d(
                "Applications",
                _members(attempts, "application"),
            ),
            _d("Successful logins", _total(successes)),
            _d("Failed logins", _total(failures)),
        ],
    )


def _total(numbers: list[int | None]) -> str:
    known = [n for n in numbers if n is not None]
    return str(sum(known)) if known else ""


_ACTIONS: dict[str, tuple[str, Builder]] = {
    "NETWORK_CONNECTION": ("networkConnectionAction", _network_connection),
    "PORT_PROBE": ("portProbeAction", _port_probe),
    "DNS_REQUEST": ("dnsRequestAction", _dns_request),
    "AWS_API_CALL": ("awsApiCallAction", _aws_api_call),
    "KUBERNETES_API_CALL": ("kubernetesApiCallAction", _kubernetes_api_call),
    "KUBERNETES_PERMISSION_CHECKED": ("kubernetesPermissionCheckedDetails", _kubernetes_permission),
    "KUBERNETES_ROLE_BINDING_DETAILS": ("kubernetesRoleBindingDetails", _kubernetes_role_binding),
    "KUBERNETES_ROLE_DETAILS": ("kubernetesRoleDetails", _kubernetes_role),
    "RDS_LOGIN_ATTEMPT": ("rdsLoginAttemptAction", _rds_login),
}


def _action_sections(action: Mapping[str, Any]) -> Sections:
    """The action ``actionType`` names first, then any other action object, unknown ones last."""
    named = _ACTIONS.get(_scalar(action.get("actionType")).upper())
    ordered = [named] if named else []
    ordered += [entry for entry in _ACTIONS.values() if entry != named]
    sections: Sections = []
    for key, build in ordered:
        sections += build(_obj(action.get(key)))
    known = [key for key, _ in _ACTIONS.values()]
    sections += _generic("Action details", action, [*known, "actionType"])
    if not sections and _text(action.get("actionType")):
        sections = _section("Action", [_d("Action type", _text(action.get("actionType")))])
    return sections


# --- actors beyond the action ---------------------------------------------------------------


def _kubernetes_user(resource: Mapping[str, Any]) -> Sections:
    user = _obj(_obj(resource.get("kubernetesDetails")).get("kubernetesUserDetails"))
    impersonated = _obj(user.get("impersonatedUser"))
    return _section(
        "Kubernetes user",
        [
            _d("Username", _text(user.get("username"))),
            _d("Groups", _scalars(user.get("groups"))),
            _d("Session names", _scalars(user.get("sessionName"))),
            _d("Impersonated user", _text(impersonated.get("username"))),
            _d("Impersonated groups", _scalars(impersonated.get("groups"))),
            _d("UID", _text(user.get("uid"))),
        ],
    )


def _lineage(value: Any) -> str:
    return _preview(
        _distinct(
            value, lambda p: _text(_obj(p).get("name")) or _text(_obj(p).get("executablePath"))
        ),
        4,
        sep=" ← ",
    )


def _process(runtime: Mapping[str, Any]) -> Sections:
    process = _obj(runtime.get("process"))
    user_id, euid = _text(process.get("userId")), _text(process.get("euid"))
    return _section(
        "Process",
        [
            _d("Process", _text(process.get("name"))),
            _d("Executable", _text(process.get("executablePath"))),
            _d("SHA-256", _text(process.get("executableSha256"))),
            _d("Command line", _text(process.get("commandLine"))),
            _d("User", _text(process.get("user"))),
            _d("User ID", user_id),
            _d("Effective user ID", "" if euid == user_id else euid),
            _d("PID", _text(process.get("pid"))),
            _d("Namespace PID", _text(process.get("namespacePid"))),
            _d("Parent processes", _lineage(process.get("lineage"))),
            _d("Working directory", _text(process.get("pwd"))),
            _d("Started", _when(process.get("startTime"))),
        ],
    )


# Runtime context members (all of the model's), most telling first.
_CONTEXT_LABELS: dict[str, str] = {
    "toolName": "Tool",
    "toolCategory": "Tool category",
    "threatFilePath": "Threat file",
    "commandLineExample": "Command line example",
    "scriptPath": "Script",
    "moduleName": "Kernel module",
    "moduleFilePath": "Module file",
    "moduleSha256": "Module SHA-256",
    "ldPreloadValue": "LD_PRELOAD",
    "libraryPath": "Library",
    "filePath": "File",
    "fileOperation": "File operation",
    "relatedFilePaths": "Related files",
    "memoryRegions": "Memory regions",
    "socketPath": "Socket",
    "runcBinaryPath": "runc binary",
    "releaseAgentPath": "Release agent",
    "mountSource": "Mount source",
    "mountTarget": "Mount target",
    "fileSystemType": "File system",
    "flags": "Flags",
    "shellHistoryFilePath": "Shell history file",
    "addressFamily": "Address family",
    "ianaProtocolNumber": "IP protocol number",
    "serviceName": "Service",
    "modifiedAt": "Modified",
}
_CONTEXT_PROCESSES = {"modifyingProcess": "Modifying process", "targetProcess": "Target process"}


def _runtime_context(runtime: Mapping[str, Any]) -> Sections:
    context = _obj(runtime.get("context"))
    items: list[Item] = [
        _d(label, _process_text(context.get(key))) for key, label in _CONTEXT_PROCESSES.items()
    ]
    for key, label in _CONTEXT_LABELS.items():
        value = context.get(key)
        items.append(_d(label, _when(value) if key == "modifiedAt" else _text(value)))
    known = [*_CONTEXT_LABELS, *_CONTEXT_PROCESSES]
    unknown = {k: v for k, v in islice(context.items(), _SCAN) if k not in known}
    return _section("Runtime context", [*items, *_generic_items(unknown)])


def _threat_intel(service: Mapping[str, Any]) -> Sections:
    intel = _objs(_obj(service.get("evidence")).get("threatIntelligenceDetails"))
    names = _flat(intel, "threatNames")
    return _section(
        "Threat intelligence",
        [
            _d(
                "Threat lists",
                _members(intel, "threatListName"),
            ),
            _d("Threat names", _scalars(names)),
            _d(
                "Threat file SHA-256",
                _members(intel, "threatFileSha256", limit=2),
            ),
        ],
    )


def _actor_text(actor: Any) -> str:
    actor = _obj(actor)
    user = _obj(actor.get("user"))
    name = _text(user.get("name")) or _text(user.get("uid")) or _text(actor.get("id"))
    facts = _join(_text(user.get("type")), _text(_obj(user.get("account")).get("uid")))
    return f"{name} ({facts})" if name and facts else name


def _actor_process(actor: Any) -> str:
    process = _obj(_obj(actor).get("process"))
    return _text(process.get("name")) or _text(process.get("path"))


def _endpoint_text(endpoint: Any) -> str:
    endpoint = _obj(endpoint)
    where = _obj(endpoint.get("location"))
    system = _obj(endpoint.get("autonomousSystem"))
    asn = _asn(system.get("number"))
    facts = _join(
        _join(f"AS{asn}" if asn else "", _text(system.get("name")), sep=" "),
        _join(_text(where.get("city")), _text(where.get("country"))),
        _text(_obj(endpoint.get("connection")).get("direction")).lower(),
    )
    name = _text(endpoint.get("ip")) or _text(endpoint.get("domain")) or _text(endpoint.get("id"))
    return f"{name} ({facts})" if name and facts else name


def _sequence_actors(service: Mapping[str, Any]) -> Sections:
    sequence = _obj(_obj(service.get("detection")).get("sequence"))
    actors = as_list(sequence.get("actors"))
    sessions = [_obj(_obj(a).get("session")) for a in actors[:_SCAN]]
    return _section(
        "Attack sequence actors",
        [
            _d("Actors", _preview(_distinct(actors, _actor_text), 3)),
            _d("Endpoints", _preview(_distinct(sequence.get("endpoints"), _endpoint_text), 3)),
            _d("MFA", _members(sessions, "mfaStatus")),
            _d("Session issuers", _members(sessions, "issuer", limit=3)),
            _d("Processes", _preview(_distinct(actors, _actor_process), 3)),
        ],
    )


def _observed(value: Any) -> str:
    anomaly = _obj(value)
    seen = _obj(anomaly.get("observations"))
    texts = _preview(
        _distinct(
            [*as_list(seen.get("text"))[:_SCAN], *as_list(seen.get("number"))[:_SCAN]], _text
        ),
        3,
    )
    subtype = _text(anomaly.get("profileSubtype")).lower()
    return f"{texts} ({subtype})" if texts and subtype else texts


def _anomaly(service: Mapping[str, Any]) -> Sections:
    """``unusual.behavior`` is {entity: {feature: observation}}; features are the labels."""
    behaviour = _obj(
        _obj(_obj(_obj(service.get("detection")).get("anomaly")).get("unusual")).get("behavior")
    )
    items = [
        _d(safe_label(_scalar(feature)), _observed(observed))
        for features in islice(behaviour.values(), 3)
        if isinstance(features, Mapping)
        for feature, observed in islice(features.items(), MAX_ITEMS)
    ]
    return _section("Unusual behaviour", items)


def _additional_info(service: Mapping[str, Any]) -> Sections:
    value = _obj(service.get("additionalInfo")).get("value")
    if isinstance(value, str):
        try:
            value = json.loads(value[:100_000])
        except (ValueError, RecursionError):
            return _section("Additional information", [_d("Information", value, prose=True)])
    if not isinstance(value, Mapping):
        return []
    rest = {k: v for k, v in islice(value.items(), _SCAN) if k != "sample"}
    return _section("Additional information", _generic_items(rest)) if rest else []


def actor_sections(detail: Mapping[str, Any]) -> list[DetailSection]:
    """Who or what did it: the action, the Kubernetes user, the process, threat intel, more."""
    detail = as_mapping(detail)
    resource = _obj(detail.get("resource"))
    service = _obj(detail.get("service"))
    runtime = _obj(service.get("runtimeDetails"))
    sections = [
        *_action_sections(_obj(service.get("action"))),
        *_kubernetes_user(resource),
        *_process(runtime),
        *_runtime_context(runtime),
        *_threat_intel(service),
        *_sequence_actors(service),
        *_anomaly(service),
        *_additional_info(service),
    ]
    return sections[:MAX_SECTIONS]


# --- one-line summary for digests -----------------------------------------------------------


def _instance_line(resource: Mapping[str, Any]) -> str:
    details = _obj(resource.get("instanceDetails"))
    return _named_line(_text(details.get("instanceId")), _name_tag(details.get("tags")))


def _access_key_line(resource: Mapping[str, Any]) -> str:
    details = _obj(resource.get("accessKeyDetails"))
    return _named_line(_text(details.get("accessKeyId")), _text(details.get("userName")))


def _s3_line(resource: Mapping[str, Any]) -> str:
    buckets = as_list(resource.get("s3BucketDetails"))
    first = _obj(buckets)
    key = _text(_obj(first.get("s3ObjectDetails")).get("key"))
    name = _bucket_name(first)
    line = f"{name}/{key}" if name and key else name
    return f"{line} (+{len(buckets) - 1} more)" if line and len(buckets) > 1 else line


def _eks_line(resource: Mapping[str, Any]) -> str:
    cluster = _obj(resource.get("eksClusterDetails"))
    workload = _obj(_obj(resource.get("kubernetesDetails")).get("kubernetesWorkloadDetails"))
    where = _join(_text(workload.get("namespace")), _text(workload.get("name")), sep="/")
    return _named_line(_text(cluster.get("name")) or _text(cluster.get("arn")), where)


def _ecs_line(resource: Mapping[str, Any]) -> str:
    cluster = _obj(resource.get("ecsClusterDetails"))
    return _text(cluster.get("name")) or _text(cluster.get("arn"))


def _container_line(resource: Mapping[str, Any]) -> str:
    container = _obj(resource.get("containerDetails"))
    return _named_line(
        _text(container.get("name")) or _text(container.get("id")), _text(container.get("image"))
    )


def _rds_line(resource: Mapping[str, Any]) -> str:
    instance = _obj(resource.get("rdsDbInstanceDetails"))
    user = _text(_obj(resource.get("rdsDbUserDetails")).get("user"))
    return _named_line(
        _text(instance.get("dbInstanceIdentifier")) or _text(instance.get("dbInstanceArn")), user
    )


def _rds_limitless_line(resource: Mapping[str, Any]) -> str:
    details = _obj(resource.get("rdsLimitlessDbDetails"))
    return _text(details.get("dbShardGroupIdentifier")) or _text(details.get("dbShardGroupArn"))


def _lambda_line(resource: Mapping[str, Any]) -> str:
    details = _obj(resource.get("lambdaDetails"))
    return _text(details.get("functionName")) or _text(details.get("functionArn"))


def _member_line(key: str, member: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda resource: _text(_obj(resource.get(key)).get(member))


def _named_line(ident: str, name: str) -> str:
    return f"{ident} ({name})" if ident and name else ident or name


# Member → (the type word used when ``resourceType`` is missing, its one-line summary).
_SUMMARIES: dict[str, tuple[str, Callable[[Mapping[str, Any]], str]]] = {
    "instanceDetails": ("Instance", _instance_line),
    "accessKeyDetails": ("AccessKey", _access_key_line),
    "s3BucketDetails": ("S3Bucket", _s3_line),
    "eksClusterDetails": ("EKSCluster", _eks_line),
    "ecsClusterDetails": ("ECSCluster", _ecs_line),
    "containerDetails": ("Container", _container_line),
    "rdsDbInstanceDetails": ("RDSDBInstance", _rds_line),
    "rdsLimitlessDbDetails": ("RDSLimitlessDB", _rds_limitless_line),
    "lambdaDetails": ("Lambda", _lambda_line),
    "ebsSnapshotDetails": ("EBSSnapshot", _member_line("ebsSnapshotDetails", "snapshotArn")),
    "ec2ImageDetails": ("EC2Image", _member_line("ec2ImageDetails", "imageArn")),
    "recoveryPointDetails": (
        "RecoveryPoint",
        _member_line("recoveryPointDetails", "recoveryPointArn"),
    ),
    "bedrockGuardrailDetails": (
        "BedrockGuardrail",
        _member_line("bedrockGuardrailDetails", "guardrailArn"),
    ),
}


def resource_summary(detail: Mapping[str, Any]) -> str:
    """``Instance i-0abc (web-1)``: the resource type and its identity, "" if nothing is known."""
    resource = _obj(as_mapping(detail).get("resource"))
    kind = _text(resource.get("resourceType"))
    primary = [k for k in _primary_keys(resource) if k in _SUMMARIES]
    for key in [*primary, *(k for k in _SUMMARIES if k not in primary)]:
        default_kind, line = _SUMMARIES[key]
        text = line(resource)
        if text:
            summary = f"{kind or default_kind} {text}"
            break
    else:
        summary = kind
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1] + _ELLIPSIS
    return summary
