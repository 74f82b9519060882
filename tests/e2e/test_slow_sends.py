"""A slow message bucket never costs an acknowledgement (issue 9).

Each flow below posts in a channel (the pair space or the moderators' log) while answering a member.
With 2.5 s of latency on every message send, each interaction must still be acknowledged first and
in time (Discord's 3-second window, measured by the sandbox on its own clock), and the member must get
their answer. "First" is checked on the recorded requests: between the interaction and its first
response the bot sends nothing else to Discord.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import InteractionResult
from tests.e2e.clock_world import ClockWorld, clock_world

SEND = r"/channels/\d+/messages"
SLOW = 2.5


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


def custom_ids(message: Any, prefix: str) -> list[str]:
    return [
        str(comp["custom_id"])
        for row in getattr(message, "components", [])
        for comp in row.get("components", [])
        if str(comp.get("custom_id", "")).startswith(prefix)
    ]


async def slowly(w: ClockWorld, act: Callable[[], Awaitable[InteractionResult]]) -> InteractionResult:
    """Run one interaction with every message send 2.5 s slow; assert it was acknowledged first and in time."""
    w.sb.latency.add_route("POST", SEND, SLOW)
    start = len(w.sb.requests)
    try:
        result = await act()
        await result.wait_done(timeout=20)
    finally:
        w.sb.latency.clear_routes()
    seen = [r for r in w.sb.requests[start:] if r.actor == "bot"]
    callback = f"/interactions/{result.id}/{result.token}/callback"
    answers = [i for i, r in enumerate(seen) if r.path == callback]
    assert answers, "the interaction was never acknowledged"
    first = seen[answers[0]]
    assert first.status < 300, f"the acknowledgement was refused: {first.status} {first.response}"  # 10062: late
    before = [f"{r.method} {r.path}" for r in seen[: answers[0]]]
    assert before == [], f"the bot called Discord before acknowledging: {before}"
    assert result.acknowledged and result.ephemeral
    return result


async def prompt_for(w: ClockWorld, space_id: int) -> Any:
    w.clock.advance(days=7, hours=12)
    await w.tick()
    return w.prompts_in(space_id)[-1]


async def test_checkin_submit_from_the_button(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    prompt = await prompt_for(w, pair.space_id)
    opened = await w.sb.press_button(alice, prompt, custom_ids(prompt, "tandem:checkin:")[0])
    await opened.wait_done(timeout=10)
    fields = {"mood": "4", "progress": "", "note": "A good week", "share": "yes"}
    saved = await slowly(w, lambda: w.sb.submit_modal(alice, opened, fields))
    assert "shared with your partner" in (saved.content or "")
    assert "A good week" in w.sb.messages_in(pair.space_id)[-1].content


async def test_checkin_submit_from_checkin_now(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    opened = await w.run(alice, "checkin now")
    assert opened.modal is not None
    fields = {"mood": "3", "progress": "", "note": "", "share": ""}
    saved = await slowly(w, lambda: w.sb.submit_modal(alice, opened, fields))
    assert "Thank you for checking in." in (saved.content or "")
    assert w.sb.messages_in(pair.space_id)[-1].content == f"<@{alice.id}> checked in."


async def test_agreement_submit(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    welcome = w.sb.messages_in(pair.space_id)[0]
    opened = await w.sb.press_button(alice, welcome, custom_ids(welcome, "tandem:agree:")[0])
    await opened.wait_done(timeout=10)
    fields = {"objectives": "Finish my CV", "timeline": "", "frequency": "weekly", "boundaries": ""}
    saved = await slowly(w, lambda: w.sb.submit_modal(alice, opened, fields))
    assert "Your agreement is saved." in (saved.content or "")
    assert "updated your pair agreement" in w.sb.messages_in(pair.space_id)[-1].content


async def test_report_submit_from_the_button(cworld: ClockWorld) -> None:
    w = cworld
    _alice, bob, pair = await w.pair()
    assert pair.space_id is not None
    welcome = w.sb.messages_in(pair.space_id)[0]
    opened = await w.sb.press_button(bob, welcome, f"tandem:report:{pair.id}")
    await opened.wait_done(timeout=10)
    sent = await slowly(w, lambda: w.sb.submit_modal(bob, opened, {"report_text": "Messages at night."}))
    assert "case #1" in (sent.content or "")
    assert "Case #1" in w.sb.messages_in(w.log)[-1].content


async def test_report_submit_from_peer_report(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, _pair = await w.pair()
    opened = await w.run(alice, "peer report")
    assert opened.modal is not None
    sent = await slowly(w, lambda: w.sb.submit_modal(alice, opened, {"report_text": "Something's off."}))
    assert "case #1" in (sent.content or "")
    assert "Case #1" in w.sb.messages_in(w.log)[-1].content


async def test_let_the_moderators_know(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    prompt = await prompt_for(w, pair.space_id)
    support = await slowly(w, lambda: w.sb.press_button(alice, prompt, f"tandem:support:{w.guild.id}"))
    offer = support.message
    assert offer is not None
    tell = f"tandem:tellmods:{w.guild.id}"
    assert tell in json.dumps(support.components)
    told = await slowly(w, lambda: w.sb.press_button(alice, offer, tell))
    assert "The moderators have been told" in (told.content or "")
    assert "asked for support" in w.sb.messages_in(w.log)[-1].content


async def test_goal_done(cworld: ClockWorld) -> None:
    w = cworld
    alice, _bob, pair = await w.pair()
    assert pair.space_id is not None
    added = await slowly(w, lambda: w.run(alice, "goal add", objective="Finish my CV"))
    assert "Goal added: #1" in (added.content or "")
    done = await slowly(w, lambda: w.run(alice, "goal done", goal=1))
    assert done.content == "Well done! Goal #1 is complete. Your pair space is celebrating with you."
    assert f"<@{alice.id}>" in w.sb.messages_in(pair.space_id)[-1].content
