"""The schema is only changed by migrations: upgrade, downgrade and the models all agree."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.tables import metadata
from bot.db import migrate
from bot.db.engine import create_engine


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"render_as_batch": True, "compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_and_downgrade_empties(database_url: str) -> None:
    engine: AsyncEngine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            assert {
                "guild_settings",
                "member_profiles",
                "pairs",
                "pair_members",
                "pair_history",
                "blocks",
            } <= (await conn.run_sync(_tables))
        await migrate.downgrade(engine, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) <= {"alembic_version"}
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
    finally:
        await engine.dispose()


async def test_sqlite_runs_wal_full_with_busy_timeout(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 2000  # < the 3 s window (issue 9)
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_batch_rebuilds_in_migrations_keep_dependent_rows(engine: AsyncEngine) -> None:
    """A future revision that rebuilds `pairs` (SQLite batch mode) must not cascade into pair_members."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO pairs (id, guild_id, status, space_name, score, reasons, created_by, created_at) "
                "VALUES (1, 1, 'active', 'pair-1', 0, '[]', 'round', '2026-01-01')"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO pair_members (pair_id, guild_id, user_id, slot, is_open) VALUES (1,1,10,0,1),(1,1,11,0,1)"
            )
        )

    def future_revision(sync_conn: Connection) -> None:
        operations = Operations(MigrationContext.configure(sync_conn, opts={"render_as_batch": True}))
        with operations.batch_alter_table("pairs", recreate="always") as batch:
            batch.alter_column("end_reason", type_=sa.String(64))

    await migrate.run_migration_step(engine, future_revision)
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM pair_members"))).scalar() == 2
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1


def _report_columns(connection: Connection) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("reports")}


async def test_report_delivery_flag_upgrades_and_downgrades_keeping_reports(database_url: str) -> None:
    """Reports filed before 0004 were posted when filed: they count as delivered; downgrading keeps them."""
    engine: AsyncEngine = create_engine(database_url)
    try:
        await migrate.upgrade(engine, "0003")
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO reports (id, guild_id, reporter_id, source, text, status, created_at) "
                    "VALUES (1, 1, 10, 'command', 'x', 'open', '2026-01-01')"
                )
            )
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT delivered FROM reports WHERE id = 1"))).scalar() == 1
        await migrate.downgrade(engine, "0003")
        async with engine.connect() as conn:
            assert "delivered" not in await conn.run_sync(_report_columns)
            assert (await conn.execute(text("SELECT count(*) FROM reports"))).scalar() == 1
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            assert "delivered" in await conn.run_sync(_report_columns)
    finally:
        await engine.dispose()
