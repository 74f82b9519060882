"""Answering interactions: always ephemeral unless said otherwise, and never pinging anyone."""

from __future__ import annotations

from typing import Any

import discord

from bot.core.bounds import clip, layout
from bot.core.text import shown_plain

NO_PINGS = discord.AllowedMentions.none()
MAX_CONTENT = 2000


def plain(text: str) -> str:
    """Member-written text made safe to show: Tandem's one cleaning (bot.core.text.shown_plain)."""
    return shown_plain(text)


def fit(text: str, limit: int = MAX_CONTENT) -> str:
    """A list or answer within ``limit``, cut at a line end with "…and N more lines" (never silently)."""
    return clip(text, limit)


async def ack(interaction: discord.Interaction[Any]) -> None:
    """Acknowledge at once (an ephemeral "thinking…"), before any database write or Discord call: the
    3-second window never depends on how busy the database or a channel's message bucket is."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=True, thinking=True)


async def reply(
    interaction: discord.Interaction[Any],
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer the interaction, or follow up if it was already answered or deferred."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if content is not None and embed is None:
        fitted = layout(content)  # longer than 2,000: the rest goes into embeds, nothing is lost
        kwargs["content"] = fitted.content or None
        if fitted.descriptions:
            kwargs["embeds"] = [discord.Embed(description=d) for d in fitted.descriptions]
    elif content is not None:
        kwargs["content"] = fit(content)
    if embed is not None:
        kwargs["embed"] = embed
    if view is not None:
        kwargs["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def timestamp(value: Any, style: str = "D") -> str:
    return discord.utils.format_dt(value, style=style)  # type: ignore[arg-type]


def guild_of(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The interaction's server; commands are guild-only, so a DM here is refused kindly."""
    if interaction.guild is None:
        raise discord.app_commands.NoPrivateMessage
    return interaction.guild
