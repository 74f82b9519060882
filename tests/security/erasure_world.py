"""A program with everything a member can leave behind, played through the real bot in the sandbox, and
a scan of every table and column that can hold member-linked data (issue 10, High #1 and the scan)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.sqltypes import JSON, String, Text

from bot.app.tables import metadata
from bot.db.crypto import EncryptedText
from tests.e2e.clock_world import ClockWorld
from tests.e2e.test_checkins import agree, check_in

ABOUT = "Trans woman, new in town (planted-about-7Q)"
NOTE = "I relapsed this week (planted-note-7Q)"
PROGRESS = "Called my sponsor (planted-progress-7Q)"
OBJECTIVE = "Come out to my family (planted-goal-7Q)"
MILESTONE = "tell my therapist about my HIV status (planted-milestone-7Q)"
GOAL_NOTE = "halfway there (planted-goalnote-7Q)"
REPORT = "my partner frightens me (planted-report-7Q)"
PLANTED = (ABOUT, NOTE, PROGRESS, OBJECTIVE, MILESTONE, GOAL_NOTE, REPORT)

Row = dict[str, Any]


@dataclass(frozen=True)
class Kept:
    """A column allowed to keep an erased member's id, the rows it may keep it in, and why (README)."""

    why: str
    rows: Callable[[Row], bool] = lambda _row: True


# The README's privacy section lists exactly these.
ID_ALLOWLIST: dict[tuple[str, str], Kept] = {
    ("audit_log", "member_ids"): Kept("the audit log of moderator actions is append-only and hash-chained"),
    ("audit_log", "actor_id"): Kept("the moderator who took an action, in the same append-only log"),
    ("access_grants", "moderator_id"): Kept("which moderator was given break-glass access, and when"),
    ("reports", "resolved_by"): Kept("which moderator closed a case"),
    ("blocks", "blocker_id"): Kept("a moderators' block protects the other member", lambda r: r["source"] != "member"),
    ("blocks", "blocked_id"): Kept("a block set by someone else protects them", lambda r: r["source"] != "member"),
}


def is_user_id_column(column: Any) -> bool:
    return isinstance(column.type, BigInteger)


def is_text_column(column: Any) -> bool:
    return isinstance(column.type, String | Text | JSON | EncryptedText)


def member_linked_columns() -> list[tuple[str, str]]:
    """Every column of user-id type and every text column, in every table of the application."""
    return sorted(
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if is_user_id_column(column) or is_text_column(column)
    )


async def leftovers(session: AsyncSession, user_id: int, planted: tuple[str, ...]) -> list[str]:
    """Where an erased member's planted text, or their id, is still held (outside the allowlist)."""
    found: list[str] = []
    for table in metadata.sorted_tables:
        for row in (await session.execute(select(table))).mappings():  # through the column types: decrypted
            for column in table.columns:
                value, where = row[column.name], f"{table.name}.{column.name}"
                if value is None or not (is_user_id_column(column) or is_text_column(column)):
                    continue
                if is_user_id_column(column):
                    holds_id = value == user_id
                else:
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    found += [f"{where} holds {p!r}" for p in planted if p in text]
                    holds_id = str(user_id) in text
                kept = ID_ALLOWLIST.get((table.name, column.name))
                if holds_id and (kept is None or not kept.rows(dict(row))):
                    found.append(f"{where} holds the member's id")
    return found


async def full_program(w: ClockWorld) -> tuple[Any, Any, Any]:
    """Alice and Bob paired; Alice writes in every place a member can, then ends with a block."""
    joins = {"alice": {"about": ABOUT, "topics": "coming out, writing"}, "bob": {"topics": "coming out"}}
    alice, bob, pair = await w.pair(**joins)
    assert pair.space_id is not None
    await agree(w, alice, pair.space_id, objectives="Meet weekly", frequency="weekly")
    await w.run(alice, "checkin hours", start=8, end=22)
    w.clock.advance(days=7, hours=12)
    await w.tick()
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]
    await check_in(w, alice, prompt, mood="2", progress=PROGRESS, note=NOTE, share="no")
    added = await w.run(alice, "goal add", objective=OBJECTIVE, milestones=MILESTONE)
    assert "Goal added" in (added.content or ""), added.content
    await w.run(alice, "goal progress", goal=1, percent=50, note=GOAL_NOTE)
    opened = await w.run(alice, "peer report")
    await (await w.sb.submit_modal(alice, opened, {"report_text": REPORT})).wait_done(timeout=10)
    ended = await w.run(alice, "peer end", dont_pair_again=True)
    assert "has ended" in (ended.content or ""), ended.content
    return alice, bob, pair
