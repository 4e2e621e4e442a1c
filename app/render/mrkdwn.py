"""Make finding-sourced text inert in Slack.

Every string from a finding can be attacker-controlled (DNS names, user agents, tags, object
keys, process command lines). Slack parses ``<...>`` into mentions and links, auto-links bare
URLs and domains, and formats ``*_~```. Here text is:

* stripped of control and bidirectional-override characters (U+202E and friends);
* escaped for mrkdwn (``&``, ``<``, ``>``: the only escapes Slack defines);
* defanged the way threat-intel tooling does it (``evil[.]com``, ``hxxp[://]``) so that nothing
  becomes a link and responders still recognise the indicator;
* kept from forming mentions (``@here`` gets a word joiner) or formatting (prose) / leaving a
  code span (inline values);
* truncated with an ellipsis to the length the caller allows.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"
WORD_JOINER = "\u2060"

# Cc and Cf categories cover C0/C1 controls, bidi overrides/isolates and zero-width characters.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_HOSTNAME = re.compile(r"(?i)\b(?:[a-z0-9_-]+\.)+(?:[a-z][a-z0-9-]+|xn--[a-z0-9-]+)\b")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{1,15}):/+")
_INSTANCE_TYPE = re.compile(
    r"[a-z][a-z0-9-]*\.(?:nano|micro|small|medium|large|\d*xlarge|metal(?:-\d+xl)?)"
)
_SPACES = re.compile(r"[ ]{2,}")
_MENTION = re.compile(r"@(?=[\w!^#])")
_PROSE_FORMATTING = str.maketrans({"*": "∗", "_": "‗", "~": "∼", "`": "ˋ"})
_CODE_BREAKERS = str.maketrans({"`": "ˋ"})


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
    text = _SCHEME.sub(lambda m: _defang_scheme(m.group(1)) + "[://]", text)
    return _HOSTNAME.sub(_defang_host, text)


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


def _inert(text: str, *, multiline: bool) -> str:
    text = defang(clean(text, multiline=multiline))
    return _MENTION.sub("@" + WORD_JOINER, text)


def prose(text: str, limit: int) -> str:
    """Free text (title, description) for a mrkdwn field: no links, mentions or formatting."""
    return truncate(escape(_inert(text, multiline=True).translate(_PROSE_FORMATTING)), limit)


def inline(text: str, limit: int) -> str:
    """An identifier or indicator as a mrkdwn code span: shown verbatim, defanged, one line."""
    body = _inert(text, multiline=False).translate(_CODE_BREAKERS)
    if not body:
        return ""
    return "`" + truncate(escape(body), max(limit - 2, 1)) + "`"


def plain(text: str, limit: int) -> str:
    """Text for a ``plain_text`` object (header, button): no mrkdwn parsing there, but no angle
    brackets either, so nothing can resemble Slack's control syntax."""
    body = _inert(text, multiline=False).replace("<", "‹").replace(">", "›")
    return truncate(body, limit)
