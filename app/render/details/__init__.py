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

Layout: ``model`` (the items and sections, their bounds), ``read`` (tolerant readers),
``kinds`` (the registry's rows and the field tables builders are made of), ``generic`` (the
fallback), ``registry`` (every kind, in order, and the walks above); the kinds themselves, one
module per AWS service, in ``resources/``, ``actions/`` and ``service/``.
"""

from app.render.details.generic import safe_label
from app.render.details.model import (
    MAX_ITEMS,
    MAX_SECTIONS,
    MAX_VALUE_CHARS,
    PREVIEW,
    SUMMARY_CHARS,
    Detail,
    DetailSection,
)
from app.render.details.registry import actor_sections, resource_sections, resource_summary

__all__ = [
    "MAX_ITEMS",
    "MAX_SECTIONS",
    "MAX_VALUE_CHARS",
    "PREVIEW",
    "SUMMARY_CHARS",
    "Detail",
    "DetailSection",
    "actor_sections",
    "resource_sections",
    "resource_summary",
    "safe_label",
]
