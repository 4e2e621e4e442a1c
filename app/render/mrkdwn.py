"""The escaping contract: text is rendered by its trust (``app.render.parts.Trust``), inert always.

* Everything is stripped of invisible and bidirectional-override characters (U+202E, U+200B…)
  and escaped for Slack (``&``, ``<``, ``>``: the only escapes Slack defines). That alone makes
  ``<!here>``, ``<@U…>``, ``<#C…>`` and ``<https://…|…>`` inert; nothing else is inserted and
  nothing is replaced by a look-alike. ``plain_text`` objects are escaped the same way: Slack
  decodes the three entities in every text it is sent.
* Every mrkdwn object is ``verbatim``: Slack does not auto-link URLs, domains or channel names in
  it, so identifiers can be shown exactly.
* ``IDENTIFIER`` (what AWS defines): exact. In a code span when it holds a formatting character
  (``*_~:``) so it cannot format; with a backtick (no span can hold one) the whole text object
  becomes ``plain_text``.
* ``UNTRUSTED`` (attacker-controlled and linkable): defanged (``evil[.]com``, ``hxxp[://]``).
* ``OURS``: as written. ``COMMAND``: a code block.
* Free text (title, description, prose details): as written, in ``plain_text`` where formatting
  is not needed; only URL schemes and the finding's own attacker-controlled domains are defanged.

The top-level ``text`` (the notification) is mrkdwn without ``verbatim``: there everything from
the finding is escaped and free text fully defanged (``notification``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from app.render.parts import Part, Trust

ELLIPSIS = "…"

# Cc and Cf categories cover C0/C1 controls, bidi overrides/isolates and zero-width characters.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_HOSTNAME = re.compile(r"(?i)\b(?:[a-z0-9_-]+\.)+(?:[a-z][a-z0-9-]+|xn--[a-z0-9-]+)\b")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,15}):/+")
_INSTANCE_TYPE = re.compile(
    r"[a-z][a-z0-9-]*\.(?:nano|micro|small|medium|large|\d*xlarge|metal(?:-\d+xl)?)"
)
_SPACES = re.compile(r"[ ]{2,}")
_SPAN_NEEDED = re.compile(r"[*_~:]")
_PROSE_FORMATTING = re.compile(r"[*_~`]|:[A-Za-z0-9_+-]+:|^\s*>", re.MULTILINE)

Text = dict[str, Any]


def clean(text: str, *, multiline: bool = False) -> str:
    """Drop invisible/bidi characters; newlines and tabs become spaces unless ``multiline``."""
    if text.isprintable():  # the common case: nothing invisible, nothing to drop
        return _SPACES.sub(" ", text).strip()
    out = []
    for char in text:
        if char in "\n\t\r":
            out.append("\n" if multiline and char == "\n" else " ")
        elif unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            continue
        else:
            out.append(char)
    result = "".join(out)
    if multiline:
        result = re.sub(r"\n{3,}", "\n\n", result)
    return _SPACES.sub(" ", result).strip()


def defang(text: str) -> str:
    """``https://evil.com`` → ``hxxps[://]evil[.]com``: readable, never a link."""
    return _HOSTNAME.sub(_defang_host, defang_schemes(text))


def defang_schemes(text: str) -> str:
    return _SCHEME.sub(lambda m: _defang_scheme(m.group(1)) + "[://]", text)


def defang_domains(text: str, domains: Iterable[str]) -> str:
    """Only the given (attacker-controlled) domains, wherever they occur, and URL schemes."""
    text = defang_schemes(text)
    for domain in sorted({d for d in domains if "." in d}, key=len, reverse=True):
        text = re.sub(re.escape(domain), lambda m: m.group(0).replace(".", "[.]"), text, flags=re.I)
    return text


def _defang_host(match: re.Match[str]) -> str:
    token = match.group(0)
    if _INSTANCE_TYPE.fullmatch(token):  # t3.micro, m5.2xlarge: not domains, keep them readable
        return token
    return token.replace(".", "[.]")


def _defang_scheme(scheme: str) -> str:
    lowered = scheme.lower()
    if lowered.startswith("http"):
        return "hxxp" + scheme[4:]
    return scheme


def escape(text: str) -> str:
    """The three mrkdwn control characters, as Slack documents them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, ending in an ellipsis when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Never leave half an entity (``&am…``) behind.
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and len(cut) - amp < 5:
        cut = cut[:amp]
    return cut + ELLIPSIS


def mrkdwn(text: str) -> Text:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain_text(text: str, *, emoji: bool = False) -> Text:
    return {"type": "plain_text", "text": text, "emoji": emoji}


# -- parts ------------------------------------------------------------------------------------
def _shown(part: Part, domains: Iterable[str]) -> str:
    """The part's characters as a reader sees them (defanged if untrusted), unescaped."""
    if part.trust is Trust.COMMAND:
        return clean(part.text, multiline=True)
    text = clean(part.text)
    if part.trust is Trust.UNTRUSTED:
        return defang(text)
    if part.trust is Trust.OURS:
        return part.text
    return defang_domains(text, domains) if domains else text


def needs_plain(parts: Iterable[Part]) -> bool:
    """A backtick in anything from the finding: no code span can hold it, show plain_text."""
    return any(p.trust is not Trust.OURS and "`" in p.text for p in parts)


def part_mrkdwn(part: Part, limit: int, domains: Iterable[str] = ()) -> str:
    shown = _shown(part, domains)
    if part.trust is Trust.OURS:
        return escape(shown)
    if part.trust is Trust.COMMAND:
        return "```" + truncate(escape(shown), max(limit - 6, 1)) + "```"
    body = truncate(escape(shown), limit)
    return f"`{body}`" if _SPAN_NEEDED.search(body) else body


def parts_plain(parts: Iterable[Part], limit: int, domains: Iterable[str] = ()) -> str:
    """The parts as ``plain_text`` content: exact characters, escaped, no formatting."""
    return truncate(escape("".join(_shown(p, domains) for p in parts)), limit)


def parts_mrkdwn(parts: Iterable[Part], limit: int, domains: Iterable[str] = ()) -> str | None:
    """The parts as mrkdwn, or ``None`` when they must be ``plain_text``."""
    parts = tuple(parts)
    if needs_plain(parts):
        return None
    text = "".join(part_mrkdwn(p, limit, domains) for p in parts)
    return text if len(text) <= limit else None


def parts_object(parts: Iterable[Part], limit: int, domains: Iterable[str] = ()) -> Text:
    """A text object for the parts: verbatim mrkdwn, or plain_text when mrkdwn cannot be exact."""
    parts = tuple(parts)
    text = parts_mrkdwn(parts, limit, domains)
    return mrkdwn(text) if text is not None else plain_text(parts_plain(parts, limit, domains))


def parts_display(parts: Iterable[Part], domains: Iterable[str] = ()) -> str:
    """For a terminal: what a reader sees, nothing escaped."""
    return "".join(_shown(p, domains) for p in parts)


# -- free text --------------------------------------------------------------------------------
def free_text(text: str, domains: Iterable[str] = (), *, multiline: bool = True) -> str:
    """Free text as written, unescaped: invisible characters dropped, schemes and the finding's
    attacker-controlled domains defanged."""
    return defang_domains(clean(text, multiline=multiline), domains)


def prose(text: str, limit: int, domains: Iterable[str] = ()) -> Text:
    """Free text (title, description) as a text object: exact, inert, never formatted."""
    return plain_text(truncate(escape(free_text(text, domains)), limit))


def prose_mrkdwn(text: str, limit: int, domains: Iterable[str] = ()) -> str | None:
    """Free text as mrkdwn when it has nothing Slack would format, else ``None``."""
    shown = free_text(text, domains)
    if _PROSE_FORMATTING.search(shown):
        return None
    return truncate(escape(shown), limit)


def notification(text: str, limit: int) -> str:
    """For the top-level ``text`` (not verbatim): escaped, every domain and URL defanged."""
    return truncate(escape(defang(clean(text))), limit)
