"""Cleaning and splitting of what members type. Pure functions, no Discord."""

from __future__ import annotations

import re
import unicodedata

# Bidi embeddings, overrides and isolates, marks, zero-width spaces and joiners, word joiners, soft
# hyphens, the BOM: invisible characters that reorder or hide what a reader sees.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_ZWJ = "\u200d"
# A zero-width joiner between two emoji builds one emoji (the rainbow and trans flags): it is kept.
_EMOJI = r"\U0001f000-\U0001faff\u2600-\u27bf"
_EMOJI_ZWJ = re.compile(rf"(?<=[{_EMOJI}\ufe0f])\u200d(?=[{_EMOJI}])")
_KEPT_ZWJ = "\ue000"  # a private-use stand-in while the other invisible characters are removed
# [label](url) and [label](<url>): Discord shows only the label, hiding where the link goes.
_MASKED_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^()\s<>]*)>?\s*\)")


def without_invisible(text: str) -> str:
    """``text`` without bidi controls and zero-width characters (an emoji's own joiners stay)."""
    text = _EMOJI_ZWJ.sub(_KEPT_ZWJ, text)
    return _INVISIBLE.sub("", text).replace(_KEPT_ZWJ, _ZWJ)


def _visible(ch: str) -> bool:
    return ch == _ZWJ or unicodedata.category(ch)[0] != "C"


def clean_line(text: str) -> str:
    """One line of plain text: no control or zero-width characters, single spaces."""
    text = without_invisible(text)
    text = "".join(ch if _visible(ch) else " " for ch in text)
    return " ".join(text.split())


def clean_block(text: str) -> str:
    """Several lines of plain text, with at most one blank line between paragraphs."""
    text = without_invisible(text.replace("\r\n", "\n"))
    lines = ["".join(ch for ch in line if _visible(ch)).strip() for line in text.split("\n")]
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


def visible_text(text: str) -> str:
    """THE cleaning of member text that Tandem shows (notes, agreements, goals, reports, about me, reasons).

    What a reader sees is what is there: bidi controls, zero-width and other invisible characters are
    removed (an emoji's own joiner stays), and a masked link ``[label](url)`` shows where it goes
    (``label (url)``). Line breaks, spacing and the member's own formatting are kept."""
    text = without_invisible(text.replace("\r\n", "\n"))
    text = "".join(ch for ch in text if ch in "\n\t" or _visible(ch))
    return _MASKED_LINK.sub(lambda m: f"{m[1]} ({m[2]})" if m[2] else m[1], text)


def shown_plain(text: str) -> str:
    """Member text inside Tandem's own messages: :func:`visible_text`, with markdown shown literally and
    no mention syntax.

    Messages are also sent with allowed mentions set to none; this keeps ``@everyone`` and ``<@&id>``
    from even looking like mentions."""
    return _MARKDOWN.sub(r"\\\1", visible_text(text)).replace("@", "@\u200b")


def mention(user_id: int) -> str:
    """Discord's plain ``<@id>``: whoever sends the text decides (allowed_mentions) who is pinged."""
    return f"<@{user_id}>"


def channel_link(channel_id: int) -> str:
    return f"<#{channel_id}>"
