"""/peer join, /peer profile: opting in through the real bot, and every bad input refused cleanly."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.pairing.models import MemberProfile
from bot.sandbox import SandboxError
from tests.e2e.conftest import World
from tests.e2e.helpers import one_sentence


async def test_join_stores_profile_and_dm_channel(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    result = await world.join(
        alice, topics="writing, Coming Out", tags="LGBTQ+", life_stage="career-change", about="I write poems."
    )
    assert result.ephemeral
    assert "Welcome to the peer program" in (result.content or "")
    profile = await world.one(MemberProfile, MemberProfile.user_id == alice.id)
    assert profile.topics == ["writing", "coming out"]
    assert profile.languages == ["en"]
    assert profile.tags == ["LGBTQ+"]
    assert profile.life_stage == "career-change"
    # The DM channel was opened inside alice's own interaction, and its id kept for reminders.
    dm_opens = world.sb.find_requests("POST", r"/users/@me/channels")
    assert len(dm_opens) == 1
    assert int(dm_opens[0].json["recipient_id"]) == alice.id
    assert profile.dm_channel_id == int(dm_opens[0].response["id"])

    again = await world.join(alice, role="mentee", languages="English, de", topics="music")
    assert "updated" in (again.content or "")
    profile = await world.one(MemberProfile, MemberProfile.user_id == alice.id)
    assert (profile.role, profile.languages, profile.topics) == ("mentee", ["en", "de"], ["music"])
    assert len(world.sb.find_requests("POST", r"/users/@me/channels")) == 1  # not opened twice


async def test_profile_shows_member_text_as_plain_text(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    about = "@everyone **hi** <@&123456789012345678> `x`"
    await world.join(alice, about=about)
    result = await world.run(alice, "peer profile")
    assert result.ephemeral
    body = result.embeds[0]["description"]
    assert "\\*\\*hi\\*\\*" in body
    assert "@\u200beveryone" in body
    message = result.messages[0]
    assert message.allowed_mentions == {"parse": []}
    assert not message.mention_everyone
    assert message.mentions == []
    assert message.mention_roles == []
    profile = await world.one(MemberProfile, MemberProfile.user_id == alice.id)
    assert profile.about == about  # stored as typed


async def test_autocomplete_timezones_languages_topics(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    zones = await world.sb.autocomplete(world.guild, alice, "peer join", focused="timezone", value="berl")
    assert [c["value"] for c in zones][:1] == ["Europe/Berlin"]
    langs = await world.sb.autocomplete(world.guild, alice, "peer join", focused="languages", value="English, Ger")
    assert {"name": "English, German", "value": "English, German"} in langs
    topics = await world.sb.autocomplete(world.guild, alice, "peer join", focused="topics", value="car")
    assert [c["value"] for c in topics] == ["career change"]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone isn't one I know"),
        ({"topics": "knitting"}, "not on this server's topic list"),
        ({"languages": "Elvish"}, "don't know the language"),
        ({"tags": "a-very-long-community-tag-that-goes-on"}, "32 characters"),
        ({"capacity": 3}, "only for mentors"),
        ({"tags": "<@&123>, **bold**"}, "letters, numbers, spaces"),
        (
            {"topics": "writing, music, coming out, career change, veterans life, writing2"},
            "not on this server's",
        ),
    ],
)
async def test_bad_profile_input_changes_nothing(world: World, options: dict[str, object], expected: str) -> None:
    await world.setup()
    alice = world.member("alice")
    result = await world.join(alice, **options)
    assert result.ephemeral
    assert expected in (result.content or "")
    assert one_sentence(result.content)
    async with world.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(MemberProfile)) == 0


async def test_discord_limits_are_declared_on_the_command(world: World) -> None:
    alice = world.member("alice")
    # Discord's client refuses an "about me" over 300 characters before the bot ever sees it.
    with pytest.raises(SandboxError, match=r"300|length"):
        await world.join(alice, about="x" * 301)
    assert not world.sb.find_requests("POST", r"/interactions/.*")


async def test_profile_before_join_says_what_to_do(world: World) -> None:
    result = await world.run(world.member("bob"), "peer profile")
    assert result.ephemeral
    assert result.content == "You haven't joined the peer program yet: use /peer join to opt in."
