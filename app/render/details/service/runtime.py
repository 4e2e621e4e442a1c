"""Runtime Monitoring (``service.runtimeDetails``), on the actor side: on a host, the process is
the actor. The process, and the context of what it did."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.core.read import first_object
from app.render.details.generic import generic_items, unknown
from app.render.details.kinds import Part, at, fields, untrusted
from app.render.details.model import Item, Sections, item, section
from app.render.details.read import distinct, first, named_line, preview, text, when


def _ancestor(value: Any) -> str:
    return first(first_object(value), "name", "executablePath")


def _lineage(value: Any) -> str:
    """``parent ← grandparent ← …``."""
    return preview(distinct(value, _ancestor), 4, sep=" ← ")


def _effective_user(process: Mapping[str, Any]) -> str:
    """The effective user ID when it differs from the user ID."""
    euid = text(process.get("euid"))
    return "" if euid == text(process.get("userId")) else euid


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
_UNTRUSTED_CONTEXT = {"commandLineExample"}  # a command line: the attacker's, defanged
_CONTEXT_PROCESSES = {"modifyingProcess": "Modifying process", "targetProcess": "Target process"}


def _process_text(value: Any) -> str:
    """``name (path)``."""
    process = first_object(value)
    name, path = text(process.get("name")), text(process.get("executablePath"))
    return named_line(name, "" if path == name else path)


def _context(title: str, value: Any) -> Sections:
    context = first_object(value)
    found: list[Item] = [
        item(label, _process_text(context.get(key))) for key, label in _CONTEXT_PROCESSES.items()
    ]
    for key, label in _CONTEXT_LABELS.items():
        member = context.get(key)
        shown = when(member) if key == "modifiedAt" else text(member)
        found.append(item(label, shown, untrusted=key in _UNTRUSTED_CONTEXT))
    rest = unknown(context, [*_CONTEXT_LABELS, *_CONTEXT_PROCESSES])
    return section(title, [*found, *generic_items(rest)])


KINDS = (
    Part(
        "actor",
        ("service", "runtimeDetails", "process"),
        "Process",
        fields(
            ("Process", "name"),
            ("Executable", "executablePath"),
            ("SHA-256", "executableSha256"),
            untrusted("Command line", "commandLine"),
            ("User", "user"),
            ("User ID", "userId"),
            ("Effective user ID", _effective_user),
            ("PID", "pid"),
            ("Namespace PID", "namespacePid"),
            ("Parent processes", at("lineage", read=_lineage)),
            ("Working directory", "pwd"),
            ("Started", at("startTime", read=when)),
        ),
    ),
    Part("actor", ("service", "runtimeDetails", "context"), "Runtime context", _context),
)
