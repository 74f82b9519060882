"""Data access for the safety tables. Each repository takes the unit of work's AsyncSession; nothing here
commits. The retention sweep reads the pairs table joined to safety's own (pairing's models are public)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.pairing import Pair, PairStatus
from bot.safety.models import AccessGrant, PairRetention, Report, SafetySettings
from bot.safety.states import ReportStatus

# (pair id, guild id, space id, ended at, the server's retention days, when the notice was posted)
RetentionRow = tuple[int, int, int | None, datetime | None, int | None, datetime | None]


class SafetySettingsRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, guild_id: int) -> SafetySettings | None:
        return await self.session.get(SafetySettings, guild_id)

    async def get_or_new(self, guild_id: int) -> SafetySettings:
        found = await self.get(guild_id)
        if found is None:
            found = SafetySettings(guild_id=guild_id, resources="", paused=False)
            self.session.add(found)
        return found

    async def is_paused(self, guild_id: int) -> bool:
        found = await self.get(guild_id)
        return bool(found and found.paused)


class ReportRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, guild_id: int, case_id: int) -> Report | None:
        found = await self.session.get(Report, case_id)
        return found if found is not None and found.guild_id == guild_id else None

    async def add(self, report: Report) -> int:
        """Write a new case; returns its id."""
        self.session.add(report)
        await self.session.flush()
        return report.id

    async def mark_delivered(self, case_id: int) -> None:
        await self.session.execute(update(Report).where(Report.id == case_id).values(delivered=True))

    async def open_cases(self, guild_id: int, moderator_id: int | None = None) -> Sequence[Report]:
        """Open cases this moderator may see: a report about a moderator only by the one it went to."""
        shown: ColumnElement[bool] = Report.confidential_to.is_(None)
        if moderator_id is not None:
            shown = or_(shown, Report.confidential_to == moderator_id)
        stmt = (
            select(Report)
            .where(Report.guild_id == guild_id, Report.status == ReportStatus.OPEN, shown)
            .order_by(Report.id)
        )
        return (await self.session.scalars(stmt)).all()

    async def open_since(self) -> list[tuple[int, datetime]]:
        """(guild id, filed at) of every open case all moderators may see, oldest first."""
        stmt = (
            select(Report.guild_id, Report.created_at)
            .where(Report.status == ReportStatus.OPEN, Report.confidential_to.is_(None))
            .order_by(Report.created_at)
        )
        return [(g, at) for g, at in await self.session.execute(stmt)]

    async def filed_by(self, guild_id: int, user_id: int) -> Sequence[Report]:
        stmt = select(Report).where(Report.guild_id == guild_id, Report.reporter_id == user_id).order_by(Report.id)
        return (await self.session.scalars(stmt)).all()

    async def closed_about(self, guild_id: int, pair_id: int) -> Sequence[Report]:
        """The cases about this pair that are no longer open (resolved or withdrawn)."""
        stmt = select(Report).where(
            Report.guild_id == guild_id, Report.pair_id == pair_id, Report.status != ReportStatus.OPEN
        )
        return (await self.session.scalars(stmt)).all()


class AccessGrantRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, grant_id: int) -> AccessGrant | None:
        return await self.session.get(AccessGrant, grant_id)

    async def open_grant(self, pair_id: int, moderator_id: int) -> AccessGrant | None:
        """This moderator's grant on this pair that has not ended, if any."""
        return await self.session.scalar(
            select(AccessGrant).where(
                AccessGrant.pair_id == pair_id,
                AccessGrant.moderator_id == moderator_id,
                AccessGrant.ended_at.is_(None),
            )
        )

    async def open_grants(self) -> Sequence[AccessGrant]:
        """Every grant that has not ended, the soonest to expire first."""
        stmt = select(AccessGrant).where(AccessGrant.ended_at.is_(None)).order_by(AccessGrant.expires_at)
        return (await self.session.scalars(stmt)).all()

    async def add(self, grant: AccessGrant) -> int:
        """Write a new grant; returns its id."""
        self.session.add(grant)
        await self.session.flush()
        return grant.id

    async def delete(self, grant: AccessGrant) -> None:
        await self.session.delete(grant)


class RetentionRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, pair_id: int) -> PairRetention | None:
        return await self.session.get(PairRetention, pair_id)

    def add(self, row: PairRetention) -> None:
        self.session.add(row)

    async def not_closed(self) -> list[RetentionRow]:
        """Ended pairs in servers with a retention setting whose space is not yet deleted, by pair id."""
        stmt = (
            select(
                Pair.id,
                Pair.guild_id,
                Pair.space_id,
                Pair.ended_at,
                SafetySettings.retention_days,
                PairRetention.notice_at,
            )
            .join(SafetySettings, SafetySettings.guild_id == Pair.guild_id)
            .outerjoin(PairRetention, PairRetention.pair_id == Pair.id)
            .where(
                Pair.status == PairStatus.ENDED,
                Pair.ended_at.is_not(None),
                SafetySettings.retention_days.is_not(None),
                PairRetention.closed_at.is_(None),
            )
            .order_by(Pair.id)
        )
        return [
            (pair_id, guild_id, space_id, ended_at, days, notice_at)
            for pair_id, guild_id, space_id, ended_at, days, notice_at in await self.session.execute(stmt)
        ]
