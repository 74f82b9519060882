"""A SpacePort that records what the services asked for (services are tested without Discord)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.core.errors import SpaceError
from bot.core.ports import OpenedSpace, SpacePlan


@dataclass
class FakeSpaces:
    opened: dict[int, SpacePlan] = field(default_factory=dict)
    discarded: list[int] = field(default_factory=list)
    posts: list[tuple[int, str, tuple[int, ...]]] = field(default_factory=list)
    archived: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    told: list[tuple[int, str, bool]] = field(default_factory=list)
    moderators: list[str] = field(default_factory=list)
    closed_dms: set[int] = field(default_factory=set)
    fail_open: SpaceError | None = None
    next_id: int = 1000
    gate: asyncio.Event | None = None  # when set up, opening a space waits until the test sets it
    at_gate: asyncio.Event = field(default_factory=asyncio.Event)

    async def open_space(self, plan: SpacePlan) -> OpenedSpace:
        if self.gate is not None:
            self.at_gate.set()
            await self.gate.wait()
        if self.fail_open is not None:
            raise self.fail_open
        self.next_id += 1
        self.opened[self.next_id] = plan
        return OpenedSpace(self.next_id, "channel")

    async def discard_space(self, guild_id: int, space_id: int) -> None:
        self.discarded.append(space_id)
        self.opened.pop(space_id, None)

    async def find_space(self, guild_id: int, name: str) -> int | None:
        return next((sid for sid, plan in self.opened.items() if plan.name == name), None)

    async def post_in_space(
        self, guild_id: int, space_id: int, text: str, ping: tuple[int, ...] = (), welcome_pair_id: int | None = None
    ) -> None:
        self.posts.append((space_id, text, ping))

    async def archive_space(self, guild_id: int, space_id: int, kind: str, member_ids: tuple[int, ...]) -> None:
        self.archived.append((space_id, member_ids))

    async def tell_member(
        self,
        guild_id: int,
        user_id: int,
        dm_channel_id: int | None,
        text: str,
        offer_rematch: bool = False,
        discreet: bool = False,
    ) -> bool:
        if user_id in self.closed_dms:
            return False
        self.told.append((user_id, text, offer_rematch))
        return True

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        self.moderators.append(text)
