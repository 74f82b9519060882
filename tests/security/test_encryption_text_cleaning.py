"""Issue 10, finding 14: member text is cleaned the same way wherever the bot shows it.

Bidi controls (which can reverse what a reader sees, "\u202e"), zero-width characters and masked links
(``[harmless](https://elsewhere)`` shows only "harmless") are typed into a shared check-in note, an
agreement, a goal, a report and an about me, through the real bot; what it shows has none of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.checkins import wording
from bot.core.text import clean_line, shown_plain
from tests.e2e.clock_world import ClockWorld, clock_world
from tests.e2e.test_checkins import agree, check_in

RLO, LRI, PDI, ZWSP, WJ, BOM = "\u202e", "\u2066", "\u2069", "\u200b", "\u2060", "\ufeff"
HIDDEN = (RLO, LRI, PDI, WJ, BOM, "\u200e", "\u200f", "\u061c", "\u00ad")
LINK = "[my blog](https://evil.example/x)"
TRICKY = f"safe{RLO}txt.exe {LRI}me{PDI} zero{ZWSP}width{WJ} {LINK} *bold*"
RAINBOW = "\U0001f3f3\ufe0f\u200d\U0001f308"  # the rainbow flag is two emoji joined by U+200D


@pytest.fixture
async def cworld(tmp_path: Path) -> AsyncIterator[ClockWorld]:
    async with clock_world(tmp_path) as w:
        yield w


def _clean(shown: str) -> None:
    assert not [ch for ch in HIDDEN if ch in shown], repr(shown)
    assert ZWSP not in shown.replace("@\u200b", "")  # only the one that keeps "@" from mentioning
    assert "](" not in shown and "evil.example" in shown  # the link's target is shown, not hidden
    assert "safetxt.exe" in shown and "zerowidth" in shown


def test_one_function_cleans_bidi_zero_width_and_masked_links() -> None:
    shown = shown_plain(TRICKY + " @everyone\nsecond line")
    _clean(shown)
    assert "@\u200beveryone" in shown and "\\*bold\\*" in shown and shown.endswith("\nsecond line")
    assert shown_plain(f"proud {RAINBOW}") == f"proud {RAINBOW}"  # an emoji's own joiner stays
    assert clean_line(f"{RAINBOW}{ZWSP}") == RAINBOW
    assert "[" not in shown_plain("[x](<https://a.b>)").replace("\\[", "")
    _clean(wording.quoted(TRICKY))
    _clean(wording.checked_in(1, TRICKY))
    _clean(wording.goal_soon(1, date(2026, 3, 9), TRICKY))


async def test_every_display_path_of_member_text_is_cleaned(cworld: ClockWorld) -> None:
    w = cworld
    alice, bob, pair = await w.pair(alice={"about": TRICKY})
    assert pair.space_id is not None
    profile = await w.run(alice, "peer profile")
    _clean(profile.content or "".join(str(e) for e in getattr(profile, "embeds", [])))

    await agree(w, alice, pair.space_id, objectives=TRICKY)
    w.clock.advance(days=7, hours=12)
    await w.tick()
    prompt = w.prompts_in(pair.space_id)[-1]
    await check_in(w, bob, prompt, mood="4", note=TRICKY, share="yes")
    _clean(w.sb.messages_in(pair.space_id)[-1].content)

    added = await w.run(alice, "goal add", objective=TRICKY, milestones=f"first {LINK}; second{RLO}")
    assert added.ephemeral
    listed = await w.run(alice, "goal list")
    _clean(listed.content or "")

    opened = await w.run(alice, "peer report")
    await (await w.sb.submit_modal(alice, opened, {"report_text": TRICKY})).wait_done(timeout=10)
    posted = [m.content for m in w.sb.messages_in(w.log.id) if "Case #" in m.content]
    assert posted
    _clean(posted[-1])
    cases = await w.run(w.mod, "peeradmin safety reports")
    _clean(cases.content or "")
