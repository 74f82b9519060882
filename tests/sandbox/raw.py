"""Raw HTTP against the sandbox, for bodies discord.py itself would never build, and a fake clock."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.sandbox import Guild, InteractionResult, Member, Sandbox

PING_COMMAND = {
    "name": "ping",
    "description": "Ping",
    "options": [{"type": 3, "name": "query", "description": "What to look for", "autocomplete": True}],
}


class FakeClock:
    """Monotonic seconds that move only when a test says so (``advance``) or something ``sleep``s."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Raw:
    """A sandbox with a guild, a member and a synced ``/ping``, driven over plain HTTP (no bot)."""

    sb: Sandbox
    session: aiohttp.ClientSession
    guild: Guild
    alice: Member

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bot {self.sb.bot_token}"}
        async with self.session.request(method, self.sb.api_base + path, json=body, headers=headers) as resp:
            return resp.status, (await resp.json() if resp.status != 204 else None)

    async def sync(self, commands: list[dict[str, Any]]) -> tuple[int, Any]:
        return await self.call(
            "PUT", f"/applications/{self.sb.application_id}/guilds/{self.guild.id}/commands", commands
        )

    async def interaction(self) -> InteractionResult:
        return await self.sb.invoke(self.guild, self.alice, "ping")

    async def respond(self, rec: InteractionResult, rtype: int, data: dict[str, Any] | None = None) -> tuple[int, Any]:
        body: dict[str, Any] = {"type": rtype}
        if data is not None:
            body["data"] = data
        return await self.call("POST", f"/interactions/{rec.id}/{rec.token}/callback?with_response=1", body)

    async def followup(self, rec: InteractionResult, body: dict[str, Any]) -> tuple[int, Any]:
        return await self.call("POST", f"/webhooks/{self.sb.application_id}/{rec.token}?wait=1", body)

    async def edit_original(self, rec: InteractionResult, body: dict[str, Any]) -> tuple[int, Any]:
        return await self.call("PATCH", f"/webhooks/{self.sb.application_id}/{rec.token}/messages/@original", body)

    async def send(self, channel_id: int, body: dict[str, Any]) -> tuple[int, Any]:
        return await self.call("POST", f"/channels/{channel_id}/messages", body)


def form_error_codes(status: int, body: Any, path: str) -> list[str]:
    """The leaf codes Discord's 400/50035 answer gives for ``path`` (dotted); fails on another answer."""
    assert status == 400, (status, body)
    assert body["code"] == 50035 and body["message"] == "Invalid Form Body", body
    node = body["errors"]
    for part in path.split("."):
        assert part in node, (path, body["errors"])
        node = node[part]
    return [e["code"] for e in node["_errors"]]
