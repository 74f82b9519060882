"""Ending pairs without blame: a member ends, a moderator unpairs, a member leaves the program or the
server, a member's profile is deleted.

An ending is committed first, under the guild's lock; closing the space and telling partners come
after, outside it. A member whose pair this process is still opening waits for that pair alone (not
for the server) and then ends it like any other.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import AuditAction, AuditLog
from bot.core.errors import Conflict, InvalidInput, NotFound
from bot.core.ports import SpacePort
from bot.pairing import wording
from bot.pairing.models import Pair
from bot.pairing.profile_service import NOT_JOINED
from bot.pairing.queries import BlockRepo, PairRepo, ProfileRepo, SettingsRepo
from bot.pairing.shared import Shared
from bot.pairing.states import BlockSource, EndReason, PairStatus
from bot.pairing.views import PairView

log = logging.getLogger(__name__)


class EndingService:
    def __init__(self, shared: Shared, spaces: SpacePort, audit: AuditLog) -> None:
        self.shared = shared
        self.spaces = spaces
        self.audit = audit

    @asynccontextmanager
    async def _settled(self, guild_id: int, user_id: int) -> AsyncIterator[None]:
        """Hold the guild's lock at a moment when none of the member's pairs is being opened here.
        A pair still being opened is waited for outside the lock, so nobody else waits with it."""
        lock = self.shared.locks(guild_id)
        while True:
            await lock.acquire()
            try:
                async with self.shared.sessions() as session:
                    mine = [p.id for p in await PairRepo(session).open_pairs_of(guild_id, user_id)]
                opening = self.shared.openings.among(mine)
            except BaseException:
                lock.release()
                raise
            if not opening:
                break
            lock.release()
            await self.shared.openings.wait(opening)
        try:
            yield
        finally:
            lock.release()

    async def end(
        self, guild_id: int, user_id: int, *, partner_id: int | None, dont_pair_again: bool, guild_name: str
    ) -> PairView:
        """End the member's pairing without blame; the partner is told kindly."""
        async with self._settled(guild_id, user_id), self.shared.unit() as session:
            pairs = await PairRepo(session).settled_pairs_of(guild_id, user_id)
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
                    await blocks.add(guild_id, user_id, other, source=BlockSource.MEMBER)
            view = await self._close(session, pair, EndReason.MEMBER_ENDED)
        await self._announce(view, {other: wording.partner_ended(guild_name) for other in view.partners_of(user_id)})
        return view

    async def unpair(self, guild_id: int, moderator_id: int, user_id: int, guild_name: str) -> list[PairView]:
        """A moderator ends every open pairing of a member; audited in the same transaction."""
        async with self._settled(guild_id, user_id), self.audit.unit() as unit:
            pairs = await PairRepo(unit.session).settled_pairs_of(guild_id, user_id)
            if not pairs:
                raise NotFound(f"{wording.mention(user_id)} isn't paired right now.")
            ended = [await self._close(unit.session, pair, EndReason.MODERATOR_UNPAIRED) for pair in pairs]
            await unit.record(
                guild_id,
                moderator_id,
                AuditAction.UNPAIR,
                pair_id=ended[0].pair_id if len(ended) == 1 else None,
                member_ids=(user_id,),
                detail=f"{len(ended)} pairing(s) ended",
            )
        for view in ended:
            await self._announce(view, {m: wording.moderator_ended(guild_name) for m in view.member_ids})
        return ended

    async def end_pair(self, guild_id: int, pair_id: int, guild_name: str) -> PairView | None:
        """A moderator ends one pair (after a report); both members are told kindly. None if not open."""
        async with self.shared.locks(guild_id), self.shared.unit() as session:
            pair = await PairRepo(session).get(pair_id)
            if pair is None or pair.guild_id != guild_id or pair.status in (PairStatus.PENDING, PairStatus.ENDED):
                return None
            view = await self._close(session, pair, EndReason.MODERATOR_ENDED_AFTER_REPORT)
        await self._announce(view, {m: wording.moderator_ended(guild_name) for m in view.member_ids})
        return view

    async def leave(self, guild_id: int, user_id: int, guild_name: str) -> int:
        """Opt out: end every pairing, leave the waitlist. Returns how many pairings ended.
        Leaving again is harmless (it ends nothing), so the data-deletion choice can always be offered."""
        async with self._settled(guild_id, user_id), self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None:
                raise NotFound(NOT_JOINED)
            profile.opted_in = False
            profile.waiting_since = None
            pairs = await PairRepo(session).settled_pairs_of(guild_id, user_id)
            ended = [await self._close(session, pair, EndReason.MEMBER_LEFT_PROGRAM) for pair in pairs]
        for view in ended:
            await self._announce(view, {o: wording.partner_ended(guild_name) for o in view.partners_of(user_id)})
        return len(ended)

    async def member_left_server(self, guild_id: int, user_id: int, guild_name: str) -> int:
        async with self._settled(guild_id, user_id), self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None:
                return 0
            profile.opted_in = False
            profile.waiting_since = None
            profile.dm_channel_id = None
            profile.left_at = self.shared.clock()  # their data is erased after the server's departed_days
            pairs = await PairRepo(session).settled_pairs_of(guild_id, user_id)
            ended = [await self._close(session, pair, EndReason.MEMBER_LEFT_SERVER) for pair in pairs]
        for view in ended:
            notices = {o: wording.partner_left_server(guild_name) for o in view.partners_of(user_id)}
            await self._announce(view, notices, gone=(user_id,))
        return len(ended)

    async def delete_data(self, guild_id: int, user_id: int) -> bool:
        """Erase a member's profile once they have left the program.

        Pair history and blocks stay, by ids only, so that matching never repeats or breaks them."""
        async with self.shared.locks(guild_id), self.shared.unit() as session:
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            if profile is None:
                return False
            if profile.opted_in:
                raise Conflict("Leave the program with /peer leave before deleting your data.")
            await profiles.delete(profile)
            return True

    async def _close(self, session: AsyncSession, pair: Pair, reason: EndReason) -> PairView:
        """End a pair in the database (the caller's unit of work commits it)."""
        pair.status, pair.ended_at, pair.end_reason = PairStatus.ENDED, self.shared.clock(), reason
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
        async with self.shared.unit() as session:
            profiles = await ProfileRepo(session).many(view.guild_id, notices)
            dm_ids = {uid: (p.dm_channel_id, p.dms_closed) for uid, p in profiles.items()}
            settings = await SettingsRepo(session).get(view.guild_id)
            discreet = settings is not None and settings.discreet_dms
        for user_id, text in notices.items():
            dm_channel_id, closed = dm_ids.get(user_id, (None, False))
            if closed:
                continue
            try:
                delivered = await self.spaces.tell_member(
                    view.guild_id, user_id, dm_channel_id, text, offer_rematch=True, discreet=discreet
                )
            except Exception:
                log.warning("could not tell member %s that pair %s ended", user_id, view.pair_id, exc_info=True)
                continue
            if not delivered:
                await self._mark_dms_closed(view.guild_id, user_id)

    async def _mark_dms_closed(self, guild_id: int, user_id: int) -> None:
        async with self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.dms_closed = True
