"""Reports from both entry points, resources, program controls and the audit log, through the sandbox."""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import select

from bot.audit.log import AuditLog
from bot.audit.models import AuditEntry
from bot.pairing.models import Block, Pair
from bot.safety.models import Report
from tests.e2e.conftest import World
from tests.e2e.helpers import eventually, one_sentence

NASTY = "@everyone <@&123> **bold** `code` ```block``` \u200b'; DROP TABLE reports; -- " + "x" * 40


async def paired(world: World) -> tuple[Any, Any, Pair]:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    pair = await world.one(Pair, Pair.status == "active")
    return alice, bob, pair


async def audit_actions(world: World) -> list[str]:
    return [e.action for e in await world.rows(select(AuditEntry).order_by(AuditEntry.id))]


async def test_report_from_the_command_reaches_moderators_only(world: World) -> None:
    alice, bob, pair = await paired(world)
    opened = await world.run(alice, "peer report")
    assert opened.modal is not None
    sent = await world.sb.submit_modal(alice, opened, {"report_text": NASTY})
    await sent.wait_done(timeout=10)
    assert sent.ephemeral
    assert "case #1" in (sent.content or "")
    report = await world.one(Report, Report.id == 1)
    assert report.text == NASTY.replace("\u200b", "")  # stored as plain text (zero-width removed)
    assert report.pair_id == pair.id and report.reporter_id == alice.id and report.status == "open"
    with sqlite3.connect(world.database_url.split("///", 1)[1]) as conn:
        raw = conn.execute("SELECT text FROM reports").fetchone()[0]
    assert "DROP TABLE" not in raw  # encrypted at rest
    posted = world.sb.messages_in(world.log)[-1]
    assert "Case #1" in posted.content and f"<@{alice.id}>" in posted.content
    assert posted.allowed_mentions == {"parse": []}  # pings nobody
    assert "\\*\\*bold\\*\\*" in posted.content
    # the partner learns nothing: no DM, nothing in the space
    assert not [m for m in world.sb.dms_for(bob) if "report" in m.content.lower()]
    assert all("report" not in m.content.lower() for m in world.sb.messages_in(pair.space_id))


async def test_report_from_the_something_wrong_button(world: World) -> None:
    _alice, bob, pair = await paired(world)
    welcome = world.sb.messages_in(pair.space_id)[0]
    custom_id = f"tandem:report:{pair.id}"
    pressed = await world.sb.press_button(bob, welcome, custom_id)
    await pressed.wait_done(timeout=10)
    assert pressed.modal is not None
    sent = await world.sb.submit_modal(bob, pressed, {"report_text": "My partner keeps messaging at night."})
    await sent.wait_done(timeout=10)
    assert "case #1" in (sent.content or "")
    report = await world.one(Report, Report.id == 1)
    assert report.source == "button" and report.reporter_id == bob.id and report.pair_id == pair.id
    carol = world.member("carol")  # someone outside the pair cannot even see the button
    assert not world.sb.can_view(carol, pair.space_id)
    listing = await world.run(world.mod, "peeradmin safety reports")
    assert "Case #1" in (listing.content or "") and "messaging at night" in (listing.content or "")


async def test_resolve_end_and_block_then_reports_empty(world: World) -> None:
    alice, bob, pair = await paired(world)
    opened = await world.run(alice, "peer report")
    await (await world.sb.submit_modal(alice, opened, {"report_text": "Not okay."})).wait_done(timeout=10)
    bad = await world.run(world.mod, "peeradmin safety resolve", case=99, action="end")
    assert bad.content == "There is no case #99 on this server." and one_sentence(bad.content)
    done = await world.run(world.mod, "peeradmin safety resolve", case=1, action="block", note="talked to both")
    assert "pair #1 has ended and can't be formed again" in (done.content or "")
    assert (await world.one(Pair, Pair.id == pair.id)).status == "ended"
    assert len(await world.rows(select(Block))) == 1
    report = await world.one(Report, Report.id == 1)
    assert report.status == "resolved" and report.resolution == "block" and report.resolution_note == "talked to both"
    assert (await world.run(world.mod, "peeradmin safety reports")).content == "There are no open reports."
    again = await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    assert "confidential block" in (again.content or "")


async def test_resources_set_by_moderators_shown_to_members_alone(world: World) -> None:
    await world.setup()
    alice = world.member("alice")
    default = await world.run(alice, "peer resources")
    assert default.ephemeral and "emergency number" in default.embeds[0]["description"]
    opened = await world.run(world.mod, "peeradmin program resources")
    assert opened.modal is not None
    saved = await world.sb.submit_modal(world.mod, opened, {"resources_text": "Call 988 @everyone\nAsk <@&1>"})
    await saved.wait_done(timeout=10)
    assert "saved" in (saved.content or "")
    shown = await world.run(alice, "peer resources")
    assert shown.ephemeral
    assert "Call 988" in shown.embeds[0]["description"]
    assert shown.messages[-1].allowed_mentions == {"parse": []}
    text = await world.running.bot.safety.support_requested(world.guild.id, alice.id, tell_moderators=True)  # type: ignore[union-attr]
    assert "Call 988" in text
    assert f"<@{alice.id}> asked for support" in world.sb.messages_in(world.log)[-1].content


async def test_pause_resume_block_unblock_member(world: World) -> None:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice)
    await world.join(bob)
    assert "paused" in ((await world.run(world.mod, "peeradmin program pause")).content or "")
    assert await world.running.bot.safety.is_paused(world.guild.id)  # type: ignore[union-attr]
    refused = await world.run(alice, "peer request")
    assert "paused" in (refused.content or "") and one_sentence(refused.content)
    assert "paused" in ((await world.run(world.mod, "peeradmin match")).content or "")
    assert not await world.rows(select(Pair))
    await world.run(world.mod, "peeradmin program resume")
    await world.run(world.mod, "peeradmin safety block", member_a=alice, member_b=bob)
    assert "waitlist" in ((await world.run(alice, "peer request")).content or "")
    await world.run(world.mod, "peeradmin safety unblock", member_a=alice, member_b=bob)
    assert "paired with" in ((await world.run(alice, "peer request")).content or "")
    status = await world.run(world.mod, "peeradmin member", member=alice)
    assert "in the program" in (status.content or "") and "Pair #" in (status.content or "")
    assert "about" not in (status.content or "").lower()


async def test_every_moderator_action_is_audited_and_the_chain_verifies(world: World) -> None:
    _alice, bob, _ = await paired(world)
    await world.run(world.mod, "peeradmin unpair", member=bob)
    await world.run(world.mod, "peeradmin match", dry_run=True)

    async def recorded() -> bool:
        return {"setup", "pair", "unpair", "match"} <= set(await audit_actions(world))

    await eventually(recorded)
    unpair = next(e for e in await world.rows(select(AuditEntry)) if e.action == "unpair")
    assert unpair.actor_id == world.mod.id and unpair.member_ids == [bob.id]
    shown = await world.run(world.mod, "peeradmin audit")
    assert "unpair" in (shown.content or "") and f"<@{bob.id}>" in (shown.content or "")
    log = AuditLog(world.sessions)
    assert (await log.verify()).intact

    path = world.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:  # the bot itself cannot edit it; someone with the file can
        try:
            conn.execute("UPDATE audit_log SET reason = 'x' WHERE id = 2")
            raise AssertionError("the audit log accepted an update")
        except sqlite3.IntegrityError:
            pass
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET member_ids = '[]' WHERE id = 2")
    check = await log.verify()
    assert not check.intact and check.first_broken == 2 and check.entries == 1


async def test_non_moderators_are_refused_and_audited_even_when_discord_allows_them(world: World) -> None:
    await world.setup()
    carol = world.member("carol")
    world.sb.override_command_permissions(world.guild, "peeradmin", everyone=True)
    for command, options in (
        ("peeradmin audit", {}),
        ("peeradmin safety reports", {}),
        ("peeradmin safety resolve", {"case": 1, "action": "end"}),
        ("peeradmin program pause", {}),
        ("peeradmin member", {"member": carol}),
        ("peeradmin program resources", {}),
    ):
        result = await world.run(carol, command, **options)
        assert result.content == "Only the program's moderators can use /peeradmin commands."
    assert not await world.running.bot.safety.is_paused(world.guild.id)  # type: ignore[union-attr]

    async def all_audited() -> bool:  # each refusal is answered first, then audited
        return len([e for e in await world.rows(select(AuditEntry)) if e.action == "refused"]) >= 6

    await eventually(all_audited)
    refused = [e for e in await world.rows(select(AuditEntry)) if e.action == "refused"]
    assert len(refused) == 6 and {e.actor_id for e in refused} == {carol.id}
    assert {e.detail for e in refused} >= {"/peeradmin audit", "/peeradmin program pause"}
