"""Issue 10, High #2: the log channel (reports, and who filed them) is seen by moderators only.

Replayed through the real bot against the sandbox: a log channel that hides itself from @everyone but
lets a Members role, or one member, view it is refused at setup; one that becomes visible later gets
nothing posted, the report is kept and flagged, and moderators are told on their next /peeradmin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.pairing.models import GuildSettings, Pair
from bot.safety.models import Report
from bot.sandbox.permissions import DEFAULT_EVERYONE, Overwrite
from tests.e2e.conftest import World, private_overwrites, running_world
from tests.e2e.helpers import MANAGE_GUILD, VIEW_CHANNEL, eventually, one_sentence

STOPPED = "stopped posting"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


def mod_role_of(world: World) -> Any:
    return next(r for r in world.guild.roles.values() if r.name == "Program Team")


async def seen_by_bot(world: World, channel: Any) -> None:
    """Wait until the bot's cache has the channel as the sandbox now has it."""
    await world.sb.gateway.flush()
    assert world.running is not None
    bot = world.running.bot

    async def cached() -> bool:
        found = bot.get_channel(channel.id)
        return found is not None and len(getattr(found, "overwrites", {})) == len(channel.overwrite_map)

    await eventually(cached)


async def log_channel(world: World, *extra: dict[str, int]) -> Any:
    """A channel hidden from @everyone, open to the moderator role and the bot, plus ``extra`` overwrites."""
    channel = world.sb.add_text_channel(
        world.guild, "mods-only", overwrites=[*private_overwrites(world.sb, world.guild, mod_role_of(world)), *extra]
    )
    await seen_by_bot(world, channel)
    return channel


async def members_role(world: World) -> Any:
    role = world.sb.add_role(world.guild, "Members")
    await world.sb.gateway.flush()
    return role


async def saved_log_channel(world: World) -> int | None:
    found = await world.rows(select(GuildSettings).where(GuildSettings.guild_id == world.guild.id))
    return found[0].log_channel_id if found else None


async def test_setup_refuses_a_log_channel_a_members_role_can_view(world: World) -> None:
    role = await members_role(world)
    alice = world.member("alice", roles=[role])
    channel = await log_channel(world, {"id": role.id, "type": 0, "allow": VIEW_CHANNEL, "deny": 0})
    assert world.sb.can_view(alice, channel) and not world.sb.can_view(world.member("carol"), channel)
    answer = await world.setup(log_channel=channel)
    assert answer.ephemeral and one_sentence(answer.content)
    assert f"<@&{role.id}>" in (answer.content or "") and "nothing was changed" in (answer.content or "")
    assert await saved_log_channel(world) is None  # nothing saved


async def test_setup_refuses_a_log_channel_seen_through_a_roles_server_wide_view_channel(world: World) -> None:
    """No overwrite at all: @everyone lacks View Channel server-wide, the Members role has it."""
    world.sb.set_everyone_permissions(world.guild, DEFAULT_EVERYONE & ~VIEW_CHANNEL)
    world.sb.set_role_permissions(world.guild, mod_role_of(world), DEFAULT_EVERYONE | MANAGE_GUILD)
    role = world.sb.add_role(world.guild, "Members", permissions=DEFAULT_EVERYONE)
    alice = world.member("alice", roles=[role])
    channel = world.sb.add_text_channel(world.guild, "quiet-log")
    await seen_by_bot(world, channel)
    assert world.sb.can_view(alice, channel) and not world.sb.can_view(world.member("carol"), channel)
    answer = await world.setup(log_channel=channel)
    assert one_sentence(answer.content) and f"<@&{role.id}>" in (answer.content or "")
    assert await saved_log_channel(world) is None


async def test_setup_refuses_a_log_channel_one_member_can_view(world: World) -> None:
    alice = world.member("alice")
    await world.sb.gateway.flush()
    channel = await log_channel(world, {"id": alice.id, "type": 1, "allow": VIEW_CHANNEL, "deny": 0})
    assert world.sb.can_view(alice, channel)
    await world.setup()  # a good setup first: a refused one must leave it as it was
    answer = await world.setup(log_channel=channel)
    assert one_sentence(answer.content) and f"<@{alice.id}>" in (answer.content or "")
    assert await saved_log_channel(world) == world.log.id


async def test_setup_accepts_a_moderators_only_log_channel_and_names_other_bots(world: World) -> None:
    other_bot = world.sb.add_member(world.guild, "statsbot", bot=True)
    moderator = world.member("sam-mod")  # a member overwrite for a moderator is fine
    await world.sb.set_member_roles(world.guild, moderator, [mod_role_of(world)])
    channel = await log_channel(
        world,
        {"id": other_bot.id, "type": 1, "allow": VIEW_CHANNEL, "deny": 0},
        {"id": moderator.id, "type": 1, "allow": VIEW_CHANNEL, "deny": 0},
    )
    answer = await world.setup(log_channel=channel)
    content = answer.content or ""
    assert content.startswith("The peer program is set up.")
    assert await saved_log_channel(world) == channel.id
    assert "other bots can read the log channel" in content and f"<@{other_bot.id}>" in content
    assert f"<@{moderator.id}>" not in content


async def file_report(world: World, who: Any, text: str) -> None:
    opened = await world.run(who, "peer report")
    assert opened.modal is not None
    sent = await world.sb.submit_modal(who, opened, {"report_text": text})
    await sent.wait_done(timeout=10)
    assert "case #" in (sent.content or "").lower()  # the reporter is answered as always


async def followed_up(result: Any, words: str) -> bool:
    async def found() -> bool:
        return any(words in (m.content or "") for m in result.messages)

    try:
        await eventually(found, timeout=3)
    except AssertionError:
        return False
    return True


async def test_a_log_channel_opened_to_members_later_gets_nothing_until_fixed(world: World) -> None:
    role = await members_role(world)
    await world.setup()
    alice, bob = world.member("alice", roles=[role]), world.member("bob", roles=[role])
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    await world.one(Pair, Pair.status == "active")
    before = len(world.sb.messages_in(world.log))

    # a moderator opens the log channel to the Members role: the reported partner could read reports
    world.log.overwrite_map[role.id] = Overwrite(role.id, 0, allow=VIEW_CHANNEL)
    world.sb.changes.channel_updated(world.log)
    await seen_by_bot(world, world.log)
    assert world.sb.can_view(alice, world.log)

    await file_report(world, bob, "Alice keeps pushing me to meet in person.")
    assert len(world.sb.messages_in(world.log)) == before  # nothing posted where alice can read it
    report = await world.one(Report, Report.reporter_id == bob.id)
    assert report.delivered is False and report.status == "open"  # kept, flagged

    listing = await world.run(world.mod, "peeradmin safety reports")
    assert "not delivered" in (listing.content or "")
    assert await followed_up(listing, STOPPED)  # told on the next /peeradmin command, how to fix it
    warning = next(m for m in listing.messages if STOPPED in (m.content or ""))
    assert warning.ephemeral and f"<@&{role.id}>" in warning.content and "View Channel" in warning.content

    # fixed: no warning any more, and the next report is posted
    del world.log.overwrite_map[role.id]
    world.sb.changes.channel_updated(world.log)
    await seen_by_bot(world, world.log)
    quiet = await world.run(world.mod, "peeradmin pairs")
    assert not await followed_up(quiet, STOPPED)
    await file_report(world, bob, "It happened again.")
    assert len(world.sb.messages_in(world.log)) == before + 1
    first, second = await world.rows(select(Report).order_by(Report.id))
    assert second.delivered is True and first.delivered is False  # the held one stays flagged
