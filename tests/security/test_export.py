"""Medium #4 and Low #15 (export side): a member's export holds everything Tandem holds about them, and
nothing that reveals someone else's confidential choice (a moderators' block, a partner's reports or
blocks), replayed through the real bot in the sandbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clock_world import ClockWorld, clock_world

BOB_REPORT = "alice said something hurtful (bob-report-3K)"
ALICE_REPORT = "bob keeps missing our calls (alice-report-3K)"
RESOLVE_NOTE = "spoke to both, monitoring (mod-note-3K)"
ACCESS_REASON = "checking a report of self harm (access-reason-3K)"


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


async def report(w: ClockWorld, who: Any, text: str) -> None:
    opened = await w.run(who, "peer report")
    await (await w.sb.submit_modal(who, opened, {"report_text": text})).wait_done(timeout=10)


async def export_of(w: ClockWorld, who: Any) -> tuple[str, dict[str, Any]]:
    result = await w.run(who, "peer data export")
    raw = w.sb.attachment_bytes(result.messages[-1].attachments[0]).decode()
    return raw, json.loads(raw)


async def test_export_is_complete_and_reveals_no_one_elses_confidential_choice(cworld: ClockWorld) -> None:
    w = cworld
    joins = {"alice": {"topics": "coming out"}, "bob": {"topics": "coming out"}}
    alice, bob, pair = await w.pair(**joins)
    carol = w.member("carol")
    await w.join(carol)
    blocked = await w.run(w.mod, "peeradmin safety block", member_a=alice, member_b=carol)
    assert "neither is told" in (blocked.content or "")
    await w.run(alice, "checkin hours", start=7, end=20)
    await w.run(alice, "goal add", objective="Finish my CV")
    await w.run(alice, "goal progress", goal=1, percent=40)
    await w.run(alice, "goal progress", goal=1, percent=80)
    await report(w, alice, ALICE_REPORT)
    await report(w, bob, BOB_REPORT)
    await w.run(w.mod, "peeradmin safety resolve", case=1, action="note", note=RESOLVE_NOTE)
    granted = await w.run(w.mod, "peeradmin safety access", pair=pair.id, reason=ACCESS_REASON)
    assert "You can read" in (granted.content or ""), granted.content
    await w.run(bob, "peer end", dont_pair_again=True)

    raw, data = await export_of(w, alice)
    # nothing of anyone else's confidential choice: the moderators' block, Bob's report and Bob's block
    assert str(carol.id) not in raw
    assert data["dont_pair_me_with"] == []
    assert BOB_REPORT not in raw
    # nor the moderators' words: the case note and the break-glass reason are theirs
    assert RESOLVE_NOTE not in raw and ACCESS_REASON not in raw

    # everything held about Alice
    assert data["settings"]["checkin_hours"] == {"start": 7, "end": 20}
    assert data["settings"]["dms_closed_to_tandem"] is False
    assert "checkins_paused_until" in data["settings"] and "celebrate_goals" in data["settings"]
    (pairing,) = data["pairings"]
    assert any("coming out" in reason for reason in pairing["match_reasons"]), pairing
    (view,) = pairing["moderator_access"]
    assert view["moderator_id"] == str(w.mod.id) and view["from"] and view["until"]
    (case,) = data["reports_filed"]
    assert (case["text"], case["status"], case["outcome"]) == (ALICE_REPORT, "resolved", "note")
    (goal,) = data["checkins_and_goals"]["goals"]
    assert [u["percent"] for u in goal["progress_history"]] == [40, 80]

    # Bob's own block is in his export, not in Alice's
    _raw, bobs = await export_of(w, bob)
    assert bobs["dont_pair_me_with"] == [str(alice.id)]
