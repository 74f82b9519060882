"""Reminders end to end: 24 hours unanswered, mentors' DMs, the DM fallback, going quiet, goals,
and failures while prompts go out (a deleted space, 429/5xx, a member who left)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.checkins.models import Goal
from bot.pairing.models import MemberProfile, Pair
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.e2e.helpers import eventually
from tests.e2e.test_checkins import check_in


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


MENTOR = {"role": "mentor", "capacity": 2}
MENTEE = {"role": "mentee", "timezone": "Europe/London"}
FIRST_DUE = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)  # a week after the pair starts, 18:00 Berlin


def texts(messages: list[object]) -> list[str]:
    return [str(getattr(m, "content", "")) for m in messages]


async def test_one_reminder_after_24_hours_to_who_has_not_answered(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    w.clock.set(FIRST_DUE)
    await w.tick()
    await check_in(w, alice, w.prompts_in(pair.space_id)[-1])
    w.clock.advance(hours=23)
    await w.tick()
    assert not any("gentle reminder" in t for t in texts(w.sb.dms_for(bob)))
    w.clock.advance(hours=1)
    await w.tick()
    w.clock.advance(hours=5)
    await w.tick()
    reminders = [t for t in texts(w.sb.dms_for(bob)) if "gentle reminder" in t]
    assert len(reminders) == 1
    assert not any("gentle reminder" in t for t in texts(w.sb.dms_for(alice)))
    # the reminder's button opens the same check-in modal, from the DM
    dm = next(m for m in w.sb.dms_for(bob) if "gentle reminder" in m.content)
    done = await check_in(w, bob, dm, mood="3")
    assert "Thank you" in (done.content or "")  # type: ignore[attr-defined]


async def test_mentor_dm_a_day_before_and_after_two_misses(cworld: ClockWorld) -> None:
    w = cworld
    mentor, mentee, pair = await w.pair("maria", "milo", maria=MENTOR, milo=MENTEE)
    assert pair.space_id is not None
    w.clock.set(datetime(2026, 3, 8, 16, 59, tzinfo=UTC))
    await w.tick()
    assert not any("Heads-up" in t for t in texts(w.sb.dms_for(mentor)))
    w.clock.set(datetime(2026, 3, 8, 17, 0, tzinfo=UTC))
    await w.tick()
    await w.tick()
    heads_up = [t for t in texts(w.sb.dms_for(mentor)) if "Heads-up" in t]
    assert len(heads_up) == 1 and f"<@{mentee.id}>" in heads_up[0]
    assert not any("Heads-up" in t for t in texts(w.sb.dms_for(mentee)))
    # the mentor checks in every week, the mentee misses two in a row
    for week in range(3):
        w.clock.set(FIRST_DUE.replace(day=9 + 7 * week))
        await w.tick()
        await check_in(w, mentor, w.prompts_in(pair.space_id)[-1])
    missed = [t for t in texts(w.sb.dms_for(mentor)) if "missed the last two" in t]
    assert len(missed) == 1 and f"<@{mentee.id}>" in missed[0]


async def test_closed_dms_fall_back_to_the_pair_space_with_one_mention(cworld: ClockWorld) -> None:
    w = cworld
    w.member("bob", dms_open=False)
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    w.clock.set(FIRST_DUE)
    await w.tick()
    await check_in(w, alice, w.prompts_in(pair.space_id)[-1])
    w.clock.advance(hours=25)
    await w.tick()
    fallback = [m for m in w.sb.messages_in(pair.space_id) if "gentle reminder" in m.content]
    assert len(fallback) == 1
    assert fallback[0].content.startswith(f"<@{bob.id}>")
    assert fallback[0].mentions == [bob.id]  # Bob only
    refused = [r for r in w.sb.find_requests("POST", r"/channels/\d+/messages") if r.status == 403]
    assert len(refused) == 1 and refused[0].response["code"] == 50007
    assert (await w.one(MemberProfile, MemberProfile.user_id == bob.id)).dms_closed is True
    # permanent: the next reminder goes straight to the space, no DM attempted
    w.clock.set(FIRST_DUE.replace(day=16))
    await w.tick()
    w.clock.advance(hours=25)
    await w.tick()
    refused = [r for r in w.sb.find_requests("POST", r"/channels/\d+/messages") if r.status == 403]
    assert len(refused) == 1


async def test_going_quiet_asks_the_partner_privately_and_pauses_the_quiet_member(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    await w.run(w.mod, "peeradmin program checkins", quiet_after=2)
    for week in range(3):
        w.clock.set(FIRST_DUE.replace(day=9 + 7 * week))
        await w.tick()
        await check_in(w, alice, w.prompts_in(pair.space_id)[-1])
    asked = [m for m in w.sb.dms_for(alice) if "hasn't checked in" in m.content]
    assert len(asked) == 1
    assert f"<@{bob.id}>" in asked[0].content and "without blame" in asked[0].content
    assert not any("hasn't checked in" in t for t in texts(w.sb.dms_for(bob)))
    assert "hasn't checked in" not in " ".join(texts(w.sb.messages_in(pair.space_id)))
    quiet = await w.one(MemberProfile, MemberProfile.user_id == bob.id)
    assert quiet.checkins_paused_until is not None
    # no more prompts while Bob is paused
    prompts = len(w.prompts_in(pair.space_id))
    w.clock.set(FIRST_DUE.replace(day=30))
    await w.tick()
    assert len(w.prompts_in(pair.space_id)) == prompts
    # Alice chooses to keep waiting
    pressed = await w.sb.press_button(alice, asked[0], f"tandem:quiet:{w.guild.id}:{pair.id}:keep")
    await pressed.wait_done(timeout=10)
    assert pressed.ephemeral and "keep waiting" in (pressed.content or "")


async def test_goal_from_add_to_done_with_its_reminders(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    # bad input: nothing changes
    for options, expected in (
        ({"objective": "Apply", "due": "2026-03-01"}, "in the past"),
        ({"objective": "Apply", "due": "next week"}, "YYYY-MM-DD"),
        ({"objective": "   "}, "can't be empty"),
    ):
        bad = await w.run(alice, "goal add", **options)
        assert bad.ephemeral and expected in (bad.content or ""), bad.content
    assert await w.rows(select(Goal)) == []

    added = await w.run(
        alice, "goal add", objective="Send three applications", due="2026-03-10", milestones="CV; letter"
    )
    assert added.ephemeral and "#" in (added.content or "")
    goal = await w.one(Goal, Goal.user_id == alice.id)
    bob_goal = await w.run(bob, "goal add", objective="Bob's own goal")
    assert bob_goal.ephemeral
    theirs = await w.one(Goal, Goal.user_id == bob.id)

    choices = await w.sb.autocomplete(w.guild, alice, "goal progress", focused="goal", value="appl")
    assert [c["value"] for c in choices] == [goal.id]
    out_of_range = await w.run(alice, "goal progress", goal=goal.id, percent=140)
    assert "0 to 100" in (out_of_range.content or "")
    not_mine = await w.run(alice, "goal progress", goal=theirs.id, percent=10)
    assert "among yours" in (not_mine.content or "")
    assert (await w.one(Goal, Goal.id == theirs.id)).percent == 0
    progressed = await w.run(alice, "goal progress", goal=goal.id, percent=40, note="one sent")
    assert "40%" in (progressed.content or "")

    # the day before (10:00 Berlin), and once after the date has passed
    w.clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    await w.tick()
    await w.tick()
    soon = [t for t in texts(w.sb.dms_for(alice)) if "is due on 2026-03-10" in t]
    assert len(soon) == 1 and "Send three applications" in soon[0]
    w.clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=UTC))
    await w.tick()
    w.clock.advance(days=1)
    await w.tick()
    passed = [t for t in texts(w.sb.dms_for(alice)) if "passed its date" in t]
    assert len(passed) == 1 and "/goal edit" in passed[0]

    done = await w.run(alice, "goal done", goal=goal.id)
    assert "complete" in (done.content or "")
    party = w.sb.messages_in(pair.space_id)[-1]
    assert "finished goal" in party.content and party.mentions == []
    # Bob turned celebrations off
    await w.run(bob, "goal celebrate", on=False)
    before = len(w.sb.messages_in(pair.space_id))
    await w.run(bob, "goal done", goal=theirs.id)
    assert len(w.sb.messages_in(pair.space_id)) == before
    listed = await w.run(alice, "goal list")
    assert "done" in (listed.content or "")
    removed = await w.run(bob, "goal remove", goal=theirs.id)
    assert removed.ephemeral


async def test_a_deleted_space_tells_moderators_and_the_prompt_is_not_lost(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    await w.sb.delete_channel(pair.space_id)
    w.clock.set(FIRST_DUE)
    await w.tick()
    assert any(f"pair #{pair.id}" in t for t in texts(w.sb.messages_in(w.log)))
    for member in (alice, bob):
        prompts = [m for m in w.sb.dms_for(member) if "Check-in time" in m.content]
        assert len(prompts) == 1
    await w.tick()
    assert len([m for m in w.sb.dms_for(alice) if "Check-in time" in m.content]) == 1


async def test_429_and_5xx_are_retried_and_each_prompt_arrives_once(cworld: ClockWorld) -> None:
    w = cworld
    _alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    w.sb.faults.fail_next("POST", rf"/channels/{pair.space_id}/messages", status=500, count=1)
    w.sb.faults.fail_next("POST", rf"/channels/{pair.space_id}/messages", status=429, count=2)
    w.clock.set(FIRST_DUE)
    await w.tick()
    assert len(w.prompts_in(pair.space_id)) == 1
    # a failure that outlasts discord.py's own retries waits for the next sweep, and still arrives once
    w.sb.faults.fail_next("POST", rf"/channels/{pair.space_id}/messages", status=503, count=10)
    w.clock.set(FIRST_DUE.replace(day=16))
    await w.tick()
    assert len(w.prompts_in(pair.space_id)) == 1
    assert [d.attempts for d in await w.deliveries("checkin")][-1] == 1
    w.sb.faults.pending.clear()
    w.clock.advance(minutes=5)
    await w.tick()
    assert len(w.prompts_in(pair.space_id)) == 2


async def test_a_member_who_left_gets_no_more_prompts(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    await w.sb.remove_member(w.guild, bob)

    async def ended() -> bool:
        return (await w.one(Pair, Pair.id == pair.id)).status == "ended"

    await eventually(ended)
    w.clock.set(FIRST_DUE)
    await w.tick()
    assert w.prompts_in(pair.space_id) == []
    assert [m for m in w.sb.dms_for(bob) if "Check-in" in m.content] == []
    assert alice is not None


async def test_pair_health_for_moderators_from_dates_only(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    listed = await w.run(w.mod, "peeradmin pairs")
    assert "on track" in (listed.content or "")
    w.clock.set(FIRST_DUE)
    await w.tick()
    await check_in(w, alice, w.prompts_in(pair.space_id)[-1], note="a private worry", share="no")
    w.clock.advance(days=3)
    listed = await w.run(w.mod, "peeradmin pairs")
    assert "check-in overdue" in (listed.content or "")  # Bob hasn't answered; nothing says what Alice wrote
    assert "worry" not in (listed.content or "")
    w.clock.advance(days=40)
    listed = await w.run(w.mod, "peeradmin pairs")
    assert "inactive" in (listed.content or "")
