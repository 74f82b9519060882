"""Findings 9 and 10 (issue 10), replayed through the real bot against the sandbox.

9: ``/peeradmin safety unblock`` said "A block one of them set stays in place", so moderators learned that a
member had set a confidential block. Every answer about blocks must read the same whether or not a member
set one. 10: ``/peeradmin match dry_run`` showed scores, and part of a score comes from community tags that
moderators never see (6.5 against 5.0 with the same visible reasons)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import World, running_world
from tests.e2e.helpers import one_sentence


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


def without_names(text: str | None) -> str:
    return re.sub(r"<@!?\d+>", "@someone", text or "")


async def test_block_answers_read_the_same_whether_or_not_a_member_set_a_block(world: World) -> None:
    await world.setup()
    alice, bob, carol, dave = (world.member(n) for n in ("alice", "bob", "carol", "dave"))
    for person in (alice, bob, carol, dave):
        await world.join(person)
    await world.run(world.mod, "peeradmin pair", member_a=carol, member_b=dave)
    await world.run(carol, "peer end", dont_pair_again=True)  # carol's own, confidential block on dave

    answers: dict[str, list[str]] = {"no member block": [], "member block": []}
    for case, (a, b) in (("no member block", (alice, bob)), ("member block", (carol, dave))):
        for command in ("peeradmin safety block", "peeradmin safety unblock", "peeradmin safety unblock"):
            result = await world.run(world.mod, command, member_a=a, member_b=b)
            assert result.ephemeral and one_sentence(result.content), result.content
            answers[case].append(without_names(result.content))
    assert answers["no member block"] == answers["member block"]
    assert not any("set" in text and "stays" in text for text in answers["member block"])

    # a refused pair says the same whether the block is the moderators' or a member's
    erin, fay = world.member("erin"), world.member("fay")
    await world.join(erin)
    await world.join(fay)
    await world.run(world.mod, "peeradmin safety block", member_a=erin, member_b=fay)
    refused: list[Any] = [
        await world.run(world.mod, "peeradmin pair", member_a=erin, member_b=fay),
        await world.run(world.mod, "peeradmin pair", member_a=carol, member_b=dave),
    ]
    texts = [without_names(r.content) for r in refused]
    assert texts[0] == texts[1] and "can't be paired" in texts[0]
    assert "member" not in texts[0].replace("two members", "")  # never says who set it


async def test_a_dry_run_shows_nothing_that_comes_from_hidden_tags(world: World) -> None:
    await world.setup()
    people = {name: world.member(name) for name in ("alice", "bob", "carol", "dave")}
    for name, person in people.items():  # the same in everything moderators see; alice and carol share a tag
        tags = {"tags": "LGBTQ+"} if name in {"alice", "carol"} else {}
        await world.join(person, topics="writing", **tags)
    dry = await world.run(world.mod, "peeradmin match", dry_run=True)
    content = dry.content or ""
    assert "2 pairs proposed" in content
    lines = [line for line in content.splitlines() if line.startswith("- ") and " + " in line]
    assert len(lines) == 2
    tagged = {f"<@{people['alice'].id}>", f"<@{people['carol'].id}>"}
    assert any(all(t in line for t in tagged) for line in lines)  # the tagged pair was proposed
    assert "score" not in content and not re.search(r"\d\.\d", content)
    assert without_names(lines[0]) == without_names(lines[1])  # nothing tells the tagged pair apart
    assert "LGBTQ" not in content
