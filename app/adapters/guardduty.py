"""GuardDuty for triage: look a finding up, archive or unarchive it, send feedback, create a
suppression rule; every failure classified into one ``GuardDutyFailure`` with our own words.

Only this region's detector (``GUARDDUTY_DETECTOR_ID``) is ever named: the interactions role
may call these five actions on that detector and nothing else (docs/architecture.md#triage).
A finding is always read back with ``GetFindings`` before anything is done to it or shown
about it; a button's payload names it, nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from app.adapters.observability import aws_client
from app.core.suppress import SuppressFilter

THROTTLED: Final = "throttled"
ACCESS_DENIED: Final = "access_denied"
ADMINISTRATOR_ONLY: Final = "administrator_only"
NOT_FOUND: Final = "not_found"
ALREADY_EXISTS: Final = "already_exists"
BAD_REQUEST: Final = "bad_request"
UNAVAILABLE: Final = "unavailable"

_THROTTLING = frozenset(
    {"ThrottlingException", "TooManyRequestsException", "Throttling", "RequestLimitExceeded"}
)
_DENIED = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})
_ARCHIVING = frozenset({"ArchiveFindings", "UnarchiveFindings"})
ADMINISTRATOR_TEXT: Final = (
    "only the GuardDuty administrator account can archive or unarchive a member account's "
    "findings: deploy triage in the administrator (or delegated administrator) account"
)


class GuardDutyFailure(Exception):
    """A GuardDuty call that did not happen; ``result`` is a short token (log, metric),
    ``str(self)`` our words for the thread reply."""

    def __init__(self, result: str, message: str) -> None:
        super().__init__(message)
        self.result = result


def _error(err: Exception) -> tuple[str, str]:
    response = getattr(err, "response", None)
    if not isinstance(response, Mapping):
        return "", ""
    error = response.get("Error") or {}
    return str(error.get("Code", "")), str(error.get("Message", ""))


def classify(operation: str, err: Exception) -> GuardDutyFailure:
    """A botocore error as a failure a responder can act on."""
    code, message = _error(err)
    said = message.lower()
    if not code:  # no answer: connection, timeout, endpoint
        return GuardDutyFailure(
            UNAVAILABLE, f"GuardDuty did not answer {operation} ({type(err).__name__})"
        )
    if code in _THROTTLING or "rate exceeded" in said:
        return GuardDutyFailure(
            THROTTLED, f"GuardDuty is throttling {operation}; try again in a minute"
        )
    member = any(word in said for word in ("member", "administrator", "master", "not owned"))
    if operation in _ARCHIVING and (member or code in _DENIED):
        # Denied archiving is the member-finding case until shown otherwise; say both causes.
        role = "" if member else f"; otherwise the interactions role lacks guardduty:{operation}"
        return GuardDutyFailure(
            ADMINISTRATOR_ONLY, f"GuardDuty refused {operation}: {ADMINISTRATOR_TEXT}{role}"
        )
    if code in _DENIED:
        return GuardDutyFailure(
            ACCESS_DENIED,
            f"GuardDuty denied {operation}: the interactions role needs guardduty:{operation} "
            "on this detector",
        )
    if "already exists" in said or "already exist" in said:
        return GuardDutyFailure(ALREADY_EXISTS, f"{operation}: it already exists")
    if "not found" in said or "does not exist" in said or "no such resource" in said:
        return GuardDutyFailure(NOT_FOUND, f"GuardDuty has no such finding ({operation})")
    if code.startswith(("InternalServerError", "ServiceUnavailable")):
        return GuardDutyFailure(UNAVAILABLE, f"GuardDuty failed {operation} ({code}); try again")
    return GuardDutyFailure(
        BAD_REQUEST, f"GuardDuty refused {operation}: {code}: {message[:200]}".rstrip(": ")
    )


class GuardDuty:
    """One detector's triage calls; ``client`` is a boto3 GuardDuty client (made lazily)."""

    def __init__(self, detector_id: str, client: Any = None) -> None:
        self.detector_id = detector_id
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws_client("guardduty", quick=True)  # only the interactions function
        return self._client

    def _call(self, operation: str, method: Callable[..., Any], **params: Any) -> Any:
        try:
            return method(DetectorId=self.detector_id, **params)
        except Exception as err:
            raise classify(operation, err) from None

    def finding(self, finding_id: str) -> Mapping[str, Any]:
        """The finding as ``GetFindings`` returns it (the API's PascalCase shape)."""
        answer = self._call("GetFindings", self.client.get_findings, FindingIds=[finding_id])
        found = [f for f in answer.get("Findings") or [] if f.get("Id") == finding_id]
        if not found:
            raise GuardDutyFailure(
                NOT_FOUND,
                "GuardDuty has no such finding in this detector: it was deleted, expired "
                "(90 days) or belongs to another detector",
            )
        finding: Mapping[str, Any] = found[0]
        return finding

    def archive(self, finding_id: str) -> None:
        self._call("ArchiveFindings", self.client.archive_findings, FindingIds=[finding_id])

    def unarchive(self, finding_id: str) -> None:
        self._call("UnarchiveFindings", self.client.unarchive_findings, FindingIds=[finding_id])

    def feedback(self, finding_id: str, *, useful: bool, comment: str = "") -> None:
        params: dict[str, Any] = {
            "FindingIds": [finding_id],
            "Feedback": "USEFUL" if useful else "NOT_USEFUL",
        }
        if comment:
            params["Comments"] = comment
        self._call("UpdateFindingsFeedback", self.client.update_findings_feedback, **params)

    def create_filter(self, rule: SuppressFilter) -> bool:
        """Create the suppression rule; ``False`` when it exists already (same criteria, same
        name: the rule is in place either way)."""
        try:
            self._call(
                "CreateFilter",
                self.client.create_filter,
                Name=rule.name,
                Description=rule.description(),
                Action="ARCHIVE",
                FindingCriteria=rule.criteria(),
                ClientToken=rule.client_token,
            )
        except GuardDutyFailure as failure:
            if failure.result == ALREADY_EXISTS:
                return False
            raise
        return True
