"""Safety and moderation: private reports, support resources, program controls. Imports no discord.

Moderators see status, never content: nothing here returns what members wrote in their pair space.
The one text moderators read is a report, which its author wrote for them; the reporter's partner is
never told that a report exists, let alone who filed it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditAction, AuditLog
from bot.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.core.ports import SpacePort
from bot.core.text import clean_block, mention, shown_plain
from bot.db.base import utcnow
from bot.db.engine import retry_when_locked
from bot.pairing import (
    BlockRepo,
    BlockSource,
    EndingService,
    GuildLocks,
    Pair,
    PairRepo,
    PairStatus,
    ProfileRepo,
    Role,
    SettingsRepo,
)
from bot.safety.models import Report
from bot.safety.queries import ReportRepo, SafetySettingsRepo
from bot.safety.states import ReportSource, ReportStatus, Resolution

log = logging.getLogger(__name__)

MAX_REPORT = 1500
MAX_RESOURCES = 1500
MAX_NOTE = 500
DEFAULT_RESOURCES = (
    "This server hasn't listed its support resources yet. If you are in danger or thinking about harming "
    "yourself, please contact your local emergency number now, or reach out to a moderator you trust."
)

# what a reporter is told when their case closes: the outcome's category, never the moderators' note
CLOSED_AS = {
    Resolution.NOTE: "the moderators reviewed it",
    Resolution.PAUSE: "the pair was paused",
    Resolution.END: "the pair was ended",
    Resolution.BLOCK: "the pair was ended and won't be formed again",
}


@dataclass(frozen=True)
class ReportView:
    case_id: int
    created_at: datetime
    reporter_id: int | None
    pair_id: int | None
    source: ReportSource
    text: str
    status: ReportStatus
    delivered: bool = True  # posted in the moderators' log channel


@dataclass(frozen=True)
class MemberStatus:
    user_id: int
    joined: bool
    opted_in: bool
    role: Role | None
    waiting_since: datetime | None
    open_pairs: tuple[tuple[int, PairStatus, datetime | None], ...]  # (pair id, status, since)
    past_pairs: int
    dms_closed: bool


class SafetyService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        spaces: SpacePort,
        endings: EndingService,
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
        *,
        locks: GuildLocks,
    ) -> None:
        self.sessions = sessions
        self.spaces = spaces
        self.endings = endings
        self.audit = audit
        self.clock = clock
        self.locks = locks  # pairing's guild locks: a block never races a round's reservation

    # ----- support resources ------------------------------------------------------------------

    async def resources(self, guild_id: int) -> str:
        """The server's support text (crisis lines, who to contact), or a safe default."""
        async with self.sessions() as session:
            found = await SafetySettingsRepo(session).get(guild_id)
            return found.resources if found is not None and found.resources else DEFAULT_RESOURCES

    async def set_resources(self, guild_id: int, moderator_id: int, text: str) -> str:
        cleaned = clean_block(text)
        if not cleaned:
            raise InvalidInput("Write the support resources to show members, such as crisis lines and who to contact.")
        if len(cleaned) > MAX_RESOURCES:
            raise InvalidInput(f"Keep the support resources to {MAX_RESOURCES} characters (it has {len(cleaned)}).")
        async with self.audit.unit() as unit:
            (await SafetySettingsRepo(unit.session).get_or_new(guild_id)).resources = cleaned
            await unit.record(guild_id, moderator_id, AuditAction.RESOURCES, detail=f"{len(cleaned)} characters")
        return cleaned

    async def support_requested(self, guild_id: int, user_id: int, tell_moderators: bool) -> str:
        """A member asked for support (e.g. a check-in flagged "I could use support", issue 4).

        Returns the resources to show them at once; with their consent, tells the moderators that
        they asked (status only, never what they wrote)."""
        text = await self.resources(guild_id)
        if tell_moderators:
            async with self.sessions() as session:
                settings = await SettingsRepo(session).get(guild_id)
                log_channel_id = settings.log_channel_id if settings else None
            if log_channel_id is not None:
                await self._tell_moderators(
                    log_channel_id,
                    f"{mention(user_id)} asked for support and agreed that you be told. "
                    "Consider reaching out to them privately.",
                )
        return text

    # ----- program controls ---------------------------------------------------------------------

    async def is_paused(self, guild_id: int) -> bool:
        """Whether the moderators paused the whole program (no matching; issue 4: no prompts)."""
        async with self.sessions() as session:
            return await SafetySettingsRepo(session).is_paused(guild_id)

    async def set_paused(self, guild_id: int, moderator_id: int, paused: bool) -> bool:
        """Pause or resume (audited either way); returns False when it already was in that state."""
        action = AuditAction.PAUSE if paused else AuditAction.RESUME
        async with self.audit.unit() as unit:
            settings = await SafetySettingsRepo(unit.session).get_or_new(guild_id)
            changed = settings.paused != paused
            if changed:
                settings.paused = paused
                settings.paused_at = self.clock() if paused else None
            await unit.record(guild_id, moderator_id, action, detail="" if changed else "no change")
        return changed

    async def block(self, guild_id: int, moderator_id: int, a: int, b: int) -> bool:
        """A moderator's block: these two are never paired. Returns whether they are paired right now."""
        if a == b:
            raise InvalidInput("Choose two different members to block from being paired.")
        async with self.locks(guild_id), self.audit.unit() as unit:
            blocks = BlockRepo(unit.session)
            # both ways: a member's own block in one direction never takes the moderators' place (issue 10, #9)
            await blocks.add(guild_id, a, b, source=BlockSource.MODERATOR)
            await blocks.add(guild_id, b, a, source=BlockSource.MODERATOR)
            pairs = await PairRepo(unit.session).open_pairs_of(guild_id, a)
            await unit.record(guild_id, moderator_id, AuditAction.BLOCK, member_ids=[a, b])
        return any(b in p.user_ids for p in pairs)

    async def unblock(self, guild_id: int, moderator_id: int, a: int, b: int) -> int:
        """Remove moderators' blocks between two members; returns how many went. Whether a member's own
        block remains is never looked at here, so neither the answer nor the audit entry can tell."""
        async with self.audit.unit() as unit:
            removed = await BlockRepo(unit.session).remove_between(guild_id, a, b, BlockSource.MODERATOR)
            await unit.record(
                guild_id, moderator_id, AuditAction.UNBLOCK, member_ids=[a, b], detail="" if removed else "none held"
            )
        return removed

    async def member_status(self, guild_id: int, moderator_id: int, user_id: int) -> MemberStatus:
        """A member's program status for moderators (the look is audited): no profile text, blocks or reports."""
        async with self.sessions() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            pairs = PairRepo(session)
            open_pairs = await pairs.settled_pairs_of(guild_id, user_id)
            past = await pairs.ended_count(guild_id, user_id)
        await self.audit.record(guild_id, moderator_id, AuditAction.MEMBER, member_ids=[user_id])
        return MemberStatus(
            user_id=user_id,
            joined=profile is not None,
            opted_in=bool(profile and profile.opted_in),
            role=profile.role if profile else None,
            waiting_since=profile.waiting_since if profile else None,
            open_pairs=tuple((p.id, p.status, p.started_at) for p in open_pairs),
            past_pairs=past,
            dms_closed=bool(profile and profile.dms_closed),
        )

    # ----- reports ------------------------------------------------------------------------------

    async def pair_of_member(self, guild_id: int, pair_id: int, user_id: int) -> bool:
        async with self.sessions() as session:
            pair = await PairRepo(session).get(pair_id)
            return pair is not None and pair.guild_id == guild_id and user_id in pair.user_ids

    async def _report_pair(
        self, session: AsyncSession, guild_id: int, reporter_id: int, pair_id: int | None
    ) -> Pair | None:
        """The pair a report is about: the one given (the reporter must be in it), else their only open one."""
        if pair_id is None:
            pairs = await PairRepo(session).settled_pairs_of(guild_id, reporter_id)
            return pairs[0] if len(pairs) == 1 else None
        pair = await PairRepo(session).get(pair_id)
        if pair is None or pair.guild_id != guild_id or reporter_id not in pair.user_ids:
            raise NotAllowed("Only the members of this pair can report from here; use /peer report.")
        return pair

    async def reported_members(self, guild_id: int, reporter_id: int, pair_id: int | None = None) -> list[int]:
        """Who a report would be about (the reporter's partners), so the adapter can tell if one is a moderator."""
        async with self.sessions() as session:
            pair = await self._report_pair(session, guild_id, reporter_id, pair_id)
            return [u for u in pair.user_ids if u != reporter_id] if pair is not None else []

    async def file_report(
        self,
        guild_id: int,
        reporter_id: int,
        text: str,
        *,
        source: ReportSource,
        pair_id: int | None = None,
        owner_id: int | None = None,
    ) -> int:
        """Record a private report as a case and post it in the moderators' log channel.

        With ``owner_id`` (the report is about a moderator), it goes to the server owner by DM instead and
        only the owner can list or resolve it; closed DMs leave it flagged undelivered, still the owner's.
        The case is stored first; it is marked delivered only once the post succeeded, so a report that
        could not be posted stays flagged in ``/peeradmin safety reports``. The report goes into the
        message's embeds (:func:`bot.core.bounds.layout`), so 1,500 escaped characters always fit."""
        cleaned = clean_block(text)
        if not cleaned:
            raise InvalidInput("Write a few words about what's wrong so the moderators can help.")
        if len(cleaned) > MAX_REPORT:
            raise InvalidInput(f"Keep the report to {MAX_REPORT} characters (it has {len(cleaned)}).")

        async def store() -> tuple[int, int | None, int | None, bool]:  # one transaction: safe to run again
            async with self.sessions.begin() as session:
                pair = await self._report_pair(session, guild_id, reporter_id, pair_id)
                report = Report(
                    guild_id=guild_id,
                    reporter_id=reporter_id,
                    pair_id=pair.id if pair is not None else None,
                    source=source,
                    text=cleaned,
                    status=ReportStatus.OPEN,
                    delivered=False,
                    confidential_to=owner_id,
                    created_at=self.clock(),
                )
                case_id = await ReportRepo(session).add(report)
                settings = await SettingsRepo(session).get(guild_id)
                log_channel_id = settings.log_channel_id if settings else None
                discreet = settings is not None and settings.discreet_dms
                return case_id, report.pair_id, log_channel_id, discreet

        # a report is never lost to a busy database: the unit is tried again while it stays locked
        case_id, pair_id, log_channel_id, discreet = await retry_when_locked(store)
        log.info("report case %s filed in guild %s", case_id, guild_id)
        about = f"pair #{pair_id}" if pair_id is not None else "no particular pair"
        body = (
            f"**Case #{case_id}**: a private report about {about}, from {mention(reporter_id)}. "
            f"Their partner has not been told. Act with `/peeradmin safety resolve case:{case_id}`.\n"
            f">>> {shown_plain(cleaned)}"
        )
        posted = False
        if owner_id is not None:  # about a moderator: never the log channel they read
            intro = "This report is about a moderator, so it came to you as the server owner, not the log channel.\n"
            try:
                posted = await self.spaces.tell_member(guild_id, owner_id, None, intro + body, discreet=discreet)
            except Exception:
                log.exception("could not DM the server owner a report about a moderator")
        elif log_channel_id is not None:
            posted = await self._tell_moderators(log_channel_id, body)
        if posted:

            async def mark() -> None:
                async with self.sessions.begin() as session:
                    await ReportRepo(session).mark_delivered(case_id)

            await retry_when_locked(mark)
        return case_id

    async def open_reports(self, guild_id: int, moderator_id: int) -> list[ReportView]:
        """The open cases, for a moderator (the look is audited)."""
        async with self.sessions() as session:
            cases = [
                ReportView(r.id, r.created_at, r.reporter_id, r.pair_id, r.source, r.text, r.status, r.delivered)
                for r in await ReportRepo(session).open_cases(guild_id, moderator_id)
            ]
        await self.audit.record(guild_id, moderator_id, AuditAction.REPORTS, detail=f"{len(cases)} open")
        return cases

    async def resolve(
        self, guild_id: int, case_id: int, action: Resolution, moderator_id: int, guild_name: str, note: str | None
    ) -> str:
        """Close a case with an action: note, pause the pair, end it, or end it and block it from re-forming.

        The case's resolution, the pause or block, and the audit entry commit together; ending the pair
        (which tells the members) comes after."""
        note_text = clean_block(note or "")
        if len(note_text) > MAX_NOTE:
            raise InvalidInput(f"Keep the note to {MAX_NOTE} characters.")
        async with self.locks(guild_id), self.audit.unit() as unit:  # a block never races a reservation
            session = unit.session
            report = await ReportRepo(session).get(guild_id, case_id)
            if report is None or report.confidential_to not in (None, moderator_id):
                raise NotFound(f"There is no case #{case_id} on this server.")
            if report.status != ReportStatus.OPEN:
                raise Conflict(f"Case #{case_id} is already {report.status}.")
            pair = await PairRepo(session).get(report.pair_id) if report.pair_id is not None else None
            if action != Resolution.NOTE and pair is None:
                raise Conflict(f"Case #{case_id} isn't about a pair, so only a note can close it.")
            member_ids = pair.user_ids if pair is not None else []
            pair_id, pair_status = (pair.id, pair.status) if pair is not None else (None, None)
            report.status, report.resolved_at, report.resolved_by = ReportStatus.RESOLVED, self.clock(), moderator_id
            report.resolution, report.resolution_note = action, note_text or None
            reporter_id = report.reporter_id
            if action == Resolution.PAUSE and pair is not None and pair.status == PairStatus.ACTIVE:
                pair.status = PairStatus.PAUSED
            if action == Resolution.BLOCK:
                blocks = BlockRepo(session)
                for i, a in enumerate(member_ids):
                    for b in member_ids[i + 1 :]:
                        await blocks.add(guild_id, a, b, source=BlockSource.MODERATOR)
            detail = f"action={action}" + (", note set" if note_text else "")
            await unit.record(
                guild_id, moderator_id, AuditAction.RESOLVE, pair_id=pair_id, case_id=case_id, detail=detail
            )
        outcome = f"Case #{case_id} is resolved with a note."
        if action == Resolution.PAUSE:
            outcome = f"Case #{case_id} is resolved: pair #{pair_id} is paused."
        if action in (Resolution.END, Resolution.BLOCK) and pair_id is not None:
            ended = (
                pair_status != PairStatus.ENDED
                and await self.endings.end_pair(guild_id, pair_id, guild_name) is not None
            )
            outcome = f"Case #{case_id} is resolved: pair #{pair_id} " + ("has ended" if ended else "had already ended")
            outcome += " and can't be formed again." if action == Resolution.BLOCK else "."
        if reporter_id is not None:  # after the commit; the category only, never the moderators' note
            await self._tell_reporter(guild_id, reporter_id, case_id, action, guild_name)
        return outcome

    # ----- helpers --------------------------------------------------------------------------------

    async def _tell_reporter(
        self, guild_id: int, reporter_id: int, case_id: int, action: Resolution, guild_name: str
    ) -> None:
        text = (
            f"Your report (case #{case_id}) in {guild_name} is closed: {CLOSED_AS[action]}. Thank you for telling us."
        )
        async with self.sessions() as session:
            settings = await SettingsRepo(session).get(guild_id)
        try:  # closed DMs are not an error: the case is closed either way
            await self.spaces.tell_member(
                guild_id, reporter_id, None, text, discreet=settings is not None and settings.discreet_dms
            )
        except Exception:
            log.exception("could not tell a reporter that their case is closed")

    async def _tell_moderators(self, log_channel_id: int, text: str) -> bool:
        try:
            await self.spaces.tell_moderators(log_channel_id, text)
        except Exception:
            log.exception("could not post in the moderators' log channel")
            return False
        return True
