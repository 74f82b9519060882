"""With every logger at DEBUG, the whole flow leaves no member text, report, token or key in the logs."""

from __future__ import annotations

import logging

import pytest

from tests.e2e.conftest import World

SECRETS = {
    "about": "my-about-text-7f3a quietly coming out",
    "report": "report-body-91c2 partner is unkind",
    "resources": "resources-text-55aa call 988",
    "reason": "reason-text-c0de checking a report",
}


async def test_debug_logs_hold_no_private_text_tokens_or_keys(world: World, caplog: pytest.LogCaptureFixture) -> None:
    for name in [*logging.root.manager.loggerDict, ""]:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    await world.restart_bot()  # start-up too, at DEBUG
    await world.setup()
    alice, bob = world.member("alice"), world.member("bob")
    await world.join(alice, about=SECRETS["about"])
    await world.join(bob)
    await world.run(world.mod, "peeradmin pair", member_a=alice, member_b=bob)
    opened = await world.run(alice, "peer report")
    await (await world.sb.submit_modal(alice, opened, {"report_text": SECRETS["report"]})).wait_done(timeout=10)
    modal = await world.run(world.mod, "peeradmin program resources")
    await (await world.sb.submit_modal(world.mod, modal, {"resources_text": SECRETS["resources"]})).wait_done(10)
    await world.run(alice, "peer resources")
    await world.run(alice, "peer profile")
    await world.run(alice, "peer data export")
    await world.run(world.mod, "peeradmin safety resolve", case=1, action="note", note=SECRETS["reason"])
    await world.run(world.mod, "peeradmin audit")
    # The sandbox's own web server (aiohttp.access, bot.sandbox) stands in for Discord: not the bot's logs.
    ours = [r for r in caplog.records if not r.name.startswith(("aiohttp.access", "aiohttp.server", "bot.sandbox"))]
    handler = logging.Formatter("%(name)s %(message)s")
    text = "\n".join(handler.format(r) for r in ours)
    assert len(ours) > 50  # DEBUG really was on
    for label, secret in SECRETS.items():
        assert secret not in text, label
    assert world.sb.bot_token not in text
    assert world.data_key not in text
    for result in (opened, modal):
        assert result.token not in text
