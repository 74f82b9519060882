"""What the services need from the outside world, as protocols. ``bot/discord/spaces.py`` implements
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
        """The id of a space with this name, if one exists (for start-up reconciliation).

        Raises SpaceError when the server cannot be looked at right now."""
        ...

    async def post_in_space(
        self,
        guild_id: int,
        space_id: int,
        text: str,
        ping: tuple[int, ...] = (),
        welcome_pair_id: int | None = None,
    ) -> None:
        """Post a message in a pair space; only the users in ``ping`` may be notified. With
        ``welcome_pair_id``, the message carries that pair's "Our agreement" and private
        "Something's wrong" buttons."""
        ...

    async def archive_space(self, guild_id: int, space_id: int, kind: str, member_ids: tuple[int, ...]) -> None:
        """Make an ended pair's space read-only for its members (content is kept for them)."""
        ...

    async def tell_member(
        self,
        guild_id: int,
        user_id: int,
        dm_channel_id: int | None,
        text: str,
        offer_rematch: bool = False,
        discreet: bool = False,
    ) -> bool:
        """DM a member (with a "find me a new match" button if asked); False when their DMs are closed,
        :class:`~bot.core.errors.DmFailed` when Discord refused it otherwise (never taken for delivered).
        With ``discreet`` (the server's setting), the DM's content is a neutral line and ``text`` goes in
        an embed, so a lock-screen preview says nothing about the program."""
        ...

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        """Post a status line (never member content) in the moderators' log channel."""
        ...


class SafetyPort(SpacePort, Protocol):
    """What safety features need beyond spaces: break-glass viewing of one space by one moderator."""

    async def grant_view(self, guild_id: int, space_id: int, kind: str, user_id: int) -> None:
        """Let one user read a pair space (read-only); raise SpaceError if that cannot be done."""
        ...

    async def revoke_view(self, guild_id: int, space_id: int, kind: str, user_id: int) -> None:
        """Take back what :meth:`grant_view` gave; a space that no longer exists is fine."""
        ...

    async def space_exists(self, guild_id: int, space_id: int) -> bool:
        """Whether the space is still there; raise SpaceError when the server cannot be looked at now."""
        ...

    async def delete_space(self, guild_id: int, space_id: int) -> None:
        """Delete a pair space for good (retention); a space that no longer exists is fine.

        Raises SpaceError when the server cannot be looked at now, so nothing is recorded as deleted blind."""
        ...
