"""Pointing an unmodified discord.py client at a sandbox (or any Discord-compatible server)."""

from __future__ import annotations

import asyncio
import contextlib

import discord
import yarl


def point_discord_py(api_base: str, gateway_url: str) -> None:
    """Set discord.py's REST base and gateway URL (class attributes, read at request time)."""
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def restore_discord_py() -> None:
    point_discord_py("https://discord.com/api/v10", "wss://gateway.discord.gg/")


async def start_client(
    client: discord.Client, api_base: str, gateway_url: str, token: str, *, timeout: float = 15
) -> asyncio.Task[None]:
    """Log in, connect in a task, and wait until discord.py fired ready. Returns the connect task."""
    point_discord_py(api_base, gateway_url)
    await client.login(token)
    task = asyncio.create_task(client.connect(reconnect=True))
    waiter = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if waiter not in done:
        waiter.cancel()
        if task in done:
            task.result()  # re-raise the connection error
        await client.close()
        raise TimeoutError("discord.py did not become ready")
    return task


async def stop_client(client: discord.Client, task: asyncio.Task[None] | None) -> None:
    await client.close()
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
