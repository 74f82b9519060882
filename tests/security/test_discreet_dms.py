"""Issue 10, discreet notifications: with ``/peeradmin setup discreet:true`` every DM to a member says only
that there is a new message (a lock-screen preview shows a DM's content, not its embeds); the details
arrive in an embed. Off (the default), DMs are as before. The setting is part of setup's audited action."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.audit.models import AuditEntry
from bot.pairing.models import GuildSettings
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.e2e.conftest import World, running_world
from tests.e2e.test_checkins import check_in
from tests.e2e.test_pairing import pair_up

TELLING = ("peer", "mentor", "mentee", "support", "pairing", "check-in", "check in", "checkin", "partner")
FIRST_DUE = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # a week after the pair starts, 18:00 Berlin


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


def embedded(message: Any) -> str:
    return "\n".join(str(e.get("description", "")) for e in message.embeds)


def assert_discreet(message: Any) -> None:
    content = message.content.casefold()
    assert content.startswith("you have a new message"), message.content
    for word in TELLING:
        assert word not in content, (word, message.content)


async def test_discreet_ending_notice_says_nothing_in_its_content(world: World) -> None:
    answer = await world.setup(discreet=True)
    assert "Discreet DMs: on" in (answer.content or "")
    alice, bob, _pair = await pair_up(world)
    await world.run(alice, "peer end", dont_pair_again=True)
    dm = world.sb.dms_for(bob)[-1]
    assert_discreet(dm)
    assert "nobody is at fault" in embedded(dm)  # the details, in the embed
    assert "tandem:rematch:" in json.dumps(dm.components)  # the button still comes with it
    # the setting is stored, and audited as part of setup's action
    assert (await world.one(GuildSettings, GuildSettings.guild_id == world.guild.id)).discreet_dms is True
    details = [e.detail for e in await world.rows(select(AuditEntry).where(AuditEntry.action == "setup"))]
    assert "discreet_dms=True" in details[0]


async def test_ending_notice_is_as_before_by_default(world: World) -> None:
    alice, bob, _pair = await pair_up(world)
    await world.run(alice, "peer end", dont_pair_again=True)
    dm = world.sb.dms_for(bob)[-1]
    assert "nobody is at fault" in dm.content and not dm.embeds


async def test_discreet_checkin_reminder_by_dm_and_turning_it_off(cworld: ClockWorld) -> None:
    w = cworld
    await w.setup(discreet=True)
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    w.clock.set(FIRST_DUE)
    await w.tick()
    await check_in(w, alice, w.prompts_in(pair.space_id)[-1])
    w.clock.advance(hours=25)
    await w.tick()
    reminders = [m for m in w.sb.dms_for(bob) if "gentle reminder" in embedded(m)]
    assert len(reminders) == 1
    assert_discreet(reminders[0])
    assert not any("gentle reminder" in m.content for m in w.sb.dms_for(bob))
    done = await check_in(w, bob, reminders[0], mood="3")  # the button works from the discreet DM
    assert "Thank you" in (done.content or "")  # type: ignore[attr-defined]

    # turned off (audited), the next reminder says what it is about again
    off = await w.setup(discreet=False)
    assert "Discreet DMs: off" in (off.content or "")
    details = [e.detail for e in await w.rows(select(AuditEntry).where(AuditEntry.action == "setup"))]
    assert "discreet_dms=False" in details[-1]
    w.clock.set(FIRST_DUE.replace(day=16))
    await w.tick()
    await check_in(w, alice, w.prompts_in(pair.space_id)[-1])
    w.clock.advance(hours=25)
    await w.tick()
    plain = [m for m in w.sb.dms_for(bob) if "gentle reminder" in m.content]
    assert len(plain) == 1 and not plain[0].embeds


def test_the_neutral_line_names_the_server_only_when_its_name_tells_nothing() -> None:
    from bot.discord.messages import discreet_line  # absent before the setting

    assert discreet_line("Harbor Lounge") == "You have a new message from Harbor Lounge."
    assert discreet_line("Rainbow Peers") == "You have a new message."
    assert discreet_line("Mentoring Circle") == "You have a new message."
    assert discreet_line(None) == "You have a new message."
