"""Making pairs: a member's request, a moderator's round (or dry run), a pair chosen by hand.

Partners are searched outside the guild's lock; the lock is held only to check the members are still
free and to reserve their ``pending`` pair rows (see :mod:`bot.pairing.opening`). Spaces are opened
after it is released, so a large round never blocks ``/peer join``, ``request``, ``end`` or ``leave``.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import AuditAction, AuditLog
from bot.core.errors import Conflict, InvalidInput, MemberGone, NotFound, SetupNeeded, SpaceError
from bot.pairing import rounds, wording
from bot.pairing.models import MemberProfile
from bot.pairing.opening import NOT_SET_UP, PairOpener, Reservation
from bot.pairing.profile_service import NOT_JOINED
from bot.pairing.queries import BlockRepo, PairRepo, ProfileRepo, SettingsRepo
from bot.pairing.shared import Shared
from bot.pairing.states import CreatedBy, OddOneOut, Role
from bot.pairing.views import PairView, RequestOutcome, RoundOutcome
from bot.safety import SafetySettingsRepo

log = logging.getLogger(__name__)

PAUSED = "The peer program is paused by the moderators right now, so no new pairs are made; please try again later."
SEARCHES = 3  # a request looks again when the partner it found was taken meanwhile


class RoundService:
    def __init__(
        self,
        shared: Shared,
        opener: PairOpener,
        audit: AuditLog,
        runner: rounds.RoundRunner = rounds.in_process,
        offload: rounds.Offload = rounds.run_here,
    ) -> None:
        self.shared = shared
        self.opener = opener
        self.audit = audit
        self.runner = runner  # runs a whole round; the bot passes a worker-process runner
        self.offload = offload  # runs one member's partner search for large pools (a worker, in the bot)

    async def request(self, guild_id: int, user_id: int) -> RequestOutcome:
        """Pair the member now with the best partner waiting, or put them on the waitlist."""
        async with self.shared.locks(guild_id), self.shared.unit() as session:
            profile = await self._joined(session, guild_id, user_id)
            await _require_setup(session, guild_id)
            await _require_not_paused(session, guild_id)
            await _require_room(session, profile)
            if profile.waiting_since is None:
                profile.waiting_since = self.shared.clock()
            waiting_since = profile.waiting_since
        for _attempt in range(SEARCHES):
            async with self.shared.unit() as session:
                profile = await self._joined(session, guild_id, user_id)
                ctx = await self._context(session, guild_id)
                pool = [p for p in await ProfileRepo(session).waiting(guild_id) if p.user_id != user_id]
                search = rounds.partner_search(profile, pool, ctx)
            offload = self.offload if len(pool) >= rounds.OFFLOAD_FROM else rounds.run_here
            best = rounds.as_proposal(user_id, await offload(search))
            if isinstance(best, str):
                return RequestOutcome(None, waiting_since, best)
            async with self.shared.locks(guild_id):
                async with self.shared.unit() as session:  # what may have changed during the search
                    joined = await self._joined(session, guild_id, user_id)
                    await _require_setup(session, guild_id)
                    await _require_not_paused(session, guild_id)
                    await _require_room(session, joined)
                    if not await self.opener.all_free(session, guild_id, best.member_ids):
                        continue  # that partner was paired or left meanwhile; look again
                    reservation = await self.opener.reserve(session, guild_id, best, CreatedBy.REQUEST)
                self.opener.track([reservation])
            try:
                pair = await self.opener.open(reservation)
            except MemberGone as gone:
                if gone.user_id == user_id:
                    raise
                continue  # that partner has left the server; look again
            return RequestOutcome(pair, None)
        return RequestOutcome(None, waiting_since, rounds.NO_PARTNER)

    async def run_round(self, guild_id: int, moderator_id: int, *, dry_run: bool) -> RoundOutcome:
        """Match the whole waitlist. A dry run only proposes; a real round reserves every pair it can
        (audited in the same transaction), then opens their spaces one by one outside the lock."""
        async with self.shared.unit() as session:
            if not dry_run:
                await _require_setup(session, guild_id)
                await _require_not_paused(session, guild_id)
            waiting = await ProfileRepo(session).waiting(guild_id)
            ctx = await self._context(session, guild_id)
        plan = await rounds.plan_round(waiting, ctx, self.runner)
        proposed = tuple((p.member_ids, p.score, rounds.for_moderators(p.reasons)) for p in plan.proposals)
        unmatched = tuple((u.user_id, u.reason) for u in plan.unmatched)
        if dry_run:
            # listed by member ids, not by score: the order must not rank pairs by tags moderators never see
            proposed = tuple(sorted(proposed, key=lambda p: sorted(p[0])))
            detail = f"dry run: {len(proposed)} proposed, {len(unmatched)} waiting"
            await self.audit.record(guild_id, moderator_id, AuditAction.MATCH, detail=detail)
            return RoundOutcome(True, proposed, (), unmatched)
        reserved: list[Reservation] = []
        async with self.shared.locks(guild_id):
            async with self.audit.unit() as unit:
                await _require_setup(unit.session, guild_id)
                await _require_not_paused(unit.session, guild_id)
                for proposal in plan.proposals:  # members who left or were paired meanwhile are skipped
                    if await self.opener.all_free(unit.session, guild_id, proposal.member_ids):
                        reserved.append(
                            await self.opener.reserve(unit.session, guild_id, proposal, CreatedBy.ROUND, moderator_id)
                        )
                detail = f"{len(proposed)} proposed, {len(reserved)} reserved, {len(unmatched)} waiting"
                await unit.record(guild_id, moderator_id, AuditAction.MATCH, detail=detail)
            self.opener.track(reserved)
        made, failure = await self._open_all(reserved)
        await self._give_priority(guild_id, plan.priority_next_round)
        return RoundOutcome(False, proposed, tuple(made), unmatched, failure=failure)

    async def _open_all(self, reserved: list[Reservation]) -> tuple[list[PairView], str | None]:
        made: list[PairView] = []
        left = list(reserved)
        try:
            while left:
                reservation = left.pop(0)
                try:
                    made.append(await self.opener.open(reservation))
                except MemberGone:
                    continue  # recorded as gone; the others in this round still get their pairs
                except SpaceError as exc:
                    return made, exc.message
            return made, None
        finally:
            for reservation in left:  # stopped early: the rest go back to the waitlist
                await self.opener.abandon(reservation)

    async def _give_priority(self, guild_id: int, user_ids: frozenset[int]) -> None:
        """Whoever was left waiting (the odd one out) goes first next round."""
        if not user_ids:
            return
        async with self.shared.unit() as session:
            for profile in (await ProfileRepo(session).many(guild_id, user_ids)).values():
                if profile.waiting_since is not None:
                    profile.match_priority = True

    async def pair_manually(self, guild_id: int, moderator_id: int, a: int, b: int) -> PairView:
        """A moderator pairs two members; the audit entry commits with the pending pair, before Discord."""
        if a == b:
            raise InvalidInput("Choose two different members to pair.")
        async with self.shared.locks(guild_id):
            async with self.audit.unit() as unit:
                session = unit.session
                await _require_setup(session, guild_id)
                profiles = await ProfileRepo(session).many(guild_id, (a, b))
                for user_id in (a, b):
                    found = profiles.get(user_id)
                    if found is None or not found.opted_in:
                        raise Conflict(f"{wording.mention(user_id)} hasn't joined the program with /peer join.")
                    await _require_room(session, found, as_moderator=True)
                pa, pb = profiles[a], profiles[b]
                if (pa.role, pb.role) not in rounds.COMPATIBLE_ROLES:
                    raise Conflict(
                        f"A {pa.role} can't be paired with a {pb.role}: pair peers with peers and mentors with mentees."
                    )
                if await BlockRepo(session).between(guild_id, a, b):
                    raise Conflict("These two members can't be paired: a confidential block is in place.")
                proposal = rounds.score_pair(pa, pb, await self._context(session, guild_id))
                reservation = await self.opener.reserve(session, guild_id, proposal, CreatedBy.MODERATOR, moderator_id)
                await unit.record(
                    guild_id, moderator_id, AuditAction.PAIR, pair_id=reservation.pair_id, member_ids=(a, b)
                )
            self.opener.track([reservation])
        return await self.opener.open(reservation)

    async def list_pairs(self, guild_id: int, moderator_id: int) -> list[PairView]:
        """The server's open pairs for a moderator (status only); the listing itself is audited."""
        async with self.shared.unit() as session:
            pairs = [PairView.of(p) for p in await PairRepo(session).open_pairs(guild_id)]
        await self.audit.record(guild_id, moderator_id, AuditAction.PAIRS, detail=f"{len(pairs)} open pairs listed")
        return pairs

    async def _joined(self, session: AsyncSession, guild_id: int, user_id: int) -> MemberProfile:
        profile = await ProfileRepo(session).get(guild_id, user_id)
        if profile is None or not profile.opted_in:
            raise NotFound(NOT_JOINED)
        return profile

    async def _context(self, session: AsyncSession, guild_id: int) -> rounds.Context:
        pairs = PairRepo(session)
        settings = await SettingsRepo(session).get(guild_id)
        now = self.shared.clock()
        return rounds.Context(
            blocks=frozenset(await BlockRepo(session).all_pairs(guild_id)),
            history=await pairs.history_latest(guild_id),
            mentor_load=await pairs.mentor_load(guild_id),
            now=now,
            cooldown_days=settings.cooldown_days if settings else 90,
            odd_one_out=settings.odd_one_out if settings else OddOneOut.WAITLIST,
            weights=rounds.weights_from(settings),
            seed=int(now.timestamp()) // 3600,
        )


async def _require_setup(session: AsyncSession, guild_id: int) -> None:
    settings = await SettingsRepo(session).get(guild_id)
    if settings is None or (settings.category_id is None and settings.hub_channel_id is None):
        raise SetupNeeded(NOT_SET_UP)


async def _require_not_paused(session: AsyncSession, guild_id: int) -> None:
    if await SafetySettingsRepo(session).is_paused(guild_id):
        raise Conflict(PAUSED)


async def _require_room(session: AsyncSession, profile: MemberProfile, as_moderator: bool = False) -> None:
    open_pairs = await PairRepo(session).open_pairs_of(profile.guild_id, profile.user_id)
    if len(open_pairs) < profile.capacity:
        return
    who = wording.mention(profile.user_id)
    if as_moderator:
        if profile.role == Role.MENTOR:
            raise Conflict(f"{who} already has as many mentees as their capacity allows.")
        raise Conflict(f"{who} is already paired; unpair them first with /peeradmin unpair.")
    if profile.role == Role.MENTOR:
        raise Conflict("You already have as many mentees as your capacity; raise it with /peer join.")
    raise Conflict("You're already paired; /peer status shows your partner and your space.")
