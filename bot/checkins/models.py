"""Check-ins, goals and the delivery ledger (issue 4). The schema changes only through revision 0002.

The ``deliveries`` table is the ledger that makes every prompt and reminder arrive exactly once: a row
is written (with a Discord ``nonce``) before anything is sent, its unique key (pair, kind, subject,
member, due time) stops a second process or a restart from planning it again, and it is marked sent in
its own transaction after Discord answered. A crash in between resends with the same nonce, which
Discord deduplicates (``enforce_nonce``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.checkins.states import DeliveryKind, DeliveryStatus, Frequency, GoalStatus, Via, values
from bot.db.base import Base, UTCDateTime, utcnow
from bot.db.crypto import EncryptedJSON, EncryptedText
from bot.db.enum_column import EnumText

FREQUENCIES = values(Frequency)
DELIVERY_STATUSES = values(DeliveryStatus)
GOAL_STATUSES = values(GoalStatus)


class CheckinSchedule(Base):
    """When a pair is prompted. ``last_due_at`` is the latest period already handled (prompted or
    skipped); ``next_due_at`` is derived from the schedule (for the scheduler job and pair health)."""

    __tablename__ = "checkin_schedules"
    __table_args__ = (
        CheckConstraint(f"frequency IN {FREQUENCIES!r}", name="frequency"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), unique=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    frequency: Mapped[Frequency] = mapped_column(EnumText(Frequency, 16), default=Frequency.WEEKLY)
    weekday: Mapped[int | None] = mapped_column(Integer)
    anchor: Mapped[date] = mapped_column(Date)
    last_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PairAgreement(Base):
    """What a pair agreed on at the start: objectives, timeline, check-in frequency, boundaries."""

    __tablename__ = "pair_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), unique=True)
    objectives: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    timeline: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    frequency_text: Mapped[str] = mapped_column(String(32), default="weekly")
    boundaries: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    updated_by: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """One prompt or reminder, recorded before it is sent (see the module docstring)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("pair_id", "kind", "subject_id", "user_id", "due_at"),
        CheckConstraint(f"status IN {DELIVERY_STATUSES!r}", name="status"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    kind: Mapped[DeliveryKind] = mapped_column(EnumText(DeliveryKind, 24))
    subject_id: Mapped[int] = mapped_column(Integer, default=0)  # a goal id, or 0
    user_id: Mapped[int] = mapped_column(BigInteger, default=0)  # the member it is for, or 0 for the pair
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    nonce: Mapped[str] = mapped_column(String(25), unique=True)
    via: Mapped[Via] = mapped_column(EnumText(Via, 8), default=Via.SPACE)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    mention_user_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[DeliveryStatus] = mapped_column(EnumText(DeliveryStatus, 12), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckIn(Base):
    """A member's check-in. The note is private unless ``share_note``; the pair space only says that
    the member checked in."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("mood >= 1 AND mood <= 5", name="mood"),
        Index("ix_checkins_pair_user", "pair_id", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    mood: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    note: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    share_note: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_support: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Goal(Base):
    """A member's goal, with an optional due date and milestones."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent"),
        CheckConstraint(f"status IN {GOAL_STATUSES!r}", name="status"),
        Index("ix_goals_owner", "guild_id", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    objective: Mapped[str] = mapped_column(EncryptedText)  # encrypted at rest
    due_date: Mapped[date | None] = mapped_column(Date)
    milestones: Mapped[list[str]] = mapped_column(EncryptedJSON, default=list)  # encrypted at rest
    percent: Mapped[int] = mapped_column(Integer, default=0)
    progress_note: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    status: Mapped[GoalStatus] = mapped_column(EnumText(GoalStatus, 12), default=GoalStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class GoalUpdate(Base):
    """Each progress step of a goal, for the member's chart."""

    __tablename__ = "goal_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    percent: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
