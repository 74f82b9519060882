"""Message bodies Discord refuses (content, embeds, components, allowed mentions), on every message route."""

from __future__ import annotations

from typing import Any

import discord
import pytest

from .conftest import World
from .raw import Raw, form_error_codes


def button(custom_id: str, label: str = "Go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def select(custom_id: str = "pick", **extra: Any) -> dict[str, Any]:
    options = [{"label": "One", "value": "1"}]
    return {"type": 3, "custom_id": custom_id, "options": options, **extra}


def row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(children)}


def embed(**fields: Any) -> dict[str, Any]:
    return {"type": "rich", **fields}


async def test_refusal_has_discords_exact_shape(raw: Raw) -> None:
    status, body = await raw.send(raw.guild.system_channel.id, {"content": "x" * 2001})
    assert status == 400
    assert body == {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}
        },
    }
    assert raw.sb.messages_in(raw.guild.system_channel) == []


async def test_discord_py_sees_the_refusal_and_nothing_is_posted(world: World) -> None:
    channel = world.client.get_channel(world.guild.system_channel.id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as err:
        await channel.send("x" * 2001)
    assert err.value.status == 400 and err.value.code == 50035
    with pytest.raises(discord.HTTPException) as err:
        await channel.send(embed=discord.Embed(title="t").add_field(name="n", value="v" * 1025))
    assert err.value.code == 50035 and "embeds.0.fields.0.value" in str(err.value)
    await channel.send("x" * 2000)
    assert [len(m.content) for m in world.sb.messages_in(channel.id)] == [2000]


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("content", {"content": "x" * 2001}, "content", "BASE_TYPE_MAX_LENGTH"),
    ("11 embeds", {"embeds": [embed(title="t")] * 11}, "embeds", "BASE_TYPE_MAX_LENGTH"),
    ("title", {"embeds": [embed(title="t" * 257)]}, "embeds.0.title", "BASE_TYPE_MAX_LENGTH"),
    ("description", {"embeds": [embed(description="d" * 4097)]}, "embeds.0.description", "BASE_TYPE_MAX_LENGTH"),
    (
        "field name",
        {"embeds": [embed(fields=[{"name": "n" * 257, "value": "v"}])]},
        "embeds.0.fields.0.name",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "field value",
        {"embeds": [embed(fields=[{"name": "n", "value": "v" * 1025}])]},
        "embeds.0.fields.0.value",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "empty field value",
        {"embeds": [embed(fields=[{"name": "n", "value": ""}])]},
        "embeds.0.fields.0.value",
        "BASE_TYPE_REQUIRED",
    ),
    (
        "26 fields",
        {"embeds": [embed(fields=[{"name": "n", "value": "v"}] * 26)]},
        "embeds.0.fields",
        "BASE_TYPE_MAX_LENGTH",
    ),
    ("footer", {"embeds": [embed(footer={"text": "f" * 2049})]}, "embeds.0.footer.text", "BASE_TYPE_MAX_LENGTH"),
    ("author", {"embeds": [embed(author={"name": "a" * 257})]}, "embeds.0.author.name", "BASE_TYPE_MAX_LENGTH"),
    ("colour", {"embeds": [embed(title="t", color=0x1000000)]}, "embeds.0.color", "NUMBER_TYPE_MAX"),
    (
        "6,000 in all",
        {"embeds": [embed(description="d" * 3000), embed(description="d" * 3001)]},
        "embeds",
        "MAX_EMBED_SIZE_EXCEEDED",
    ),
    ("6 rows", {"components": [row(button(f"b{i}")) for i in range(6)]}, "components", "BASE_TYPE_MAX_LENGTH"),
    (
        "6 buttons",
        {"components": [row(*(button(f"b{i}") for i in range(6)))]},
        "components.0.components",
        "BASE_TYPE_BAD_LENGTH",
    ),
    ("empty row", {"components": [row()]}, "components.0.components", "BASE_TYPE_BAD_LENGTH"),
    (
        "select and button",
        {"components": [row(select(), button("b"))]},
        "components.0.components",
        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
    ),
    ("button outside a row", {"components": [button("b")]}, "components.0.type", "UNION_TYPE_CHOICES"),
    (
        "duplicate custom_id",
        {"components": [row(button("same")), row(button("same"))]},
        "components.1.components.0.custom_id",
        "COMPONENT_CUSTOM_ID_DUPLICATED",
    ),
    (
        "custom_id 101",
        {"components": [row(button("c" * 101))]},
        "components.0.components.0.custom_id",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "custom_id missing",
        {"components": [row({"type": 2, "style": 1, "label": "x"})]},
        "components.0.components.0.custom_id",
        "BASE_TYPE_REQUIRED",
    ),
    (
        "button label 81",
        {"components": [row(button("b", "l" * 81))]},
        "components.0.components.0.label",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "placeholder 151",
        {"components": [row(select(placeholder="p" * 151))]},
        "components.0.components.0.placeholder",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "26 options",
        {"components": [row(select(options=[{"label": str(i), "value": str(i)} for i in range(26)]))]},
        "components.0.components.0.options",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "option label 101",
        {"components": [row(select(options=[{"label": "l" * 101, "value": "v"}]))]},
        "components.0.components.0.options.0.label",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "option value 101",
        {"components": [row(select(options=[{"label": "l", "value": "v" * 101}]))]},
        "components.0.components.0.options.0.value",
        "BASE_TYPE_BAD_LENGTH",
    ),
    (
        "option description 101",
        {"components": [row(select(options=[{"label": "l", "value": "v", "description": "d" * 101}]))]},
        "components.0.components.0.options.0.description",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "max_values 26",
        {"components": [row(select(max_values=26))]},
        "components.0.components.0.max_values",
        "NUMBER_TYPE_MAX",
    ),
    (
        "101 users",
        {"content": "hi", "allowed_mentions": {"users": [str(i) for i in range(101)]}},
        "allowed_mentions.users",
        "BASE_TYPE_MAX_LENGTH",
    ),
    (
        "parse and users",
        {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
        "allowed_mentions",
        "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
    ),
    (
        "unknown parse",
        {"content": "hi", "allowed_mentions": {"parse": ["channels"]}},
        "allowed_mentions.parse.0",
        "BASE_TYPE_CHOICES",
    ),
]


@pytest.mark.parametrize(("body", "path", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_message_limits(raw: Raw, body: dict[str, Any], path: str, code: str) -> None:
    status, answer = await raw.send(raw.guild.system_channel.id, body)
    assert code in form_error_codes(status, answer, path)


async def test_the_largest_accepted_message(raw: Raw) -> None:
    fields = [{"name": "n" * 10, "value": "v" * 100}] * 25
    body = {
        "content": "x" * 2000,
        "embeds": [embed(title="t" * 256, description="d" * 2000, fields=fields, footer={"text": "f" * 400})],
        "components": [row(*(button(f"r{r}b{b}", "l" * 80) for b in range(5))) for r in range(4)] + [row(select())],
        "allowed_mentions": {"parse": ["roles"], "users": [str(i) for i in range(100)]},
    }
    status, answer = await raw.send(raw.guild.system_channel.id, body)
    assert status == 200, answer
    assert len(raw.sb.messages_in(raw.guild.system_channel)) == 1


async def test_every_message_route_checks_the_body(raw: Raw) -> None:
    sb, too_long = raw.sb, {"content": "x" * 2001}
    status, dm = await raw.call("POST", "/users/@me/channels", {"recipient_id": str(raw.alice.id)})
    assert status == 200
    assert "content" in (await raw.send(int(dm["id"]), too_long))[1]["errors"]
    status, posted = await raw.send(raw.guild.system_channel.id, {"content": "ok", "components": [row(button("go"))]})
    assert status == 200
    edited = await raw.call("PATCH", f"/channels/{posted['channel_id']}/messages/{posted['id']}", too_long)
    assert form_error_codes(*edited, "content") == ["BASE_TYPE_MAX_LENGTH"]

    rec = await raw.interaction()
    assert form_error_codes(*await raw.respond(rec, 4, too_long), "content") == ["BASE_TYPE_MAX_LENGTH"]
    assert (await raw.respond(rec, 5))[0] == 200  # the refused answer did not count as a response
    assert form_error_codes(*await raw.followup(rec, too_long), "content") == ["BASE_TYPE_MAX_LENGTH"]
    assert form_error_codes(*await raw.edit_original(rec, too_long), "content") == ["BASE_TYPE_MAX_LENGTH"]

    pressed = await sb.press_button(raw.alice, sb.messages_in(raw.guild.system_channel)[0], "go")
    assert form_error_codes(*await raw.respond(pressed, 7, too_long), "content") == ["BASE_TYPE_MAX_LENGTH"]
    assert sb.messages_in(raw.guild.system_channel)[0].content == "ok"
