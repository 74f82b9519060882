"""Cleaning and splitting of what members type. Pure functions, no Discord."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


def clean_line(text: str) -> str:
    """One line of plain text: no control or zero-width characters, single spaces."""
    text = _INVISIBLE.sub("", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return " ".join(text.split())


def clean_block(text: str) -> str:
    """Several lines of plain text, with at most one blank line between paragraphs."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n"))
    lines = ["".join(ch for ch in line if unicodedata.category(ch)[0] != "C").strip() for line in text.split("\n")]
    out = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", out)


def split_list(text: str | None) -> list[str]:
    """Comma- or semicolon-separated items, cleaned, without blanks or repeats (case-insensitive)."""
    if not text:
        return []
    seen: set[str] = set()
    items: list[str] = []
    for raw in re.split(r"[,;\n]", text):
        item = clean_line(raw)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            items.append(item)
    return items


def human_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<:-])")


def shown_plain(text: str) -> str:
    """Member text to show inside Tandem's own messages: markdown shown literally, no mention syntax.

    Messages are also sent with allowed mentions set to none; this keeps ``@everyone`` and ``<@&id>``
    from even looking like mentions."""
    return _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")


def mention(user_id: int) -> str:
    """Discord's plain ``<@id>``: whoever sends the text decides (allowed_mentions) who is pinged."""
    return f"<@{user_id}>"


def channel_link(channel_id: int) -> str:
    return f"<#{channel_id}>"
