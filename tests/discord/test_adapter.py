"""The adapter's single paths: one way to open and send a DM, one to post with a nonce, one to the log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.checkins.outbox import Action, ButtonSpec, Outgoing
from bot.core.errors import DmFailed
from bot.discord.adapter import DiscordAdapter
from bot.discord.log_channel import LogChannelExposed
from bot.sandbox import Message

from .conftest import Linked

ROOT = Path(__file__).resolve().parents[2]
OPEN_DM = r"/users/@me/channels"


def custom_ids(message: Message) -> list[str]:
    return [c["custom_id"] for row in message.components for c in row["components"]]


async def test_a_dm_channel_opened_in_an_interaction_is_the_one_later_dms_use(linked: Linked) -> None:
    sb, alice = linked.sb, linked.alice
    dm_channel_id = await linked.adapter.open_dm(alice.id)
    opened = sb.dm_channel_for(alice)
    assert opened is not None and dm_channel_id == opened.id
    assert len(sb.find_requests("POST", OPEN_DM)) == 1

    assert await linked.adapter.messages.dm(alice.id, dm_channel_id, "Your pairing has ended kindly.") == "sent"
    assert len(sb.find_requests("POST", OPEN_DM)) == 1  # the stored channel: no second opening
    [sent] = sb.dms_for(alice)
    assert sent.content == "Your pairing has ended kindly."
    assert sent.allowed_mentions == {"parse": []}


async def test_a_dm_without_a_stored_channel_opens_one(linked: Linked) -> None:
    assert await linked.adapter.messages.dm(linked.alice.id, None, "hello") == "sent"
    assert [m.content for m in linked.sb.dms_for(linked.alice)] == ["hello"]
    assert len(linked.sb.find_requests("POST", OPEN_DM)) == 1


async def test_closed_dms_are_reported_on_every_path(linked: Linked) -> None:
    adapter, bob = linked.adapter, linked.bob
    assert await adapter.messages.dm(bob.id, None, "hello") == "closed"
    assert not await adapter.spaces.tell_member(linked.guild.id, bob.id, None, "hello", offer_rematch=True)
    dm_channel_id = await adapter.open_dm(bob.id)
    assert dm_channel_id is not None
    sent = await adapter.deliveries.deliver(Outgoing(linked.guild.id, dm_channel_id, "Check in?", "n-1", is_dm=True))
    assert (sent.status, sent.code) == ("dms_closed", 50007)
    assert linked.sb.dms_for(bob) == []


async def test_the_ended_pairing_dm_offers_the_rematch_button(linked: Linked) -> None:
    told = await linked.adapter.spaces.tell_member(linked.guild.id, linked.alice.id, None, "ended", offer_rematch=True)
    assert told
    [sent] = linked.sb.dms_for(linked.alice)
    assert custom_ids(sent) == [f"tandem:rematch:{linked.guild.id}"]


async def test_a_scheduled_dm_goes_the_same_way_with_its_nonce(linked: Linked) -> None:
    sb, alice, guild = linked.sb, linked.alice, linked.guild
    dm_channel_id = await linked.adapter.open_dm(alice.id)
    assert dm_channel_id is not None
    buttons = (ButtonSpec(Action.CHECK_IN, guild.id, 45), ButtonSpec(Action.ASK_FOR_SUPPORT, guild.id, 45))
    message = Outgoing(guild.id, dm_channel_id, "Time to check in", "delivery-7", is_dm=True, buttons=buttons)
    first = await linked.adapter.deliveries.deliver(message)
    again = await linked.adapter.deliveries.deliver(message)  # a resend after a crash
    assert first.status == again.status == "sent"
    assert first.message_id == again.message_id
    [sent] = sb.dms_for(alice)
    assert sent.nonce == "delivery-7"
    assert custom_ids(sent) == [f"tandem:checkin:{guild.id}:45", f"tandem:support:{guild.id}"]
    assert len(sb.find_requests("POST", OPEN_DM)) == 1  # only the opening during the interaction


async def test_a_scheduled_post_in_a_space_pings_only_whom_it_names(linked: Linked) -> None:
    message = Outgoing(linked.guild.id, linked.space.id, "Check-in time", "delivery-8", ping=(linked.alice.id,))
    assert (await linked.adapter.deliveries.deliver(message)).status == "sent"
    [sent] = linked.sb.messages_in(linked.space)
    assert sent.nonce == "delivery-8"
    assert [int(u) for u in (sent.allowed_mentions or {}).get("users", [])] == [linked.alice.id]
    await linked.sb.delete_channel(linked.space)
    gone = await linked.adapter.deliveries.deliver(Outgoing(linked.guild.id, linked.space.id, "again", "delivery-9"))
    assert gone.status == "gone"


async def test_the_welcome_carries_the_adapters_buttons(linked: Linked) -> None:
    guild, space, spaces = linked.guild, linked.space, linked.adapter.spaces
    await spaces.post_in_space(guild.id, space.id, "Welcome!", ping=(linked.alice.id,), welcome_pair_id=45)
    [sent] = linked.sb.messages_in(space)
    assert custom_ids(sent) == [f"tandem:agree:{guild.id}:45", "tandem:report:45"]


async def test_both_ports_post_in_the_log_channel_the_same_way(linked: Linked) -> None:
    await linked.adapter.spaces.tell_moderators(linked.log.id, "A pair space could not be opened.")
    await linked.adapter.deliveries.tell_moderators(linked.log.id, "A pair space is gone.")
    posted = linked.sb.messages_in(linked.log)
    assert [m.content for m in posted] == ["A pair space could not be opened.", "A pair space is gone."]
    assert all(m.allowed_mentions == {"parse": []} for m in posted)


async def test_nothing_is_posted_in_a_log_channel_anyone_but_moderators_can_see(linked: Linked) -> None:
    public = linked.space  # @everyone can view it
    with pytest.raises(LogChannelExposed):
        await linked.adapter.spaces.tell_moderators(public.id, "Case #1: a private report.")
    with pytest.raises(LogChannelExposed):
        await linked.adapter.deliveries.tell_moderators(public.id, "A pair space is gone.")
    with pytest.raises(LogChannelExposed):  # a channel discord.py doesn't know is never posted in blind
        await linked.adapter.messages.post_to_log(123456789, "Case #2")
    assert linked.sb.messages_in(public) == []


async def test_an_unbound_adapter_refuses_to_send() -> None:
    with pytest.raises(RuntimeError, match="not bound"):
        await DiscordAdapter().messages.dm(1, 2, "hello")


def sources(*folders: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" not in path.parts:
                found[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return found


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [
        (r"(?<!followup)\.send\(", {"bot/discord/messages.py"}),  # interactions answer through their followup
        (r"create_dm\(|start_private_message\(", {"bot/discord/messages.py"}),
        (r"get_partial_messageable\(", {"bot/discord/messages.py"}),
        (r"\bnonce=", {"bot/discord/messages.py", "bot/discord/deliveries.py"}),
    ],
)
def test_only_the_adapter_sends_opens_dms_or_uses_nonces(pattern: str, allowed: set[str]) -> None:
    rx: Any = re.compile(pattern)
    users = {path for path, text in sources("bot", "cogs").items() if rx.search(text)}
    assert users == allowed


async def test_a_dm_discord_refuses_otherwise_is_never_taken_for_delivered(linked: Linked) -> None:
    """Only a sent DM counts: a refused one (here a stale DM channel, 404) raises, so a report to the
    server owner stays flagged "not delivered" and an ending notice does not mark the DMs closed."""
    with pytest.raises(DmFailed):
        await linked.adapter.spaces.tell_member(linked.guild.id, linked.alice.id, 4242, "a report")
    assert linked.sb.dms_for(linked.alice) == []
