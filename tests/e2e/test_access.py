"""Break-glass access: announced in the space first, audited, and ended by time, restarts included."""

from __future__ import annotations

from sqlalchemy import select

from bot.audit.models import AuditEntry
from bot.pairing.models import Pair
from bot.safety.models import AccessGrant
from tests.e2e.conftest import World
from tests.e2e.helpers import DrivenClock, eventually, one_sentence
from tests.e2e.test_safety import paired

REASON = "Case #1 says there is harassment @everyone here"


async def driven(world: World) -> DrivenClock:
    clock = DrivenClock()
    world.clock = clock
    await world.restart_bot()
    return clock


async def grant(world: World, pair: Pair, **options: object) -> str:
    result = await world.run(world.mod, "peeradmin safety access", pair=pair.id, reason=REASON, **options)
    assert result.ephemeral
    return result.content or ""


async def test_access_is_announced_audited_and_expires_by_itself(world: World) -> None:
    clock = await driven(world)
    _alice, _bob, pair = await paired(world)
    assert not world.sb.can_view(world.mod, pair.space_id)
    answer = await grant(world, pair, minutes=30)
    assert f"pair #{pair.id}'s space until" in answer and "told" in answer
    assert world.sb.can_view(world.mod, pair.space_id)
    assert world.sb.read_messages_as(world.mod, pair.space_id)  # read history too
    notice = world.sb.messages_in(pair.space_id)[-1]
    assert notice.content.startswith(f"A moderator, <@{world.mod.id}>, can see this space until <t:")
    assert "because: Case \\#1 says there is harassment @\u200beveryone here" in notice.content
    assert notice.allowed_mentions["parse"] == [] and not notice.allowed_mentions.get("users")  # never pinged

    async def audited() -> bool:
        rows = await world.rows(select(AuditEntry).where(AuditEntry.action == "access"))
        return bool(rows) and rows[0].pair_id == pair.id and rows[0].reason == REASON.replace("\u200b", "")

    await eventually(audited)
    entry = (await world.rows(select(AuditEntry).where(AuditEntry.action == "access")))[0]
    assert entry.actor_id == world.mod.id and "minutes=30" in entry.detail

    clock.advance(minutes=29)
    await world.running.bot.access_expiry.run_now()  # type: ignore[union-attr]
    assert world.sb.can_view(world.mod, pair.space_id)
    clock.advance(minutes=2)
    await world.running.bot.access_expiry.run_now()  # type: ignore[union-attr]
    assert not world.sb.can_view(world.mod, pair.space_id)
    assert "access to this space has ended" in world.sb.messages_in(pair.space_id)[-1].content
    row = await world.one(AccessGrant, AccessGrant.pair_id == pair.id)
    assert row.ended_at is not None
    ended = await world.rows(select(AuditEntry).where(AuditEntry.action == "access_ended"))
    assert len(ended) == 1 and ended[0].actor_id is None and ended[0].member_ids == [world.mod.id]


async def test_a_restart_neither_loses_nor_extends_a_grant(world: World) -> None:
    clock = await driven(world)
    _alice, _bob, pair = await paired(world)
    await grant(world, pair)  # the default: 60 minutes
    await world.restart_bot()
    await world.running.bot.access_expiry.run_now()  # type: ignore[union-attr]
    assert world.sb.can_view(world.mod, pair.space_id)  # not lost
    row = await world.one(AccessGrant, AccessGrant.pair_id == pair.id)
    assert row.ended_at is None and (row.expires_at - row.granted_at).total_seconds() == 3600

    await world.running.stop()  # type: ignore[union-attr]
    clock.advance(hours=2)  # the grant expired while the bot was down
    await world.start_bot()

    async def revoked_and_told() -> bool:
        told = "has ended" in world.sb.messages_in(pair.space_id)[-1].content
        return told and not world.sb.can_view(world.mod, pair.space_id)

    await eventually(revoked_and_told)  # at once at start, not an hour later


async def test_bad_access_requests_change_nothing(world: World) -> None:
    await driven(world)
    alice, bob, pair = await paired(world)
    async with world.sessions.begin() as session:
        other = Pair(
            guild_id=4242, status="active", space_name="pair-elsewh", space_id=pair.space_id, created_by="moderator"
        )
        session.add(other)
    other_pair = await world.one(Pair, Pair.guild_id == 4242)
    before = len(world.sb.messages_in(pair.space_id))
    cases = [
        ({"pair": 999, "reason": "checking"}, "There is no pair #999 on this server."),
        ({"pair": other_pair.id, "reason": "checking"}, f"There is no pair #{other_pair.id} on this server."),
        ({"pair": pair.id, "reason": "   "}, "Give a reason for looking into this pair's space; the pair will see it."),
        ({"pair": pair.id, "reason": "checking", "minutes": 0}, None),
        ({"pair": pair.id, "reason": "checking", "minutes": 1441}, None),
    ]
    for options, expected in cases:
        result = await world.run(world.mod, "peeradmin safety access", **options)
        assert result.ephemeral and one_sentence(result.content), result.content
        assert expected is None or result.content == expected
        if expected is None:
            assert "1 to 1440 minutes" in (result.content or "")
    await world.run(world.mod, "peeradmin unpair", member=alice)
    ended = await world.run(world.mod, "peeradmin safety access", pair=pair.id, reason="checking")
    assert ended.content == f"Pair #{pair.id} has ended, so there is no open space to look into."
    assert not await world.rows(select(AccessGrant))
    assert not world.sb.can_view(world.mod, pair.space_id)
    assert all("can see this space" not in m.content for m in world.sb.messages_in(pair.space_id)[before:])
    assert bob  # the partner is untouched throughout


async def test_access_to_a_thread_space_adds_the_moderator_to_the_thread(world: World) -> None:
    clock = await driven(world)
    await world.run(world.mod, "peeradmin setup", hub=world.hub, log_channel=world.log, topics="music")
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    pair = await world.one(Pair, Pair.status == "active")
    assert pair.space_kind == "thread" and not world.sb.can_view(world.mod, pair.space_id)
    await grant(world, pair, minutes=5)
    assert world.sb.can_view(world.mod, pair.space_id)
    assert "can see this space until" in world.sb.messages_in(pair.space_id)[-1].content
    clock.advance(minutes=6)
    await world.running.bot.access_expiry.run_now()  # type: ignore[union-attr]
    assert not world.sb.can_view(world.mod, pair.space_id)
