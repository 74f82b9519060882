"""The pairing lifecycle: opt in, request, pair, end, leave. Holds the rules; imports no discord.

Opening a pair is the one place where the database and Discord must agree. It runs in three steps
under the guild's lock: (1) a ``pending`` pair row reserves both members (the partial unique index on
``pair_members`` makes a double booking impossible even across processes); (2) the space is opened
through the :class:`SpacePort`; (3) the pair becomes ``active`` with the space's id. A failure in (2)
deletes the pending row, a failure in (3) deletes the space, and a crash between them leaves a
pending row that :meth:`PairingService.reconcile` rolls back at the next start.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.checkins import wording as checkin_wording
from bot.core.errors import Conflict, InvalidInput, MemberGone, NotFound, SetupNeeded, SpaceError
from bot.core.ports import SpacePlan, SpacePort
from bot.db.base import utcnow
from bot.pairing import rounds, wording
from bot.pairing.models import GuildSettings, MemberProfile, Pair, PairMember
from bot.pairing.profiles import ProfileInput, validate_profile, validate_topic_list
from bot.pairing.queries import BlockRepo, PairRepo, ProfileRepo, SettingsRepo
from bot.pairing.views import (
    PairView,
    ProfileView,
    RequestOutcome,
    RoundOutcome,
    SettingsView,
    StatusView,
)
from bot.safety.queries import SafetySettingsRepo

log = logging.getLogger(__name__)

NOT_JOINED = "You haven't joined the peer program yet: use /peer join to opt in."
PAUSED = "The peer program is paused by the moderators right now, so no new pairs are made; please try again later."
NOT_SET_UP = "The peer program isn't set up on this server yet; a moderator needs to run /peeradmin setup first."


class PairingService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SpacePort,
        clock: Callable[[], datetime] = utcnow,
        runner: rounds.RoundRunner = rounds.in_process,
        offload: rounds.Offload = rounds.run_here,
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.clock = clock
        self.runner = runner  # runs a whole round; the bot passes a worker-process runner
        self.offload = offload  # runs one member's partner search for large pools (a worker, in the bot)
        self.started_at = clock()  # pending pairs older than this were left by an earlier run
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions.begin() as session:
            yield session

    # ----- settings -------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> SettingsView | None:
        async with self._unit() as session:
            found = await SettingsRepo(session).get(guild_id)
            return None if found is None else _settings_view(found)

    async def setup(
        self,
        guild_id: int,
        *,
        category_id: int | None,
        hub_channel_id: int | None,
        moderator_role_id: int | None,
        log_channel_id: int | None,
        topics: str | None,
        odd_one_out: str | None = None,
        cooldown_days: int | None = None,
    ) -> SettingsView:
        """Record where pair spaces go and who moderates. Options left out keep their earlier value."""
        topic_list = validate_topic_list(topics) if topics is not None else None
        async with self._locks[guild_id], self._unit() as session:
            settings = await SettingsRepo(session).get_or_new(guild_id)
            nothing_yet = settings.category_id is None and settings.hub_channel_id is None
            if category_id is None and hub_channel_id is None and nothing_yet:
                raise InvalidInput(
                    "Choose a category for pair channels (and, if you like, a hub channel for private threads)."
                )
            if category_id is not None and category_id != settings.category_id:
                settings.category_id = category_id
                settings.overflow_category_ids = []
            if hub_channel_id is not None:
                settings.hub_channel_id = hub_channel_id
            if moderator_role_id is not None:
                settings.moderator_role_id = moderator_role_id
            if log_channel_id is not None:
                settings.log_channel_id = log_channel_id
            if topic_list is not None:
                settings.topics = topic_list
            if odd_one_out is not None:
                if odd_one_out not in ("trio", "waitlist"):
                    raise InvalidInput("The odd one out goes either into a trio or onto the waitlist.")
                settings.odd_one_out = odd_one_out
            if cooldown_days is not None:
                if not 0 <= cooldown_days <= 3650:
                    raise InvalidInput("The repeat-partner cooldown must be between 0 and 3650 days.")
                settings.cooldown_days = cooldown_days
            await session.flush()
            return _settings_view(settings)

    # ----- members ---------------------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int, raw: ProfileInput) -> tuple[ProfileView, bool]:
        """Opt in (which puts the member on the waitlist for the next round), or edit the profile.

        Returns the profile and whether the member has just (re)joined."""
        async with self._locks[guild_id], self._unit() as session:
            settings = await SettingsRepo(session).get(guild_id)
            data = validate_profile(raw, list(settings.topics) if settings else [])
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            created = profile is None or not profile.opted_in
            if profile is None:
                profile = MemberProfile(guild_id=guild_id, user_id=user_id)
                session.add(profile)
            elif data.role != profile.role and await PairRepo(session).open_pairs_of(guild_id, user_id):
                raise Conflict("You can't change your role while paired; end your pairing first with /peer end.")
            profile.role = data.role
            profile.timezone = data.timezone
            profile.languages = list(data.languages)
            profile.topics = list(data.topics)
            profile.tags = list(data.tags)
            profile.life_stage = data.life_stage
            profile.about = data.about
            profile.capacity = data.capacity
            profile.opted_in = True
            profile.dms_closed = False  # worth trying again: they may have opened their DMs since
            if created:
                profile.waiting_since = self.clock()  # opting in puts a member in the next round's pool
            await session.flush()
            return ProfileView.of(profile), created

    async def remember_dm_channel(self, guild_id: int, user_id: int, channel_id: int) -> None:
        async with self._unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.dm_channel_id = channel_id

    async def mark_dms_closed(self, guild_id: int, user_id: int) -> None:
        async with self._unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.dms_closed = True

    async def profile(self, guild_id: int, user_id: int) -> ProfileView:
        async with self._unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None or not profile.opted_in:
                raise NotFound(NOT_JOINED)
            return ProfileView.of(profile)

    async def status(self, guild_id: int, user_id: int) -> StatusView:
        async with self._unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None or not profile.opted_in:
                raise NotFound(NOT_JOINED)
            pairs = await PairRepo(session).open_pairs_of(guild_id, user_id)
            views = tuple(PairView.of(p) for p in pairs if p.status != "pending")
            return StatusView(ProfileView.of(profile), views)

    # ----- pairing ---------------------------------------------------------------------------

    async def request(self, guild_id: int, user_id: int) -> RequestOutcome:
        """Pair the member now with the best partner waiting, or put them on the waitlist."""
        async with self._locks[guild_id]:
            async with self._unit() as session:
                profile = await ProfileRepo(session).get(guild_id, user_id)
                if profile is None or not profile.opted_in:
                    raise NotFound(NOT_JOINED)
                await self._require_setup(session, guild_id)
                await self._require_not_paused(session, guild_id)
                await self._require_room(session, profile)
                if profile.waiting_since is None:
                    profile.waiting_since = self.clock()
                waiting_since = profile.waiting_since
            for _attempt in range(3):
                async with self._unit() as session:
                    profile = await ProfileRepo(session).get(guild_id, user_id)
                    if profile is None or not profile.opted_in:
                        raise NotFound(NOT_JOINED)
                    ctx = await self._context(session, guild_id)
                    pool = [p for p in await ProfileRepo(session).waiting(guild_id) if p.user_id != user_id]
                    search = rounds.partner_search(profile, pool, ctx)
                offload = self.offload if len(pool) >= rounds.OFFLOAD_FROM else rounds.run_here
                best = rounds.as_proposal(user_id, await offload(search))
                if isinstance(best, str):
                    return RequestOutcome(None, waiting_since, best)
                try:
                    pair = await self._open(guild_id, best, created_by="request")
                except MemberGone as gone:
                    if gone.user_id == user_id:
                        raise
                    continue  # that partner has left the server; look again
                return RequestOutcome(pair, None)
            return RequestOutcome(None, waiting_since, rounds.NO_PARTNER)

    async def run_round(self, guild_id: int, *, dry_run: bool) -> RoundOutcome:
        """Match the whole waitlist. A dry run only proposes; a real round opens every space."""
        async with self._locks[guild_id]:
            async with self._unit() as session:
                if not dry_run:
                    await self._require_setup(session, guild_id)
                    await self._require_not_paused(session, guild_id)
                waiting = await ProfileRepo(session).waiting(guild_id)
                ctx = await self._context(session, guild_id)
            plan = await rounds.plan_round(waiting, ctx, self.runner)
            proposed = tuple((p.member_ids, p.score, rounds.for_moderators(p.reasons)) for p in plan.proposals)
            unmatched = tuple((u.user_id, u.reason) for u in plan.unmatched)
            if dry_run:
                return RoundOutcome(True, proposed, (), unmatched)
            made: list[PairView] = []
            failure: str | None = None
            for proposal in plan.proposals:
                try:
                    made.append(await self._open(guild_id, proposal, created_by="round"))
                except MemberGone:
                    continue  # recorded as gone; the others in this round still get their pairs
                except SpaceError as exc:
                    failure = exc.message
                    break
            await self._give_priority(guild_id, plan.priority_next_round)
            return RoundOutcome(False, proposed, tuple(made), unmatched, failure=failure)

    async def _give_priority(self, guild_id: int, user_ids: frozenset[int]) -> None:
        """Whoever was left waiting (the odd one out) goes first next round."""
        if not user_ids:
            return
        async with self._unit() as session:
            for profile in (await ProfileRepo(session).many(guild_id, user_ids)).values():
                if profile.waiting_since is not None:
                    profile.match_priority = True

    async def pair_manually(self, guild_id: int, a: int, b: int) -> PairView:
        if a == b:
            raise InvalidInput("Choose two different members to pair.")
        async with self._locks[guild_id]:
            async with self._unit() as session:
                await self._require_setup(session, guild_id)
                profiles = await ProfileRepo(session).many(guild_id, (a, b))
                for user_id in (a, b):
                    found = profiles.get(user_id)
                    if found is None or not found.opted_in:
                        raise Conflict(f"{wording.mention(user_id)} hasn't joined the program with /peer join.")
                    await self._require_room(session, found, as_moderator=True)
                pa, pb = profiles[a], profiles[b]
                if (pa.role, pb.role) not in rounds.COMPATIBLE_ROLES:
                    raise Conflict(
                        f"A {pa.role} can't be paired with a {pb.role}: pair peers with peers and mentors with mentees."
                    )
                if await BlockRepo(session).between(guild_id, a, b):
                    raise Conflict("These two members can't be paired: a confidential block is in place.")
                ctx = await self._context(session, guild_id)
                proposal = rounds.score_pair(pa, pb, ctx)
            return await self._open(guild_id, proposal, created_by="moderator")

    async def _require_setup(self, session: AsyncSession, guild_id: int) -> None:
        settings = await SettingsRepo(session).get(guild_id)
        if settings is None or (settings.category_id is None and settings.hub_channel_id is None):
            raise SetupNeeded(NOT_SET_UP)

    async def _require_not_paused(self, session: AsyncSession, guild_id: int) -> None:
        if await SafetySettingsRepo(session).is_paused(guild_id):
            raise Conflict(PAUSED)

    async def _require_room(self, session: AsyncSession, profile: MemberProfile, as_moderator: bool = False) -> None:
        open_pairs = await PairRepo(session).open_pairs_of(profile.guild_id, profile.user_id)
        if len(open_pairs) < profile.capacity:
            return
        who = wording.mention(profile.user_id)
        if as_moderator:
            if profile.role == "mentor":
                raise Conflict(f"{who} already has as many mentees as their capacity allows.")
            raise Conflict(f"{who} is already paired; unpair them first with /peeradmin unpair.")
        if profile.role == "mentor":
            raise Conflict("You already have as many mentees as your capacity; raise it with /peer join.")
        raise Conflict("You're already paired; /peer status shows your partner and your space.")

    async def _context(self, session: AsyncSession, guild_id: int) -> rounds.Context:
        pairs = PairRepo(session)
        settings = await SettingsRepo(session).get(guild_id)
        now = self.clock()
        return rounds.Context(
            blocks=frozenset(await BlockRepo(session).all_pairs(guild_id)),
            history=await pairs.history_latest(guild_id),
            mentor_load=await pairs.mentor_load(guild_id),
            now=now,
            cooldown_days=settings.cooldown_days if settings else 90,
            odd_one_out=settings.odd_one_out if settings else "waitlist",
            weights=rounds.weights_from(settings),
            seed=int(now.timestamp()) // 3600,
        )

    async def _new_space_name(self, session: AsyncSession) -> str:
        pairs = PairRepo(session)
        while True:
            name = f"pair-{secrets.token_hex(3)}"
            if not await pairs.name_taken(name):
                return name

    async def _open(self, guild_id: int, proposal: rounds.Proposal, created_by: str) -> PairView:
        """Reserve, open the space, activate (see the module docstring). The guild lock is held."""
        async with self._unit() as session:
            settings = await SettingsRepo(session).get(guild_id)
            if settings is None:
                raise SetupNeeded(NOT_SET_UP)
            pairs = PairRepo(session)
            pair = Pair(
                guild_id=guild_id,
                status="pending",
                space_name=await self._new_space_name(session),
                score=proposal.score,
                reasons=list(proposal.reasons),
                created_by=created_by,
                created_at=self.clock(),  # compared with started_at by reconcile: both from the same clock
            )
            for user_id in proposal.member_ids:
                free = sorted(set(range(5)) - await pairs.used_slots(guild_id, user_id))
                pair.members.append(PairMember(guild_id=guild_id, user_id=user_id, slot=free[0]))
            session.add(pair)
            await session.flush()
            pair_id = pair.id
            plan = SpacePlan(
                guild_id=guild_id,
                name=pair.space_name,
                member_ids=proposal.member_ids,
                category_id=settings.category_id,
                overflow_category_ids=tuple(settings.overflow_category_ids),
                hub_channel_id=settings.hub_channel_id,
            )
            log_channel_id = settings.log_channel_id
        try:
            opened = await self.spaces.open_space(plan)
        except MemberGone as gone:
            await self._forget_pending(pair_id)
            await self._drop_departed(guild_id, gone.user_id)
            raise
        except SpaceError as exc:  # Discord definitely refused: nothing was made
            await self._forget_pending(pair_id)
            log.warning("pair space not opened in guild %s: %s", guild_id, exc.moderator_hint)
            if log_channel_id is not None:
                await self._tell_moderators(log_channel_id, wording.space_failed_for_moderators(exc.moderator_hint))
            raise
        except Exception:  # unknown outcome (a timeout, a dropped connection): look, then undo
            await self._undo_open(guild_id, pair_id, plan.name, None)
            raise
        # On cancellation the pending row stays, and the next start's reconciliation undoes it.
        try:
            view = await self._activate(pair_id, opened.space_id, opened.kind, opened.new_category_id)
        except Exception:
            await self._undo_open(guild_id, pair_id, plan.name, opened.space_id)
            raise
        try:
            await self.spaces.post_in_space(
                guild_id,
                opened.space_id,
                wording.welcome(proposal.member_ids, proposal.reasons)
                + "\n\n"
                + checkin_wording.welcome_agreement_hint(),
                proposal.member_ids,
                welcome_pair_id=pair_id,
            )
        except Exception:
            log.exception("welcome message for pair %s was not posted", pair_id)
        log.info("pair %s opened in guild %s (%s, by %s)", pair_id, guild_id, opened.kind, created_by)
        return view

    async def _activate(self, pair_id: int, space_id: int, kind: str, new_category_id: int | None) -> PairView:
        async with self._unit() as session:
            pair = await PairRepo(session).get(pair_id)
            if pair is None:
                raise RuntimeError(f"pending pair {pair_id} vanished")
            now = self.clock()
            pair.status, pair.space_id, pair.space_kind, pair.started_at = "active", space_id, kind, now
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

    async def _undo_open(self, guild_id: int, pair_id: int, name: str, space_id: int | None) -> None:
        """Delete whatever space was made for a pair that could not be recorded, then its pending row.
        If the space cannot be checked, the row stays pending for the next start to roll back."""
        try:
            found = space_id if space_id is not None else await self.spaces.find_space(guild_id, name)
            if found is not None:
                await self.spaces.discard_space(guild_id, found)
        except Exception:
            log.warning("pair %s left pending: its space could not be checked", pair_id, exc_info=True)
            return
        await self._forget_pending(pair_id)

    async def _drop_departed(self, guild_id: int, user_id: int) -> None:
        """A member who left the server while the bot was away: off the waitlist (the caller holds the lock)."""
        async with self._unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.opted_in = False
                profile.waiting_since = None
        log.info("member %s left guild %s while away; taken off the waitlist", user_id, guild_id)

    async def _forget_pending(self, pair_id: int) -> None:
        async with self._unit() as session:
            await PairRepo(session).delete_pending(pair_id)

    async def _tell_moderators(self, log_channel_id: int, text: str) -> None:
        try:
            await self.spaces.tell_moderators(log_channel_id, text)
        except Exception:
            log.exception("could not post in the moderators' log channel")

    # ----- ending ----------------------------------------------------------------------------

    async def end(
        self, guild_id: int, user_id: int, *, partner_id: int | None, dont_pair_again: bool, guild_name: str
    ) -> PairView:
        """End the member's pairing without blame; the partner is told kindly."""
        async with self._locks[guild_id]:
            async with self._unit() as session:
                pairs = [p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status != "pending"]
                if not pairs:
                    raise NotFound("You're not paired right now, so there's nothing to end.")
                if partner_id is not None:
                    pairs = [p for p in pairs if partner_id in p.user_ids]
                    if not pairs:
                        raise NotFound("You're not paired with that member.")
                elif len(pairs) > 1:
                    raise InvalidInput("You have more than one pairing: choose which one with the partner option.")
                pair = pairs[0]
                if dont_pair_again:
                    blocks = BlockRepo(session)
                    for other in pair.partner_of(user_id):
                        await blocks.add(guild_id, user_id, other, source="member")
                view = await self._close(session, pair, "member_ended")
            await self._announce(
                view, {other: wording.partner_ended(guild_name) for other in view.partners_of(user_id)}
            )
            return view

    async def unpair(self, guild_id: int, user_id: int, guild_name: str) -> list[PairView]:
        """A moderator ends every open pairing of a member."""
        async with self._locks[guild_id]:
            async with self._unit() as session:
                pairs = [p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status != "pending"]
                if not pairs:
                    raise NotFound(f"{wording.mention(user_id)} isn't paired right now.")
                ended = [await self._close(session, pair, "moderator_unpaired") for pair in pairs]
            for view in ended:
                await self._announce(view, {m: wording.moderator_ended(guild_name) for m in view.member_ids})
            return ended

    async def end_pair(self, guild_id: int, pair_id: int, guild_name: str) -> PairView | None:
        """A moderator ends one pair (after a report); both members are told kindly. None if not open."""
        async with self._locks[guild_id]:
            async with self._unit() as session:
                pair = await PairRepo(session).get(pair_id)
                if pair is None or pair.guild_id != guild_id or pair.status in ("pending", "ended"):
                    return None
                view = await self._close(session, pair, "moderator_ended_after_report")
            await self._announce(view, {m: wording.moderator_ended(guild_name) for m in view.member_ids})
            return view

    async def leave(self, guild_id: int, user_id: int, guild_name: str) -> int:
        """Opt out: end every pairing, leave the waitlist. Returns how many pairings ended.
        Leaving again is harmless (it ends nothing), so the data-deletion choice can always be offered."""
        async with self._locks[guild_id]:
            async with self._unit() as session:
                profile = await ProfileRepo(session).get(guild_id, user_id)
                if profile is None:
                    raise NotFound(NOT_JOINED)
                profile.opted_in = False
                profile.waiting_since = None
                pairs = [p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status != "pending"]
                ended = [await self._close(session, pair, "member_left_program") for pair in pairs]
            for view in ended:
                await self._announce(view, {o: wording.partner_ended(guild_name) for o in view.partners_of(user_id)})
            return len(ended)

    async def member_left_server(self, guild_id: int, user_id: int, guild_name: str) -> int:
        async with self._locks[guild_id]:
            async with self._unit() as session:
                profile = await ProfileRepo(session).get(guild_id, user_id)
                if profile is None:
                    return 0
                profile.opted_in = False
                profile.waiting_since = None
                profile.dm_channel_id = None
                pairs = [p for p in await PairRepo(session).open_pairs_of(guild_id, user_id) if p.status != "pending"]
                ended = [await self._close(session, pair, "member_left_server") for pair in pairs]
            for view in ended:
                notices = {o: wording.partner_left_server(guild_name) for o in view.partners_of(user_id)}
                await self._announce(view, notices, gone=(user_id,))
            return len(ended)

    async def delete_data(self, guild_id: int, user_id: int) -> bool:
        """Erase a member's profile once they have left the program.

        Pair history and blocks stay, by ids only, so that matching never repeats or breaks them."""
        async with self._locks[guild_id], self._unit() as session:
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            if profile is None:
                return False
            if profile.opted_in:
                raise Conflict("Leave the program with /peer leave before deleting your data.")
            await profiles.delete(profile)
            return True

    async def _close(self, session: AsyncSession, pair: Pair, reason: str) -> PairView:
        """End a pair in the database (the caller's unit of work commits it)."""
        pair.status, pair.ended_at, pair.end_reason = "ended", self.clock(), reason
        await PairRepo(session).close_memberships(pair)
        await session.flush()
        log.info("pair %s ended in guild %s (%s)", pair.id, pair.guild_id, reason)
        return PairView.of(pair)

    async def _announce(self, view: PairView, notices: dict[int, str], gone: tuple[int, ...] = ()) -> None:
        """After an ending is committed: close the space and tell partners. Each step stands alone,
        so one failure (a deleted channel, a dropped connection) never stops the others."""
        if view.space_id is not None and view.space_kind is not None:
            try:
                await self.spaces.post_in_space(view.guild_id, view.space_id, wording.space_closing())
            except Exception:
                log.warning("closing note for pair %s not posted", view.pair_id, exc_info=True)
            try:
                remaining = tuple(m for m in view.member_ids if m not in gone)
                await self.spaces.archive_space(view.guild_id, view.space_id, view.space_kind, remaining)
            except Exception:
                log.warning("space of pair %s could not be archived", view.pair_id, exc_info=True)
        async with self._unit() as session:
            profiles = await ProfileRepo(session).many(view.guild_id, notices)
            dm_ids = {uid: (p.dm_channel_id, p.dms_closed) for uid, p in profiles.items()}
        for user_id, text in notices.items():
            dm_channel_id, closed = dm_ids.get(user_id, (None, False))
            if closed:
                continue
            try:
                delivered = await self.spaces.tell_member(
                    view.guild_id, user_id, dm_channel_id, text, offer_rematch=True
                )
            except Exception:
                log.warning("could not tell member %s that pair %s ended", user_id, view.pair_id, exc_info=True)
                continue
            if not delivered:
                await self.mark_dms_closed(view.guild_id, user_id)

    # ----- moderators' view ------------------------------------------------------------------

    async def list_pairs(self, guild_id: int) -> list[PairView]:
        async with self._unit() as session:
            return [PairView.of(p) for p in await PairRepo(session).open_pairs(guild_id)]

    async def reconcile(self) -> int:
        """Roll back pairs left pending by an earlier run that stopped half-way: delete any space opened
        for them, then the row. Only rows older than this process are touched, each under its guild's lock,
        and a row whose server cannot be looked at now is left for the next start."""
        async with self._unit() as session:
            pending = [(p.id, p.guild_id, p.space_name, p.created_at) for p in await PairRepo(session).pending()]
        rolled_back = 0
        for pair_id, guild_id, name, created_at in pending:
            if created_at >= self.started_at:
                continue
            async with self._locks[guild_id]:
                try:
                    space_id = await self.spaces.find_space(guild_id, name)
                    if space_id is not None:
                        await self.spaces.discard_space(guild_id, space_id)
                except Exception:
                    log.warning(
                        "pending pair %s kept for later: its server cannot be checked now", pair_id, exc_info=True
                    )
                    continue
                await self._forget_pending(pair_id)
            rolled_back += 1
            log.warning("rolled back pair %s, left pending by an interrupted run", pair_id)
        return rolled_back


def _settings_view(s: GuildSettings) -> SettingsView:
    return SettingsView(
        guild_id=s.guild_id,
        category_id=s.category_id,
        hub_channel_id=s.hub_channel_id,
        moderator_role_id=s.moderator_role_id,
        log_channel_id=s.log_channel_id,
        topics=tuple(s.topics),
        odd_one_out=s.odd_one_out,
        cooldown_days=s.cooldown_days,
    )
