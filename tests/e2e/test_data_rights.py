"""/peer data export and delete, /peeradmin forget: a member's data, theirs alone."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.audit.models import AuditEntry
from bot.pairing.models import MemberProfile, Pair
from bot.safety.models import Report
from tests.e2e.conftest import World
from tests.e2e.helpers import eventually

ALICE_ABOUT = "Trans woman, new in town, loves *poetry* @everyone"
BOB_ABOUT = "Veteran, rebuilding after discharge"


async def setup_pair(world: World) -> tuple[object, object]:
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice, about=ALICE_ABOUT)
    await world.join(bob, about=BOB_ABOUT)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    opened = await world.run(alice, "peer report")
    await (await world.sb.submit_modal(alice, opened, {"report_text": "a private worry"})).wait_done(timeout=10)
    return alice, bob


async def test_export_is_the_members_own_data_decrypted(world: World) -> None:
    alice, bob = await setup_pair(world)
    result = await world.run(alice, "peer data export")
    assert result.ephemeral
    attachment = result.messages[-1].attachments[0]
    data = json.loads(world.sb.attachment_bytes(attachment))
    assert data["profile"]["about"] == ALICE_ABOUT
    assert data["reports_filed"][0]["text"] == "a private worry"
    assert data["pairings"][0]["partner_ids"] == [str(bob.id)]  # type: ignore[attr-defined]
    theirs = await world.run(bob, "peer data export")  # bob's export holds nothing of alice's words
    blob = world.sb.attachment_bytes(theirs.messages[-1].attachments[0]).decode()
    assert ALICE_ABOUT not in blob and "private worry" not in blob and BOB_ABOUT in blob


async def test_delete_erases_keeps_partner_and_confirms(world: World) -> None:
    alice, bob = await setup_pair(world)
    asked = await world.run(alice, "peer data delete")
    assert asked.ephemeral and "Erase it now?" in (asked.content or "")
    pressed = await world.sb.press_button(alice, asked.message, "tandem:data:erase")
    await pressed.wait_done(timeout=10)

    async def gone() -> bool:
        return not await world.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id))  # type: ignore[attr-defined]

    await eventually(gone)
    assert "your profile and everything you wrote are erased" in asked.message.content
    report = await world.one(Report, Report.id == 1)
    assert report.status == "withdrawn" and report.text == "" and report.reporter_id is None
    partner = await world.one(MemberProfile, MemberProfile.user_id == bob.id)  # type: ignore[attr-defined]
    assert partner.about == BOB_ABOUT
    assert (await world.one(Pair, Pair.id == 1)).status == "ended"
    nothing = await world.run(alice, "peer data delete")
    assert nothing.content == "Tandem holds no data about you on this server."


async def test_forget_by_moderators_is_audited(world: World) -> None:
    alice, bob = await setup_pair(world)
    result = await world.run(world.mod, "peeradmin forget", member=alice)
    assert "data is erased" in (result.content or "")
    assert not await world.rows(select(MemberProfile).where(MemberProfile.user_id == alice.id))  # type: ignore[attr-defined]
    assert (await world.one(MemberProfile, MemberProfile.user_id == bob.id)).about == BOB_ABOUT  # type: ignore[attr-defined]

    async def audited() -> bool:
        return any(
            e.action == "forget" and e.member_ids == [alice.id]  # type: ignore[attr-defined]
            for e in await world.rows(select(AuditEntry))
        )

    await eventually(audited)
