"""Text whose trust is known: the pure builders (verdict, next steps) say what each piece is, and
only the renderer decides how Slack shows it, so escaping lives in one place (``mrkdwn``).

* ``OURS``: our own static words ("is the source of", "Deactivate the key"): shown as written.
* ``IDENTIFIER``: what AWS defines (types, ARNs, ids, names, paths, IPs): shown exactly as sent,
  never defanged or altered, only made inert (``&``, ``<``, ``>`` escaped; ``verbatim`` text).
* ``UNTRUSTED``: what the attacker side controls and Slack could turn into a link (DNS request
  domains, URLs in user agents, command lines, request URIs, threat-intel domains): defanged.
* ``COMMAND``: a shell command we compose with identifiers filled in: a code block, verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Trust(StrEnum):
    OURS = "ours"
    IDENTIFIER = "identifier"
    UNTRUSTED = "untrusted"
    COMMAND = "command"


@dataclass(frozen=True)
class Part:
    text: str
    trust: Trust = Trust.OURS


def ours(text: str) -> Part:
    return Part(text, Trust.OURS)


def ident(text: str) -> Part:
    return Part(text, Trust.IDENTIFIER)


def untrusted(text: str) -> Part:
    return Part(text, Trust.UNTRUSTED)


def command(text: str) -> Part:
    return Part(text, Trust.COMMAND)


Parts = tuple[Part, ...]


@dataclass(frozen=True)
class Link:
    """A button we build ourselves: our label, a URL from identifiers (never from finding text)."""

    label: str
    url: str
