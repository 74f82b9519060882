"""The audit log's table: append-only (SQLite triggers refuse UPDATE and DELETE; see revision 0003)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime
from bot.db.crypto import EncryptedText


class AuditEntry(Base):
    """One moderator action (or refused attempt). Never edited, never deleted."""

    __tablename__ = "audit_log"
    # append_only: key rotation lifts the SQLite triggers inside its own transaction (bot/db/crypto.py)
    __table_args__ = (Index("ix_audit_log_guild", "guild_id", "id"), {"info": {"append_only": True}})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(BigInteger)  # None: Tandem itself (an expiry)
    action: Mapped[str] = mapped_column(String(48))
    pair_id: Mapped[int | None] = mapped_column(Integer)
    member_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    case_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(EncryptedText, default="")  # encrypted at rest; hashed as plaintext
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    # revision 0006 (audit anchor): the hash covers the reason's salted SHA-256 (v2), so a reason can be
    # erased; the salt is encrypted and erased with the reason, so the digest alone reveals nothing
    reason_digest: Mapped[str | None] = mapped_column(String(64))
    reason_salt: Mapped[str | None] = mapped_column(EncryptedText)
    hash_version: Mapped[int] = mapped_column(Integer, default=2, server_default="1")


class AuditCheckpoint(Base):
    """The chain's length and head at a moment, authenticated with a key derived from the data key.

    Kept outside ``audit_log`` so that cutting or emptying the log is noticed: ``kind`` is ``latest``
    (one row, moved forward with every entry) or ``daily`` (one per day, also posted to log channels)."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (Index("ix_audit_checkpoints_kind", "kind", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    entries: Mapped[int] = mapped_column(Integer)
    head_id: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
