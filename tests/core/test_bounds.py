"""The one way text is fitted into Discord's limits: nothing over a limit, nothing cut silently."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.bounds import MAX_CONTENT, MAX_DESCRIPTION, MAX_EMBEDS_TEXT, clip, fit_name, layout


def fits(text: str) -> bool:
    out = layout(text)
    return (
        len(out.content) <= MAX_CONTENT
        and all(len(d) <= MAX_DESCRIPTION for d in out.descriptions)
        and sum(len(d) for d in out.descriptions) <= MAX_EMBEDS_TEXT
    )


def test_short_text_stays_content() -> None:
    assert layout("hello").content == "hello" and layout("hello").descriptions == ()


def test_a_long_message_keeps_its_first_line_as_content_and_the_rest_whole_in_an_embed() -> None:
    body = "\n".join(f"> line {i} @\u200beveryone" for i in range(150))
    out = layout("<@1> checked in and shared a note:\n" + body)
    assert out.content == "<@1> checked in and shared a note:"
    assert "".join(out.descriptions) == body


def test_what_cannot_fit_is_named_not_dropped() -> None:
    text = "\n".join("x" * 99 for _ in range(100))  # 9,999 characters
    out = layout(text)
    assert fits(text)
    assert out.descriptions[-1].endswith("more lines.")
    assert "…and" in out.descriptions[-1]


def test_clip_cuts_at_a_line_and_says_how_many_are_left() -> None:
    text = "\n".join(f"- item {i}" for i in range(500))
    clipped = clip(text, 2000)
    assert len(clipped) <= 2000
    kept = clipped.splitlines()[:-1]
    assert kept == text.splitlines()[: len(kept)]
    assert clipped.endswith(f"…and {500 - len(kept)} more lines.")
    assert clip("short", 2000) == "short"


@given(st.text(min_size=0, max_size=12000))
def test_any_text_fits(text: str) -> None:
    assert fits(text)


def test_overflow_names_stay_within_100() -> None:
    assert fit_name("Peer Spaces", " 2") == "Peer Spaces 2"
    long = fit_name("x" * 100, " 12")
    assert len(long) == 100 and long.endswith(" 12")
