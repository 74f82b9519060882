"""Opening a pair: the one place where the database and Discord must agree.

It runs in three steps. (1) Under the guild's lock, a ``pending`` pair row reserves the members (the
partial unique index on ``pair_members`` makes a double booking impossible even across processes);
this is the only step that holds the lock, and it makes no Discord call. (2) Outside the lock, the
space is opened through the :class:`SpacePort`. (3) The pair becomes ``active`` with the space's id,
and the welcome is posted. A failure in (2) deletes the pending row, a failure in (3) deletes the
space, and a crash, a cancellation or a failure whose outcome cannot be checked leaves a pending row
that the :class:`Reconciler` rolls back (at the next start, or once it is a few minutes old). While (2)
and (3) run, the pair is listed in ``shared.openings``; a pending row is deleted and its opening settled
together under the guild's lock, so no reservation or ending sees one without the other. When a pair a
moderator asked for (``pair`` or a ``match`` round) is rolled back, an ``open_failed`` audit entry
commits in the same transaction, so the moderator's entry never points at a pair that silently vanished.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import AuditAction, AuditLog
from bot.core.errors import MemberGone, SetupNeeded, SpaceError
from bot.core.ports import SpacePlan, SpacePort
from bot.pairing import rounds, wording
from bot.pairing.models import Pair, PairMember
from bot.pairing.queries import BlockRepo, PairRepo, ProfileRepo, SettingsRepo
from bot.pairing.shared import Shared
from bot.pairing.states import CreatedBy, PairStatus, SpaceKind
from bot.pairing.views import PairView

log = logging.getLogger(__name__)

NOT_SET_UP = "The peer program isn't set up on this server yet; a moderator needs to run /peeradmin setup first."


@dataclass(frozen=True)
class Reservation:
    """A pending pair row, written and committed; its space is not opened yet."""

    pair_id: int
    plan: SpacePlan
    proposal: rounds.Proposal
    created_by: CreatedBy
    log_channel_id: int | None
    moderator_id: int | None = None  # who asked for it (``pair``, ``match``): a rollback is audited for them
    opening: asyncio.Event = field(default_factory=asyncio.Event, compare=False, repr=False)  # in shared.openings


class PairOpener:
    def __init__(self, shared: Shared, spaces: SpacePort, audit: AuditLog, welcome_notes: Sequence[str] = ()) -> None:
        self.shared = shared
        self.spaces = spaces
        self.audit = audit
        self.welcome_notes = tuple(welcome_notes)  # other features' lines under the welcome (check-ins' agreement)

    # ----- step 1: under the guild lock, in the caller's unit of work --------------------------

    async def all_free(self, session: AsyncSession, guild_id: int, member_ids: tuple[int, ...]) -> bool:
        """Whether every member still waits (opted in, on the waitlist, with room for one more pair) and
        every two of them may still be paired (compatible roles, a shared language, no block): profiles
        may have changed while the partners were searched outside the lock."""
        profiles = await ProfileRepo(session).many(guild_id, member_ids)
        pairs = PairRepo(session)
        for user_id in member_ids:
            profile = profiles.get(user_id)
            if profile is None or not profile.opted_in or profile.waiting_since is None:
                return False
            if len(await pairs.open_pairs_of(guild_id, user_id)) >= profile.capacity:
                return False
        blocks = BlockRepo(session)
        for i, a in enumerate(member_ids):
            for b in member_ids[i + 1 :]:
                pa, pb = profiles[a], profiles[b]
                if (pa.role, pb.role) not in rounds.COMPATIBLE_ROLES or set(pa.languages).isdisjoint(pb.languages):
                    return False
                if await blocks.between(guild_id, a, b):
                    return False
        return True

    async def reserve(
        self,
        session: AsyncSession,
        guild_id: int,
        proposal: rounds.Proposal,
        created_by: CreatedBy,
        moderator_id: int | None = None,
    ) -> Reservation:
        """Write the pending pair row. The caller holds the guild lock, commits, then calls :meth:`track`."""
        settings = await SettingsRepo(session).get(guild_id)
        if settings is None:
            raise SetupNeeded(NOT_SET_UP)
        pairs = PairRepo(session)
        pair = Pair(
            guild_id=guild_id,
            status=PairStatus.PENDING,
            space_name=await self._new_space_name(pairs),
            score=proposal.score,
            reasons=list(proposal.reasons),
            created_by=created_by,
            created_at=self.shared.clock(),  # compared with the reconciler's start: both from the same clock
        )
        for user_id in proposal.member_ids:
            free = sorted(set(range(5)) - await pairs.used_slots(guild_id, user_id))
            pair.members.append(PairMember(guild_id=guild_id, user_id=user_id, slot=free[0]))
        pair_id = await pairs.add(pair)
        plan = SpacePlan(
            guild_id=guild_id,
            name=pair.space_name,
            member_ids=proposal.member_ids,
            category_id=settings.category_id,
            overflow_category_ids=tuple(settings.overflow_category_ids),
            hub_channel_id=settings.hub_channel_id,
        )
        return Reservation(pair_id, plan, proposal, created_by, settings.log_channel_id, moderator_id)

    def track(self, reservations: list[Reservation]) -> None:
        """Once committed, still under the lock: an ending of these members now waits for these pairs."""
        for reservation in reservations:
            self.shared.openings.begin(reservation.pair_id, reservation.opening)

    async def abandon(self, reservation: Reservation) -> None:
        """Give up a reservation whose space was never asked for (a round stopped early)."""
        try:
            await self._forget_pending(reservation, "round stopped before this pair's space was opened")
        finally:
            self._settle(reservation)

    async def _new_space_name(self, pairs: PairRepo) -> str:
        while True:
            name = f"pair-{secrets.token_hex(3)}"
            if not await pairs.name_taken(name):
                return name

    # ----- steps 2 and 3: outside the lock ----------------------------------------------------

    async def open(self, reservation: Reservation) -> PairView:
        """Open the reserved pair's space and activate it; undo on failure (see the module docstring)."""
        try:
            return await self._open(reservation)
        finally:
            self._settle(reservation)  # a pair rolled back was settled already, with its row's deletion

    def _settle(self, reservation: Reservation) -> None:
        self.shared.openings.settle(reservation.pair_id, reservation.opening)

    async def _open(self, r: Reservation) -> PairView:
        guild_id, pair_id, plan = r.plan.guild_id, r.pair_id, r.plan
        try:
            opened = await self.spaces.open_space(plan)
        except MemberGone as gone:
            await self._forget_pending(r, "a member had left the server")
            await self._drop_departed(guild_id, gone.user_id)
            raise
        except SpaceError as exc:  # Discord definitely refused: nothing was made
            await self._forget_pending(r, "the space could not be opened")
            log.warning("pair space not opened in guild %s: %s", guild_id, exc.moderator_hint)
            if r.log_channel_id is not None:
                await self._tell_moderators(r.log_channel_id, wording.space_failed_for_moderators(exc.moderator_hint))
            raise
        except Exception:  # unknown outcome (a timeout, a dropped connection): look, then undo
            await self._undo_open(r, None)
            raise
        # On cancellation the pending row stays, and reconciliation undoes it a few minutes later.
        try:
            view = await self._activate(pair_id, opened.space_id, SpaceKind(opened.kind), opened.new_category_id)
        except Exception:
            await self._undo_open(r, opened.space_id)
            raise
        members = r.proposal.member_ids
        try:
            await self.spaces.post_in_space(
                guild_id,
                opened.space_id,
                "\n\n".join((wording.welcome(members, r.proposal.reasons), *self.welcome_notes)),
                members,
                welcome_pair_id=pair_id,
            )
        except Exception:
            log.exception("welcome message for pair %s was not posted", pair_id)
            if r.log_channel_id is not None:  # the welcome carries the report button: moderators step in
                await self._tell_moderators(r.log_channel_id, wording.welcome_failed_for_moderators(pair_id))
        log.info("pair %s opened in guild %s (%s, by %s)", pair_id, guild_id, opened.kind, r.created_by)
        return view

    async def _activate(self, pair_id: int, space_id: int, kind: SpaceKind, new_category_id: int | None) -> PairView:
        async with self.shared.unit() as session:
            pair = await PairRepo(session).get(pair_id)
            if pair is None:
                raise RuntimeError(f"pending pair {pair_id} vanished")
            pair.status, pair.space_id, pair.space_kind = PairStatus.ACTIVE, space_id, kind
            pair.started_at = self.shared.clock()
            profiles = await ProfileRepo(session).many(pair.guild_id, pair.user_ids)
            pairs = PairRepo(session)
            for profile in profiles.values():
                load = len(await pairs.open_pairs_of(pair.guild_id, profile.user_id))
                profile.match_priority = False
                if load >= profile.capacity:
                    profile.waiting_since = None
            await pairs.add_history(pair.guild_id, pair.id, pair.user_ids)
            if new_category_id is not None:
                settings = await SettingsRepo(session).get_or_new(pair.guild_id)
                settings.overflow_category_ids = [*settings.overflow_category_ids, new_category_id]
            await session.flush()
            return PairView.of(pair)

    async def _undo_open(self, r: Reservation, space_id: int | None) -> None:
        """Delete whatever space was made for a pair that could not be recorded, then its pending row.
        If the space cannot be checked, the row stays pending for reconciliation to roll back."""
        guild_id = r.plan.guild_id
        try:
            found = space_id if space_id is not None else await self.spaces.find_space(guild_id, r.plan.name)
            if found is not None:
                await self.spaces.discard_space(guild_id, found)
        except Exception:
            log.warning("pair %s left pending: its space could not be checked", r.pair_id, exc_info=True)
            return
        await self._forget_pending(r, "the space could not be opened")

    async def _drop_departed(self, guild_id: int, user_id: int) -> None:
        """A member who left the server while the bot was away: off the waitlist."""
        async with self.shared.locks(guild_id), self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.opted_in = False
                profile.waiting_since = None
        log.info("member %s left guild %s while away; taken off the waitlist", user_id, guild_id)

    async def _forget_pending(self, r: Reservation, why: str) -> None:
        """Delete the pending row (with a follow-up audit entry when a moderator asked for the pair) and
        settle its opening, under the guild's lock (lock order: guild, then audit): the pair id may be
        handed out again once the row is gone, and nobody may see the id free while it still opens."""
        async with self.shared.locks(r.plan.guild_id):
            if r.moderator_id is None:
                async with self.shared.unit() as session:
                    await PairRepo(session).delete_pending(r.pair_id)
            else:
                async with self.audit.unit() as unit:
                    if await PairRepo(unit.session).delete_pending(r.pair_id):
                        await unit.record(
                            r.plan.guild_id,
                            r.moderator_id,
                            AuditAction.OPEN_FAILED,
                            pair_id=r.pair_id,
                            member_ids=r.proposal.member_ids,
                            detail=f"rolled back ({r.created_by}): {why}",
                        )
            self._settle(r)

    async def _tell_moderators(self, log_channel_id: int, text: str) -> None:
        try:
            await self.spaces.tell_moderators(log_channel_id, text)
        except Exception:
            log.exception("could not post in the moderators' log channel")
