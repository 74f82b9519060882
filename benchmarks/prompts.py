"""Benchmark: 5,000 due check-in prompts against the sandbox with Discord's global limit.

    .venv/bin/python benchmarks/prompts.py [--pairs 5000] [--scale 1]

The sandbox enforces a global limit of 50 requests a second (times ``--scale``, which shrinks the run
in time: limit and pace grow together). The real bot plans and sends the prompts through its
ledger and its bot-wide pacer. Prints the achieved rate as a share of the limit (target >= 0.8, with
zero global 429s), the 429s, and lost or duplicated prompts (target: zero).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.checkins import reminders
from bot.checkins.pacing import DISCORD_GLOBAL_PER_SECOND, Pacer
from bot.checkins.queries import CheckinRepo
from bot.db import migrate
from bot.db.crypto import Keyring, attach_keyring, new_key
from bot.db.engine import create_engine
from bot.sandbox import Sandbox
from bot.sandbox.local import start_local_bot
from bot.sandbox.seed import seed_due_pairs

PACE_SHARE = 0.9  # Tandem's default pace: 45 of Discord's 50 requests a second


async def run(pairs: int, scale: float, verbose: bool = False, separate: bool = False) -> None:
    limit = DISCORD_GLOBAL_PER_SECOND * scale
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        async with Sandbox() as sb:
            sb.limits.max_guild_channels = pairs + 100
            guild = sb.add_guild("Benchmark")
            data_key = new_key()
            engine = create_engine(database_url)
            attach_keyring(engine, Keyring(data_key))
            await migrate.upgrade(engine)
            started = time.perf_counter()
            channels = await seed_due_pairs(engine, sb, guild, pairs, datetime.now(UTC))
            await engine.dispose()
            print(f"seeded {pairs} due pairs in {time.perf_counter() - started:.1f} s")
            now = datetime.now(UTC)
            clock = {"now": now - timedelta(days=8)}  # before the first occurrence: nothing due at start
            running = await start_local_bot(
                sb,
                database_url,
                (guild.id,),
                data_key=data_key,
                clock=lambda: clock["now"],
                sweep_seconds=3600,
                timeout=120,
            )
            try:
                bot = running.bot
                sent_at_start = sum(1 for c in channels for m in sb.messages_in(c) if "Check-in time" in m.content)
                await bot.timers.aclose()  # the benchmark drives the runs itself (no wake-ups in between)
                clock["now"] = now  # every pair's prompt is due
                bot.pacer = Pacer(limit * PACE_SHARE, ceiling=limit)
                bot.dispatcher.pacer = bot.pacer
                sb.ratelimits.set_global(limit)
                before_requests = sb.stats.bot_requests
                t0 = time.perf_counter()
                if separate:
                    # planning alone, then sending alone: the pacer's own rate, without the planner's writes
                    async with bot.dispatcher.sessions.begin() as session:
                        ids = await CheckinRepo(session).active_pair_ids()
                    for i in range(0, len(ids), 50):
                        async with bot.dispatcher.sessions.begin() as session:
                            await reminders.plan(session, clock["now"], ids[i : i + 50])
                    planned = time.perf_counter() - t0
                    print(f"planning {len(ids)} pairs took {planned:.1f} s")
                    t0 = time.perf_counter()
                    await bot.dispatcher.send_pending()
                else:
                    await bot.scheduler.tick()  # what the bot does: planning and sending overlap
                elapsed = time.perf_counter() - t0
                requests = sb.stats.bot_requests - before_requests
            finally:
                await running.stop()
            counts = Counter(m.channel_id for c in channels for m in sb.messages_in(c) if "Check-in time" in m.content)
            sent_in_batch = sum(counts.values()) - sent_at_start
            lost = sum(1 for c in channels if counts[c] == 0)
            duplicated = sum(n - 1 for n in counts.values() if n > 1)
            rate = requests / elapsed if elapsed else 0.0
            print(f"global limit: {limit:g} requests/s (scale {scale:g}); pace {limit * PACE_SHARE:g}/s")
            print(f"batch: {sent_in_batch} prompts, {requests} requests in {elapsed:.1f} s")
            print(f"achieved rate: {rate:.1f} requests/s = {rate / limit:.2f} of the limit (target >= 0.8)")
            print(f"429s: global {sb.stats.global_429}, per-route {sb.stats.route_429}")
            if verbose:
                bot_requests = [r for r in sb.requests if r.actor == "bot"]
                paths = Counter((r.method, re.sub(r"\d+", "N", r.path), r.status) for r in bot_requests)
                print(paths.most_common(8))
            print(f"lost: {lost}, duplicated: {duplicated} (target 0 and 0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the limit and the pace (shorter run)")
    parser.add_argument("--separate", action="store_true", help="time planning and sending separately")
    parser.add_argument("--verbose", action="store_true", help="also print the requests by route")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.pairs, args.scale, args.verbose, args.separate))


if __name__ == "__main__":
    main()
