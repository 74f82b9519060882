"""Scheduled deliveries (:class:`bot.checkins.outbox.OutboxPort`) with discord.py.

Each message goes to a channel id the service already knows (a pair space, or the DM channel stored at
opt-in: one request each, never a DM channel opened in bulk), with the delivery's ``nonce``, and may
notify only the users in ``ping``. discord.py itself retries 429 and 5xx answers a few times; anything
left is reported back, never retried here.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.checkins import Outgoing, SendStatus, Sent
from bot.discord.components import specs_view
from bot.discord.messages import DiscordMessages, Outcome, outcome_of

log = logging.getLogger(__name__)

STATUS: dict[Outcome, SendStatus] = {"sent": "sent", "closed": "dms_closed", "gone": "gone", "retry": "retry"}


class DiscordDeliveries:
    def __init__(self, messages: DiscordMessages) -> None:
        self.messages = messages

    async def deliver(self, message: Outgoing) -> Sent:
        view = specs_view(message.buttons) if message.buttons else None
        try:
            if message.is_dm:
                sent = await self.messages.send_dm(
                    message.text,
                    dm_channel_id=message.channel_id,
                    view=view,
                    nonce=message.nonce,
                    discreet_in=message.guild_id if message.discreet else None,
                )
            else:
                target = self.messages.channel(message.channel_id, message.guild_id)
                sent = await self.messages.post(target, message.text, ping=message.ping, view=view, nonce=message.nonce)
        except discord.HTTPException as exc:
            status = STATUS[outcome_of(exc)]
            if status == "retry":
                log.warning(
                    "a scheduled message failed (HTTP %s, error %s); it will be retried later", exc.status, exc.code
                )
            return Sent(status, code=exc.code)
        except (aiohttp.ClientError, TimeoutError):
            log.warning("a scheduled message could not reach Discord; it will be retried later")
            return Sent("retry")
        return Sent("sent", message_id=sent.id)

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        await self.messages.post_to_log(log_channel_id, text)
