"""Pair spaces on Discord (:class:`bot.core.ports.SafetyPort`): opening, archiving, break-glass viewing,
deleting; the messages of that port go through :class:`bot.discord.messages.DiscordMessages`.

Discord's limits shape it: a guild holds at most 500 channels and a category 50, so spaces spill into
overflow categories and, when the guild is full, into private threads under the hub channel.
"""

from __future__ import annotations

import contextlib
import logging

import discord

from bot.core.bounds import fit_name
from bot.core.errors import DmFailed, MemberGone, SpaceError
from bot.core.ports import OpenedSpace, SpacePlan
from bot.discord.components import rematch_view, welcome_view
from bot.discord.link import ClientLink
from bot.discord.messages import DiscordMessages
from bot.pairing import SpaceKind

log = logging.getLogger(__name__)

GUILD_CHANNEL_LIMIT = 500
CATEGORY_CHANNEL_LIMIT = 50
MAX_GUILD_CHANNELS_CODE = 30013
MISSING_PERMISSIONS_CODE = 50013
INVALID_FORM_CODE = 50035
WRONG_CHANNEL_TYPE_CODE = 50024
REASON = "Tandem: private pair space"

HUB_HINT = (
    "private threads can only be opened in a text channel that members can see (Discord error 50024); "
    "choose such a hub with /peeradmin setup hub:"
)
COULD_NOT_OPEN = (
    "I couldn't open a private space for this pairing right now, so nothing was changed; "
    "the moderators have been told what to fix."
)

MEMBER_ALLOW = discord.PermissionOverwrite(
    view_channel=True,
    send_messages=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
)
BOT_ALLOW = discord.PermissionOverwrite(
    view_channel=True, send_messages=True, read_message_history=True, embed_links=True
)
MEMBER_READ_ONLY = discord.PermissionOverwrite(view_channel=True, read_message_history=True, send_messages=False)
EVERYONE_DENY = discord.PermissionOverwrite(view_channel=False)
MODERATOR_READ_ONLY = discord.PermissionOverwrite(
    view_channel=True, read_message_history=True, send_messages=False, add_reactions=False
)


class DiscordSpaces:
    """Implements :class:`bot.core.ports.SafetyPort` with discord.py."""

    def __init__(self, link: ClientLink, messages: DiscordMessages) -> None:
        self._link = link
        self.messages = messages

    @property
    def client(self) -> discord.Client:
        return self._link.client

    # ----- opening ---------------------------------------------------------------------------

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self.client.get_guild(guild_id)
        if guild is None:
            raise SpaceError(COULD_NOT_OPEN, "the bot is not connected to this server")
        return guild

    async def _members(self, guild: discord.Guild, user_ids: tuple[int, ...]) -> list[discord.Member]:
        members = []
        for user_id in user_ids:
            member = guild.get_member(user_id)
            if member is None:
                try:
                    member = await guild.fetch_member(user_id)
                except discord.NotFound:
                    raise MemberGone(user_id) from None
            members.append(member)
        return members

    async def open_space(self, plan: SpacePlan) -> OpenedSpace:
        guild = self._guild(plan.guild_id)
        members = await self._members(guild, plan.member_ids)
        if plan.category_id is None or len(guild.channels) >= GUILD_CHANNEL_LIMIT:
            return await self._open_thread(guild, plan, members)
        category = guild.get_channel(plan.category_id)
        if not isinstance(category, discord.CategoryChannel):
            if plan.hub_channel_id is not None:
                return await self._open_thread(guild, plan, members)
            raise SpaceError(
                COULD_NOT_OPEN,
                "the pair category chosen with /peeradmin setup no longer exists; "
                "run /peeradmin setup again with a category.",
            )
        self._require(guild.me.guild_permissions, ("manage_channels", "manage_roles"))
        overwrites: dict[discord.Role | discord.Member | discord.Object, discord.PermissionOverwrite] = {
            guild.default_role: EVERYONE_DENY,
            guild.me: BOT_ALLOW,
        }
        for member in members:
            overwrites[member] = MEMBER_ALLOW
        full: set[int] = set()
        new_category: discord.CategoryChannel | None = None
        for _attempt in range(3):
            target, created = await self._category_with_room(guild, category, plan, full)
            new_category = created or new_category
            try:
                channel = await guild.create_text_channel(
                    plan.name, category=target, overwrites=overwrites, reason=REASON
                )
            except discord.Forbidden as exc:
                raise self._missing_permission(exc) from exc
            except discord.HTTPException as exc:
                if exc.code == MAX_GUILD_CHANNELS_CODE:
                    return await self._open_thread(guild, plan, members)
                if exc.code == INVALID_FORM_CODE and "parent_id" in exc.text:
                    full.add(target.id)  # Discord counts more channels there than our cache did
                    continue
                raise SpaceError(COULD_NOT_OPEN, f"Discord refused to create the channel ({exc.code})") from exc
            return OpenedSpace(channel.id, SpaceKind.CHANNEL, new_category.id if new_category else None)
        raise SpaceError(COULD_NOT_OPEN, "every pair category is full and a new one could not be used")

    async def _category_with_room(
        self, guild: discord.Guild, main: discord.CategoryChannel, plan: SpacePlan, full: set[int]
    ) -> tuple[discord.CategoryChannel, discord.CategoryChannel | None]:
        """The first pair category with room, or a new overflow category (returned twice then)."""
        known = (main.id, *plan.overflow_category_ids)
        for category_id in known:
            category = guild.get_channel(category_id)
            if (
                isinstance(category, discord.CategoryChannel)
                and category.id not in full
                and len(category.channels) < CATEGORY_CHANNEL_LIMIT
            ):
                return category, None
        number = len(plan.overflow_category_ids) + len([c for c in full if c not in known]) + 2
        try:
            created = await guild.create_category(
                fit_name(main.name, f" {number}"),  # a channel name holds at most 100 characters
                overwrites={guild.default_role: EVERYONE_DENY, guild.me: BOT_ALLOW},
                position=main.position + 1,
                reason="Tandem: the pair category is full (50 channels)",
            )
        except discord.Forbidden as exc:
            raise self._missing_permission(exc) from exc
        return created, created

    async def _open_thread(self, guild: discord.Guild, plan: SpacePlan, members: list[discord.Member]) -> OpenedSpace:
        hub = guild.get_channel(plan.hub_channel_id) if plan.hub_channel_id is not None else None
        if isinstance(hub, discord.TextChannel) and hub.type != discord.ChannelType.text:
            raise SpaceError(COULD_NOT_OPEN, f"the hub channel {hub.mention} is not a plain text channel: {HUB_HINT}")
        if not isinstance(hub, discord.TextChannel):
            raise SpaceError(
                COULD_NOT_OPEN,
                "the server is at Discord's 500-channel limit (or has no pair category) and no hub "
                "channel for private threads is set; choose one with /peeradmin setup hub:",
            )
        self._require(
            hub.permissions_for(guild.me),
            ("view_channel", "create_private_threads", "send_messages_in_threads", "manage_threads"),
        )
        try:
            thread = await hub.create_thread(
                name=plan.name, type=discord.ChannelType.private_thread, invitable=False, reason=REASON
            )
        except discord.Forbidden as exc:
            raise self._missing_permission(exc) from exc
        except discord.HTTPException as exc:
            if exc.code == WRONG_CHANNEL_TYPE_CODE:
                raise SpaceError(
                    COULD_NOT_OPEN, f"Discord refused a private thread in {hub.mention}: {HUB_HINT}"
                ) from exc
            raise
        try:
            for member in members:
                await thread.add_user(member)
        except discord.HTTPException as exc:
            await self._delete_quietly(thread)
            hint = HUB_HINT if exc.code == WRONG_CHANNEL_TYPE_CODE else f"error {exc.code}"
            raise SpaceError(COULD_NOT_OPEN, f"a member could not be added to the private thread ({hint})") from exc
        return OpenedSpace(thread.id, SpaceKind.THREAD)

    @staticmethod
    def _require(perms: discord.Permissions, names: tuple[str, ...]) -> None:
        missing = [n for n in names if not getattr(perms, n)]
        if missing:
            pretty = " and ".join(n.replace("_", " ").title() for n in missing)
            raise SpaceError(COULD_NOT_OPEN, f"the bot is missing the {pretty} permission")

    @staticmethod
    def _missing_permission(exc: discord.Forbidden) -> SpaceError:
        return SpaceError(
            COULD_NOT_OPEN,
            "Discord answered Missing Permissions: give the bot Manage Channels and Manage Roles "
            f"in the pair category (error {exc.code})",
        )

    # ----- after opening ---------------------------------------------------------------------

    async def post_in_space(
        self,
        guild_id: int,
        space_id: int,
        text: str,
        ping: tuple[int, ...] = (),
        welcome_pair_id: int | None = None,
    ) -> None:
        target = self.messages.channel(space_id, guild_id)
        if isinstance(target, discord.Thread) and target.archived:
            await target.edit(archived=False)  # an ended pair's thread stays locked: members still can't write
        view = welcome_view(guild_id, welcome_pair_id) if welcome_pair_id is not None else None
        await self.messages.post(target, text, ping=ping, view=view)

    # ----- break-glass access ------------------------------------------------------------------

    async def grant_view(self, guild_id: int, space_id: int, kind: str, user_id: int) -> None:
        guild = self._guild(guild_id)
        space = guild.get_channel_or_thread(space_id)
        if space is None:
            raise SpaceError("That pair's space no longer exists.", "the pair space was deleted")
        try:
            if isinstance(space, discord.Thread):
                await space.add_user(discord.Object(user_id))
            elif isinstance(space, discord.TextChannel):
                member = guild.get_member(user_id) or await guild.fetch_member(user_id)
                await space.set_permissions(member, overwrite=MODERATOR_READ_ONLY, reason="Tandem: break-glass access")
        except discord.HTTPException as exc:
            raise SpaceError(
                "I couldn't open that space to you; nothing was changed.",
                f"Discord refused the break-glass access ({exc.code})",
            ) from exc

    async def revoke_view(self, guild_id: int, space_id: int, kind: str, user_id: int) -> None:
        guild = self.client.get_guild(guild_id)
        if guild is None:  # never record an access as ended without having taken it back
            raise SpaceError("That server can't be reached right now.", "the bot is not connected to this server")
        space = guild.get_channel_or_thread(space_id)
        if space is None:
            return
        with contextlib.suppress(discord.NotFound):
            if isinstance(space, discord.Thread):
                await space.remove_user(discord.Object(user_id))
            else:
                await self.client.http.delete_channel_permissions(
                    space.id, user_id, reason="Tandem: break-glass access ended"
                )

    async def space_exists(self, guild_id: int, space_id: int) -> bool:
        guild = self._guild(guild_id)
        if guild.get_channel_or_thread(space_id) is not None:
            return True
        try:
            await self.client.fetch_channel(space_id)  # an archived thread may not be cached
        except discord.NotFound:
            return False
        return True

    async def delete_space(self, guild_id: int, space_id: int) -> None:
        self._guild(guild_id)
        with contextlib.suppress(discord.NotFound):
            await self.client.http.delete_channel(space_id, reason="Tandem: retention period of an ended pair")

    async def archive_space(self, guild_id: int, space_id: int, kind: str, member_ids: tuple[int, ...]) -> None:
        guild = self._guild(guild_id)
        space = guild.get_channel_or_thread(space_id)
        if space is None:
            return
        if isinstance(space, discord.Thread):
            await space.edit(archived=True, locked=True, reason="Tandem: pairing ended")
            return
        members_with_overwrites = {
            target.id
            for target in space.overwrites
            if not isinstance(target, discord.Role) and getattr(target, "type", None) is not discord.Role
        }
        for member_id in members_with_overwrites | set(member_ids):
            if member_id == guild.me.id:
                continue
            member = guild.get_member(member_id)
            if member is not None and member_id in member_ids:
                await space.set_permissions(member, overwrite=MEMBER_READ_ONLY, reason="Tandem: pairing ended")
            else:
                await self.client.http.delete_channel_permissions(space.id, member_id, reason="Tandem: member left")

    async def discard_space(self, guild_id: int, space_id: int) -> None:
        guild = self.client.get_guild(guild_id)
        space = guild.get_channel_or_thread(space_id) if guild else None
        if space is not None:
            await self._delete_quietly(space)

    async def _delete_quietly(self, space: discord.abc.GuildChannel | discord.Thread) -> None:
        with contextlib.suppress(discord.NotFound):
            await space.delete(reason="Tandem: pair could not be recorded")

    async def find_space(self, guild_id: int, name: str) -> int | None:
        guild = self._guild(guild_id)  # a guild we cannot see now raises: nothing is decided blind
        spaces: list[discord.TextChannel | discord.Thread] = [*guild.text_channels, *guild.threads]
        for space in spaces:
            if space.name == name:
                return space.id
        return None

    # ----- telling people --------------------------------------------------------------------

    async def tell_member(
        self,
        guild_id: int,
        user_id: int,
        dm_channel_id: int | None,
        text: str,
        offer_rematch: bool = False,
        discreet: bool = False,
    ) -> bool:
        view = rematch_view(guild_id) if offer_rematch else None
        discreet_in = guild_id if discreet else None
        outcome = await self.messages.dm(user_id, dm_channel_id, text, view, discreet_in=discreet_in)
        if outcome == "failed":
            raise DmFailed  # e.g. a report to the server owner stays flagged "not delivered"
        return outcome == "sent"

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        await self.messages.post_to_log(log_channel_id, text)
