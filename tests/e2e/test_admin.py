"""/peeradmin: setup, match (dry run and real), pair, unpair, pairs, and who may use them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.pairing.models import Block, GuildSettings, Pair, PairMember
from bot.sandbox import SandboxError
from tests.e2e.conftest import World
from tests.e2e.helpers import CHANNEL_CREATE, one_sentence


async def count_pairs(world: World) -> int:
    async with world.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Pair)) or 0)


async def test_setup_records_settings(world: World) -> None:
    result = await world.setup()
    assert result.ephemeral
    assert "The peer program is set up." in (result.content or "")
    settings = await world.one(GuildSettings, GuildSettings.guild_id == world.guild.id)
    assert settings.category_id == world.category.id
    assert settings.hub_channel_id == world.hub.id
    assert settings.log_channel_id == world.log.id
    assert settings.topics == ["writing", "career change", "coming out", "music", "veterans life"]


async def test_setup_warns_about_administrator_roles(world: World) -> None:
    world.sb.add_role(world.guild, "Owners", permissions=1 << 3)  # ADMINISTRATOR
    result = await world.setup()
    assert "Administrator" in (result.content or "")
    assert "can see every channel" in (result.content or "")


async def test_setup_refuses_a_category_the_bot_cannot_manage(world: World) -> None:
    world.sb.set_bot_permissions(world.guild, (1 << 10) | (1 << 11))  # view + send only
    result = await world.setup()
    assert "Manage Channels" in (result.content or "")
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(GuildSettings)) == 0


async def test_members_without_permission_are_refused_even_if_discord_allows_them(world: World) -> None:
    carol = world.member("carol")
    with pytest.raises(SandboxError):  # Discord hides default_member_permissions commands from her
        await world.run(carol, "peeradmin pairs")
    world.sb.override_command_permissions(world.guild, "peeradmin", everyone=True)
    refused = await world.run(carol, "peeradmin setup", category=world.category)
    assert refused.ephemeral
    assert refused.content == "Only the program's moderators can use /peeradmin commands."
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(GuildSettings)) == 0
    match = await world.run(carol, "peeradmin match")
    assert match.content == "Only the program's moderators can use /peeradmin commands."


async def test_moderator_role_grants_access(world: World) -> None:
    team = world.sb.add_role(world.guild, "Peer Team", permissions=0)
    await world.setup(moderator_role=team)
    dana = world.member("dana", roles=[team])
    world.sb.override_command_permissions(world.guild, "peeradmin", everyone=True)
    result = await world.run(dana, "peeradmin pairs")
    assert result.content == "There are no open pairs yet."


async def test_dry_run_creates_nothing_then_real_round_pairs(world: World) -> None:
    await world.setup()
    languages = {"ana": "en", "ben": "de", "cam": "fr", "dee": "es", "eli": "it"}
    people = {name: world.member(name) for name in languages}
    for name, language in languages.items():  # nobody shares a language yet: everyone waits
        await world.join(people[name], topics="music", languages=language)
        assert "waitlist" in ((await world.run(people[name], "peer request")).content or "")
    for name in ("ana", "ben", "cam", "dee"):  # now four of them share English
        await world.join(people[name], topics="music", languages="English")
    dry = await world.run(world.mod, "peeradmin match", dry_run=True)
    assert dry.ephemeral
    content = dry.content or ""
    assert "**Dry run**: 2 pairs proposed; nothing was created." in content
    assert "score" not in content  # part of a score comes from tags moderators never see (issue 10)
    assert "you share: music" in content
    assert f"<@{people['eli'].id}>: Nobody waiting right now speaks Italian" in content
    assert dry.messages[-1].allowed_mentions == {"parse": []}
    assert not world.sb.find_requests("POST", CHANNEL_CREATE)
    assert await count_pairs(world) == 0
    real = await world.run(world.mod, "peeradmin match")
    assert "Made 2 pairs." in (real.content or "")
    assert len(world.sb.find_requests("POST", CHANNEL_CREATE)) == 2
    assert await count_pairs(world) == 2
    eli = await world.run(people["eli"], "peer status")
    assert "waitlist" in (eli.content or "")


async def test_match_on_empty_waitlist(world: World) -> None:
    await world.setup()
    result = await world.run(world.mod, "peeradmin match", dry_run=True)
    assert result.content == "The waitlist is empty: nobody is waiting for a partner."


async def test_manual_pair_and_every_bad_input(world: World) -> None:
    await world.setup()
    alice, bob, carol, dave = (world.member(n) for n in ("alice", "bob", "carol", "dave"))
    robot = world.member("helper-bot", bot=True)
    for person in (alice, bob, carol):
        await world.join(person)

    async def refused(member_a: object, member_b: object, expected: str) -> None:
        creates = len(world.sb.find_requests("POST", CHANNEL_CREATE))
        pairs = await count_pairs(world)
        result = await world.run(world.mod, "peeradmin pair", member_a=member_a, member_b=member_b)
        assert result.ephemeral
        assert expected in (result.content or ""), result.content
        assert one_sentence(result.content)
        assert len(world.sb.find_requests("POST", CHANNEL_CREATE)) == creates
        assert await count_pairs(world) == pairs

    await refused(alice, robot, "Bots can't take part")
    await refused(alice, alice, "two different members")
    await refused(alice, dave, "hasn't joined the program")
    ok = await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    assert "Paired:" in (ok.content or "")
    await refused(carol, alice, "already paired")
    await world.run(alice, "peer end", dont_pair_again=True)
    await refused(alice, bob, "confidential block")
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Block)) == 1


async def test_pairs_lists_status_without_content(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    listing = await world.run(world.mod, "peeradmin pairs")
    assert "**Open pairs: 1**" in (listing.content or "")
    assert f"<@{alice.id}>" in (listing.content or "")
    assert "active" in (listing.content or "")
    assert "Welcome" not in (listing.content or "")


async def test_unpair_tells_both_kindly(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    result = await world.run(world.mod, "peeradmin unpair", member=bob)
    assert "both members were told kindly" in (result.content or "")
    for person in (alice, bob):
        dms = world.sb.dms_for(person)
        assert dms
        assert "not a judgement" in dms[-1].content
    async with world.sessions() as session:
        open_members = await session.scalar(select(func.count()).select_from(PairMember).where(PairMember.is_open))
    assert open_members == 0
    again = await world.run(world.mod, "peeradmin unpair", member=bob)
    assert again.content == f"<@{bob.id}> isn't paired right now."
