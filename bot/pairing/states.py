"""The pairing feature's closed vocabularies, as ``StrEnum``s: mypy checks every comparison and
assignment, and the database keeps the very same strings (the columns stay ``VARCHAR``)."""

from __future__ import annotations

from enum import StrEnum


class PairStatus(StrEnum):
    PENDING = "pending"  # reserved: its space is being opened
    ACTIVE = "active"
    PAUSED = "paused"  # paused by moderators after a report
    ENDED = "ended"


OPEN_STATUSES = (PairStatus.ACTIVE, PairStatus.PAUSED)  # a pair members and moderators can see


class CreatedBy(StrEnum):
    REQUEST = "request"
    ROUND = "round"
    MODERATOR = "moderator"


class SpaceKind(StrEnum):
    CHANNEL = "channel"
    THREAD = "thread"


class Role(StrEnum):
    PEER = "peer"
    MENTOR = "mentor"
    MENTEE = "mentee"


class OddOneOut(StrEnum):
    TRIO = "trio"
    WAITLIST = "waitlist"


class BlockSource(StrEnum):
    MEMBER = "member"
    MODERATOR = "moderator"


class EndReason(StrEnum):
    MEMBER_ENDED = "member_ended"
    MODERATOR_UNPAIRED = "moderator_unpaired"
    MODERATOR_ENDED_AFTER_REPORT = "moderator_ended_after_report"
    MEMBER_LEFT_PROGRAM = "member_left_program"
    MEMBER_LEFT_SERVER = "member_left_server"
