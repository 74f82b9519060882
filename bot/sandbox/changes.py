"""State changes that Discord announces on the gateway: each mutates the state and dispatches."""

from __future__ import annotations

from typing import Any

from .gateway import DIRECT_MESSAGES, GUILD_MEMBERS, GUILD_MESSAGES, GUILDS, Gateway
from .snowflake import iso_now
from .state import EPHEMERAL, Channel, Guild, Member, Message, State, message_payload

JSON = dict[str, Any]


class Changes:
    def __init__(self, state: State, gateway: Gateway) -> None:
        self.state = state
        self.gateway = gateway

    # --- channels --------------------------------------------------------------------------------
    def channel_created(self, channel: Channel) -> None:
        if channel.is_thread:
            data = channel.payload()
            data["newly_created"] = True
            if self.state.bot_user_id in channel.members:
                data["member"] = channel.thread_member_payload(self.state.bot_user_id)
            self.gateway.dispatch("THREAD_CREATE", data, intent=GUILDS)
        else:
            self.gateway.dispatch("CHANNEL_CREATE", channel.payload(), intent=GUILDS)

    def channel_updated(self, channel: Channel) -> None:
        event = "THREAD_UPDATE" if channel.is_thread else "CHANNEL_UPDATE"
        self.gateway.dispatch(event, channel.payload(), intent=GUILDS)

    def delete_channel(self, channel: Channel) -> None:
        """Delete a channel; its threads go with it, and a category's children lose their parent."""
        state = self.state
        guild = state.guild_of(channel)
        state.remove_channel(channel)
        if channel.is_thread:
            self.gateway.dispatch(
                "THREAD_DELETE",
                {
                    "id": str(channel.id),
                    "guild_id": str(channel.guild_id),
                    "parent_id": str(channel.parent_id),
                    "type": channel.type,
                },
                intent=GUILDS,
            )
            return
        self.gateway.dispatch("CHANNEL_DELETE", channel.payload(), intent=GUILDS)
        if guild is None:
            return
        for child in list(guild.channels.values()):
            if child.parent_id != channel.id:
                continue
            if child.is_thread:
                state.remove_channel(child)
            else:
                child.parent_id = None
                self.channel_updated(child)

    def thread_members_changed(self, thread: Channel, added: list[int], removed: list[int]) -> None:
        guild = self.state.guild(thread.guild_id or 0)
        added_payload = []
        for uid in added:
            entry = thread.thread_member_payload(uid, iso_now())
            if uid in guild.members:
                entry["member"] = guild.members[uid].payload()
            added_payload.append(entry)
        data: JSON = {"id": str(thread.id), "guild_id": str(guild.id), "member_count": len(thread.members)}
        if added_payload:
            data["added_members"] = added_payload
        if removed:
            data["removed_member_ids"] = [str(u) for u in removed]
        bot_involved = self.state.bot_user_id in added or self.state.bot_user_id in removed
        # without GUILD_MEMBERS the bot only hears about its own joins and leaves
        self.gateway.dispatch("THREAD_MEMBERS_UPDATE", data, intent=GUILDS if bot_involved else GUILD_MEMBERS)

    # --- messages --------------------------------------------------------------------------------
    def _redacted(self, msg: Message, data: JSON) -> JSON:
        if msg.author.id == self.state.bot_user_id or self.state.bot_user_id in msg.mentions:
            return data
        return message_payload(self.state, msg, content_visible=False)

    def message_created(self, msg: Message) -> None:
        self.state.add_message(msg)
        if msg.flags & EPHEMERAL:
            return
        data = message_payload(self.state, msg)
        intent = GUILD_MESSAGES if msg.guild_id is not None else DIRECT_MESSAGES
        if msg.guild_id is None:
            self.gateway.dispatch("MESSAGE_CREATE", data, intent=intent)
        else:
            self.gateway.dispatch("MESSAGE_CREATE", data, intent=intent, redacted=self._redacted(msg, data))

    def message_updated(self, msg: Message) -> None:
        if msg.flags & EPHEMERAL:
            return
        data = message_payload(self.state, msg)
        intent = GUILD_MESSAGES if msg.guild_id is not None else DIRECT_MESSAGES
        self.gateway.dispatch("MESSAGE_UPDATE", data, intent=intent, redacted=self._redacted(msg, data))

    def message_deleted(self, msg: Message) -> None:
        msg.deleted = True
        if msg.flags & EPHEMERAL:
            return
        data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id is not None:
            data["guild_id"] = str(msg.guild_id)
        self.gateway.dispatch(
            "MESSAGE_DELETE", data, intent=GUILD_MESSAGES if msg.guild_id is not None else DIRECT_MESSAGES
        )

    # --- members ---------------------------------------------------------------------------------
    def member_added(self, guild: Guild, member: Member) -> None:
        data = member.payload()
        data["guild_id"] = str(guild.id)
        self.gateway.dispatch("GUILD_MEMBER_ADD", data, intent=GUILD_MEMBERS)

    def member_removed(self, guild: Guild, member: Member) -> None:
        guild.members.pop(member.id, None)
        for channel in guild.channels.values():
            if member.id in channel.members:
                channel.members.remove(member.id)
        self.gateway.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": member.user.payload()},
            intent=GUILD_MEMBERS,
        )

    def member_updated(self, guild: Guild, member: Member) -> None:
        data = member.payload()
        data["guild_id"] = str(guild.id)
        self.gateway.dispatch("GUILD_MEMBER_UPDATE", data, intent=GUILD_MEMBERS)

    def role_updated(self, guild: Guild, role_id: int) -> None:
        self.gateway.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": guild.roles[role_id].payload()},
            intent=GUILDS,
        )
