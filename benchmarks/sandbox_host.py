"""The sandbox's side of ``benchmarks/prompts.py``: a :class:`~bot.sandbox.Sandbox` in a process of its own,
so that the bot's event loop is measured alone (the sandbox adds no latency).

    python -m benchmarks.sandbox_host

It answers one JSON command a line on stdin with one JSON line on stdout (``{"error": ...}`` when
a command fails):

- ``{"op": "setup", "pairs": N, "heartbeat_ms": 1000, "heartbeat_ack_delay": 0.02}``: a guild with N
  text channels and a member who runs the probe; heartbeats every second, acknowledged after 20 ms;
  answers the connection details, the guild id and the channel ids.
- ``{"op": "ready"}``: waits until the bot is connected and has synced its commands.
- ``{"op": "limit", "per_second": 50}``: Discord's global limit.
- ``{"op": "probe_start", "command": "peer status", "every": 1.0}``: runs the slash command every
  ``every`` seconds as the member; ``{"op": "probe_stop"}`` answers each one's acknowledgement time
  (seconds from the interaction's creation to the bot's first response, on the sandbox's clock), how
  many got no first response in time, and the gaps between the bot's heartbeats meanwhile.
- ``{"op": "stats", "text": "..."}``: the bot's requests and 429s, and how many messages containing
  ``text`` each channel holds (in the order of ``setup``'s channels), with the span between the first
  and the last of them.
- ``{"op": "quit"}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
from typing import Any

from bot.sandbox import Guild, InteractionResult, Member, Sandbox, SandboxError

JSON = dict[str, Any]


class Host:
    def __init__(self) -> None:
        self.sb = Sandbox()
        self.guild: Guild | None = None
        self.member: Member | None = None
        self.channels: list[int] = []
        self.probe: asyncio.Task[None] | None = None
        self.invoked: list[InteractionResult] = []
        self.refused = 0
        self.heartbeats_from = 0

    async def setup(self, cmd: JSON) -> JSON:
        sb = self.sb
        sb.gateway.heartbeat_interval_ms = int(cmd.get("heartbeat_ms", 41250))
        sb.gateway.heartbeat_ack_delay = float(cmd.get("heartbeat_ack_delay", 0.0))
        sb.limits.max_guild_channels = int(cmd["pairs"]) + 100
        self.guild = sb.add_guild("Benchmark")
        self.member = sb.add_member(self.guild, "probe")
        self.channels = [sb.add_text_channel(self.guild, f"pair-{i:06x}").id for i in range(int(cmd["pairs"]))]
        return {
            "api_base": sb.api_base,
            "gateway_url": sb.gateway_url,
            "bot_token": sb.bot_token,
            "guild_id": self.guild.id,
            "channels": self.channels,
        }

    async def ready(self, _cmd: JSON) -> JSON:
        assert self.guild is not None
        await self.sb.wait_until_ready(timeout=120)
        await self.sb.wait_for_commands(self.guild, timeout=120)
        return {}

    async def limit(self, cmd: JSON) -> JSON:
        self.sb.ratelimits.set_global(cmd["per_second"])
        return {}

    async def probe_start(self, cmd: JSON) -> JSON:
        assert self.guild is not None
        assert self.member is not None
        guild, member, name, every = self.guild, self.member, str(cmd["command"]), float(cmd.get("every", 1.0))

        async def run() -> None:
            loop = asyncio.get_running_loop()
            start = loop.time()
            n = 0
            while True:
                try:
                    self.invoked.append(await self.sb.invoke(guild, member, name))
                except SandboxError:  # the command is not (yet) synced: counted as not answered
                    self.refused += 1
                n += 1
                await asyncio.sleep(max(0.0, start + n * every - loop.time()))

        self.heartbeats_from = len(self.sb.gateway.heartbeats)
        self.probe = asyncio.create_task(run())
        return {}

    async def probe_stop(self, _cmd: JSON) -> JSON:
        if self.probe is not None:
            self.probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.probe
        window = self.sb.limits.interaction_response_seconds
        await asyncio.sleep(window)  # the last one's window closes
        acks = [r.acknowledged_at - r.created for r in self.invoked if r.acknowledged_at is not None]
        beats = self.sb.gateway.heartbeats[self.heartbeats_from :]
        gaps = [b - a for a, b in itertools.pairwise(beats)]
        return {
            "acks": acks,
            "unanswered": len(self.invoked) - len(acks) + self.refused,
            "heartbeat_gaps": gaps,
            "heartbeat_interval": self.sb.gateway.heartbeat_interval_ms / 1000,
        }

    async def stats(self, cmd: JSON) -> JSON:
        text = str(cmd["text"])
        counts: list[int] = []
        times: list[float] = []
        for channel in self.channels:
            found = [m for m in self.sb.messages_in(channel) if text in m.content]
            counts.append(len(found))
        for req in self.sb.find_requests("POST", r"/channels/\d+/messages"):
            if req.status == 200 and text in str((req.json or {}).get("content", "")):
                times.append(req.time)
        stats = self.sb.stats
        return {
            "bot_requests": stats.bot_requests,
            "global_429": stats.global_429,
            "route_429": stats.route_429,
            "counts": counts,
            "sends": len(times),
            "span": (max(times) - min(times)) if times else 0.0,
        }


async def main() -> None:
    host = Host()
    await host.sb.start()
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    try:
        while line := await reader.readline():
            cmd = json.loads(line)
            if cmd["op"] == "quit":
                break
            try:
                reply = await getattr(host, cmd["op"])(cmd)
            except (SandboxError, TimeoutError, KeyError, AttributeError, ValueError) as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}  # the benchmark reports it and stops
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
    finally:
        await host.sb.stop()


if __name__ == "__main__":
    asyncio.run(main())
