"""Retention of ended pairs' spaces, program statistics, and the log-channel check in setup."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.audit.models import AuditEntry
from bot.safety.models import PairRetention, Report
from bot.sandbox import SandboxError
from tests.e2e.conftest import World
from tests.e2e.helpers import one_sentence
from tests.e2e.test_access import driven
from tests.e2e.test_safety import paired

PNG = b"\x89PNG\r\n\x1a\n"


def notices(world: World, space_id: int) -> list[str]:
    return [m.content for m in world.sb.messages_in(space_id) if "will be deleted on" in m.content]


async def test_retention_notice_then_deletion_once_each_across_restarts(world: World) -> None:
    clock = await driven(world)
    alice, _bob, pair = await paired(world)
    set_days = await world.run(world.mod, "peeradmin program retention", days=7)
    assert "deleted 7 days after" in (set_days.content or "")
    opened = await world.run(alice, "peer report")
    await (await world.sb.submit_modal(alice, opened, {"report_text": "Private words."})).wait_done(timeout=10)
    await world.run(world.mod, "peeradmin safety resolve", case=1, action="end")
    sweep = world.running.bot.retention_sweep  # type: ignore[union-attr]

    clock.advance(days=3)
    await sweep.run_now()
    assert not notices(world, pair.space_id)  # 7 days kept, told 3 days before: not yet
    clock.advance(days=1, minutes=1)
    await sweep.run_now()
    await sweep.run_now()
    assert len(notices(world, pair.space_id)) == 1
    assert world.sb.messages_in(pair.space_id)[-1].allowed_mentions["parse"] == []
    await world.restart_bot()
    sweep = world.running.bot.retention_sweep  # type: ignore[union-attr]
    await sweep.run_now()
    assert len(notices(world, pair.space_id)) == 1  # not repeated after a restart
    assert (await world.one(PairRetention, PairRetention.pair_id == pair.id)).closed_at is None

    clock.advance(days=3)
    await sweep.run_now()
    with pytest.raises(SandboxError):
        world.sb.channel(pair.space_id)  # the space is gone
    row = await world.one(PairRetention, PairRetention.pair_id == pair.id)
    assert row.notice_at is not None and row.closed_at is not None
    report = await world.one(Report, Report.id == 1)
    assert report.text == "" and report.status == "resolved" and report.resolution == "end"
    await sweep.run_now()
    await world.restart_bot()
    await world.running.bot.retention_sweep.run_now()  # type: ignore[union-attr]
    deleted = await world.rows(select(AuditEntry).where(AuditEntry.action == "retention_deleted"))
    assert len(deleted) == 1 and deleted[0].pair_id == pair.id and deleted[0].actor_id is None


async def test_retention_bad_days_and_off(world: World) -> None:
    await world.setup()
    bad = await world.run(world.mod, "peeradmin program retention", days=-1)
    assert one_sentence(bad.content) and "0 to keep" in (bad.content or "")
    assert await world.running.bot.retention.days(world.guild.id) is None  # type: ignore[union-attr]
    off = await world.run(world.mod, "peeradmin program retention", days=0)
    assert "kept" in (off.content or "")


async def test_stats_suppress_small_counts_and_attach_a_png(world: World) -> None:
    _alice, _bob, _pair = await paired(world)
    for name in ("cam", "dee", "eli", "fay", "gus", "hal"):
        await world.join(world.member(name))
    result = await world.run(world.mod, "peeradmin stats")
    text = result.content or ""
    assert result.ephemeral
    assert "Members opted in: 8" in text
    assert "Active pairs: not shown" in text and "Active pairs: 1" not in text
    assert "Pairs ended: 0" in text
    attachment = result.messages[-1].attachments[0]
    assert world.sb.attachment_bytes(attachment).startswith(PNG)
    numbers = await world.running.bot.stats.program(world.guild.id)  # type: ignore[union-attr]
    drawn = numbers.active_by_week + numbers.started_by_week + numbers.ended_by_week
    assert None in drawn and all(v is None or v == 0 or v >= 5 for v in drawn)  # the chart never sees 1-4


async def test_setup_refuses_a_log_channel_everyone_can_see(world: World) -> None:
    public = world.sb.add_text_channel(world.guild, "public-log")
    result = await world.setup(log_channel=public)
    assert one_sentence(result.content) and "Everyone in the server can see that log channel" in (result.content or "")
    assert await world.running.bot.profiles.settings(world.guild.id) is None  # type: ignore[union-attr]
