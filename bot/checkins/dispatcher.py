"""Sending what the ledger holds: each delivery is claimed, sent with its nonce, then marked sent.

Exactly once: a delivery is recorded (with its nonce) before it is sent; a crash after Discord took it
but before it was marked sent leads to a resend with the same nonce, which Discord answers with the
first message (``enforce_nonce``). A short claim keeps a second process from sending it at the same
moment (and the nonce covers even that). Failures wait longer each time (never a tight loop); error
50007 (DMs closed) is recorded on the member and the delivery moves to the pair space with a mention
of that member only; a pair space that is gone is reported to moderators and the prompt goes to the
members by DM instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import ledger
from bot.checkins import wording as words
from bot.checkins.models import Delivery
from bot.checkins.outbox import Action, ButtonSpec, OutboxPort, Outgoing, Sent
from bot.checkins.pacing import Pacer
from bot.checkins.queries import CheckinRepo
from bot.checkins.states import DeliveryKind, DeliveryStatus, GoalStatus, Via
from bot.db.base import utcnow
from bot.pairing import Pair, PairStatus

log = logging.getLogger(__name__)

CLAIM = timedelta(seconds=5)
MAX_ATTEMPTS = 8
BATCH = 50
WORKERS = 8
MARK_EVERY = 0.2  # seconds between the writer's groups of "sent" marks
FALLS_BACK_TO_SPACE = frozenset(
    {
        DeliveryKind.REMINDER,
        DeliveryKind.MENTOR_DUE,
        DeliveryKind.MENTOR_MISSED,
        DeliveryKind.GOAL_SOON,
        DeliveryKind.GOAL_OVERDUE,
    }
)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most an hour: failures are never retried in a tight loop."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def checkin_buttons(pair_id: int, guild_id: int) -> tuple[ButtonSpec, ...]:
    return (ButtonSpec(Action.CHECK_IN, guild_id, pair_id), ButtonSpec(Action.ASK_FOR_SUPPORT, guild_id, pair_id))


def quiet_buttons(guild_id: int, pair_id: int) -> tuple[ButtonSpec, ...]:
    return tuple(
        ButtonSpec(action, guild_id, pair_id)
        for action in (Action.KEEP_WAITING, Action.PAUSE_PAIRING, Action.MATCH_ME_ANEW)
    )


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: OutboxPort,
        pacer: Pacer,
        clock: Callable[[], datetime] = utcnow,
        wall: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.pacer = pacer
        self.clock = clock  # the program's time (due times, back-off): injectable in tests
        self.wall = wall  # real time, for claims shared between processes
        self._lock = asyncio.Lock()

    async def send_pending(self) -> int:
        """Send every pending delivery whose time has come. Returns how many were sent.

        Deliveries are claimed a batch at a time (one transaction), sent by a few concurrent senders at
        the pacer's rate, and marked sent in small groups by one writer, so the database never becomes
        the bottleneck of a batch. A crash before a group is marked leads to a resend with the same
        nonce, which Discord deduplicates. The next batch is claimed when the last few of the current
        one are through the pacer, so the pacer never waits for a claim (and a claim is never held
        much longer than its batch takes)."""
        async with self._lock:
            sent = 0
            running: list[asyncio.Task[int]] = []
            try:
                for _round in range(1000):  # bounded: fallbacks re-queue at once, retries wait
                    claimed = await self._claim_batch()
                    if not claimed:
                        if not running:
                            break
                        sent += sum(await asyncio.gather(*running))  # they may re-queue fallbacks
                        running = []
                        continue
                    nearly = asyncio.Event()
                    running.append(asyncio.create_task(self._send_batch(claimed, nearly)))
                    await nearly.wait()
                    sent += sum(t.result() for t in running if t.done())
                    running = [t for t in running if not t.done()]
                sent += sum(await asyncio.gather(*running))
            finally:
                for task in running:  # never leave a batch running unowned
                    task.cancel()
                if running:
                    await asyncio.wait(running)
            return sent

    async def _claim_batch(self) -> list[tuple[int, Outgoing]]:
        async with self.sessions.begin() as session:
            wall = self.wall()
            deliveries = await ledger.claim(session, self.clock(), wall, wall + CLAIM, BATCH)
            if not deliveries:
                return []
            pairs = await CheckinRepo(session).pairs_by_id(d.pair_id for d in deliveries)
            out = []
            for d in deliveries:
                pair = pairs.get(d.pair_id)
                if pair is None or pair.status != PairStatus.ACTIVE:
                    d.status, d.claimed_until = DeliveryStatus.SKIPPED, None
                    continue
                message = await self._message(session, d, pair)
                if message is not None:
                    out.append((d.id, message))
            return out

    async def _send_batch(self, claimed: list[tuple[int, Outgoing]], nearly: asyncio.Event) -> int:
        """Send a claimed batch; ``nearly`` is set when at most ``WORKERS`` of it wait for the pacer."""
        done: list[tuple[int, Sent]] = []
        flushed = 0
        gate = asyncio.Semaphore(WORKERS)
        waiting = len(claimed)
        if waiting <= WORKERS:
            nearly.set()

        async def send(delivery_id: int, message: Outgoing) -> None:
            nonlocal waiting
            async with gate:
                await self.pacer.wait()
                waiting -= 1
                if waiting <= WORKERS:
                    nearly.set()
                try:
                    result = await self.outbox.deliver(message)
                except Exception:
                    log.exception("delivery %s could not be sent; it will be retried later", delivery_id)
                    result = Sent("retry")
            if result.status == "sent":
                done.append((delivery_id, result))
            elif result.status == "dms_closed":
                await self._dms_closed(delivery_id)
            elif result.status == "gone":
                await self._gone(delivery_id)
            else:
                await self._retry_later(delivery_id)

        stop = asyncio.Event()

        async def writer() -> None:
            nonlocal flushed
            while not stop.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), MARK_EVERY)
                flushed += await self._mark_sent(done)  # never cancelled half-way: it ends on ``stop``

        marking = asyncio.create_task(writer())
        try:
            await asyncio.gather(*(send(i, m) for i, m in claimed))
        finally:
            nearly.set()
            stop.set()
            await marking
        return flushed

    async def _mark_sent(self, done: list[tuple[int, Sent]]) -> int:
        """Mark a group of deliveries sent, in one transaction (taking them off ``done``)."""
        if not done:
            return 0
        group = done[:]
        del done[: len(group)]
        async with self.sessions.begin() as session:
            await ledger.mark_sent(session, [(i, result.message_id) for i, result in group], self.clock())
        return len(group)

    async def _message(self, session: AsyncSession, d: Delivery, pair: Pair) -> Outgoing | None:
        member_ids = tuple(pair.user_ids)
        text: str
        buttons: tuple[ButtonSpec, ...]
        ping: tuple[int, ...]
        if d.kind == DeliveryKind.CHECKIN:
            if d.via == Via.DM:
                text, buttons, ping = words.checkin_prompt_dm(), checkin_buttons(pair.id, pair.guild_id), ()
            else:
                text, buttons, ping = (
                    words.checkin_prompt(member_ids),
                    checkin_buttons(pair.id, pair.guild_id),
                    member_ids,
                )
        elif d.kind == DeliveryKind.REMINDER:
            text, buttons, ping = words.reminder(d.due_at), checkin_buttons(pair.id, pair.guild_id)[:1], ()
        elif d.kind == DeliveryKind.MENTOR_DUE:
            text, buttons, ping = (
                words.mentor_due(tuple(pair.partner_of(d.user_id)), d.due_at),
                (),
                (),
            )
        elif d.kind == DeliveryKind.MENTOR_MISSED:
            text, buttons, ping = words.mentor_missed(d.subject_id), (), ()
        elif d.kind in (DeliveryKind.GOAL_SOON, DeliveryKind.GOAL_OVERDUE):
            goal = await CheckinRepo(session).goal(d.subject_id)
            if goal is None or goal.status != GoalStatus.OPEN or goal.due_date is None:
                d.status, d.claimed_until = DeliveryStatus.SKIPPED, None
                return None
            if d.kind == DeliveryKind.GOAL_SOON:
                text = words.goal_soon(goal.id, goal.due_date, goal.objective if d.via == Via.DM else None)
            else:
                text = words.goal_overdue(goal.id, goal.due_date)
            buttons, ping = (), ()
        elif d.kind == DeliveryKind.QUIET:
            text, buttons, ping = (
                words.gone_quiet(d.subject_id, await self._threshold(session, pair.guild_id)),
                quiet_buttons(pair.guild_id, pair.id),
                (),
            )
        else:
            log.warning("delivery %s has an unknown kind; skipped", d.id)
            d.status = DeliveryStatus.SKIPPED
            return None
        if d.via == Via.SPACE and d.mention_user_id is not None:
            text, ping = words.with_mention(d.mention_user_id, text), (d.mention_user_id,)
        channel_id = d.channel_id
        if channel_id is None and d.via == Via.SPACE:
            channel_id = pair.space_id
        if channel_id is None:
            d.status, d.claimed_until = DeliveryStatus.FAILED, None
            log.info("delivery %s has nowhere to go (no DM channel, no space)", d.id)
            return None
        is_dm = d.via == Via.DM
        discreet = is_dm and await self._discreet(session, pair.guild_id)
        return Outgoing(pair.guild_id, channel_id, text, d.nonce, is_dm, ping, buttons, discreet)

    @staticmethod
    async def _discreet(session: AsyncSession, guild_id: int) -> bool:
        settings = await CheckinRepo(session).settings(guild_id)
        return settings is not None and settings.discreet_dms

    @staticmethod
    async def _threshold(session: AsyncSession, guild_id: int) -> int:
        settings = await CheckinRepo(session).settings(guild_id)
        return settings.quiet_after_missed if settings else 3

    async def _retry_later(self, delivery_id: int) -> None:
        async with self.sessions.begin() as session:
            d = await ledger.get(session, delivery_id)
            if d is None or d.status != DeliveryStatus.PENDING:
                return
            d.attempts += 1
            d.claimed_until = None
            if d.attempts >= MAX_ATTEMPTS:
                d.status = DeliveryStatus.FAILED
                log.warning("delivery %s (%s) failed %d times; given up", d.id, d.kind, d.attempts)
            else:
                d.next_attempt_at = self.clock() + backoff(d.attempts)

    async def _dms_closed(self, delivery_id: int) -> None:
        """50007 is permanent for that member: recorded, never retried; the pair space is used instead."""
        async with self.sessions.begin() as session:
            d = await ledger.get(session, delivery_id)
            if d is None:
                return
            repo = CheckinRepo(session)
            pair = await repo.pair(d.pair_id)
            profile = await repo.profile(d.guild_id, d.user_id)
            if profile is not None:
                profile.dms_closed = True
            d.claimed_until = None
            if d.kind in FALLS_BACK_TO_SPACE and pair is not None and pair.space_id is not None and d.user_id:
                d.via, d.channel_id, d.mention_user_id = Via.SPACE, pair.space_id, d.user_id
                d.nonce, d.next_attempt_at = ledger.new_nonce(), self.clock()
            else:
                d.status = DeliveryStatus.FAILED
        log.info("a member's DMs are closed; recorded (delivery %s)", delivery_id)

    async def _gone(self, delivery_id: int) -> None:
        """The channel is gone. A pair space: moderators are told, and a prompt goes to each member by DM
        so that it is not lost. A DM channel: the pair space is used instead."""
        log_channel: int | None = None
        pair_id = 0
        async with self.sessions.begin() as session:
            d = await ledger.get(session, delivery_id)
            if d is None:
                return
            repo = CheckinRepo(session)
            pair = await repo.pair(d.pair_id)
            d.claimed_until = None
            if d.via == Via.DM:
                if pair is not None and pair.space_id is not None and d.kind in FALLS_BACK_TO_SPACE:
                    d.via, d.channel_id, d.mention_user_id = Via.SPACE, pair.space_id, d.user_id
                    d.nonce, d.next_attempt_at = ledger.new_nonce(), self.clock()
                else:
                    d.status = DeliveryStatus.FAILED
                return
            d.status = DeliveryStatus.FAILED
            if pair is None:
                return
            pair_id = pair.id
            settings = await repo.settings(pair.guild_id)
            log_channel = settings.log_channel_id if settings else None
            if d.kind == DeliveryKind.CHECKIN:
                for profile in await repo.profiles_of(pair):
                    if profile.dm_channel_id is None or profile.dms_closed:
                        continue
                    await ledger.record(
                        session,
                        guild_id=pair.guild_id,
                        pair_id=pair.id,
                        kind=DeliveryKind.CHECKIN,
                        due_at=d.due_at,
                        now=self.clock(),
                        via=Via.DM,
                        channel_id=profile.dm_channel_id,
                        user_id=profile.user_id,
                    )
        log.warning("the space of pair %s could not be reached; moderators told", pair_id)
        if log_channel is not None:
            try:
                await self.outbox.tell_moderators(log_channel, words.space_gone_for_moderators(pair_id))
            except Exception:
                log.exception("could not post in the moderators' log channel")
