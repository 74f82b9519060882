"""Killing `tandem run` (SIGKILL) in the middle of a batch of prompts, then starting it again: every
due prompt arrives exactly once (the ledger, the claim and Discord's nonce dedup together)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.db import migrate
from bot.db.crypto import Keyring, attach_keyring, new_key
from bot.db.engine import create_engine
from bot.sandbox import Sandbox
from bot.sandbox.seed import seed_due_pairs

ROOT = Path(__file__).resolve().parents[2]
PAIRS = 90


def _env(sb: Sandbox, guild_id: int, database_url: str, data_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "DATABASE"))}
    return env | {
        "DISCORD_TOKEN": sb.bot_token,
        "DISCORD_API_BASE": sb.api_base,
        "DISCORD_GATEWAY_URL": sb.gateway_url,
        "DEV_GUILD_IDS": str(guild_id),
        "DATABASE_URL": database_url,
        "TANDEM_DATA_KEY": data_key,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "PACE_PER_SECOND": "25",  # slow enough to be killed mid-batch
        "CHECKIN_SWEEP_SECONDS": "1",
    }


async def _prompts(sb: Sandbox, channels: list[int]) -> Counter[int]:
    return Counter(m.channel_id for c in channels for m in sb.messages_in(c) if "Check-in time" in m.content)


async def test_sigkill_mid_batch_then_restart_delivers_each_prompt_once(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'kill.db'}"
    async with Sandbox() as sb:
        guild = sb.add_guild("Kill Test")
        data_key = new_key()
        engine = create_engine(database_url)
        attach_keyring(engine, Keyring(data_key))
        await migrate.upgrade(engine)
        channels = await seed_due_pairs(engine, sb, guild, PAIRS, datetime.now(UTC))
        await engine.dispose()
        env = _env(sb, guild.id, database_url, data_key)

        first = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = asyncio.get_running_loop().time() + 60
            while sum((await _prompts(sb, channels)).values()) < PAIRS // 3:
                assert asyncio.get_running_loop().time() < deadline, "no prompts went out"
                await asyncio.sleep(0.02)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        assert first.returncode == -signal.SIGKILL
        sent_before = sum((await _prompts(sb, channels)).values())
        assert 0 < sent_before < PAIRS  # killed in the middle of the batch

        log_path = tmp_path / "second.log"  # a file, not a pipe: a full pipe would stall the bot's event loop
        log_file = log_path.open("wb")
        second = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=log_file, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = asyncio.get_running_loop().time() + 90
            while len(await _prompts(sb, channels)) < PAIRS:
                assert asyncio.get_running_loop().time() < deadline, "prompts were lost"
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.5)  # a couple more sweeps: nothing may be repeated
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), timeout=60)
            log_file.close()
        output = log_path.read_bytes()
        counts = await _prompts(sb, channels)
        assert set(counts) == set(channels)
        assert set(counts.values()) == {1}, {c: n for c, n in counts.items() if n != 1}
        assert "Traceback" not in output.decode()
