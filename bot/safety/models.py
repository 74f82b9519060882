"""Safety, confidentiality and moderation tables (issue 5). Changed only by Alembic revisions.

Free text that members write is an :class:`EncryptedText` column. The audit log is append-only: the
bot never updates or deletes a row (SQLite triggers refuse it too), and each entry carries the hash
of the one before it, so ``tandem verify-audit`` finds the first entry that was changed or removed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime, utcnow
from bot.db.crypto import EncryptedText
from bot.db.enum_column import EnumText
from bot.safety.states import ReportSource, ReportStatus, Resolution

REPORT_STATUSES = tuple(s.value for s in ReportStatus)


class SafetySettings(Base):
    """A server's safety settings: support resources, program pause, retention, departed members."""

    __tablename__ = "safety_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    resources: Mapped[str] = mapped_column(Text, default="")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_days: Mapped[int | None] = mapped_column(Integer)
    departed_days: Mapped[int | None] = mapped_column(Integer)  # erase members who left after this; None: 30
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last "cases open > 48 h" line
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Report(Base):
    """A private report to the moderators: a case with an id. The reporter is never shown to a partner."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"status IN {REPORT_STATUSES!r}", name="status"),
        Index("ix_reports_guild_status", "guild_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    reporter_id: Mapped[int | None] = mapped_column(BigInteger)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    source: Mapped[ReportSource] = mapped_column(EnumText(ReportSource, 16))
    text: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[ReportStatus] = mapped_column(EnumText(ReportStatus, 16), default=ReportStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)
    resolution: Mapped[Resolution | None] = mapped_column(EnumText(Resolution, 16))
    resolution_note: Mapped[str | None] = mapped_column(EncryptedText)
    # Posted in the moderators' log channel; false until the post succeeds (flagged in the case list).
    delivered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=true())
    # A report about a moderator: only this moderator (the server owner) may list or resolve it; None: all.
    confidential_to: Mapped[int | None] = mapped_column(BigInteger)


class AccessGrant(Base):
    """Break-glass: one moderator may view one pair space until ``expires_at``; kept after it ends."""

    __tablename__ = "access_grants"
    __table_args__ = (Index("ix_access_grants_open", "ended_at", "expires_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    moderator_id: Mapped[int] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PairRetention(Base):
    """Retention of an ended pair's space: when its closing notice was posted and when it was closed."""

    __tablename__ = "pair_retention"

    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), primary_key=True)
    notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
