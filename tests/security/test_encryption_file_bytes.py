"""Issue 10, findings 3, 6 and 16: a whole program through the real bot, then the SQLite file's bytes.

Planted strings go in through Discord the way members and moderators type them (profile tags, life
stage and about me, an agreement, a check-in note, a goal with milestones, a report, a break-glass
reason; the match reasons repeat the tags). The bot is stopped, the WAL checkpointed, and neither the
database file nor its -wal file holds any of them. After a member is erased (with secure_delete on),
not even the ciphertext of their profile and report is left in free pages; and the engine turns
secure_delete on even where SQLite was built without it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from bot.checkins.models import Goal
from bot.db.engine import _on_sqlite_connect, create_engine
from bot.pairing.models import MemberProfile, Pair
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.e2e.test_checkins import agree, check_in

TAG = "Quokkatag Zephyrine"  # shared by both members: the match reasons say "both chose ..."
ABOUT = "Aboutplant: trans woman, came out to my parents in March"
OBJECTIVES = "Agreeplant: talk about coming out at work"
BOUNDARIES = "Boundplant: no calls after 22h"
NOTE = "Noteplant: I relapsed this week"
PROGRESS = "Progressplant: two meetings"
OBJECTIVE = "Goalplant: tell my family"
MILESTONE = "Milestoneplant: tell my therapist about my HIV status"
REPORT = "Reportplant: my partner outed me"
BREAK_GLASS = "Reasonplant: reported suicidal thoughts"
STAGE = "veteran-transition"
PLANTED = (TAG, ABOUT, OBJECTIVES, BOUNDARIES, NOTE, PROGRESS, OBJECTIVE, MILESTONE, REPORT, BREAK_GLASS, STAGE)


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


def _file(w: ClockWorld) -> Path:
    return Path(w.database_url.split("///", 1)[1])


async def _stop_and_checkpoint(w: ClockWorld) -> bytes:
    assert w.running is not None
    await w.running.stop()
    w.running = None
    path = _file(w)
    with sqlite3.connect(path) as conn:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    conn.close()
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _found(blob: bytes, needles: tuple[str, ...]) -> list[str]:
    return [n for n in needles if n.encode() in blob or n.encode("utf-16-le") in blob]


async def _run_a_program(w: ClockWorld) -> tuple[object, object, Pair]:
    await w.setup()
    alice, bob = w.member("alice"), w.member("bob")
    await w.join(alice, tags=f"{TAG}, bears", life_stage=STAGE, about=ABOUT, topics="coming out")
    await w.join(bob, tags=TAG, life_stage=STAGE, timezone="Europe/London", topics="coming out")
    await w.run(alice, "peer request")
    await w.run(bob, "peer request")
    pair = await w.one(Pair, Pair.status == "active")
    assert pair.space_id is not None
    assert any(TAG in r for r in pair.reasons)  # the reasons name the tag: this is what must not be readable
    await agree(w, alice, pair.space_id, objectives=OBJECTIVES, boundaries=BOUNDARIES)
    w.clock.advance(days=7, hours=12)
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]
    await check_in(w, alice, prompt, mood="2", note=NOTE, progress=PROGRESS, share="no")
    added = await w.run(alice, "goal add", objective=OBJECTIVE, milestones=f"{MILESTONE}; call the clinic")
    assert added.ephemeral and "#" in (added.content or "")
    opened = await w.run(alice, "peer report")
    assert opened.modal is not None
    await (await w.sb.submit_modal(alice, opened, {"report_text": REPORT})).wait_done(timeout=10)
    granted = await w.run(w.mod, "peeradmin safety access", pair=pair.id, reason=BREAK_GLASS, minutes=30)
    assert granted.ephemeral
    return alice, bob, pair


async def test_planted_strings_are_nowhere_in_the_database_file(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, _pair = await _run_a_program(w)
    # everything was stored (read back through the models, decrypted)
    goal = await w.one(Goal, Goal.user_id == alice.id)  # type: ignore[attr-defined]
    assert goal.objective == OBJECTIVE and MILESTONE in goal.milestones
    profile = await w.one(MemberProfile, MemberProfile.user_id == alice.id)  # type: ignore[attr-defined]
    assert TAG in profile.tags and profile.life_stage == STAGE and profile.topics == ["coming out"]

    blob = await _stop_and_checkpoint(w)
    assert _found(blob, PLANTED) == []
    # the chosen topic is also in the server's own topic list (public), so look at the member's column
    with sqlite3.connect(_file(w)) as conn:
        topics = [row[0] for row in conn.execute("SELECT topics FROM member_profiles")]
    conn.close()
    assert topics and all("coming out" not in t for t in topics)


async def test_an_erased_members_text_and_ciphertext_leave_the_file(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, _pair = await _run_a_program(w)
    erased_columns = ("about", "tags", "topics", "life_stage")
    path = _file(w)
    with sqlite3.connect(path) as conn:  # the ciphertext of what erasure deletes today
        row = conn.execute(
            f"SELECT {', '.join(erased_columns)} FROM member_profiles WHERE user_id = ?",  # noqa: S608
            (alice.id,),  # type: ignore[attr-defined]
        ).fetchone()
        report = conn.execute("SELECT text FROM reports WHERE reporter_id = ?", (alice.id,)).fetchone()  # type: ignore[attr-defined]
    conn.close()
    tokens = tuple(str(v) for v in (*row, *report) if v)
    assert len(tokens) == 5 and all(t.startswith("gAAAA") for t in tokens)

    erased = await w.run(w.mod, "peeradmin forget", member=alice)
    assert "erased" in (erased.content or "")
    assert not await w.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id))  # type: ignore[attr-defined]
    assert await w.rows(select(MemberProfile).where(MemberProfile.user_id == bob.id))  # type: ignore[attr-defined]

    blob = await _stop_and_checkpoint(w)
    assert _found(blob, (ABOUT, TAG, STAGE, REPORT)) == []
    assert _found(blob, tokens) == []  # secure_delete: the deleted rows' bytes were overwritten


def _build_default_off(dbapi_connection: Any, _record: Any) -> None:
    """Stands in for an SQLite built without SQLITE_SECURE_DELETE (this machine's build has it on)."""
    dbapi_connection.execute("PRAGMA secure_delete=OFF")


async def _delete_and_scan(tmp_path: Path, name: str, *, bot_engine: bool) -> tuple[int, bool]:
    url = f"sqlite+aiosqlite:///{tmp_path / name}"
    engine = create_engine(url)
    event.listen(engine.sync_engine, "connect", _build_default_off, insert=True)
    if not bot_engine:
        event.remove(engine.sync_engine, "connect", _on_sqlite_connect)
    secret = f"Erasedplant-{name}-" + "x" * 200
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
            for i in range(20):
                await conn.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": f"{secret}-{i}"})
        async with engine.begin() as conn:
            setting = (await conn.execute(text("PRAGMA secure_delete"))).scalar_one()
            await conn.execute(text("DELETE FROM notes WHERE id = 8"))
    finally:
        await engine.dispose()
    path = tmp_path / name
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    return setting, f"{secret}-7".encode() in path.read_bytes()


async def test_the_engine_turns_secure_delete_on_whatever_sqlite_was_built_with(tmp_path: Path) -> None:
    setting, lingers = await _delete_and_scan(tmp_path, "bot.db", bot_engine=True)
    assert setting == 1 and not lingers
    # the control: the same deletion without Tandem's pragma leaves the text in the file's free space
    setting, lingers = await _delete_and_scan(tmp_path, "plain.db", bot_engine=False)
    assert setting == 0 and lingers
