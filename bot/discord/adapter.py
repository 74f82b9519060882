"""The one Discord adapter: everything the services and cogs ask of Discord goes through it.

- :attr:`spaces`: pair spaces (:class:`bot.core.ports.SafetyPort`), for the pairing and safety services;
- :attr:`deliveries`: scheduled messages with nonces (:class:`bot.checkins.outbox.OutboxPort`);
- :attr:`messages`: the one way to send, to DM, to post with a nonce and to post in the log channel;
- :meth:`open_dm`: a member's DM channel, opened during their own interaction, whose id is kept.

It is built before the bot (the services need it) and bound to the bot when the bot is made.
"""

from __future__ import annotations

import discord

from bot.discord.deliveries import DiscordDeliveries
from bot.discord.link import ClientLink
from bot.discord.messages import DiscordMessages
from bot.discord.spaces import DiscordSpaces


class DiscordAdapter:
    def __init__(self) -> None:
        self._link = ClientLink()
        self.messages = DiscordMessages(self._link)
        self.spaces = DiscordSpaces(self._link, self.messages)
        self.deliveries = DiscordDeliveries(self.messages)

    def bind(self, client: discord.Client) -> None:
        """Talk through this client from now on (the bot calls this when it is made)."""
        self._link.bind(client)

    async def open_dm(self, user_id: int) -> int | None:
        """Open the member's DM channel and return its id to keep; ``None`` if Discord refused."""
        return await self.messages.open_dm(user_id)
