"""Finding 11 (issue 10), replayed through the real bot: six pairs ended, five by a member, one by
moderators. ``/peeradmin stats`` showed "Pairs ended: 6", "ended by a member: 5" and "ended by moderators:
fewer than 5", so 6 - 5 = 1 gave the hidden count back."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import World, running_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


async def test_ended_pairs_and_their_reasons_cannot_be_subtracted(world: World) -> None:
    await world.setup()
    people = [world.member(f"m{i}") for i in range(12)]
    for person in people:
        await world.join(person)
    for i in range(6):
        await world.run(world.mod, "peeradmin pair", member_a=people[2 * i], member_b=people[2 * i + 1])
    for i in range(5):
        await world.run(people[2 * i], "peer end")
    await world.run(world.mod, "peeradmin unpair", member=people[10])
    text = (await world.run(world.mod, "peeradmin stats")).content or ""

    def cell(label: str) -> int | None:
        found = re.search(rf"^-? ?{re.escape(label)}: (\d+|not shown|fewer than 5)$", text, re.MULTILINE)
        assert found is not None, (label, text)
        return int(found.group(1)) if found.group(1).isdigit() else None

    total, member, moderators = cell("Pairs ended"), cell("ended by a member"), cell("ended by moderators")
    assert moderators is None  # 1: hidden
    hidden = [v for v in (total, member, moderators) if v is None]
    assert len(hidden) >= 2, text  # one hidden cell beside a shown total and shown parts is a subtraction away
    numbers = await world.running.bot.stats.program(world.guild.id)  # type: ignore[union-attr]
    assert all(v is None or v == 0 or v >= 5 for v in numbers.drawn)  # the chart: nothing from 1 to 4 either
