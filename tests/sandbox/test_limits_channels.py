"""Channel names and private threads Discord refuses."""

from __future__ import annotations

import discord
import pytest

from .conftest import World
from .raw import Raw, form_error_codes


async def test_channel_name_1_to_100(world: World) -> None:
    guild = world.client.get_guild(world.guild.id)
    assert guild is not None
    with pytest.raises(discord.HTTPException) as err:
        await guild.create_category("c" * 101)
    assert err.value.status == 400 and err.value.code == 50035 and "name" in str(err.value)
    category = await guild.create_category("c" * 100)
    assert world.sb.channel(category.id).name == "c" * 100


async def test_private_threads_only_in_text_channels(raw: Raw) -> None:
    gid = raw.guild.id
    made = {}
    for name, ctype in (("text", 0), ("news", 5), ("voice", 2)):
        status, body = await raw.call("POST", f"/guilds/{gid}/channels", {"name": name, "type": ctype})
        assert status == 200, body
        made[name] = body["id"]
    for name in ("news", "voice"):
        status, body = await raw.call("POST", f"/channels/{made[name]}/threads", {"name": "pair", "type": 12})
        assert (status, body["code"]) == (400, 50024), name
    status, body = await raw.call("POST", f"/channels/{made['text']}/threads", {"name": "t" * 101, "type": 12})
    assert form_error_codes(status, body, "name") == ["BASE_TYPE_BAD_LENGTH"]
    status, body = await raw.call("POST", f"/channels/{made['text']}/threads", {"name": "pair", "type": 12})
    assert status == 200 and body["type"] == 12


async def test_at_most_100_permission_overwrites(raw: Raw) -> None:
    members = [raw.sb.add_member(raw.guild, f"m{i}") for i in range(101)]
    overwrites = [{"id": str(m.id), "type": 1, "allow": "1024", "deny": "0"} for m in members]
    path = f"/guilds/{raw.guild.id}/channels"
    status, body = await raw.call("POST", path, {"name": "space", "permission_overwrites": overwrites})
    assert form_error_codes(status, body, "permission_overwrites") == ["BASE_TYPE_MAX_LENGTH"]
    status, body = await raw.call("POST", path, {"name": "space", "permission_overwrites": overwrites[:100]})
    assert status == 200 and len(body["permission_overwrites"]) == 100
