"""Slash commands, deferrals, edits, modals, buttons, autocomplete, double acknowledgement."""

from __future__ import annotations

import pytest

from bot.sandbox import SandboxError

from .conftest import World


async def test_slash_command_answered_ephemeral(world: World) -> None:
    res = await world.sb.invoke(world.guild, world.alice, "peer join", role="peer", timezone="Europe/Berlin")
    await res.wait_done(timeout=5)
    assert res.response_type == 4
    assert res.ephemeral
    assert res.content == "Joined as peer in Europe/Berlin"
    assert world.sb.messages_in(world.guild.system_channel) == []  # nobody else sees it
    assert [m.content for m in world.sb.messages_in(world.guild.system_channel, include_ephemeral=True)] == [
        "Joined as peer in Europe/Berlin"
    ]


async def test_deferred_then_followup(world: World) -> None:
    res = await world.sb.invoke(world.guild, world.alice, "peer status")
    await res.wait_done(timeout=5)
    assert res.response_type == 5
    assert res.ephemeral
    assert res.content == "You are paired"
    assert len(res.messages) == 1  # the follow-up filled the "thinking" message


async def test_edit_original_response(world: World) -> None:
    res = await world.sb.invoke(world.guild, world.alice, "peer progress")
    await res.wait_done(timeout=5)
    await world.sb.wait_for_request("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", timeout=5)
    assert res.content == "done: 3 goals"
    assert not res.ephemeral
    channel_msgs = world.sb.messages_in(world.guild.system_channel)
    assert [m.content for m in channel_msgs] == ["done: 3 goals"]
    assert channel_msgs[0].edited_timestamp is not None


async def test_modal_round_trip(world: World) -> None:
    sb = world.sb
    res = await sb.invoke(world.guild, world.alice, "peer profile")
    await res.wait_done(timeout=5)
    assert res.response_type == 9
    assert res.modal is not None and res.modal["title"] == "About you"
    sub = await sb.submit_modal(world.alice, res, {"about": "I like hiking", "pronouns": "she/her"})
    await sub.wait_done(timeout=5)
    assert sub.content == "Saved: I like hiking"
    assert sub.ephemeral
    assert world.rec.modal_values == [{"about": "I like hiking", "pronouns": "she/her"}]
    with pytest.raises(SandboxError):
        await sb.submit_modal(world.alice, res, {"unknown": "x"})


async def test_button_press_updates_message(world: World) -> None:
    sb = world.sb
    res = await sb.invoke(world.guild, world.alice, "peer confirm")
    await res.wait_done(timeout=5)
    message = res.messages[0]
    assert message.components[0]["components"][0]["custom_id"] == "confirm"
    press = await sb.press_button(world.alice, message, "confirm")
    await press.wait_done(timeout=5)
    assert press.response_type == 7
    assert message.content == "Confirmed by alice"
    assert message.components == []


async def test_autocomplete(world: World) -> None:
    choices = await world.sb.autocomplete(
        world.guild, world.alice, "peer join", focused="timezone", value="euro", role="peer"
    )
    assert [c["value"] for c in choices] == ["Europe/Berlin", "Europe/Paris"]


async def test_second_acknowledgement_is_40060(world: World) -> None:
    res = await world.sb.invoke(world.guild, world.alice, "peer twice")
    await world.sb.wait_for_request("POST", r"/webhooks/\d+/[^/]+", timeout=5)
    assert [m.content for m in res.messages] == ["first", "error 40060"]
    failed = world.sb.find_requests("POST", r"/interactions/\d+/[^/]+/callback", status=400)
    assert failed[0].response == {"message": "Interaction has already been acknowledged", "code": 40060}


async def test_late_answer_is_unknown_interaction(world: World) -> None:
    world.sb.limits.interaction_response_seconds = 0.0
    res = await world.sb.invoke(world.guild, world.alice, "peer join", role="peer", timezone="Asia/Tokyo")
    reqs = await world.sb.wait_for_request("POST", r"/interactions/\d+/[^/]+/callback", timeout=5)
    assert reqs[0].status == 404 and reqs[0].response["code"] == 10062
    assert res.response_type is None


async def test_options_validated_like_discord_client(world: World) -> None:
    sb, guild, alice = world.sb, world.guild, world.alice
    with pytest.raises(SandboxError):
        await sb.invoke(guild, alice, "peer join", role="boss", timezone="x")  # not a choice
    with pytest.raises(SandboxError):
        await sb.invoke(guild, alice, "peer join", role="peer")  # required option missing
    with pytest.raises(SandboxError):
        await sb.invoke(guild, alice, "peer join", role="peer", timezone="x", colour="red")
    with pytest.raises(SandboxError):
        await sb.invoke(guild, alice, "peer nope")


async def test_restricted_command_and_override(world: World) -> None:
    sb, guild = world.sb, world.guild
    with pytest.raises(SandboxError):
        await sb.invoke(guild, world.alice, "peeradmin pair", first=world.alice, second=world.bob)
    sb.override_command_permissions(guild, "peeradmin", everyone=True)
    res = await sb.invoke(guild, world.alice, "peeradmin pair", first=world.alice, second=world.bob)
    await res.wait_done(timeout=5)
    assert res.content == "Paired alice and bob"
    owner = await sb.invoke(guild, guild.owner, "peeradmin pair", first=world.bob, second=world.alice)
    await owner.wait_done(timeout=5)
    assert owner.content == "Paired bob and alice"


async def test_channel_option_and_select_menu(world: World) -> None:
    sb, guild = world.sb, world.guild
    hub = sb.add_text_channel(guild, "peer-hub", parent=sb.add_category(guild, "Peer Spaces"))
    # "channel" is an option of /peer space, so the command itself runs in general
    res = await sb.invoke(guild, world.alice, "peer space", channel=hub, topic="careers")
    await res.wait_done(timeout=5)
    assert res.content == "peer-hub:careers"
    assert res.messages[0].channel_id == guild.system_channel.id
    with pytest.raises(SandboxError):
        await sb.select(world.alice, res.messages[0], "topics", ["astrology"])
    picked = await sb.select(world.alice, res.messages[0], "topics", ["careers", "studies"])
    await picked.wait_done(timeout=5)
    assert picked.content == "Topics: careers, studies"
    assert picked.ephemeral


async def test_invoke_in_another_channel(world: World) -> None:
    sb, guild = world.sb, world.guild
    hub = sb.add_text_channel(guild, "peer-hub")
    res = await sb.invoke(guild, world.alice, "peer progress", in_channel=hub)
    await res.wait_done(timeout=5)
    assert res.messages[0].channel_id == hub.id
    hidden = sb.add_text_channel(guild, "hidden", overwrites=[{"id": guild.id, "type": 0, "deny": 1 << 10}])
    with pytest.raises(SandboxError):
        await sb.invoke(guild, world.alice, "peer progress", in_channel=hidden)
