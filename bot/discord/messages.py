"""Every message the bot sends on its own goes through here: one way to reach a channel, one way to open
and send a DM, one way to post with a nonce, one way to post in the moderators' log channel.

Each message may notify only the users in ``ping``; member text can ping nobody. A DM goes to the DM
channel stored at opt-in (one request), and a DM channel is opened only when none is stored (discord.py
caches only 128 of them). Nothing here retries in a loop: discord.py retries 429 and 5xx a few times.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord

from bot.core.bounds import layout
from bot.discord.link import ClientLink
from bot.discord.log_channel import LogChannelGuard

log = logging.getLogger(__name__)

DMS_CLOSED_CODE = 50007
NO_PINGS = discord.AllowedMentions.none()

DMResult = Literal["sent", "closed", "failed"]
Outcome = Literal["sent", "closed", "gone", "retry"]


def pings(user_ids: tuple[int, ...]) -> discord.AllowedMentions:
    """Mentions that notify exactly these users, never a role or everyone."""
    if not user_ids:
        return NO_PINGS
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(u) for u in user_ids]
    )


def outcome_of(exc: BaseException) -> Outcome:
    """What a failed send means: the member's DMs are closed, the channel is gone, or try later."""
    if isinstance(exc, discord.Forbidden):
        return "closed" if exc.code == DMS_CLOSED_CODE else "gone"
    if isinstance(exc, discord.NotFound):
        return "gone"
    return "retry"


def message_body(text: str) -> dict[str, Any]:
    """``content`` and ``embeds`` for discord.py's send: the text laid out within Discord's limits."""
    fitted = layout(text)
    body: dict[str, Any] = {"content": fitted.content or None}
    if fitted.descriptions:
        body["embeds"] = [discord.Embed(description=d) for d in fitted.descriptions]
    return body


# words a discreet DM's content never holds (a lock-screen preview shows the content, not the embed)
TELLING_WORDS = ("peer", "mentor", "mentee", "support", "pairing", "check-in", "checkin", "partner", "tandem")


def discreet_line(server_name: str | None) -> str:
    """A discreet DM's whole content: who it is from, nothing about what. A server whose name itself
    tells (say "Peer Support Circle") is not named."""
    name = " ".join((server_name or "").split())
    if not name or len(name) > 100 or any(word in name.casefold() for word in TELLING_WORDS):
        return "You have a new message."
    return f"You have a new message from {name}."


def discreet_body(text: str, server_name: str | None) -> dict[str, Any]:
    """``content`` and ``embeds`` for a discreet DM: the neutral line as content, all of ``text`` in embeds."""
    fitted = layout("\n\n" + text)  # no first line that could become the content
    descriptions = [d for d in (fitted.content.strip(), *fitted.descriptions) if d]
    return {"content": discreet_line(server_name), "embeds": [discord.Embed(description=d) for d in descriptions]}


class DiscordMessages:
    def __init__(self, link: ClientLink) -> None:
        self._link = link
        self.log_guard = LogChannelGuard()

    @property
    def client(self) -> discord.Client:
        return self._link.client

    # ----- where ---------------------------------------------------------------------------------

    def channel(self, channel_id: int, guild_id: int | None = None) -> discord.abc.Messageable:
        """A guild channel or thread by id: the cached one, else a partial one (no request)."""
        guild = self.client.get_guild(guild_id) if guild_id is not None else None
        found = guild.get_channel_or_thread(channel_id) if guild is not None else self.client.get_channel(channel_id)
        if isinstance(found, discord.abc.Messageable):
            return found
        return self.client.get_partial_messageable(channel_id, guild_id=guild_id)

    async def open_dm(self, user_id: int) -> int | None:
        """Open a member's DM channel (during their own interaction) and give its id to keep."""
        try:
            return await self._open_dm(user_id)
        except discord.HTTPException as exc:
            log.warning("could not open a DM channel (HTTP %s, error %s)", exc.status, exc.code)
            return None

    async def _open_dm(self, user_id: int) -> int:
        user = self.client.get_user(user_id)
        if user is not None:
            return (await user.create_dm()).id  # no request when discord.py still has it cached
        return int((await self.client.http.start_private_message(user_id))["id"])

    async def _dm_channel(self, user_id: int | None, dm_channel_id: int | None) -> discord.abc.Messageable:
        if dm_channel_id is None:
            if user_id is None:
                raise ValueError("a DM needs the stored DM channel or the member")
            dm_channel_id = await self._open_dm(user_id)
        return self.client.get_partial_messageable(dm_channel_id, type=discord.ChannelType.private)

    # ----- sending -------------------------------------------------------------------------------

    async def post(
        self,
        target: discord.abc.Messageable,
        text: str,
        *,
        ping: tuple[int, ...] = (),
        view: discord.ui.View | None = None,
        nonce: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> discord.Message:
        """The one place the bot sends a message. With ``nonce``, discord.py sends it with
        ``enforce_nonce``, so Discord answers a resend with the first message instead of a second.

        Text longer than a message's content goes into embeds (:func:`bot.core.bounds.layout`), so a
        message fits Discord's limits by construction; ``body`` is a layout already made (a discreet DM)."""
        kwargs: dict[str, Any] = {"allowed_mentions": pings(ping), **(body or message_body(text))}
        if view is not None:
            kwargs["view"] = view
        if nonce is not None:
            kwargs["nonce"] = nonce
        return await target.send(**kwargs)

    async def send_dm(
        self,
        text: str,
        *,
        dm_channel_id: int | None = None,
        user_id: int | None = None,
        view: discord.ui.View | None = None,
        nonce: str | None = None,
        discreet_in: int | None = None,
    ) -> discord.Message:
        """The one way to send a DM: to the stored DM channel, else to one opened for the member.
        Raises discord.py's errors (:func:`outcome_of` tells what they mean).

        With ``discreet_in`` (the id of a server that chose discreet DMs), the content is only
        :func:`discreet_line` and the text goes in embeds: a notification preview shows the content only."""
        channel = await self._dm_channel(user_id, dm_channel_id)
        body = None
        if discreet_in is not None:
            guild = self.client.get_guild(discreet_in)
            body = discreet_body(text, guild.name if guild is not None else None)
        return await self.post(channel, text, view=view, nonce=nonce, body=body)

    async def dm(
        self,
        user_id: int,
        dm_channel_id: int | None,
        text: str,
        view: discord.ui.View | None = None,
        *,
        discreet_in: int | None = None,
    ) -> DMResult:
        """One DM, its failure reported rather than raised; never retried in a loop."""
        try:
            await self.send_dm(text, dm_channel_id=dm_channel_id, user_id=user_id, view=view, discreet_in=discreet_in)
        except discord.HTTPException as exc:
            if isinstance(exc, discord.Forbidden) and exc.code == DMS_CLOSED_CODE:
                return "closed"
            log.warning("DM to a member failed (HTTP %s, error %s)", exc.status, exc.code)
            return "failed"
        return "sent"

    async def post_to_log(self, log_channel_id: int, text: str) -> None:
        """A status line or a report in the moderators' log channel; pings nobody. The one way to post
        there: raises :class:`~bot.discord.log_channel.LogChannelExposed`, posting nothing, when anyone
        but moderators (and bots) can see the channel."""
        target = self.channel(log_channel_id)
        await self.log_guard.check(target)
        await self.post(target, text)
