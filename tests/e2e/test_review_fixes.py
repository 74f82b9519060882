"""Failure paths found in review: private tags, unanswered buttons, departed members, deletion later."""

from __future__ import annotations

from sqlalchemy import select

from bot.pairing.models import MemberProfile, Pair
from tests.e2e.conftest import World


async def test_dry_run_never_shows_moderators_the_tags_members_shared_with_peers(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice, tags="trans, HIV+")
    await world.join(bob, tags="trans, HIV+")
    dry = await world.run(world.mod, "peeradmin match", dry_run=True)
    content = dry.content or ""
    assert "1 pairs proposed" in content
    assert "trans" not in content
    assert "HIV" not in content
    await world.run(world.mod, "peeradmin match")
    pair = await world.one(Pair, Pair.status == "active")
    welcome = world.sb.messages_in(pair.space_id)[0].content
    assert "both chose" in welcome  # the pair themselves do see what they share


async def test_rematch_button_answers_even_when_it_cannot_pair(world: World) -> None:
    await world.setup()
    alice, bob, carol = world.member("alice"), world.member("bob"), world.member("carol")
    await world.join(alice)
    await world.join(bob)
    await world.run(alice, "peer request")
    await world.run(alice, "peer end")
    await world.join(carol)
    assert f"<@{carol.id}>" in ((await world.run(bob, "peer request")).content or "")
    # bob then presses the old "Find me a new match" button from his DM
    pressed = await world.sb.press_button(bob, world.sb.dms_for(bob)[-1], f"tandem:rematch:{world.guild.id}")
    await pressed.wait_done(timeout=10)
    assert pressed.content == "You're already paired; /peer status shows your partner and your space."


async def test_a_member_who_left_while_the_bot_was_away_does_not_stop_the_round(world: World) -> None:
    await world.setup()
    people = [world.member(n) for n in ("ana", "ben", "cy", "dee")]
    for person in people:
        await world.join(person)
    assert world.running is not None
    await world.running.stop()
    world.running = None
    await world.sb.remove_member(world.guild, people[1])  # nobody is listening
    await world.start_bot()
    result = await world.run(world.mod, "peeradmin match")
    assert "Made 1 pairs." in (result.content or "")
    paired = {uid for p in await world.rows(select(Pair).where(Pair.status == "active")) for uid in p.user_ids}
    assert people[1].id not in paired
    assert len(paired) == 2
    gone = await world.one(MemberProfile, MemberProfile.user_id == people[1].id)
    assert gone.opted_in is False


async def test_deletion_can_be_chosen_later_after_keeping(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    await world.join(alice)
    first = await world.run(alice, "peer leave")
    kept = await world.sb.press_button(alice, first.messages[-1], "tandem:leave:keep")
    await kept.wait_done(timeout=10)
    second = await world.run(alice, "peer leave")
    assert second.ephemeral
    assert "delete your profile" in (second.content or "")
    deleted = await world.sb.press_button(alice, second.messages[-1], "tandem:leave:delete")
    await deleted.wait_done(timeout=10)
    assert "deleted" in (deleted.content or "")
    assert await world.rows(select(MemberProfile)) == []
