"""``python -m bot.sandbox --port 8765 [--demo-guild]``: run the sandbox standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .sandbox import Sandbox


def build_demo(sb: Sandbox) -> None:
    guild = sb.add_guild("Rainbow Peers")
    mentors = sb.add_role(guild, "Mentor Team")
    moderators = sb.add_role(guild, "Moderators", permissions=1 << 5)
    cat = sb.add_category(guild, "Peer Spaces")
    sb.add_text_channel(guild, "peer-hub", parent=cat)
    sb.add_member(guild, "alice", roles=[mentors])
    sb.add_member(guild, "bob")
    sb.add_member(guild, "casey", dms_open=False)
    sb.add_member(guild, "dee", roles=[moderators])


async def serve(port: int, host: str, demo: bool) -> None:
    sb = Sandbox(host=host, port=port)
    if demo:
        build_demo(sb)
    await sb.start()
    print(f"api_base={sb.api_base}", flush=True)
    print(f"gateway_url={sb.gateway_url}", flush=True)
    print(f"bot_token={sb.bot_token}", flush=True)
    print(f"application_id={sb.application_id}", flush=True)
    for guild in sb.state.guilds.values():
        print(f"guild={guild.id} {guild.name}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sb.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description="Local Discord-compatible server")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--demo-guild", action="store_true", help="create a demo guild with members")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.host, args.demo_guild))


if __name__ == "__main__":
    main()
