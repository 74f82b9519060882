"""Messages that fit Discord's limits by construction, failed posts that are never hidden, and setup checks
for the hub and the overflow categories; through the sandbox, which refuses what Discord refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.pairing.models import GuildSettings, Pair
from bot.safety.models import Report
from bot.sandbox.permissions import Overwrite
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.e2e.conftest import World
from tests.e2e.helpers import VIEW_CHANNEL, one_sentence
from tests.e2e.test_checkins import check_in
from tests.e2e.test_safety import paired

SEND_MESSAGES = 1 << 11
# 1,000 characters of what grows most when quoted and escaped (short lines of mentions and markdown):
# 2,176 characters once posted, more than a message's content holds
NOTE = "@everyone\n" + ("@\n<@\n**\n" * 200)[:990]
REPORT = ("@everyone **b** `c` _i_ ~s~ |x| #h [l](u) <:e:1> -\n" * 40)[:1500]
FORMS = "/messages"


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


def refused_posts(sb: Any) -> list[Any]:
    return [r for r in sb.find_requests("POST", r"/channels/\d+/messages") if r.status == 400]


def text_of(message: Any) -> str:
    return message.content + "".join(e.get("description", "") for e in message.embeds)


async def test_a_long_shared_note_is_posted_whole_and_pings_nobody(cworld: ClockWorld) -> None:
    w = cworld
    _alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    w.clock.advance(days=7, hours=12)
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]
    saved = await check_in(w, bob, prompt, mood="3", note=NOTE, share="yes")
    assert "shared" in (saved.content or "")  # type: ignore[attr-defined]
    assert refused_posts(w.sb) == []
    said = w.sb.messages_in(pair.space_id)[-1]
    assert f"<@{bob.id}> checked in" in said.content
    assert said.embeds, "the note goes into an embed"
    assert len(said.content) <= 2000 and all(len(e["description"]) <= 4096 for e in said.embeds)
    shown = "".join(e["description"] for e in said.embeds)  # the note, quoted
    assert shown.count("@") == NOTE.count("@") and shown.count("**") == NOTE.count("**")  # nothing cut
    assert said.mentions == [] and not said.mention_everyone and said.allowed_mentions == {"parse": []}


async def test_a_check_in_whose_post_fails_tells_the_member(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    w.clock.advance(days=7, hours=12)
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]
    bot_id = w.sb.bot_user.id
    w.sb.channel(pair.space_id).overwrite_map[bot_id] = Overwrite(bot_id, 1, VIEW_CHANNEL, SEND_MESSAGES)
    saved = await check_in(w, alice, prompt, mood="4", note="Good week", share="yes")
    answer = saved.content or ""  # type: ignore[attr-defined]
    assert "saved" in answer and "couldn't post" in answer and one_sentence(answer)


async def test_a_long_report_reaches_the_log_channel_whole(world: World) -> None:
    alice, _bob, _pair = await paired(world)
    opened = await world.run(alice, "peer report")
    sent = await world.sb.submit_modal(alice, opened, {"report_text": REPORT})
    await sent.wait_done(timeout=10)
    assert "case #1" in (sent.content or "")
    assert refused_posts(world.sb) == []
    posted = world.sb.messages_in(world.log)[-1]
    assert "Case #1" in posted.content and posted.allowed_mentions == {"parse": []}
    assert text_of(posted).count("everyone") == REPORT.count("everyone")
    assert (await world.one(Report, Report.id == 1)).delivered
    listing = await world.run(world.mod, "peeradmin safety reports")
    assert "not delivered" not in (listing.content or "")
    assert "more characters)" in (listing.content or "")  # the listing's excerpt says it is one


async def test_a_report_the_log_channel_refuses_is_kept_and_flagged(world: World) -> None:
    alice, _bob, _pair = await paired(world)
    bot_id = world.sb.bot_user.id
    world.log.overwrite_map[bot_id] = Overwrite(bot_id, 1, VIEW_CHANNEL, SEND_MESSAGES)
    opened = await world.run(alice, "peer report")
    sent = await world.sb.submit_modal(alice, opened, {"report_text": "Please help."})
    await sent.wait_done(timeout=10)
    assert "case #1" in (sent.content or "")
    report = await world.one(Report, Report.id == 1)
    assert report.text == "Please help." and not report.delivered
    listing = await world.run(world.mod, "peeradmin safety reports")
    assert "Case #1" in (listing.content or "") and "not delivered" in (listing.content or "")


async def test_setup_refuses_an_announcement_channel_as_hub(world: World) -> None:
    news = world.sb.add_announcement_channel(world.guild, "announcements")
    await world.sb.gateway.flush()
    result = await world.setup(hub=news)
    assert "text channel" in (result.content or "") and one_sentence(result.content)
    assert await world.rows(select(GuildSettings)) == []  # nothing changed


async def test_setup_refuses_a_hub_members_cannot_see(world: World) -> None:
    bot_id = world.sb.bot_user.id
    everything = (1 << 10) | (1 << 11) | (1 << 34) | (1 << 36) | (1 << 38) | (1 << 16)
    hidden = world.sb.add_text_channel(
        world.guild,
        "hidden-hub",
        overwrites=[
            {"id": world.guild.id, "type": 0, "allow": 0, "deny": VIEW_CHANNEL},
            {"id": bot_id, "type": 1, "allow": everything, "deny": 0},
        ],
    )
    await world.sb.gateway.flush()
    result = await world.setup(hub=hidden)
    assert "can't see" in (result.content or "") and one_sentence(result.content)
    assert await world.rows(select(GuildSettings)) == []
    ok = await world.setup()  # the visible hub is accepted
    assert "set up" in (ok.content or "")


async def test_an_overflow_category_of_a_long_name_stays_within_100(world: World) -> None:
    long = world.sb.add_category(world.guild, "Peer Spaces " + "x" * 88)
    await world.sb.gateway.flush()
    assert len(long.name) == 100
    await world.setup(category=long)
    world.sb.limits.max_category_channels = 1
    for name in ("p1", "p2", "p3", "p4"):
        person = world.member(name)
        await world.join(person)
        await world.run(person, "peer request")
    pairs = await world.rows(select(Pair).where(Pair.status == "active"))
    assert len(pairs) == 2
    overflow = ({world.sb.channel(p.space_id).parent_id for p in pairs} - {long.id}).pop()
    name = world.sb.channel(overflow).name
    assert len(name) <= 100 and name.endswith(" 2") and name.startswith("Peer Spaces xxx")


async def test_a_hub_that_cannot_hold_private_threads_gives_moderators_a_hint(world: World) -> None:
    """A hub chosen before setup checked it (an announcement channel): the log channel says what to fix."""
    await world.setup()
    news = world.sb.add_announcement_channel(world.guild, "announcements")
    await world.sb.gateway.flush()
    async with world.sessions() as session, session.begin():
        settings = await session.get(GuildSettings, world.guild.id)
        assert settings is not None
        settings.hub_channel_id = news.id
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.sb.delete_channel(world.category)
    await world.run(alice, "peer request")
    result = await world.run(bob, "peer request")
    assert "nothing was changed" in (result.content or "")
    hint = world.sb.messages_in(world.log)[-1].content
    assert "text channel that members can see" in hint and "/peeradmin setup hub:" in hint
