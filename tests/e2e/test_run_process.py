"""`tandem run` as its own process: migrates, connects to the sandbox named in its settings, answers, stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.db.crypto import new_key
from bot.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


async def test_tandem_run_in_a_separate_process(tmp_path: Path) -> None:
    async with Sandbox() as sb:
        guild = sb.add_guild("Process Test")
        alice = sb.add_member(guild, "alice")
        key = new_key()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DEV_GUILD", "DATABASE"))}
        env |= {
            "DISCORD_TOKEN": sb.bot_token,
            "DISCORD_API_BASE": sb.api_base,
            "DISCORD_GATEWAY_URL": sb.gateway_url,
            "DEV_GUILD_IDS": str(guild.id),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
            "LOG_LEVEL": "INFO",
            "TANDEM_DATA_KEY": key,
            "PYTHONPATH": str(ROOT),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            await sb.wait_until_ready(timeout=30)
            await sb.wait_for_commands(guild, timeout=30)
            result = await sb.invoke(guild, alice, "peer profile")
            await result.wait_done(timeout=10)
            assert result.content == "You haven't joined the peer program yet: use /peer join to opt in."
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, output.decode()
        text = output.decode()
        assert "Traceback" not in text
        assert sb.bot_token not in text
        assert key not in text
        assert (tmp_path / "run.db").exists()
