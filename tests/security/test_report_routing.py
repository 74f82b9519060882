"""Issue 10, "Reports that reach the right people", replayed through the real bot against the sandbox.

- a report about a moderator never reaches the log channel or the case list that moderator reads: it goes
  to the server owner by DM (closed DMs: kept, flagged undelivered, listed for the owner only);
- the reporter is told when their case is closed, with the outcome's category only (never the note);
- moderators are reminded of cases open for more than 48 hours, at most once a day, across restarts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.pairing.models import Pair
from bot.safety.models import Report
from tests.e2e.clock_world import ClockWorld
from tests.e2e.conftest import World, running_world
from tests.e2e.helpers import eventually

REPORT = "The moderator in my pair keeps messaging me at night."
NOTE = "spoke to both, warned her privately"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


@pytest.fixture
async def clock_world(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with running_world(tmp_path, ClockWorld) as w:
        yield w


def mod_role_of(world: World) -> Any:
    return next(r for r in world.guild.roles.values() if r.name == "Program Team")


def owner_of(world: World) -> Any:
    return world.guild.members[world.guild.owner_id]


async def paired(world: World, a: Any, b: Any) -> Pair:
    await world.setup()
    await world.join(a)
    await world.join(b)
    await world.run(world.mod, "peeradmin pair", member_a=a, member_b=b)
    return await world.one(Pair, Pair.status == "active")


async def file_report(world: World, who: Any, text: str) -> int:
    opened = await world.run(who, "peer report")
    assert opened.modal is not None
    sent = await world.sb.submit_modal(who, opened, {"report_text": text})
    await sent.wait_done(timeout=10)
    assert "case #" in (sent.content or "").lower()  # the reporter is answered as always
    report: Report = (await world.rows(select(Report).where(Report.reporter_id == who.id)))[-1]
    return report.id


def texts(messages: list[Any]) -> str:
    return "\n".join((m.content or "") + "".join(e.get("description", "") for e in m.embeds) for m in messages)


# ----- 1. a report about a moderator -----------------------------------------------------------------


async def test_a_report_about_a_moderator_goes_to_the_owner_not_the_log_channel(world: World) -> None:
    alice, mo = world.member("alice"), world.member("mo", roles=[mod_role_of(world)])
    await paired(world, alice, mo)
    before = len(world.sb.messages_in(world.log))

    case = await file_report(world, alice, REPORT)
    assert len(world.sb.messages_in(world.log)) == before  # never where the reported moderator reads
    report = await world.one(Report, Report.id == case)
    assert report.confidential_to == world.guild.owner_id and report.delivered is True

    async def owner_told() -> bool:
        return REPORT in texts(world.sb.dms_for(owner_of(world).user))

    await eventually(owner_told)
    assert REPORT not in texts(world.sb.dms_for(mo.user))

    for moderator in (mo, world.mod):  # not in the case list any moderator reads, and not resolvable there
        listing = await world.run(moderator, "peeradmin safety reports")
        assert "no open reports" in (listing.content or "") and REPORT not in (listing.content or "")
        refused = await world.run(moderator, "peeradmin safety resolve", case=case, action="note")
        assert f"no case #{case}" in (refused.content or "")
    assert (await world.one(Report, Report.id == case)).status == "open"

    owners = await world.run(owner_of(world), "peeradmin safety reports")
    assert f"Case #{case}" in (owners.content or "")


async def test_a_report_about_a_moderator_with_the_owners_dms_closed_stays_with_the_owner(world: World) -> None:
    owner_of(world).user.dms_open = False
    alice, mo = world.member("alice"), world.member("mo", roles=[mod_role_of(world)])
    await paired(world, alice, mo)
    before = len(world.sb.messages_in(world.log))

    case = await file_report(world, alice, REPORT)
    assert len(world.sb.messages_in(world.log)) == before
    report = await world.one(Report, Report.id == case)
    assert report.delivered is False and report.confidential_to == world.guild.owner_id

    listing = await world.run(world.mod, "peeradmin safety reports")
    assert f"Case #{case}" not in (listing.content or "")
    owners = await world.run(owner_of(world), "peeradmin safety reports")
    assert f"Case #{case}" in (owners.content or "") and "not delivered" in (owners.content or "")


async def test_a_report_about_a_member_still_goes_to_the_log_channel(world: World) -> None:
    alice, bob = world.member("alice"), world.member("bob")
    await paired(world, alice, bob)
    before = len(world.sb.messages_in(world.log))
    case = await file_report(world, alice, "Bob keeps pushing me to meet.")
    assert len(world.sb.messages_in(world.log)) == before + 1
    assert (await world.one(Report, Report.id == case)).confidential_to is None
    assert not world.sb.dms_for(owner_of(world).user)


# ----- 2. the reporter is told when their case closes ------------------------------------------------


async def test_the_reporter_is_told_the_outcome_category_but_never_the_note(world: World) -> None:
    alice, bob = world.member("alice"), world.member("bob")
    await paired(world, alice, bob)
    case = await file_report(world, bob, "Alice keeps pushing me to meet in person.")
    before = len(world.sb.dms_for(bob.user))

    done = await world.run(world.mod, "peeradmin safety resolve", case=case, action="pause", note=NOTE)
    assert "paused" in (done.content or "")

    async def told() -> bool:
        return len(world.sb.dms_for(bob.user)) > before

    await eventually(told)
    closing = texts(world.sb.dms_for(bob.user)[before:])
    assert f"case #{case}" in closing and "closed" in closing and "paused" in closing
    assert NOTE not in closing and "warned" not in closing
    assert f"case #{case}" not in texts(world.sb.dms_for(alice.user))  # the partner is never told


async def test_a_reporter_with_closed_dms_does_not_stop_the_case_closing(world: World) -> None:
    alice, bob = world.member("alice"), world.member("bob")
    await paired(world, alice, bob)
    case = await file_report(world, bob, "Something is off.")
    bob.user.dms_open = False
    done = await world.run(world.mod, "peeradmin safety resolve", case=case, action="note", note=NOTE)
    assert f"Case #{case} is resolved" in (done.content or "")
    assert (await world.one(Report, Report.id == case)).status == "resolved"


# ----- 3. reminders of cases open for more than 48 hours ------------------------------------------


def reminders(world: World) -> list[Any]:
    return [m for m in world.sb.messages_in(world.log) if "open for more than 48 hours" in (m.content or "")]


async def run_reminders(world: ClockWorld) -> None:
    assert world.running is not None
    await world.running.bot.timers.get("tandem:open-cases").run_now()


async def test_open_cases_are_reminded_once_a_day_without_content_and_not_repeated_on_restart(
    clock_world: ClockWorld,
) -> None:
    world = clock_world
    alice, bob = world.member("alice"), world.member("bob")
    await paired(world, alice, bob)
    await file_report(world, bob, "Alice keeps pushing me to meet in person.")
    await file_report(world, alice, "Bob is unkind.")

    world.clock.advance(hours=47)
    await run_reminders(world)
    assert reminders(world) == []  # not yet 48 hours

    world.clock.advance(hours=2)
    await run_reminders(world)
    (line,) = reminders(world)
    assert line.content.startswith("2 cases open for more than 48 hours")
    assert "<@" not in line.content and "Alice" not in line.content and not line.embeds  # no content, no names

    world.clock.advance(hours=5)
    await run_reminders(world)
    await world.restart_bot()  # the first pass at start: nothing repeated
    await run_reminders(world)
    assert len(reminders(world)) == 1

    world.clock.advance(hours=20)  # a day after the first: the next one
    await run_reminders(world)
    assert len(reminders(world)) == 2


async def test_a_report_about_a_moderator_is_not_counted_in_the_reminder(clock_world: ClockWorld) -> None:
    world = clock_world
    alice, mo = world.member("alice"), world.member("mo", roles=[mod_role_of(world)])
    await paired(world, alice, mo)
    await file_report(world, alice, REPORT)
    world.clock.advance(hours=72)
    await run_reminders(world)
    assert reminders(world) == []  # the line would tell moderators the report exists
