"""Assertion helpers for end-to-end tests: Discord's permission bits, spelled out independently."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
ADD_REACTIONS = 1 << 6
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
MANAGE_ROLES = 1 << 28

MEMBER_ALLOW = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | ATTACH_FILES | ADD_REACTIONS
BOT_ALLOW = VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS
PAIR_NAME = r"pair-[0-9a-f]{6}"
CHANNEL_CREATE = r"/guilds/\d+/channels"


def overwrites_of(body: dict[str, Any]) -> dict[int, tuple[int, int, int]]:
    """{target id: (type, allow, deny)} from a request body, whatever the number encoding."""
    return {
        int(o["id"]): (int(o["type"]), int(o.get("allow", 0)), int(o.get("deny", 0)))
        for o in body.get("permission_overwrites", [])
    }


def one_sentence(text: str | None) -> bool:
    """A friendly one-sentence answer: no line breaks, ends with a full stop."""
    return bool(text) and "\n" not in str(text) and str(text).rstrip().endswith((".", "!"))


def bot_channel_creates(sb: Any) -> list[Any]:
    return [r for r in sb.find_requests("POST", CHANNEL_CREATE) if r.status in {200, 201}]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait for something the bot does in reaction to a gateway event (not to an interaction)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the bot did not react in time")
        await asyncio.sleep(0.05)


class DrivenClock:
    """A clock the test moves forward: now plus an offset, handed to the bot as its ``clock``."""

    def __init__(self) -> None:
        from datetime import timedelta

        self.offset = timedelta(0)

    def __call__(self) -> Any:
        from bot.db.base import utcnow

        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.offset += timedelta(**delta)
