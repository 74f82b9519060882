"""Planning a chunk of pairs reads each table once for the chunk, not once per pair: the number of SQL
statements does not grow with the number of pairs (prompts, reminders, and the close of a period with
its missed check-ins), and the deliveries are still recorded once each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.checkins import reminders
from bot.checkins.models import Delivery
from bot.checkins.queries import CheckinRepo
from bot.checkins.states import DeliveryKind, DeliveryStatus
from tests.checkins.test_delivery_ledger import NOW, seed


async def statements_to_plan(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], now: datetime, pair_ids: Sequence[int]
) -> int:
    count = 0

    def counted(*_args: Any) -> None:
        nonlocal count
        count += 1

    event.listen(engine.sync_engine, "before_cursor_execute", counted)
    try:
        async with sessions.begin() as session:
            await reminders.plan(session, now, pair_ids)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", counted)
    return count


async def deliveries(sessions: async_sessionmaker[AsyncSession], kind: DeliveryKind) -> list[Delivery]:
    async with sessions() as session:
        return list(await session.scalars(select(Delivery).where(Delivery.kind == kind)))


async def mark_prompts_sent(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.kind == DeliveryKind.CHECKIN)
            .values(status=DeliveryStatus.SENT, sent_at=Delivery.due_at)
        )


async def test_statements_do_not_grow_with_the_pairs_planned(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions, pairs=40)
    async with sessions() as session:
        ids = await CheckinRepo(session).active_pair_ids()
    few, many = ids[:5], ids[5:]

    # prompts: every pair's latest period opens
    assert await statements_to_plan(engine, sessions, NOW, few) == await statements_to_plan(engine, sessions, NOW, many)
    assert len(await deliveries(sessions, DeliveryKind.CHECKIN)) == 40
    await mark_prompts_sent(sessions)

    # reminders: a day after the prompts went out, nobody has checked in
    later = NOW + timedelta(hours=1)
    assert await statements_to_plan(engine, sessions, later, few) == await statements_to_plan(
        engine, sessions, later, many
    )
    assert len(await deliveries(sessions, DeliveryKind.REMINDER)) == 80

    # the next period opens: the one before is closed (its prompts and check-ins read)
    week = NOW + timedelta(days=8)
    assert await statements_to_plan(engine, sessions, week, few) == await statements_to_plan(
        engine, sessions, week, many
    )
    prompts = await deliveries(sessions, DeliveryKind.CHECKIN)
    assert len(prompts) == 80
    assert len({(d.pair_id, d.due_at) for d in prompts}) == 80


async def test_planning_again_records_nothing_twice(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions, pairs=12)
    async with sessions() as session:
        ids = await CheckinRepo(session).active_pair_ids()
    for _ in range(2):
        for start in (0, 5):
            async with sessions.begin() as session:
                await reminders.plan(session, NOW, ids[start : start + 7])  # chunks that overlap
    later = NOW + timedelta(hours=1)
    await mark_prompts_sent(sessions)
    for _ in range(2):
        async with sessions.begin() as session:
            await reminders.plan(session, later, ids)
    async with sessions() as session:
        rows = list(await session.scalars(select(Delivery)))
    keys = [(d.pair_id, d.kind, d.subject_id, d.user_id, d.due_at) for d in rows]
    assert len(keys) == len(set(keys)) == 12 + 24
