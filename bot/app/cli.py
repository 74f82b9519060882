"""The ``tandem`` command line: run, migrate, check-config, demo, new-key, rotate-key, verify-audit."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.app.config import ConfigError, Settings, load_settings, read_environment
from bot.app.logging_setup import configure_logging

if TYPE_CHECKING:
    from bot.audit import ChainCheck

EXIT_CONFIG = 2
EXIT_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tandem", description="Tandem: peer support for Discord servers.")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="settings file (default: .env)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="apply pending migrations, then connect and run the bot")
    sub.add_parser("migrate", help="apply pending database migrations and exit")
    sub.add_parser("check-config", help="validate the settings and exit")
    demo = sub.add_parser("demo", help="run the real bot against the bundled sandbox and print what happens")
    demo.add_argument("--keep-db", type=Path, default=None, help="keep the demo's SQLite file at this path")
    sub.add_parser("new-key", help="print a fresh data key for TANDEM_DATA_KEY")
    sub.add_parser(
        "rotate-key",
        help="re-encrypt everything under TANDEM_DATA_KEY (old keys in TANDEM_OLD_DATA_KEYS); safe to run again",
    )
    sub.add_parser(
        "verify-audit",
        help="check the audit log's hash chain and checkpoints; name the first broken entry or checkpoint",
    )
    return parser


async def _migrate(settings: Settings) -> str | None:
    from bot.db import migrate
    from bot.db.keycheck import open_database

    engine = await open_database(settings.database_url, settings.keyring())
    try:
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()


async def _rotate_key(settings: Settings) -> int:
    from bot.app.services import checkpoint_key
    from bot.app.tables import metadata
    from bot.audit import resign_checkpoints
    from bot.db.crypto import count_not_under_primary, encrypted_columns, rotate_all
    from bot.db.engine import create_session_factory
    from bot.db.keycheck import open_database

    keyring = settings.keyring()
    engine = await open_database(settings.database_url, keyring)
    try:
        columns = encrypted_columns(metadata)
        report = await rotate_all(engine, keyring, columns)
        left = await count_not_under_primary(engine, keyring, columns)
        key = checkpoint_key(settings)
        if key is not None:  # the audit checkpoints' MAC key is derived from the data key: sign them again
            await resign_checkpoints(create_session_factory(engine), key)
    finally:
        await engine.dispose()
    if report.unreadable or left:
        print(
            f"tandem: {left} stored value(s) are not under TANDEM_DATA_KEY and no configured key opens "
            f"{report.unreadable} of them; add the key they were written with to TANDEM_OLD_DATA_KEYS and run again.",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        f"Re-encrypted {report.rotated} value(s); {report.already_current} were already under the current key. "
        "Everything now opens with TANDEM_DATA_KEY alone: you can empty TANDEM_OLD_DATA_KEYS and restart."
    )
    return 0


async def _verify_audit(settings: Settings) -> int:
    from bot.app.services import checkpoint_key
    from bot.audit import AuditLog
    from bot.db import migrate
    from bot.db.engine import create_session_factory, sqlite_path
    from bot.db.keycheck import open_database

    keyring = settings.keyring()  # the checkpoints are authenticated with a key derived from it
    path = sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        print(f"tandem: there is no database at {path} to check.", file=sys.stderr)
        return EXIT_FAILED
    engine = await open_database(settings.database_url, keyring, upgrade=False)
    try:
        if await migrate.current_revision(engine) != migrate.head_revision():
            print("tandem: the database is not at the latest revision: run `tandem migrate` first.", file=sys.stderr)
            return EXIT_FAILED
        check = await AuditLog(create_session_factory(engine), key=checkpoint_key(settings)).verify()
    finally:
        await engine.dispose()
    return _report_audit(check)


def _report_audit(check: ChainCheck) -> int:
    if check.first_broken is not None:
        print(
            f"The audit log is broken at entry {check.first_broken}: {check.problem} "
            f"({check.entries} entries before it are intact).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    cp = check.checkpoint
    if cp is not None:
        print(
            f"The audit log no longer matches its {cp.kind} checkpoint {cp.checkpoint_id} of "
            f"{cp.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({cp.entries} entries): {cp.problem}; "
            f"the log changed since then ({check.entries} entries now, each hash fits).",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(
        f"The audit log is intact: {check.entries} entries, every hash fits, "
        f"and {check.checkpoints} checkpoint(s) match."
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(read_environment(args.env_file))
        configure_logging(settings.log_level_number)
        if args.command == "new-key":
            from bot.db.crypto import new_key

            print(new_key())
        elif args.command == "check-config":
            settings.require_token()
            settings.keyring()
            guilds = ", ".join(map(str, settings.dev_guild_ids)) or "none (global sync)"
            print(
                f"Configuration is valid. Database: {make_url(settings.database_url).render_as_string()}; "
                f"API: {settings.discord_api_base}; "
                f"gateway: {settings.discord_gateway_url}; development guilds: {guilds}; "
                f"log level: {settings.log_level}; data key: set"
                + (f" (+{len(settings.old_data_keys)} old key(s) during a rotation)" if settings.old_data_keys else "")
                + "."
            )
        elif args.command == "migrate":
            revision = asyncio.run(_migrate(settings))
            print(f"Database is at revision {revision}.")
        elif args.command == "run":
            from bot.app.runner import run_bot

            settings.require_token()
            settings.keyring()
            asyncio.run(run_bot(settings))
        elif args.command == "demo":
            from bot.sandbox.demo import run_demo

            return asyncio.run(run_demo(keep_db=args.keep_db))
        elif args.command == "rotate-key":
            return asyncio.run(_rotate_key(settings))
        elif args.command == "verify-audit":
            return asyncio.run(_verify_audit(settings))
    except ConfigError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
