"""High #1 and Low #15 (erasure side): "Delete my data" after /peer leave erases everything, through the
one erasure path, and the scan of every member-linked column finds nothing of the member's left."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.audit.models import AuditEntry
from bot.checkins.models import CheckIn, Goal
from bot.pairing.models import Pair
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.security.erasure_world import (
    ID_ALLOWLIST,
    NOTE,
    PLANTED,
    full_program,
    leftovers,
    member_linked_columns,
)


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


async def export_of(w: ClockWorld, who: object) -> str:
    result = await w.run(who, "peer data export")
    return w.sb.attachment_bytes(result.messages[-1].attachments[0]).decode()


async def test_leave_then_delete_my_data_erases_every_source(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await full_program(w)
    assert NOTE in await export_of(w, alice)  # the attack's starting point: the note is held
    assert await w.rows(select(CheckIn).where(CheckIn.user_id == alice.id))
    left = await w.run(alice, "peer leave")
    pressed = await w.sb.press_button(alice, left.messages[-1], "tandem:leave:delete")
    await pressed.wait_done(timeout=10)

    assert await w.rows(select(CheckIn).where(CheckIn.user_id == alice.id)) == []
    assert await w.rows(select(Goal).where(Goal.user_id == alice.id)) == []
    assert (await w.one(Pair, Pair.id == pair.id)).reasons == []  # "you share: coming out" is gone
    exported = json.loads(await export_of(w, alice))
    assert exported["profile"] is None and exported["pairings"] == [] and exported["dont_pair_me_with"] == []
    assert exported["checkins_and_goals"]["checkins"] == [] and exported["checkins_and_goals"]["goals"] == []
    again = await w.run(alice, "peer data delete")
    assert again.content == "Tandem holds no data about you on this server."

    async with w.sessions() as session:
        assert await leftovers(session, alice.id, PLANTED) == []
    assert "Meet weekly" in await export_of(w, bob)  # the joint agreement stays for the partner
    assert "everything you wrote are deleted" in (pressed.content or ""), pressed.content


async def test_the_scan_covers_every_member_linked_column() -> None:
    """The scan walks the metadata: a new table or column is covered without editing the test, and the
    allowlist names only columns that exist."""
    columns = member_linked_columns()
    for expected in [
        ("checkins", "note"),
        ("checkins", "user_id"),
        ("goals", "milestones"),
        ("member_profiles", "about"),
        ("pair_history", "user_low"),
        ("pair_members", "user_id"),
        ("pairs", "reasons"),
        ("deliveries", "mention_user_id"),
        ("pair_agreements", "updated_by"),
        ("reports", "reporter_id"),
        ("audit_log", "reason"),
    ]:
        assert expected in columns
    assert set(ID_ALLOWLIST) <= set(columns)


async def test_peer_data_delete_and_forget_take_the_same_path(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, _pair = await full_program(w)
    asked = await w.run(alice, "peer data delete")
    await (await w.sb.press_button(alice, asked.message, "tandem:data:erase")).wait_done(timeout=10)
    async with w.sessions() as session:
        assert await leftovers(session, alice.id, PLANTED) == []
    forgotten = await w.run(w.mod, "peeradmin forget", member=bob)
    assert "data is erased" in (forgotten.content or "")
    async with w.sessions() as session:
        assert await leftovers(session, bob.id, ()) == []


async def test_erasure_takes_the_moderators_reasons_about_the_member_and_the_chain_still_verifies(
    cworld: ClockWorld,
) -> None:
    """Medium #6 (erasure side): a break-glass reason names what a member went through; it must not outlive
    the member's erasure, and erasing it must not break the audit chain."""
    w = cworld
    alice, _bob, pair = await w.pair()
    reason = "reported suicidal thoughts after the move"
    granted = await w.run(w.mod, "peeradmin safety access", pair=pair.id, reason=reason)
    assert "until" in (granted.content or ""), granted.content
    assert reason in [e.reason for e in await w.rows(select(AuditEntry))]
    forgotten = await w.run(w.mod, "peeradmin forget", member=alice)
    assert "rror" not in (forgotten.content or ""), forgotten.content
    assert reason not in [e.reason for e in await w.rows(select(AuditEntry))]
    assert w.running is not None
    check = await w.running.bot.audit.verify()
    assert check.intact, check
