"""The adapter for scheduled deliveries (:class:`bot.checkins.outbox.OutboxPort`) with discord.py.

Each message goes to a channel id the service already knows (a pair space, or the DM channel stored
at opt-in: one request each, never a DM channel opened in bulk), with the delivery's ``nonce`` (which
discord.py sends with ``enforce_nonce``), and may notify only the users in ``ping``. discord.py itself
retries 429 and 5xx answers a few times; anything left is reported back, never retried here.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord

from bot.checkins.outbox import ButtonSpec, Outgoing, Sent
from bot.discord.spaces import DMS_CLOSED_CODE, NO_PINGS, pings

log = logging.getLogger(__name__)

UNKNOWN_CHANNEL = 10003
MISSING_ACCESS = 50001
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


def buttons_view(buttons: tuple[ButtonSpec, ...]) -> discord.ui.View:
    """Plain buttons whose custom ids the bot's DynamicItems answer, so they work after a restart."""
    view = discord.ui.View(timeout=None)
    for spec in buttons:
        view.add_item(discord.ui.Button(label=spec.label, custom_id=spec.custom_id, style=STYLES[spec.style]))
    return view


class DiscordOutbox:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def deliver(self, message: Outgoing) -> Sent:
        if message.is_dm:
            channel = self.client.get_partial_messageable(message.channel_id, type=discord.ChannelType.private)
        else:
            channel = self.client.get_partial_messageable(message.channel_id, guild_id=message.guild_id)
        kwargs: dict[str, Any] = {
            "nonce": message.nonce,
            "allowed_mentions": pings(message.ping) if message.ping else NO_PINGS,
        }
        if message.buttons:
            kwargs["view"] = buttons_view(message.buttons)
        try:
            sent = await channel.send(message.text, **kwargs)
        except discord.Forbidden as exc:
            if exc.code == DMS_CLOSED_CODE:
                return Sent("dms_closed", code=exc.code)
            return Sent("gone", code=exc.code)
        except discord.NotFound as exc:
            return Sent("gone", code=exc.code)
        except discord.HTTPException as exc:
            log.warning(
                "a scheduled message failed (HTTP %s, error %s); it will be retried later", exc.status, exc.code
            )
            return Sent("retry", code=exc.code)
        except (aiohttp.ClientError, TimeoutError):
            log.warning("a scheduled message could not reach Discord; it will be retried later")
            return Sent("retry")
        return Sent("sent", message_id=sent.id)

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        channel = self.client.get_partial_messageable(log_channel_id)
        await channel.send(text, allowed_mentions=NO_PINGS)
