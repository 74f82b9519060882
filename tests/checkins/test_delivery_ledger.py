"""The delivery ledger on a real SQLite file: exactly once across two dispatchers and a crash,
50007 recorded and moved to the pair space, failures backed off, catch-up planned once."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import reminders
from bot.checkins.dispatcher import Dispatcher, backoff
from bot.checkins.models import CheckinSchedule, Delivery
from bot.checkins.outbox import Outgoing, Sent
from bot.checkins.pacing import Pacer
from bot.checkins.states import Frequency
from bot.pairing.models import GuildSettings, MemberProfile, Pair, PairMember

GUILD = 1
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


class Crash(BaseException):
    """Stands for the process being killed: nothing after it runs."""


@dataclass
class FakeOutbox:
    """Records messages; a nonce seen before returns the first message, as Discord does."""

    sent: list[Outgoing] = field(default_factory=list)
    by_nonce: dict[str, int] = field(default_factory=dict)
    answers: list[Sent] = field(default_factory=list)
    moderators: list[str] = field(default_factory=list)
    crash_after_send: bool = False

    async def deliver(self, message: Outgoing) -> Sent:
        await asyncio.sleep(0)
        if self.answers:
            return self.answers.pop(0)
        if message.nonce in self.by_nonce:
            return Sent("sent", self.by_nonce[message.nonce])
        self.sent.append(message)
        self.by_nonce[message.nonce] = len(self.sent)
        if self.crash_after_send:
            raise Crash  # the process dies after Discord took the message
        return Sent("sent", len(self.sent))

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        self.moderators.append(text)


async def seed(sessions: async_sessionmaker[AsyncSession], pairs: int = 3, dm: bool = True) -> None:
    async with sessions.begin() as session:
        session.add(GuildSettings(guild_id=GUILD, topics=[], overflow_category_ids=[]))
        for i in range(pairs):
            users = (100 + 2 * i, 101 + 2 * i)
            for u in users:
                session.add(
                    MemberProfile(
                        guild_id=GUILD, user_id=u, role="peer", timezone="UTC", dm_channel_id=9000 + u if dm else None
                    )
                )
            pair = Pair(
                guild_id=GUILD,
                status="active",
                space_name=f"pair-{i}",
                space_id=5000 + i,
                space_kind="channel",
                created_by="round",
                started_at=NOW - timedelta(days=30),
            )
            pair.members = [PairMember(guild_id=GUILD, user_id=u, slot=0) for u in users]
            session.add(pair)
            await session.flush()
            session.add(
                CheckinSchedule(
                    pair_id=pair.id, guild_id=GUILD, frequency=Frequency.WEEKLY, anchor=NOW.date() - timedelta(days=26)
                )
            )


async def plan(sessions: async_sessionmaker[AsyncSession], now: datetime = NOW) -> None:
    async with sessions.begin() as session:
        await reminders.plan(session, now)


def dispatcher(sessions: async_sessionmaker[AsyncSession], outbox: FakeOutbox, now: datetime = NOW) -> Dispatcher:
    return Dispatcher(sessions, outbox, Pacer(50), clock=lambda: now)


async def ledger(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with sessions() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def test_catch_up_after_weeks_down_plans_one_prompt_per_pair(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions)
    await plan(sessions)
    await plan(sessions)  # again, as a second process would
    rows = await ledger(sessions)
    assert [(d.kind, d.status) for d in rows] == [("checkin", "pending")] * 3
    assert len({d.nonce for d in rows}) == 3


async def test_two_dispatchers_send_each_prompt_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed(sessions, pairs=20)
    await plan(sessions)
    outbox = FakeOutbox()
    await asyncio.gather(dispatcher(sessions, outbox).send_pending(), dispatcher(sessions, outbox).send_pending())
    assert sorted(m.channel_id for m in outbox.sent) == [5000 + i for i in range(20)]
    assert {d.status for d in await ledger(sessions)} == {"sent"}


async def test_a_crash_between_sending_and_marking_resends_with_the_same_nonce(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions, pairs=1)
    await plan(sessions)
    outbox = FakeOutbox(crash_after_send=True)
    with contextlib.suppress(Crash):
        await dispatcher(sessions, outbox).send_pending()
    (row,) = await ledger(sessions)
    assert row.status == "pending"  # Discord has it, the ledger does not know yet
    outbox.crash_after_send = False
    later = NOW + timedelta(minutes=1)
    restarted = Dispatcher(
        sessions, outbox, Pacer(50), clock=lambda: later, wall=lambda: datetime.now(UTC) + timedelta(minutes=1)
    )
    assert await restarted.send_pending() == 1
    assert len(outbox.sent) == 1  # the resend carried the same nonce and was deduplicated
    assert (await ledger(sessions))[0].status == "sent"


async def test_closed_dms_are_recorded_and_the_reminder_moves_to_the_space(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions, pairs=1)
    await plan(sessions)
    outbox = FakeOutbox()
    await dispatcher(sessions, outbox).send_pending()
    day_later = NOW + timedelta(hours=25)
    await plan(sessions, day_later)
    outbox.answers = [Sent("dms_closed", code=50007)]
    await dispatcher(sessions, outbox, day_later).send_pending()
    reminders_sent = [m for m in outbox.sent if "gentle reminder" in m.text]
    # one member's DM was refused: that reminder went to the space, mentioning that member only
    in_space = [m for m in reminders_sent if not m.is_dm]
    assert len(in_space) == 1 and len(in_space[0].ping) == 1
    assert in_space[0].text.startswith(f"<@{in_space[0].ping[0]}>")
    async with sessions() as session:
        closed = list(await session.scalars(select(MemberProfile).where(MemberProfile.dms_closed)))
    assert [p.user_id for p in closed] == list(in_space[0].ping)


async def test_failures_back_off_and_are_never_retried_in_a_tight_loop(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions, pairs=1)
    await plan(sessions)
    outbox = FakeOutbox(answers=[Sent("retry", code=0)] * 3)
    assert await dispatcher(sessions, outbox).send_pending() == 0
    (row,) = await ledger(sessions)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == NOW + backoff(1)
    assert len(outbox.answers) == 2  # asked once, not again in the same run
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]


async def test_pacer_never_lets_more_than_its_rate_through_in_a_second() -> None:
    ticks = [0.0]
    pacer = Pacer(10, monotonic=lambda: ticks[0])
    granted = 0
    for _ in range(10):
        await pacer.wait()
        granted += 1
    assert granted == 10 and len(pacer._granted) == 10
