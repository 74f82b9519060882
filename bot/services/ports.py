"""What the services need from the outside world, as protocols. ``bot/discord_adapter.py`` implements
them with discord.py; tests may implement them with anything. Services never import discord."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SpacePlan:
    """Where and for whom to open a private pair space."""

    guild_id: int
    name: str
    member_ids: tuple[int, ...]
    category_id: int | None
    overflow_category_ids: tuple[int, ...]
    hub_channel_id: int | None


@dataclass(frozen=True)
class OpenedSpace:
    space_id: int
    kind: str  # "channel" or "thread"
    new_category_id: int | None = None  # an overflow category opened for it


class SpacePort(Protocol):
    async def open_space(self, plan: SpacePlan) -> OpenedSpace:
        """Open a space only the members and the bot can see; raise SpaceError if that cannot be done."""
        ...

    async def discard_space(self, guild_id: int, space_id: int) -> None:
        """Delete a space that was opened for a pair that could not be recorded."""
        ...

    async def find_space(self, guild_id: int, name: str) -> int | None:
        """The id of a space with this name, if one exists (for start-up reconciliation)."""
        ...

    async def post_in_space(
        self, guild_id: int, space_id: int, text: str, ping: tuple[int, ...] = (), agreement_pair_id: int | None = None
    ) -> None:
        """Post a message in a pair space; only the users in ``ping`` may be notified. With
        ``agreement_pair_id``, the message carries the "Our agreement" button for that pair."""
        ...

    async def archive_space(self, guild_id: int, space_id: int, kind: str, member_ids: tuple[int, ...]) -> None:
        """Make an ended pair's space read-only for its members (content is kept for them)."""
        ...

    async def tell_member(
        self, guild_id: int, user_id: int, dm_channel_id: int | None, text: str, offer_rematch: bool = False
    ) -> bool:
        """DM a member (with a "find me a new match" button if asked); False when their DMs are closed."""
        ...

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        """Post a status line (never member content) in the moderators' log channel."""
        ...
