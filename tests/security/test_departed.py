"""Medium #7: a member who left the server can be looked up and forgotten (by user or by id), and their
data is erased after the number of days moderators set (default 30), on the one timer, audited;
replayed through the real bot in the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.audit.models import AuditEntry
from bot.checkins.models import Goal
from bot.pairing.models import MemberProfile
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.e2e.helpers import eventually, one_sentence
from tests.security.erasure_world import ABOUT, OBJECTIVE, PLANTED, leftovers

UNEXPECTED = "Something went wrong"
DEPARTED_DAYS = 30  # the default


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


async def leaves(w: ClockWorld, who: Any) -> None:
    await w.sb.remove_member(w.guild, who)

    async def recorded() -> bool:
        found = await w.rows(select(MemberProfile).where(MemberProfile.user_id == who.id))
        return bool(found) and found[0].opted_in is False  # the bot has seen them go

    await eventually(recorded)


async def entries(w: ClockWorld, action: str) -> list[AuditEntry]:
    return await w.rows(select(AuditEntry).where(AuditEntry.action == action))


async def test_a_departed_member_is_shown_and_forgotten_by_user_or_by_id(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, _pair = await w.pair(alice={"about": ABOUT})
    await w.run(alice, "goal add", objective=OBJECTIVE)
    await leaves(w, alice)

    by_user = await w.run(w.mod, "peeradmin member", member=alice)
    assert UNEXPECTED not in (by_user.content or "") and "opted out" in (by_user.content or ""), by_user.content
    by_id = await w.run(w.mod, "peeradmin member", member_id=str(alice.id))
    assert "opted out" in (by_id.content or ""), by_id.content

    bad = await w.run(w.mod, "peeradmin forget", member_id="not-an-id")
    assert bad.ephemeral and one_sentence(bad.content) and UNEXPECTED not in (bad.content or ""), bad.content
    assert await w.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id))

    forgotten = await w.run(w.mod, "peeradmin forget", member=alice)
    assert "data is erased" in (forgotten.content or ""), forgotten.content
    async with w.sessions() as session:
        assert await leftovers(session, alice.id, PLANTED) == []
    assert [e.member_ids for e in await entries(w, "forget")] == [[alice.id]]

    await leaves(w, bob)
    by_raw_id = await w.run(w.mod, "peeradmin forget", member_id=f"<@{bob.id}>")
    assert "data is erased" in (by_raw_id.content or ""), by_raw_id.content
    assert await w.rows(select(MemberProfile)) == []


async def test_departed_members_are_erased_after_the_days_moderators_set(cworld: ClockWorld) -> None:
    w = cworld
    bot = w.running.bot  # type: ignore[union-attr]
    assert bot.services.departed_sweep.id == "tandem:departed-erasure"  # the one timer mechanism
    alice, bob, _pair = await w.pair(alice={"about": ABOUT})
    await w.run(alice, "goal add", objective=OBJECTIVE)
    shown = await w.run(w.mod, "peeradmin program retention")
    assert f"{DEPARTED_DAYS} days after they leave" in (shown.content or ""), shown.content
    bad = await w.run(w.mod, "peeradmin program retention", departed_days=0)
    assert bad.ephemeral and one_sentence(bad.content) and await entries(w, "departed_days") == []
    told = await w.run(w.mod, "peeradmin program retention", departed_days=10)
    assert "10 days after they leave" in (told.content or ""), told.content
    assert [e.detail for e in await entries(w, "departed_days")] == ["days=10"]
    await leaves(w, alice)

    w.clock.advance(days=9, hours=23)
    next_due = await bot.privacy.sweep_departed()
    assert next_due is not None and next_due > w.clock()
    assert await w.rows(select(Goal).where(Goal.user_id == alice.id))  # not yet
    w.clock.advance(hours=2)
    assert await bot.privacy.sweep_departed() is None
    assert await w.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id)) == []
    assert await w.rows(select(Goal).where(Goal.user_id == alice.id)) == []
    async with w.sessions() as session:
        assert await leftovers(session, alice.id, PLANTED) == []
    (erased,) = await entries(w, "departed_erased")
    assert erased.actor_id is None and erased.member_ids == [alice.id]
    assert await w.rows(select(MemberProfile).where(MemberProfile.user_id == bob.id))  # the partner stays


async def test_a_departed_member_with_an_open_case_is_kept_until_it_is_resolved(cworld: ClockWorld) -> None:
    w = cworld
    bot = w.running.bot  # type: ignore[union-attr]
    alice, _bob, _pair = await w.pair()
    opened = await w.run(alice, "peer report")
    await (await w.sb.submit_modal(alice, opened, {"report_text": "help"})).wait_done(timeout=10)
    await leaves(w, alice)
    w.clock.advance(days=DEPARTED_DAYS + 1)
    await bot.privacy.sweep_departed()
    assert await w.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id))
    await w.run(w.mod, "peeradmin safety resolve", case=1, action="note")
    assert await bot.privacy.sweep_departed() is None
    assert await w.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id)) == []


async def test_a_member_who_comes_back_in_time_keeps_their_data(cworld: ClockWorld) -> None:
    w = cworld
    bot = w.running.bot  # type: ignore[union-attr]
    alice, _bob, _pair = await w.pair()
    await w.run(alice, "goal add", objective=OBJECTIVE)
    await leaves(w, alice)
    await w.sb.add_member_live(w.guild, "alice", user=alice.user)

    async def back() -> bool:
        return (await w.one(MemberProfile, MemberProfile.user_id == alice.id)).left_at is None

    await eventually(back)
    w.clock.advance(days=DEPARTED_DAYS + 1)
    await bot.privacy.sweep_departed()
    assert await w.rows(select(Goal).where(Goal.user_id == alice.id))
