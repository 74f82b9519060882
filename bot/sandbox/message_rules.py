"""Discord's limits on a message body: content, embeds, allowed mentions and components.

The same rules hold for every route that creates or edits a message: channel messages and DMs,
interaction responses (types 4 and 7), follow-ups and webhook message edits. ``content`` is limited to
2,000 characters for a bot (the schema's 4,000 is for other senders); all embeds' text together
(title, description, field names and values, footer text, author name) to 6,000.
"""

from __future__ import annotations

from typing import Any

from .component_rules import check_message_components
from .form import Form, as_dict

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_EMBED_FIELDS = 25
MAX_URL = 2048
MAX_MENTION_IDS = 100
PARSE_TYPES = ("users", "roles", "everyone")


def _text(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def embed_size(embed: dict[str, Any]) -> int:
    """The characters Discord counts toward the 6,000 shared by a message's embeds."""
    size = _text(embed.get("title")) + _text(embed.get("description"))
    size += _text(as_dict(embed.get("footer")).get("text")) + _text(as_dict(embed.get("author")).get("name"))
    for fld in embed.get("fields") or []:
        size += _text(as_dict(fld).get("name")) + _text(as_dict(fld).get("value"))
    return size


def _check_embed(form: Form, path: str, embed: dict[str, Any]) -> None:
    form.string(f"{path}.title", embed.get("title"), high=256)
    form.string(f"{path}.description", embed.get("description"), high=4096)
    form.string(f"{path}.url", embed.get("url"), high=MAX_URL)
    form.number(f"{path}.color", embed.get("color"), low=0, high=0xFFFFFF)
    footer = as_dict(embed.get("footer"))
    form.string(f"{path}.footer.text", footer.get("text"), high=2048)
    form.string(f"{path}.footer.icon_url", footer.get("icon_url"), high=MAX_URL)
    author = as_dict(embed.get("author"))
    form.string(f"{path}.author.name", author.get("name"), high=256)
    for key in ("url", "icon_url"):
        form.string(f"{path}.author.{key}", author.get(key), high=MAX_URL)
    for key in ("image", "thumbnail"):
        form.string(f"{path}.{key}.url", as_dict(embed.get(key)).get("url"), high=MAX_URL)
    for j, fld in enumerate(form.objects(f"{path}.fields", embed.get("fields"), high=MAX_EMBED_FIELDS)):
        form.string(f"{path}.fields.{j}.name", fld.get("name"), high=256, required=True)
        form.string(f"{path}.fields.{j}.value", fld.get("value"), high=1024, required=True)


def _check_allowed_mentions(form: Form, raw: Any) -> None:
    if raw is None:
        return
    allowed = as_dict(raw)
    parse = form.items("allowed_mentions.parse", allowed.get("parse"), high=len(PARSE_TYPES))
    for i, kind in enumerate(parse):
        if kind not in PARSE_TYPES:
            form.add(
                f"allowed_mentions.parse.{i}",
                "BASE_TYPE_CHOICES",
                "Value must be one of {'users', 'roles', 'everyone'}.",
            )
    for kind in ("users", "roles"):
        ids = form.items(f"allowed_mentions.{kind}", allowed.get(kind), high=MAX_MENTION_IDS)
        if ids and kind in parse:
            form.add(
                "allowed_mentions",
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )


def check_message_body(form: Form, body: dict[str, Any]) -> None:
    """Every limit on a message create/edit body, into ``form``."""
    form.string("content", body.get("content"), high=MAX_CONTENT)
    embeds = form.objects("embeds", body.get("embeds"), high=MAX_EMBEDS)
    total = 0
    for i, embed in enumerate(embeds):
        _check_embed(form, f"embeds.{i}", embed)
        total += embed_size(embed)
    if total > MAX_EMBED_TOTAL:
        form.add("embeds", "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}")
    _check_allowed_mentions(form, body.get("allowed_mentions"))
    try:
        flags = int(body.get("flags") or 0)
    except (TypeError, ValueError):
        form.add("flags", "NUMBER_TYPE_COERCE", f'Value "{body.get("flags")}" is not int.')
        flags = 0
    check_message_components(form, body.get("components"), flags)
