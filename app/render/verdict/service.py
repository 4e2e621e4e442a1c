"""Stories without an action: malware scans (what was found on the resource), Extended Threat
Detection attack sequences (signals, actors, endpoints) and Runtime Monitoring (the process is
the actor on the host)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import as_list, first_object, objects, scalar
from app.render.parts import Parts, ours
from app.render.verdict.action import Story
from app.render.verdict.resource import USER_TYPES, member, sequence_of
from app.render.verdict.words import bracketed, either, field, listed, plural, shown, word


def _service(detail: Mapping[str, Any]) -> Mapping[str, Any]:
    return first_object(detail.get("service"))


def _threats(service: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Threat names and file paths from either kind of malware scan."""
    names: list[str] = []
    files: list[str] = []
    ebs = first_object(first_object(service.get("ebsVolumeScanDetails")).get("scanDetections"))
    for threat in objects(first_object(ebs.get("threatDetectedByName")).get("threatNames")):
        names.append(word(threat.get("name")))
        files += [either(f, "filePath", "fileName") for f in objects(threat.get("filePaths"))]
    names.append(field(ebs, "highestSeverityThreatDetails", "threatName"))
    for threat in objects(first_object(service.get("malwareScanDetails")).get("threats")):
        names.append(word(threat.get("name")))
        files += [word(p.get("nestedItemPath")) for p in objects(threat.get("itemPaths"))]
        files += [word(d.get("itemPath")) for d in objects(threat.get("itemDetails"))]
    return [n for n in dict.fromkeys(names) if n], [f for f in dict.fromkeys(files) if f]


def malware_story(detail: Mapping[str, Any]) -> Story:
    """``contains malware Linux.Trojan.Mirai.B in /tmp/x (+2 more files)``."""
    names, files = _threats(_service(detail))
    if not names:
        return Story()
    phrase: Parts = (ours("malware "), *listed(names, 2))
    if files:
        phrase = (*phrase, ours(" in "), *shown(files[0]))
        if len(files) > 1:
            phrase = (*phrase, ours(f" (+{plural(len(files) - 1, 'more file', 'more files')})"))
    return Story(phrase, verb=" contains ")


def _sequence_actor(actor: Mapping[str, Any]) -> Parts:
    """``role web-prod-instance-role (process kdevtmpfsi)``."""
    user = first_object(actor.get("user"))
    name = either(user, "name", "uid")
    noun = USER_TYPES.get(scalar(user.get("type")), "user")
    who: Parts = (ours(f"{noun} "), *shown(name)) if name else ()
    process = field(actor, "process", "name") or field(actor, "process", "path")
    running = (ours("process "), *shown(process)) if process else ()
    if who:
        return (*who, *bracketed(running))
    return running


def _endpoint(endpoint: Mapping[str, Any]) -> Parts:
    """``198.51.100.40 (Hetzner Online GmbH, Germany)``."""
    address = either(endpoint, "ip", "domain", "id")
    if not address:
        return ()
    system = field(endpoint, "autonomousSystem", "name")
    country = field(endpoint, "location", "country")
    return (*shown(address), *bracketed(shown(system), shown(country)))


def sequence_story(detail: Mapping[str, Any]) -> Story:
    """``an attack sequence of 7 signals across 3 resources by role x from 198.51.100.40 (…)``."""
    sequence = sequence_of(detail)
    if not sequence:
        return Story()
    signals = len(as_list(member(sequence, "signals")))
    resources = len(as_list(member(sequence, "resources")))
    phrase = "an attack sequence"
    phrase += f" of {plural(signals, 'signal', 'signals')}" if signals else ""
    phrase += f" across {resources} resources" if resources > 1 else ""
    actors = objects(member(sequence, "actors"))
    who = next((found for a in actors if (found := _sequence_actor(a))), ())
    if who and len(actors) > 1:
        who = (*who, ours(f" and {plural(len(actors) - 1, 'more actor', 'more actors')}"))
    endpoints = objects(member(sequence, "endpoints"))
    first = next((e for e in endpoints if _endpoint(e)), {})
    where = _endpoint(first)
    if where and len(endpoints) > 1:
        where = (
            *where,
            ours(f" and {plural(len(endpoints) - 1, 'more endpoint', 'more endpoints')}"),
        )
    outbound = field(first, "connection", "direction").upper() == "OUTBOUND"
    joint = " to " if outbound else " from "
    address = word(first.get("ip"))
    if who:
        actor: Parts = (*who, ours(joint), *where) if where else who
        return Story((ours(phrase),), actor, address, " by ")
    return Story((ours(phrase),), where, address, joint)


# Runtime Monitoring families (the finding type's family name): our noun.
RUNTIME: dict[str, str] = {
    "NewBinaryExecuted": "execution of a newly created binary",
    "NewLibraryLoaded": "loading of a newly created library",
    "ReverseShell": "a reverse shell",
    "CryptoMinerExecuted": "cryptominer execution",
    "ContainerMountsHostDirectory": "a container mounting a host directory",
    "DockerSocketAccessed": "Docker socket access",
    "ProcessInjection": "process injection",
    "PtraceAntiDebugging": "ptrace anti-debugging",
    "SuspiciousTool": "a suspicious tool",
    "SuspiciousCommand": "a suspicious command",
    "SuspiciousShellCreated": "a suspicious shell",
    "MaliciousFileExecuted": "execution of a malicious file",
    "FilelessExecution": "fileless execution",
    "RuncContainerEscape": "a runc container escape",
    "CGroupsReleaseAgentModified": "a cgroups release agent change",
    "ElevationToRoot": "elevation to root",
    "KernelModuleLoaded": "a kernel module load",
    "LoadedKernelModule": "a kernel module load",
    "SuspiciousFile": "a suspicious file",
    "AnomalousBehavior": "anomalous behaviour",
}


def process_parts(detail: Mapping[str, Any]) -> Parts:
    """``process bash (/bin/bash, user app)``: the Runtime Monitoring process."""
    runtime = first_object(_service(detail).get("runtimeDetails"))
    process = first_object(runtime.get("process"))
    name, path = word(process.get("name")), word(process.get("executablePath"))
    user = word(process.get("user"))
    if not (name or path):
        return ()
    where = shown(path) if name and path and path != name else ()
    as_user: Parts = (ours("user "), *shown(user)) if user else ()
    return (ours("process "), *shown(name or path), *bracketed(where, as_user))


def runtime_story(detail: Mapping[str, Any], family: str) -> Story:
    """The process as the actor; the action from the type's family (else the type as sent)."""
    actor = process_parts(detail)
    if not actor:
        return Story()
    noun = RUNTIME.get(family)
    phrase: Parts = (ours(noun),) if noun else shown(word(detail.get("type")))
    phrase = phrase or (ours("runtime activity"),)
    runtime = first_object(_service(detail).get("runtimeDetails"))
    tool = field(runtime, "context", "toolName")
    if tool:
        phrase = (*phrase, ours(" ("), *shown(tool), ours(")"))
    return Story(phrase, actor, "", " by ")
