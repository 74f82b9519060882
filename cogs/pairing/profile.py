"""/peer join and /peer profile: opting in with a profile, with autocomplete for the long lists."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from bot.pairing import Role, catalog
from bot.pairing.profiles import MAX_ABOUT_LENGTH, ProfileInput
from cogs.common.base import CogBase
from cogs.common.replies import ack, guild_of, reply
from cogs.pairing.texts import profile_lines

if TYPE_CHECKING:
    from bot.app.client import TandemBot

log = logging.getLogger(__name__)

ROLE_CHOICES = [
    Choice(name="Peer: someone in a similar place to me", value=Role.PEER.value),
    Choice(name="Mentor: I'd like to support someone", value=Role.MENTOR.value),
    Choice(name="Mentee: I'd like a mentor", value=Role.MENTEE.value),
]
LIFE_STAGE_CHOICES = [Choice(name=label, value=code) for code, label in catalog.LIFE_STAGES.items()]


def _complete_list(current: str, options: list[tuple[str, str]]) -> list[Choice[str]]:
    """Autocomplete the last item of a comma-separated list, keeping what was typed before it."""
    head, _, last = current.rpartition(",")
    prefix = f"{head.strip()}, " if head.strip() else ""
    choices = []
    for label, value in options:
        if last.strip().casefold() in label.casefold():
            full = f"{prefix}{value}"
            if len(full) <= 100:
                choices.append(Choice(name=full, value=full))
    return choices[:25]


class PeerProfileCommands(CogBase):
    @app_commands.command(name="join", description="Opt in to the peer program, or edit your profile")
    @app_commands.describe(
        role="How you'd like to take part",
        timezone="Your timezone, so check-ins land in your daytime (start typing a city)",
        languages="Languages you're happy to talk in, separated by commas",
        topics="What you'd like to talk about, from this server's list, separated by commas",
        tags="Optional community tags you choose to share with your peer, separated by commas",
        life_stage="Optional: where you are in life right now",
        about=f"Optional: a few words about you for your peer ({MAX_ABOUT_LENGTH} characters at most)",
        capacity="Mentors only: how many mentees you can support at once (1 to 5)",
    )
    @app_commands.choices(role=ROLE_CHOICES, life_stage=LIFE_STAGE_CHOICES)
    async def join(
        self,
        interaction: discord.Interaction[TandemBot],
        role: Choice[str],
        timezone: Range[str, 1, 64],
        languages: Range[str, 1, 200],
        topics: Range[str, 1, 300] | None = None,
        tags: Range[str, 1, 200] | None = None,
        life_stage: Choice[str] | None = None,
        about: Range[str, 1, MAX_ABOUT_LENGTH] | None = None,
        capacity: Range[int, 1, 5] | None = None,
    ) -> None:
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        raw = ProfileInput(
            role=role.value,
            timezone=timezone,
            languages=languages,
            topics=topics,
            tags=tags,
            life_stage=life_stage.value if life_stage else None,
            about=about,
            capacity=capacity,
        )
        profile, created = await self.bot.profiles.join(guild.id, interaction.user.id, raw)
        if profile.dm_channel_id is None:
            await self._remember_dm_channel(interaction)
        if created:
            text = (
                "Welcome to the peer program! Your profile is saved and you're in the pool for the next "
                "matching round; /peer request pairs you right away if a good partner is waiting."
            )
        else:
            text = "Your profile is updated; /peer profile shows it."
        await reply(interaction, text)

    async def _remember_dm_channel(self, interaction: discord.Interaction[TandemBot]) -> None:
        """Open the member's DM channel now, inside their own interaction, and keep its id."""
        guild = guild_of(interaction)
        dm_channel_id = await self.bot.adapter.open_dm(interaction.user.id)
        if dm_channel_id is None:
            log.warning("could not open a DM channel for a member in guild %s", guild.id)
            return
        await self.bot.profiles.remember_dm_channel(guild.id, interaction.user.id, dm_channel_id)

    @join.autocomplete("timezone")
    async def _timezone_autocomplete(self, _i: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        return [Choice(name=tz, value=tz) for tz in catalog.search_timezones(current)]

    @join.autocomplete("languages")
    async def _languages_autocomplete(self, _i: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        options = [(f"{name} {code}", name) for code, name in sorted(catalog.LANGUAGES.items(), key=lambda x: x[1])]
        return _complete_list(current, options)

    @join.autocomplete("topics")
    async def _topics_autocomplete(self, interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        if interaction.guild_id is None:
            return []
        settings = await self.bot.profiles.settings(interaction.guild_id)
        topics = list(settings.topics) if settings else []
        return _complete_list(current, [(t, t) for t in topics])

    @app_commands.command(name="profile", description="See your profile (only you can see it)")
    async def profile(self, interaction: discord.Interaction[TandemBot]) -> None:
        guild = guild_of(interaction)
        await ack(interaction)
        profile = await self.bot.profiles.profile(guild.id, interaction.user.id)
        embed = discord.Embed(title="Your peer profile", description="\n".join(profile_lines(profile)))
        embed.set_footer(text="Edit it any time with /peer join. Only you can see this.")
        await reply(interaction, embed=embed)
