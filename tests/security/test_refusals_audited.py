"""Finding 16 (issue 10): a /peeradmin action refused by a rule (here a confidential block) was not audited.
It is answered first, in one sentence, and then audited as refused: the command and the kind of refusal,
never what the block is or who set it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.audit import AuditAction
from bot.audit.models import AuditEntry
from tests.e2e.conftest import World, running_world
from tests.e2e.helpers import eventually


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(tmp_path, World) as w:
        yield w


async def test_a_pair_refused_by_a_confidential_block_is_answered_once_and_audited(world: World) -> None:
    await world.setup()
    carol, dave = world.member("carol"), world.member("dave")
    for person in (carol, dave):
        await world.join(person)
    await world.run(world.mod, "peeradmin pair", member_a=carol, member_b=dave)
    await world.run(carol, "peer end", dont_pair_again=True)  # carol's own, confidential block on dave

    refused = await world.run(world.mod, "peeradmin pair", member_a=carol, member_b=dave)
    answers = [m.content for m in refused.messages if m.content]
    assert len(answers) == 1 and "block" in answers[0], answers  # one answer, not two
    refusals = select(AuditEntry).where(AuditEntry.action == AuditAction.REFUSED)

    async def audited(count: int) -> bool:  # written just after the answer, so the member never waits on it
        return len(await world.rows(refusals)) >= count

    await eventually(lambda: audited(1), timeout=10)
    entries = await world.rows(refusals)
    assert [(e.actor_id, e.detail) for e in entries] == [(world.mod.id, "/peeradmin pair: Conflict")]
    assert "carol" not in entries[0].detail and str(carol.id) not in entries[0].detail
    assert entries[0].member_ids == []  # who is blocked from whom stays out of the log

    bad = await world.run(world.mod, "peeradmin program retention", days=-3)
    assert bad.content and bad.messages[-1].flags & 64  # ephemeral, one sentence
    await eventually(lambda: audited(2), timeout=10)
    assert [e.detail for e in await world.rows(refusals)][-1] == "/peeradmin program retention: InvalidInput"
