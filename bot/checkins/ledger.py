"""The delivery ledger, and the one way to the ``deliveries`` table: recording a prompt or reminder under
its unique key before it is sent, claiming, marking sent, and what planning and health read of it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import Delivery
from bot.checkins.queries import IN_LIST, aware
from bot.checkins.states import DeliveryKind, DeliveryStatus, Via

INSERT_ROWS = 500  # deliveries an ``executemany``


def new_nonce() -> str:
    """A Discord message nonce (at most 25 characters)."""
    return secrets.token_hex(12)


def delivery_row(
    *,
    guild_id: int,
    pair_id: int,
    kind: DeliveryKind,
    due_at: datetime,
    now: datetime,
    via: Via = Via.SPACE,
    channel_id: int | None = None,
    user_id: int = 0,
    subject_id: int = 0,
    mention_user_id: int | None = None,
    status: DeliveryStatus = DeliveryStatus.PENDING,
) -> dict[str, Any]:
    """The values of one delivery, for :func:`record` or :func:`record_many`."""
    return {
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


def _insert(session: AsyncSession) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def record(session: AsyncSession, **values: Any) -> bool:
    """Insert the delivery (:func:`delivery_row`'s arguments) unless its key (pair, kind, subject,
    member, due time) is already there.

    ``ON CONFLICT DO NOTHING`` makes this safe across processes: whoever records first wins, and
    the other learns it from the answer. Returns whether this call recorded it."""
    stmt = _insert(session)(Delivery).values(**delivery_row(**values)).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def record_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many deliveries (:func:`delivery_row`), a few hundred an ``executemany``, each under its unique
    key exactly as :func:`record` does: a delivery already there (recorded by another pass or process,
    or twice in ``rows``) is left as it is."""
    for start in range(0, len(rows), INSERT_ROWS):
        chunk = list(rows[start : start + INSERT_ROWS])
        await session.execute(_insert(session)(Delivery.__table__).on_conflict_do_nothing(), chunk)


async def exists(
    session: AsyncSession, pair_id: int, kind: DeliveryKind, due_at: datetime, user_id: int = 0, subject_id: int = 0
) -> Delivery | None:
    stmt = select(Delivery).where(
        Delivery.pair_id == pair_id,
        Delivery.kind == kind,
        Delivery.due_at == due_at,
        Delivery.user_id == user_id,
        Delivery.subject_id == subject_id,
    )
    return (await session.scalars(stmt)).one_or_none()


async def get(session: AsyncSession, delivery_id: int) -> Delivery | None:
    return await session.get(Delivery, delivery_id)


async def claim(session: AsyncSession, now: datetime, wall: datetime, until: datetime, limit: int) -> list[Delivery]:
    """Pending deliveries whose time has come and that nobody holds, oldest first, claimed until ``until``."""
    stmt = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .where(or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < wall))
        .order_by(Delivery.due_at, Delivery.id)
        .limit(limit)
    )
    deliveries = list(await session.scalars(stmt))
    if deliveries:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_([d.id for d in deliveries]))
            .values(claimed_until=until)
            .execution_options(synchronize_session=False)
        )
    return deliveries


async def mark_sent(session: AsyncSession, sent: Sequence[tuple[int, int | None]], now: datetime) -> None:
    """Mark deliveries sent, ``(delivery id, message id)``, in one ``executemany``."""
    if not sent:
        return
    table = cast(Table, Delivery.__table__)
    stmt = (
        update(table)
        .where(table.c.id == bindparam("delivery_id"))
        .values(
            status=DeliveryStatus.SENT,
            sent_at=now,
            message_id=bindparam("sent_message_id"),
            claimed_until=None,
            attempts=table.c.attempts + 1,
        )
    )
    await session.execute(stmt, [{"delivery_id": d, "sent_message_id": m} for d, m in sent])


async def prompt_times(session: AsyncSession, pair_id: int, limit: int) -> list[datetime]:
    """The due times of a pair's latest prompts (not skipped ones), newest first."""
    stmt = (
        select(Delivery.due_at)
        .where(Delivery.pair_id == pair_id, Delivery.kind == DeliveryKind.CHECKIN, Delivery.user_id == 0)
        .where(Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED)))
        .order_by(Delivery.due_at.desc())
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def latest_prompt_times(session: AsyncSession, pair_ids: Sequence[int], limit: int) -> dict[int, list[datetime]]:
    """:func:`prompt_times` for many pairs in one query: each pair's latest ``limit``, newest first."""
    out: dict[int, list[datetime]] = {}
    for start in range(0, len(pair_ids), IN_LIST):
        rank = func.row_number().over(partition_by=Delivery.pair_id, order_by=Delivery.due_at.desc())
        ranked = (
            select(Delivery.pair_id, Delivery.due_at, rank.label("n"))
            .where(Delivery.pair_id.in_(list(pair_ids[start : start + IN_LIST])))
            .where(Delivery.kind == DeliveryKind.CHECKIN, Delivery.user_id == 0)
            .where(Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED)))
            .subquery()
        )
        stmt = select(ranked.c.pair_id, ranked.c.due_at).where(ranked.c.n <= limit)
        for pair_id, due_at in (await session.execute(stmt.order_by(ranked.c.pair_id, ranked.c.n))).all():
            out.setdefault(pair_id, []).append(due_at)
    return out


async def prompts_at(session: AsyncSession, due: dict[int, datetime]) -> dict[int, Delivery]:
    """The prompt (the pair's own, not a member's) of each pair at the given due time, where recorded."""
    out: dict[int, Delivery] = {}
    pair_ids = list(due)
    for start in range(0, len(pair_ids), IN_LIST):
        chunk = pair_ids[start : start + IN_LIST]
        stmt = select(Delivery).where(
            Delivery.pair_id.in_(chunk),
            Delivery.kind == DeliveryKind.CHECKIN,
            Delivery.due_at.in_(sorted({due[p] for p in chunk})),
            Delivery.user_id == 0,
            Delivery.subject_id == 0,
        )
        for delivery in await session.scalars(stmt):
            if aware(delivery.due_at) == due[delivery.pair_id]:
                out[delivery.pair_id] = delivery
    return out


async def last_prompts(session: AsyncSession, guild_id: int) -> dict[int, datetime | None]:
    """When each pair of the server was last prompted (sent prompts only)."""
    stmt = (
        select(Delivery.pair_id, func.max(Delivery.due_at))
        .where(
            Delivery.guild_id == guild_id,
            Delivery.kind == DeliveryKind.CHECKIN,
            Delivery.status == DeliveryStatus.SENT,
        )
        .group_by(Delivery.pair_id)
    )
    return {pair_id: aware(at) for pair_id, at in (await session.execute(stmt)).all()}


async def next_retry_after(session: AsyncSession, now: datetime) -> datetime | None:
    """The earliest future attempt of a pending delivery (a retry waiting out its back-off)."""
    stmt = select(func.min(Delivery.next_attempt_at)).where(
        Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at > now
    )
    return aware(await session.scalar(stmt))


async def prompts_sent_since(session: AsyncSession, guild_id: int, since: datetime) -> int:
    """How many prompts went out in a server since then (statistics: a count, never content)."""
    stmt = select(func.count(Delivery.id)).where(
        Delivery.guild_id == guild_id,
        Delivery.kind == DeliveryKind.CHECKIN,
        Delivery.status == DeliveryStatus.SENT,
        Delivery.due_at >= since,
    )
    return await session.scalar(stmt) or 0
