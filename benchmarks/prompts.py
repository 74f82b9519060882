"""Benchmark: 5,000 due check-in prompts against a sandbox with Discord's global limit, in its own process.

    .venv/bin/python -m benchmarks.prompts [--pairs 5000] [--scale 1]

The sandbox (``benchmarks/sandbox_host.py``) runs in a process of its own, with no added latency, and
enforces a global limit of 50 requests a second (times ``--scale``, which shrinks the run in time:
limit and pace grow together). The real bot runs here, as the end-to-end tests start it; its own
check-in job (through the bot's timers) plans and sends the prompts through the ledger and the
bot-wide pacer, while the sandbox runs ``/peer status`` every second. The run is bounded in time and
stops by itself. Prints, with the targets:

- the achieved rate as a share of the global limit, and the 429s;
- prompts lost (a pair with none) and duplicated;
- how long planning took;
- the gateway heartbeat lag: discord.py's ``bot.latency`` sampled every second (the sandbox asks for a
  heartbeat every second and answers it after 20 ms, a network's round trip, which is taken off), and
  how late the heartbeats reached the sandbox; and the longest stall of the event loop (a task that
  sleeps 50 ms records how late it wakes);
- the acknowledgement time of ``/peer status`` (p50, p99), from the interaction's creation to the
  bot's first response, measured by the sandbox;
- warnings logged: discord.py's "websocket is behind" and APScheduler's "maximum number of running
  instances reached".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.checkins.pacing import DEFAULT_PER_SECOND, DISCORD_GLOBAL_PER_SECOND, Pacer
from bot.db import migrate
from bot.db.crypto import Keyring, attach_keyring, new_key
from bot.db.engine import create_engine
from bot.sandbox.local import start_local_bot
from bot.sandbox.seed import seed_pairs_in

PACE_SHARE = DEFAULT_PER_SECOND / DISCORD_GLOBAL_PER_SECOND  # Tandem's default pace: 46 of Discord's 50
ACK_DELAY = 0.02  # the sandbox answers heartbeats after 20 ms, a network's round trip (see sandbox_host)
PROMPT_TEXT = "Check-in time"
ROOT = Path(__file__).resolve().parent.parent
WATCHED = {"behind": "websocket is", "max_instances": "maximum number of running instances reached"}


class SandboxProcess:
    """``benchmarks/sandbox_host.py`` in a child process, one JSON line each way."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls) -> SandboxProcess:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "benchmarks.sandbox_host",
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=1 << 24,
        )
        return cls(proc)

    async def call(self, op: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write((json.dumps({"op": op, **args}) + "\n").encode())
        await self.proc.stdin.drain()
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox process ended (during {op})")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"sandbox: {reply['error']}")
        return reply

    async def close(self) -> None:
        if self.proc.returncode is None and self.proc.stdin is not None:
            self.proc.stdin.write(b'{"op": "quit"}\n')
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


@dataclass
class Endpoint:
    bot_token: str
    api_base: str
    gateway_url: str


@dataclass
class LoopMonitor:
    """Samples the heartbeat lag every second and records how late a 50 ms sleep wakes."""

    latency: Any  # () -> float: discord.py's bot.latency
    tick: float = 0.05
    max_stall: float = 0.0
    lags: list[float] = field(default_factory=list)

    async def run(self) -> None:
        next_sample = time.perf_counter()
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.tick)
            now = time.perf_counter()
            self.max_stall = max(self.max_stall, now - before - self.tick)
            if now >= next_sample:
                lag = self.latency()
                if math.isfinite(lag):
                    self.lags.append(lag)
                next_sample += 1.0


class Watch(logging.Handler):
    """Counts the warnings the benchmark is about."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts = dict.fromkeys(WATCHED, 0)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        for key, needle in WATCHED.items():
            if needle in text:
                self.counts[key] += 1


def percentile(values: list[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


async def run(pairs: int, scale: float, watch: Watch) -> bool:
    limit = DISCORD_GLOBAL_PER_SECOND * scale
    pace = limit * PACE_SHARE
    bound = pairs / pace * 1.5 + 60  # the run stops by itself after this many seconds
    sandbox = await SandboxProcess.start()
    try:
        world = await sandbox.call("setup", pairs=pairs, heartbeat_ms=1000, heartbeat_ack_delay=ACK_DELAY)
        with tempfile.TemporaryDirectory() as tmp:
            database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            data_key = new_key()
            engine = create_engine(database_url)
            attach_keyring(engine, Keyring(data_key))
            await migrate.upgrade(engine)
            started = time.perf_counter()
            now = datetime.now(UTC)
            await seed_pairs_in(engine, world["guild_id"], world["channels"], now)
            await engine.dispose()
            print(f"seeded {pairs} due pairs in {time.perf_counter() - started:.1f} s")
            clock = {"now": now - timedelta(days=8)}  # before the first occurrence: nothing due at start
            endpoint = Endpoint(world["bot_token"], world["api_base"], world["gateway_url"])
            running = await start_local_bot(
                endpoint,
                database_url,
                (world["guild_id"],),
                data_key=data_key,
                clock=lambda: clock["now"],
                sweep_seconds=3600,
                timeout=120,
            )
            try:
                bot = running.bot
                await sandbox.call("ready")
                at_start = sum((await sandbox.call("stats", text=PROMPT_TEXT))["counts"])
                bot.pacer = Pacer(pace, ceiling=limit)
                bot.dispatcher.pacer = bot.pacer
                await sandbox.call("limit", per_second=limit)
                before = await sandbox.call("stats", text=PROMPT_TEXT)
                monitor = LoopMonitor(lambda: bot.latency)
                watching = asyncio.create_task(monitor.run())
                await sandbox.call("probe_start", command="peer status", every=1.0)
                clock["now"] = now  # every pair's prompt is due
                t0 = time.perf_counter()
                finished = True
                try:
                    await bot.scheduler.timer.run_now(timeout=bound)  # the bot's own job, as in production
                except TimeoutError:
                    finished = False
                elapsed = time.perf_counter() - t0
                probe = await sandbox.call("probe_stop")
                watching.cancel()
                after = await sandbox.call("stats", text=PROMPT_TEXT)
                planning = bot.scheduler.last_plan_seconds
            finally:
                await running.stop()
    finally:
        await sandbox.close()
    counts = after["counts"]
    lost = sum(1 for n in counts if n == 0)
    duplicated = sum(n - 1 for n in counts if n > 1)
    sent = sum(counts) - at_start
    requests = after["bot_requests"] - before["bot_requests"]
    rate = sent / elapsed if elapsed else 0.0
    steady = (after["sends"] - 1) / after["span"] if after["span"] else 0.0
    global_429 = after["global_429"] - before["global_429"]
    route_429 = after["route_429"] - before["route_429"]
    acks = probe["acks"]
    print(f"global limit: {limit:g} requests/s (scale {scale:g}); pace {pace:g}/s; load average {load()}")
    print(f"batch: {sent} prompts, {requests} requests in {elapsed:.1f} s" + ("" if finished else " (TIMED OUT)"))
    print(f"planning {pairs} pairs: {planning:.2f} s (target < 5)")
    print(
        f"achieved rate: {rate:.1f} prompts/s = {rate / limit:.3f} of the limit over the batch, "
        f"{steady / limit:.3f} from first to last prompt (target >= 0.9)"
    )
    print(f"429s: global {global_429} (target 0), per-route {route_429}")
    print(f"lost: {lost}, duplicated: {duplicated} (target 0 and 0)")
    interval = probe["heartbeat_interval"]
    late = max(probe["heartbeat_gaps"], default=math.nan) - interval
    lags = [x - ACK_DELAY for x in monitor.lags]
    print(
        f"heartbeat lag (discord.py's bot.latency less the sandbox's 20 ms, sampled every second): "
        f"median {(statistics.median(lags) if lags else math.nan) * 1000:.0f} ms, max "
        f"{max(lags, default=math.nan) * 1000:.0f} ms over {len(lags)} samples (target < 1 s)"
    )
    print(f"  heartbeats reached the gateway at most {late * 1000:.0f} ms late (one asked for every {interval:g} s)")
    print(f"event loop: longest stall {monitor.max_stall * 1000:.0f} ms (target < 1 s)")
    print(
        f"/peer status every second: {len(acks)} acknowledged, {probe['unanswered']} not in time; "
        f"ack p50 {percentile(acks, 0.5) * 1000:.0f} ms, p99 {percentile(acks, 0.99) * 1000:.0f} ms, "
        f"max {max(acks, default=math.nan) * 1000:.0f} ms (target p99 < 250 ms)"
    )
    print(
        f"warnings: websocket behind {watch.counts['behind']}, "
        f"maximum running instances {watch.counts['max_instances']} (target 0 and 0)"
    )
    return finished


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the limit and the pace (shorter run)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    watch = Watch()
    logging.getLogger().addHandler(watch)
    print(f"load average at start: {load()}")
    if not asyncio.run(run(args.pairs, args.scale, watch)):
        sys.exit(1)


if __name__ == "__main__":
    main()
