"""The ``tandem`` command line: run, migrate, check-config, demo."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import ConfigError, Settings, load_settings, read_environment
from bot.logging_setup import configure_logging

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description="Tandem: peer support for Discord servers.")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="apply pending migrations, then connect and run the bot")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    sub.add_parser("check-config", help="validate the settings and exit")
    demo = sub.add_parser("demo", help="run the real bot against the bundled sandbox and print what happens")
    demo.add_argument("--keep-db", type=Path, default=None, help="keep the demo's SQLite file at this path")
    return parser


async def _migrate(settings: Settings) -> str | None:
    from bot.db import migrate
    from bot.db.engine import create_engine

    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(read_environment(args.env_file))
        configure_logging(settings.log_level_number)
        if args.command == "check-config":
            settings.require_token()
            guilds = ", ".join(map(str, settings.dev_guild_ids)) or "none (global sync)"
            print(
                f"Configuration is valid. Database: {make_url(settings.database_url).render_as_string()}; "
                f"API: {settings.discord_api_base}; "
                f"gateway: {settings.discord_gateway_url}; development guilds: {guilds}; "
                f"log level: {settings.log_level}."
            )
        elif args.command == "migrate":
            revision = asyncio.run(_migrate(settings))
            print(f"Database is at revision {revision}.")
        elif args.command == "run":
            from bot.runner import run_bot

            settings.require_token()
            asyncio.run(run_bot(settings))
        elif args.command == "demo":
            from bot.demo import run_demo

            return asyncio.run(run_demo(keep_db=args.keep_db))
    except ConfigError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
