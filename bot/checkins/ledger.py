"""The delivery ledger: recording a prompt or reminder under its unique key, before it is sent."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import Delivery


def new_nonce() -> str:
    """A Discord message nonce (at most 25 characters)."""
    return secrets.token_hex(12)


async def record(
    session: AsyncSession,
    *,
    guild_id: int,
    pair_id: int,
    kind: str,
    due_at: datetime,
    now: datetime,
    via: str = "space",
    channel_id: int | None = None,
    user_id: int = 0,
    subject_id: int = 0,
    mention_user_id: int | None = None,
    status: str = "pending",
) -> bool:
    """Insert the delivery unless its key (pair, kind, subject, member, due time) is already there.

    ``ON CONFLICT DO NOTHING`` makes this safe across processes: whoever records first wins, and
    the other learns it from the answer. Returns whether this call recorded it."""
    values: dict[str, Any] = {
        "guild_id": guild_id,
        "pair_id": pair_id,
        "kind": kind,
        "subject_id": subject_id,
        "user_id": user_id,
        "due_at": due_at,
        "nonce": new_nonce(),
        "via": via,
        "channel_id": channel_id,
        "mention_user_id": mention_user_id,
        "status": status,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Delivery).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def exists(
    session: AsyncSession, pair_id: int, kind: str, due_at: datetime, user_id: int = 0, subject_id: int = 0
) -> Delivery | None:
    stmt = select(Delivery).where(
        Delivery.pair_id == pair_id,
        Delivery.kind == kind,
        Delivery.due_at == due_at,
        Delivery.user_id == user_id,
        Delivery.subject_id == subject_id,
    )
    return (await session.scalars(stmt)).one_or_none()
