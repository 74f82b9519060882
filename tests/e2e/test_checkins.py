"""Check-ins end to end: the agreement, prompts at the right local time, private and shared notes,
support, catch-up after downtime, pausing, and failures while prompts go out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.audit.log import AuditedUnit
from bot.audit.models import AuditEntry
from bot.checkins.models import CheckIn, CheckinSchedule, PairAgreement
from bot.pairing.models import GuildSettings
from tests.e2e.clock_world import ClockWorld, clock_world


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


NY = {"timezone": "America/New_York"}


def button_ids(message: object) -> str:
    return json.dumps(getattr(message, "components", []))


async def agree(w: ClockWorld, who: object, space_id: int, **values: str) -> object:
    welcome = w.sb.messages_in(space_id)[0]
    opened = await w.sb.press_button(who, welcome, next(iter(_ids(welcome, "tandem:agree:"))))
    await opened.wait_done(timeout=10)
    assert opened.modal is not None
    fields = {"objectives": "", "timeline": "", "frequency": "weekly", "boundaries": ""} | values
    saved = await w.sb.submit_modal(who, opened, fields)
    await saved.wait_done(timeout=10)
    return saved


def _ids(message: object, prefix: str) -> list[str]:
    found = []
    for row in getattr(message, "components", []):
        for comp in row.get("components", []):
            if str(comp.get("custom_id", "")).startswith(prefix):
                found.append(comp["custom_id"])
    return found


async def check_in(w: ClockWorld, who: object, prompt: object, **values: str) -> object:
    opened = await w.sb.press_button(who, prompt, _ids(prompt, "tandem:checkin:")[0])
    await opened.wait_done(timeout=10)
    fields = {"mood": "4", "progress": "", "note": "", "share": ""} | values
    saved = await w.sb.submit_modal(who, opened, fields)
    await saved.wait_done(timeout=10)
    return saved


async def test_agreement_sets_the_schedule_and_the_prompt_lands_in_both_daytimes(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair(bob=NY)
    assert pair.space_id is not None
    welcome = w.sb.messages_in(pair.space_id)[0]
    assert "Our agreement" in button_ids(welcome)
    # Bob's day in New York runs 14:00-22:00; the server's default 18:00 Berlin is 12:00 for him
    hours = await w.run(bob, "checkin hours", start=14, end=22)
    assert hours.ephemeral
    saved = await agree(w, alice, pair.space_id, objectives="Finish my CV", frequency="Thursday", boundaries="No calls")
    assert saved.ephemeral and "every Thursday" in (saved.content or "")  # type: ignore[attr-defined]
    agreement = await w.one(PairAgreement, PairAgreement.pair_id == pair.id)
    assert (agreement.objectives, agreement.frequency_text) == ("Finish my CV", "Thursday")
    row = await w.one(CheckinSchedule, CheckinSchedule.pair_id == pair.id)
    # 14:00 in New York = 20:00 in Berlin (inside Alice's 09-21) = 19:00 UTC, on Thursday 5 March
    assert row.next_due_at == datetime(2026, 3, 5, 19, 0, tzinfo=UTC)
    assert "updated your pair agreement" in w.sb.messages_in(pair.space_id)[-1].content

    w.clock.set(datetime(2026, 3, 5, 18, 59, tzinfo=UTC))
    await w.tick()
    assert w.prompts_in(pair.space_id) == []
    w.clock.set(datetime(2026, 3, 5, 19, 0, tzinfo=UTC))
    await w.tick()
    await w.tick()
    prompts = w.prompts_in(pair.space_id)
    assert len(prompts) == 1
    assert set(prompts[0].mentions) == {alice.id, bob.id}  # type: ignore[attr-defined]
    assert "tandem:checkin:" in button_ids(prompts[0])
    assert "I could use support" in button_ids(prompts[0])

    # either member may revise it; bad input changes nothing
    bad = await agree(w, bob, pair.space_id, frequency="hourly")
    assert bad.ephemeral and "weekly" in (bad.content or "")  # type: ignore[attr-defined]
    assert (await w.one(CheckinSchedule, CheckinSchedule.pair_id == pair.id)).frequency == "weekday"


async def test_checkin_with_a_private_and_a_shared_note(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    w.clock.advance(days=7, hours=12)
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]

    bad = await check_in(w, alice, prompt, mood="9")
    assert bad.ephemeral and "1 (very low) to 5" in (bad.content or "")  # type: ignore[attr-defined]
    assert await w.rows(select(CheckIn)) == []

    private = await check_in(w, alice, prompt, mood="2", note="Rough week at home", share="no")
    assert "stays private" in (private.content or "")  # type: ignore[attr-defined]
    said = w.sb.messages_in(pair.space_id)[-1]
    assert said.content == f"<@{alice.id}> checked in."
    assert "Rough week" not in json.dumps([m.content for m in w.sb.messages_in(pair.space_id)])
    assert said.mentions == []  # it names Alice without pinging anyone

    shared = await check_in(w, bob, prompt, mood="5", note="Got the job! @everyone", share="yes")
    assert "shared" in (shared.content or "")  # type: ignore[attr-defined]
    said = w.sb.messages_in(pair.space_id)[-1]
    assert "Got the job!" in said.content and said.mentions == [] and not said.mention_everyone
    rows = await w.rows(select(CheckIn).order_by(CheckIn.id))
    assert [(r.user_id, r.mood, r.share_note) for r in rows] == [(alice.id, 2, False), (bob.id, 5, True)]


async def test_support_button_shows_the_server_text_to_that_member_alone(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    form = await w.run(w.mod, "peeradmin program resources")
    saved = await w.sb.submit_modal(w.mod, form, {"resources_text": "Call the Rainbow Line: 0800 123 456."})
    await saved.wait_done(timeout=10)
    w.clock.advance(days=8)
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]
    pressed = await w.sb.press_button(alice, prompt, f"tandem:support:{w.guild.id}")
    await pressed.wait_done(timeout=10)
    assert pressed.ephemeral
    assert pressed.content == "Call the Rainbow Line: 0800 123 456."
    assert "Rainbow Line" not in json.dumps([m.content for m in w.sb.messages_in(pair.space_id)])


async def test_downtime_catches_up_with_one_prompt(cworld: ClockWorld) -> None:
    w = cworld
    _alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    assert w.running is not None
    await w.running.stop()
    w.clock.advance(days=7 * 5)  # five weekly periods pass while the bot is down
    await w.start_bot()  # catch-up runs at start
    assert len(w.prompts_in(pair.space_id)) == 1
    await w.tick()
    assert len(w.prompts_in(pair.space_id)) == 1
    assert len(await w.deliveries("checkin")) == 1


async def test_nothing_is_sent_while_paused(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    bad = await w.run(alice, "checkin pause", until="2026-01-01")
    assert "already passed" in (bad.content or "")
    paused = await w.run(alice, "checkin pause", until="2026-03-20")
    assert paused.ephemeral and "paused until" in (paused.content or "")
    w.clock.advance(days=8)
    await w.tick()
    assert w.prompts_in(pair.space_id) == []
    resumed = await w.run(alice, "checkin resume")
    assert "on again" in (resumed.content or "")
    w.clock.advance(days=7)
    await w.tick()
    assert len(w.prompts_in(pair.space_id)) == 1


async def test_history_is_a_private_png(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    empty = await w.run(alice, "checkin history")
    assert "haven't checked in" in (empty.content or "")
    w.clock.advance(hours=12)
    for mood in ("2", "3", "5"):
        w.clock.advance(days=7)
        await w.tick()
        await check_in(w, alice, w.prompts_in(pair.space_id)[-1], mood=mood)
    chart = await w.run(alice, "checkin history")
    assert chart.ephemeral
    attachment = chart.messages[-1].attachments[0]
    assert w.sb.attachment_bytes(attachment).startswith(b"\x89PNG")


async def test_checkin_settings_are_audited_with_the_change(cworld: ClockWorld) -> None:
    w = cworld
    await w.setup()
    result = await w.run(w.mod, "peeradmin program checkins", default_time="19:30", quiet_after=4)
    assert "default time 19:30" in (result.content or "") and "after 4" in (result.content or "")
    settings = await w.one(GuildSettings, GuildSettings.guild_id == w.guild.id)
    assert (settings.checkin_minute, settings.quiet_after_missed) == (19 * 60 + 30, 4)
    entries = await w.rows(select(AuditEntry).where(AuditEntry.action == "checkins_set"))
    assert len(entries) == 1
    assert entries[0].actor_id == w.mod.id and entries[0].detail == "default_time=19:30, quiet_after=4"


async def test_checkin_settings_do_not_change_when_the_audit_entry_cannot_be_written(
    cworld: ClockWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = cworld
    await w.setup()
    await w.run(w.mod, "peeradmin program checkins", quiet_after=5)

    async def broken(*_args: object, **_kwargs: object) -> int:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(AuditedUnit, "record", broken)
    result = await w.run(w.mod, "peeradmin program checkins", default_time="07:00", quiet_after=2)
    assert result.ephemeral and "07:00" not in (result.content or "")
    settings = await w.one(GuildSettings, GuildSettings.guild_id == w.guild.id)
    assert settings.quiet_after_missed == 5 and settings.checkin_minute == 18 * 60  # both or neither
    entries = await w.rows(select(AuditEntry).where(AuditEntry.action == "checkins_set"))
    assert [e.detail for e in entries] == ["quiet_after=5"]
