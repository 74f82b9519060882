"""Data access for the safety tables. Each repository takes the unit of work's AsyncSession."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.safety.models import Report, SafetySettings


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

    async def open_cases(self, guild_id: int) -> Sequence[Report]:
        stmt = select(Report).where(Report.guild_id == guild_id, Report.status == "open").order_by(Report.id)
        return (await self.session.scalars(stmt)).all()

    async def filed_by(self, guild_id: int, user_id: int) -> Sequence[Report]:
        stmt = select(Report).where(Report.guild_id == guild_id, Report.reporter_id == user_id).order_by(Report.id)
        return (await self.session.scalars(stmt)).all()
