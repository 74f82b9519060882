"""The states and kinds of check-ins, deliveries and goals, as the database stores them.

``StrEnum`` members are the very strings in the tables (and in their CHECK constraints), so rows written
before these types existed read back unchanged; mypy checks every comparison.
"""

from __future__ import annotations

from enum import StrEnum


class Frequency(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"
    WEEKDAY = "weekday"  # every week on the schedule's ``weekday``


class DeliveryKind(StrEnum):
    CHECKIN = "checkin"  # the pair's prompt
    REMINDER = "reminder"  # a day later, to a member who has not answered
    MENTOR_DUE = "mentor_due"  # a mentor hears a day before a check-in
    MENTOR_MISSED = "mentor_missed"  # a mentee missed two check-ins
    GOAL_SOON = "goal_soon"
    GOAL_OVERDUE = "goal_overdue"
    QUIET = "quiet"  # the partner of a member who went quiet is asked what they'd like


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


class Via(StrEnum):
    SPACE = "space"
    DM = "dm"


class GoalStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    REMOVED = "removed"


class QuietChoice(StrEnum):
    """What the partner of a quiet member chose (the buttons' last custom-id part)."""

    KEEP = "keep"
    PAUSE = "pause"
    REMATCH = "rematch"


class Health(StrEnum):
    """A pair's health as moderators see it: from dates only, never content."""

    ON_TRACK = "on track"
    OVERDUE = "check-in overdue"
    INACTIVE = "inactive"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The stored strings, for a CHECK constraint (the same text the migrations wrote)."""
    return tuple(member.value for member in enum)
