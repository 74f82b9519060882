"""Tandem's tables. The schema is only ever changed by an Alembic revision in ``migrations/``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, UTCDateTime, utcnow
from bot.db.crypto import EncryptedJSON, EncryptedText
from bot.db.enum_column import EnumText
from bot.pairing.states import BlockSource, CreatedBy, EndReason, OddOneOut, PairStatus, Role, SpaceKind

ROLES = tuple(r.value for r in Role)
PAIR_STATUSES = tuple(s.value for s in PairStatus)
SPACE_KINDS = tuple(k.value for k in SpaceKind)


class GuildSettings(Base):
    """One server's program settings, written by ``/peeradmin setup``."""

    __tablename__ = "guild_settings"
    __table_args__ = (
        CheckConstraint("odd_one_out IN ('trio', 'waitlist')", name="odd_one_out"),
        CheckConstraint("cooldown_days >= 0 AND cooldown_days <= 3650", name="cooldown_days"),
    )

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    category_id: Mapped[int | None] = mapped_column(BigInteger)
    overflow_category_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    hub_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    moderator_role_id: Mapped[int | None] = mapped_column(BigInteger)
    log_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    cooldown_days: Mapped[int] = mapped_column(Integer, default=90)
    odd_one_out: Mapped[OddOneOut] = mapped_column(EnumText(OddOneOut, 16), default=OddOneOut.WAITLIST)
    match_weights: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # check-ins (revision 0002): the default prompt time (minutes after local midnight) and how many
    # missed check-ins count as "gone quiet" (the support text is the safety settings' resources)
    checkin_minute: Mapped[int] = mapped_column(Integer, default=18 * 60, server_default="1080")
    quiet_after_missed: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # revision 0009: DMs to members open with a neutral line ("You have a new message from <server>.")
    # and carry the details in an embed, so a lock-screen preview says nothing about the program
    discreet_dms: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class MemberProfile(Base):
    """A member who opted in, with what they chose to share for matching."""

    __tablename__ = "member_profiles"
    __table_args__ = (
        UniqueConstraint("guild_id", "user_id"),
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint("capacity >= 1 AND capacity <= 5", name="capacity"),
        Index("ix_member_profiles_waiting", "guild_id", "waiting_since"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[Role] = mapped_column(EnumText(Role, 16))
    topics: Mapped[list[str]] = mapped_column(EncryptedJSON, default=list)  # encrypted at rest
    timezone: Mapped[str] = mapped_column(String(64))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(EncryptedJSON, default=list)  # encrypted at rest
    life_stage: Mapped[str | None] = mapped_column(EncryptedText)  # encrypted at rest
    about: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    opted_in: Mapped[bool] = mapped_column(Boolean, default=True)
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    match_priority: Mapped[bool] = mapped_column(Boolean, default=False)  # odd one out last round
    dm_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    dms_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # check-ins (revision 0002): local daytime (quiet hours are outside it), holiday pause, celebrations
    day_start: Mapped[int] = mapped_column(Integer, default=9, server_default="9")
    day_end: Mapped[int] = mapped_column(Integer, default=21, server_default="21")
    checkins_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    celebrate_goals: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("1"))
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # left the server: erased after some days
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Pair(Base):
    """A pairing and its private space. ``pending`` means the space is being opened."""

    __tablename__ = "pairs"
    __table_args__ = (
        CheckConstraint(f"status IN {PAIR_STATUSES!r}", name="status"),
        CheckConstraint(f"space_kind IS NULL OR space_kind IN {SPACE_KINDS!r}", name="space_kind"),
        Index("ix_pairs_guild_status", "guild_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[PairStatus] = mapped_column(EnumText(PairStatus, 16), default=PairStatus.PENDING)
    space_name: Mapped[str] = mapped_column(String(32), unique=True)
    space_id: Mapped[int | None] = mapped_column(BigInteger)
    space_kind: Mapped[SpaceKind | None] = mapped_column(EnumText(SpaceKind, 16))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[str]] = mapped_column(EncryptedJSON, default=list)  # encrypted at rest
    created_by: Mapped[CreatedBy] = mapped_column(EnumText(CreatedBy, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[EndReason | None] = mapped_column(EnumText(EndReason, 32))

    members: Mapped[list[PairMember]] = relationship(
        back_populates="pair", lazy="selectin", cascade="all, delete-orphan", order_by="PairMember.id"
    )

    @property
    def user_ids(self) -> list[int]:
        return [m.user_id for m in self.members]

    def partner_of(self, user_id: int) -> list[int]:
        return [m.user_id for m in self.members if m.user_id != user_id]


class PairMember(Base):
    """Who is in a pair. A peer or mentee holds slot 0; a mentor holds one slot per mentee, below
    their capacity. The partial unique index lets nobody hold the same slot in two open pairs."""

    __tablename__ = "pair_members"
    __table_args__ = (
        UniqueConstraint("pair_id", "user_id"),
        CheckConstraint("slot >= 0 AND slot < 5", name="slot"),
        Index(
            "uq_pair_members_one_open_pair",
            "guild_id",
            "user_id",
            "slot",
            unique=True,
            sqlite_where=text("is_open = 1"),
            postgresql_where=text("is_open"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    slot: Mapped[int] = mapped_column(Integer, default=0)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)

    pair: Mapped[Pair] = relationship(back_populates="members", lazy="raise")


class PairHistory(Base):
    """Who has been paired with whom, kept by ids only, so that matching never repeats a pair."""

    __tablename__ = "pair_history"
    __table_args__ = (
        CheckConstraint("user_low < user_high", name="ordered"),
        Index("ix_pair_history_lookup", "guild_id", "user_low", "user_high"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    user_low: Mapped[int] = mapped_column(BigInteger)
    user_high: Mapped[int] = mapped_column(BigInteger)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    paired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Block(Base):
    """ "Don't pair us again": confidential, never shown to the blocked member."""

    __tablename__ = "blocks"
    __table_args__ = (
        UniqueConstraint("guild_id", "blocker_id", "blocked_id"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    blocker_id: Mapped[int] = mapped_column(BigInteger)
    blocked_id: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[BlockSource] = mapped_column(EnumText(BlockSource, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
