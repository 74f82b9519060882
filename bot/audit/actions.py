"""The actions the audit log names. Pairing, check-ins and safety record theirs; refusals are Tandem's own."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What a safety entry in the audit log records (other features name their own actions)."""

    PAUSE = "pause"
    RESUME = "resume"
    RESOURCES = "resources"
    RETENTION = "retention"
    BLOCK = "block"
    UNBLOCK = "unblock"
    RESOLVE = "resolve"
    ACCESS = "access"
    ACCESS_WITHDRAWN = "access_withdrawn"  # the notice could not be posted or the view opened: nothing given
    ACCESS_ENDED = "access_ended"
    RETENTION_DELETED = "retention_deleted"
    FORGET = "forget"
    MEMBER = "member"
    REPORTS = "reports"
    STATS = "stats"
    AUDIT = "audit"
    REFUSED = "refused"
