"""Every action the audit log names: pairing's, check-ins', safety's, and refusals (Tandem's own)."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What an entry in the audit log records. The values are the stored strings: never rename one."""

    # pairing
    SETUP = "setup"
    MATCH = "match"
    PAIR = "pair"
    UNPAIR = "unpair"
    PAIRS = "pairs"
    OPEN_FAILED = "open_failed"  # a pair a moderator asked for (pair, match) was rolled back before it opened
    # check-ins
    CHECKINS_SET = "checkins_set"
    # safety
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
    DEPARTED_DAYS = "departed_days"  # how long data of members who left the server is kept
    DEPARTED_ERASED = "departed_erased"  # Tandem erased a member who left the server that long ago
    MEMBER = "member"
    REPORTS = "reports"
    STATS = "stats"
    # the audit log itself, and refusals
    AUDIT = "audit"
    REFUSED = "refused"
