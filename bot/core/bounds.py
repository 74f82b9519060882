"""Discord's size limits for what the bot writes, and the one way text is fitted into them. Pure, no Discord.

A message's content holds 2,000 characters; longer text goes into embed descriptions (4,096 each, 6,000
for all of a message's embeds together). Nothing is cut silently: what does not fit ends with a line
saying how much was left out.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_EMBEDS_TEXT = 6000
MAX_FIELD_VALUE = 1024
MAX_CHANNEL_NAME = 100
MARKER_ROOM = 40  # room kept for the "…and N more" line


def left_out(lines: int, chars: int) -> str:
    if lines > 1:
        return f"…and {lines} more lines."
    return f"…and {chars} more characters."


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a line end where possible; a cut says how much is left out."""
    if len(text) <= limit:
        return text
    budget = limit - MARKER_ROOM
    head = text[:budget]
    cut = head.rfind("\n")
    if cut > budget // 2:
        head = head[:cut]
    rest = text[len(head) :].lstrip("\n")
    return head.rstrip() + "\n" + left_out(len(rest.splitlines()), len(rest))


@dataclass(frozen=True)
class Layout:
    """How one message is sent: its content, then the descriptions of its embeds (maybe none)."""

    content: str
    descriptions: tuple[str, ...] = ()


def layout(text: str) -> Layout:
    """Text that fits a message by construction: as content when it can be, else its first line as
    content and the rest in embeds, within 6,000 characters in all (the excess is named, not dropped)."""
    if len(text) <= MAX_CONTENT:
        return Layout(text)
    head, sep, body = text.partition("\n")
    if not sep or len(head) > MAX_CONTENT // 2:
        head, body = "", text
    room = MAX_EMBEDS_TEXT
    descriptions: list[str] = []
    rest = body
    while rest:
        limit = min(MAX_DESCRIPTION, room)
        if len(rest) <= limit:
            descriptions.append(rest)
            break
        if room <= MAX_DESCRIPTION:  # the last embed that fits: say what is left out
            descriptions.append(clip(rest, limit))
            break
        piece = rest[:limit]
        cut = piece.rfind("\n")
        piece = piece[:cut] if cut > limit // 2 else piece
        descriptions.append(piece)
        rest = rest[len(piece) :].lstrip("\n")
        room -= len(piece)
    return Layout(head, tuple(descriptions))


def fit_name(base: str, suffix: str, limit: int = MAX_CHANNEL_NAME) -> str:
    """``base`` + ``suffix`` within ``limit`` characters, shortening ``base`` (e.g. an overflow category)."""
    return base[: max(1, limit - len(suffix))].rstrip() + suffix
