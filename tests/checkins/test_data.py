"""Check-ins and goals in data export and deletion, retention and statistics (real, encrypted SQLite)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.config import load_settings
from bot.app.services import build_services
from bot.checkins import data as checkin_data
from bot.checkins.models import CheckIn, Delivery, Goal, PairAgreement
from bot.pairing.models import Pair, PairMember

G, ALICE, BOB = 1, 10, 11
NOTE = "I told my sister today"


async def seed(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions.begin() as s:
        pair = Pair(guild_id=G, space_name="pair-aaaaaa", created_by="round", status="ended")
        pair.members.append(PairMember(guild_id=G, user_id=ALICE, slot=0, is_open=False))
        pair.members.append(PairMember(guild_id=G, user_id=BOB, slot=0, is_open=False))
        s.add(pair)
        await s.flush()
        s.add(PairAgreement(pair_id=pair.id, objectives="Coming out plan", boundaries="No calls", updated_by=ALICE))
        s.add(CheckIn(guild_id=G, pair_id=pair.id, user_id=ALICE, mood=4, progress="good", note=NOTE))
        s.add(CheckIn(guild_id=G, pair_id=pair.id, user_id=BOB, mood=3, progress="ok", note="bob's words"))
        s.add(Goal(guild_id=G, user_id=ALICE, pair_id=pair.id, objective="Write to mum", status="done",
                   done_at=datetime.now(UTC)))  # fmt: skip
        s.add(
            Delivery(guild_id=G, pair_id=pair.id, kind="checkin", due_at=datetime.now(UTC), nonce="n1", status="sent")
        )
        return pair.id


async def test_the_composition_root_hands_checkins_to_the_safety_services_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first, second = (build_services(load_settings({}), sessions) for _ in range(2))  # no state shared between them
    try:
        for bot in (first, second):
            assert [d.name for d in bot.privacy.member_data] == ["checkins_and_goals"]
            assert [d.export for d in bot.privacy.member_data] == [checkin_data.export]
            assert [d.erase for d in bot.privacy.member_data] == [checkin_data.erase]
            assert bot.retention.erasers == (checkin_data.erase_pair,)
            assert bot.stats.sources == (checkin_data.program_numbers,)
        assert first.privacy.member_data is not second.privacy.member_data
    finally:
        first.worker.shutdown()
        second.worker.shutdown()


async def test_export_erase_retention_and_numbers(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    pair_id = await seed(sessions)
    raw = sqlite3.connect(database_url.split("///", 1)[1])
    assert NOTE not in str(raw.execute("SELECT note FROM checkins").fetchall())  # encrypted at rest
    raw.close()
    async with sessions() as s:
        data = await checkin_data.export(s, G, ALICE)
    assert [c["note"] for c in data["checkins"]] == [NOTE]  # only her own, decrypted
    assert data["goals"][0]["objective"] == "Write to mum"
    assert data["pair_agreements"][0]["boundaries"] == "No calls"
    async with sessions() as s:
        lines = [line.text() for line in await checkin_data.program_numbers(s, G)]
    assert "Goals completed (12 weeks): not shown" in lines
    async with sessions.begin() as s:
        await checkin_data.erase(s, G, ALICE)
    async with sessions() as s:
        assert [c.user_id for c in (await s.scalars(select(CheckIn))).all()] == [BOB]  # bob's data intact
        assert (await s.scalars(select(Goal))).all() == []
    async with sessions.begin() as s:
        await checkin_data.erase_pair(s, G, pair_id)
    async with sessions() as s:
        assert (await s.scalars(select(PairAgreement))).all() == []
        assert [(c.note, c.progress) for c in (await s.scalars(select(CheckIn))).all()] == [("", "")]
