"""The discord.py client the adapter talks through, known once the bot exists.

The composition root builds the adapter before the bot (the services need it), and the bot binds itself
to it when it is made; nothing is sent before then.
"""

from __future__ import annotations

import discord


class ClientLink:
    def __init__(self) -> None:
        self._client: discord.Client | None = None

    def bind(self, client: discord.Client) -> None:
        self._client = client

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("the Discord adapter is not bound to a client yet")
        return self._client
