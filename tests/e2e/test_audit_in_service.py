"""Moderators' safety actions audit themselves: the entry commits with the action's rows, before any
Discord call. When the audit write fails, the action does not happen at all; a refusal is still answered."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.audit.log import AuditedUnit, AuditLog
from bot.audit.models import AuditEntry
from bot.discord.tree import UNEXPECTED
from bot.pairing.models import Block, MemberProfile
from bot.safety.models import AccessGrant, Report, SafetySettings
from tests.e2e.conftest import World
from tests.e2e.test_safety import paired

REFUSED = "Only the program's moderators can use /peeradmin commands."


def break_audit_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(self: AuditedUnit, *args: Any, **kwargs: Any) -> int:
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr(AuditedUnit, "record", failing)


async def entries(world: World) -> list[tuple[str, int | None, int | None, list[int], str]]:
    rows = await world.rows(select(AuditEntry).order_by(AuditEntry.id))
    return [(e.action, e.actor_id, e.pair_id, e.member_ids, e.detail) for e in rows]


async def test_a_grant_whose_audit_fails_is_not_given(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _alice, _bob, pair = await paired(world)
    posted = len(world.sb.messages_in(pair.space_id))
    break_audit_writes(monkeypatch)
    result = await world.run(world.mod, "peeradmin safety access", pair=pair.id, reason="checking a report")
    assert result.ephemeral and result.content == UNEXPECTED
    assert not await world.rows(select(AccessGrant))  # no grant row
    assert len(world.sb.messages_in(pair.space_id)) == posted  # no notice posted
    assert not world.sb.can_view(world.mod, pair.space_id)  # no access given
    assert not [e for e in await entries(world) if e[0].startswith("access")]


async def test_a_block_whose_audit_fails_is_not_made(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    break_audit_writes(monkeypatch)
    result = await world.run(world.mod, "peeradmin safety block", member_a=alice, member_b=bob)
    assert result.content == UNEXPECTED
    assert not await world.rows(select(Block))
    paused = await world.run(world.mod, "peeradmin program pause")
    assert paused.content == UNEXPECTED
    assert not await world.rows(select(SafetySettings).where(SafetySettings.paused))
    forgotten = await world.run(world.mod, "peeradmin forget", member=alice)
    assert forgotten.content == UNEXPECTED
    assert len(await world.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id))) == 1


async def test_a_refusal_is_answered_even_when_its_audit_fails(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    await world.setup()
    carol = world.member("carol")
    world.sb.override_command_permissions(world.guild, "peeradmin", everyone=True)
    break_audit_writes(monkeypatch)
    result = await world.run(carol, "peeradmin program pause")
    assert result.ephemeral and result.content == REFUSED and len(result.messages) == 1
    assert not await world.running.bot.safety.is_paused(world.guild.id)  # type: ignore[union-attr]


async def test_every_safety_action_is_in_the_log_when_it_answers(world: World) -> None:
    alice, bob, pair = await paired(world)
    carol = world.member("carol")
    await world.join(carol)
    opened = await world.run(alice, "peer report")
    await (await world.sb.submit_modal(alice, opened, {"report_text": "Not okay."})).wait_done(timeout=10)
    start = len(await entries(world))
    mod = world.mod.id
    steps: list[tuple[str, dict[str, Any], tuple[str, int | None, int | None, list[int], str]]] = [
        ("program pause", {}, ("pause", mod, None, [], "")),
        ("program pause", {}, ("pause", mod, None, [], "no change")),
        ("program resume", {}, ("resume", mod, None, [], "")),
        ("program retention", {"days": 30}, ("retention", mod, None, [], "days=30")),
        ("safety block", {"member_a": bob, "member_b": carol}, ("block", mod, None, [bob.id, carol.id], "")),
        ("safety unblock", {"member_a": bob, "member_b": carol}, ("unblock", mod, None, [bob.id, carol.id], "")),
        ("safety reports", {}, ("reports", mod, None, [], "1 open")),
        ("member", {"member": carol}, ("member", mod, None, [carol.id], "")),
        ("stats", {}, ("stats", mod, None, [], "")),
        ("audit", {"member": bob}, ("audit", mod, None, [bob.id], "")),
        ("safety access", {"pair": pair.id, "reason": "case 1"}, ("access", mod, pair.id, [], "minutes=60")),
        ("safety resolve", {"case": 1, "action": "pause", "note": "n"},
         ("resolve", mod, pair.id, [], "action=pause, note set")),
        ("forget", {"member": carol}, ("forget", mod, None, [carol.id], "")),
    ]  # fmt: skip
    for command, options, expected in steps:
        before = len(await entries(world))
        result = await world.run(world.mod, f"peeradmin {command}", **options)
        assert result.content != UNEXPECTED, command
        assert (await entries(world))[before:] == [expected], command  # already there when it answered
    assert len(await entries(world)) == start + len(steps)
    resolved = await world.one(Report, Report.id == 1)
    assert resolved.status == "resolved" and resolved.resolution == "pause"
    assert (await AuditLog(world.sessions).verify()).intact


async def test_resources_saved_with_their_entry(world: World) -> None:
    await world.setup()
    opened = await world.run(world.mod, "peeradmin program resources")
    saved = await world.sb.submit_modal(world.mod, opened, {"resources_text": "Call 988"})
    await saved.wait_done(timeout=10)
    assert "saved" in (saved.content or "")
    assert (await entries(world))[-1] == ("resources", world.mod.id, None, [], "8 characters")  # before the answer
    assert (await world.one(SafetySettings, SafetySettings.guild_id == world.guild.id)).resources == "Call 988"
