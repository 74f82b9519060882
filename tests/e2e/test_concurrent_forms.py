"""Twenty members in two servers fill in the same forms at the same time: nothing crosses, nothing is lost.

discord.py keys an open modal by its custom id alone, so a form must get a new custom id at every opening
(issue 9). Every form below is opened before any is submitted, in a shuffled (seeded) order, so each kind of
form is open for many members in both servers at once; then all are submitted together, again shuffled.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.checkins.models import CheckIn, PairAgreement
from bot.pairing.models import Pair
from bot.safety.models import Report
from bot.sandbox import InteractionResult
from bot.sandbox.local import LocalBot, start_local_bot
from tests.e2e.clock_world import ClockWorld
from tests.e2e.conftest import World, private_overwrites, running_world

MEMBERS = 10  # per server: five pairs
UNANSWERED = {10062, 40060}  # unknown interaction (answered late or never), acknowledged twice
ANSWERS = {
    "command report": "went privately to the moderators",
    "button report": "went privately to the moderators",
    "agreement": "Your agreement is saved",
    "checkin": "Your note is shared with your partner",
    "resources": "The support resources are saved",
}


def add_server(sb: Any, database_url: str, name: str) -> World:
    """A second server in the same sandbox, set up like the first (moderator role, category, hub, log)."""
    guild = sb.add_guild(name)
    mod_role = sb.add_role(guild, "Program Team", permissions=0)
    mod = sb.add_member(guild, f"{name}-mod", roles=[mod_role])
    sb.set_role_permissions(guild, mod_role, 1 << 5)  # MANAGE_GUILD
    category = sb.add_category(guild, "Peer Spaces")
    hub = sb.add_text_channel(guild, "peer-hub")
    log = sb.add_text_channel(guild, "tandem-log", overwrites=private_overwrites(sb, guild, mod_role))
    return World(sb, database_url, guild, mod, category, hub, log)


@dataclass
class TwoServers(ClockWorld):
    """The first server is this world; ``second`` shares its sandbox, database, clock and bot."""

    second: World | None = None

    def __post_init__(self) -> None:
        self.second = add_server(self.sb, self.database_url, "Queer Elders")

    @property
    def servers(self) -> tuple[World, World]:
        assert self.second is not None
        return self, self.second

    async def start_bot(self) -> LocalBot:
        assert self.second is not None
        self.running = await start_local_bot(
            self.sb,
            self.database_url,
            (self.guild.id, self.second.guild.id),
            data_key=self.data_key,
            clock=self.clock,
            sweep_seconds=3600,
        )
        for server in self.servers:
            await self.sb.wait_for_commands(server.guild, timeout=10)
            server.running = self.running
        return self.running


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[TwoServers]:
    async with running_world(tmp_path, TwoServers) as w:
        yield w


@dataclass
class Form:
    """One member's form: how it is opened, what is written in it, and what the bot answered."""

    kind: str  # "command report", "button report", "agreement", "checkin", "resources"
    server: int
    index: int  # the member's number in their server (-1 for the moderator)
    who: Any
    pair: Pair | None
    opened: InteractionResult | None = None
    sent: InteractionResult | None = None
    values: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """A planted text no other form carries (plain words: shown unescaped wherever it is posted)."""
        return f"planted {self.kind} from server {self.server} member {self.index} end"


async def set_up(server: World, n: int) -> list[Pair]:
    await server.setup()
    members = [server.member(f"s{n}-peer-{i}") for i in range(MEMBERS)]
    for member in members:
        await server.join(member)
    for a, b in zip(members[::2], members[1::2], strict=True):
        done = await server.run(server.mod, "peeradmin pair", member_a=a, member_b=b)
        assert done.content and "pair" in done.content.lower(), done.content
    pairs = await server.rows(select(Pair).where(Pair.guild_id == server.guild.id).order_by(Pair.id))
    assert len(pairs) == MEMBERS // 2 and all(p.space_id is not None for p in pairs)
    return pairs


def pair_of(pairs: list[Pair], who: Any) -> Pair:
    return next(p for p in pairs if who.id in p.user_ids)


async def prompts_everywhere(w: TwoServers, pairs: list[Pair]) -> dict[int, Any]:
    """Advance to the first check-in and sweep until every pair space has its prompt."""
    w.clock.advance(days=7, hours=12)
    for _ in range(5):
        await w.tick()
        prompts = {p.id: w.prompts_in(p.space_id or 0) for p in pairs}
        if all(prompts.values()):
            return {pid: found[-1] for pid, found in prompts.items()}
    raise AssertionError("not every pair got its check-in prompt")


def forms_of(w: TwoServers, pairs: dict[int, list[Pair]]) -> list[Form]:
    forms: list[Form] = []
    for n, server in enumerate(w.servers):
        members = [server.members[f"s{n}-peer-{i}"] for i in range(MEMBERS)]
        for i, member in enumerate(members):
            pair = pair_of(pairs[n], member)
            for kind in ("command report", "button report", "agreement", "checkin"):
                forms.append(Form(kind, n, i, member, pair))
        forms.append(Form("resources", n, -1, server.mod, None))
    for form in forms:
        form.values = {
            "command report": {"report_text": form.text},
            "button report": {"report_text": form.text},
            "agreement": {"objectives": form.text, "timeline": "", "frequency": "weekly", "boundaries": ""},
            "checkin": {"mood": str(1 + form.index % 5), "progress": "", "note": form.text, "share": "yes"},
            "resources": {"resources_text": form.text},
        }[form.kind]
    return forms


def opener(w: TwoServers, form: Form, prompts: dict[int, Any]) -> Callable[[], Awaitable[InteractionResult]]:
    server = w.servers[form.server]
    guild_id = server.guild.id
    pair = form.pair
    if form.kind == "command report":
        return lambda: w.sb.invoke(server.guild, form.who, "peer report")
    if form.kind == "resources":
        return lambda: w.sb.invoke(server.guild, form.who, "peeradmin program resources")
    assert pair is not None and pair.space_id is not None
    welcome = w.sb.messages_in(pair.space_id)[0]
    if form.kind == "button report":
        return lambda: w.sb.press_button(form.who, welcome, f"tandem:report:{pair.id}")
    if form.kind == "agreement":
        return lambda: w.sb.press_button(form.who, welcome, f"tandem:agree:{guild_id}:{pair.id}")
    return lambda: w.sb.press_button(form.who, prompts[pair.id], f"tandem:checkin:{guild_id}:{pair.id}")


def posted_texts(sb: Any) -> Counter[tuple[int, str]]:
    """(channel id, planted text) for every planted text in every message that is not ephemeral."""
    seen: Counter[tuple[int, str]] = Counter()
    for message in sb.state.messages.values():
        if message.deleted or message.ephemeral:
            continue
        for line in message.content.splitlines():
            start = line.find("planted ")
            if start >= 0:
                seen[(message.channel_id, line[start : line.index(" end", start) + 4])] += 1
    return seen


async def test_twenty_members_in_two_servers_fill_in_the_same_forms_at_once(two: TwoServers) -> None:
    w = two
    first, second = w.servers
    pairs = dict(enumerate(await asyncio.gather(set_up(first, 0), set_up(second, 1))))
    prompts = await prompts_everywhere(w, pairs[0] + pairs[1])
    forms = forms_of(w, pairs)
    for server in w.servers:
        # twenty reports in one log channel would wait about 15 s on Discord's 5-per-5-s bucket (its own
        # tests cover that); the pair spaces keep the real bucket
        w.sb.ratelimits.add_route("POST", rf"/channels/{server.log.id}/messages", limit=50, window=5.0)
    assert len(forms) == 2 * (4 * MEMBERS + 1)
    shuffle = random.Random(9)  # interleaved kinds, members and servers; the same order on every run

    async def open_form(form: Form) -> None:
        form.opened = await (await opener(w, form, prompts)()).wait_done(timeout=10)

    async def submit(form: Form) -> None:
        assert form.opened is not None and form.opened.modal is not None, (form.kind, form.opened)
        sent = await w.sb.submit_modal(form.who, form.opened, form.values)
        form.sent = await sent.wait_done(timeout=10)

    await asyncio.gather(*(open_form(f) for f in shuffle.sample(forms, len(forms))))
    modal_ids = [f.opened.modal["custom_id"] for f in forms if f.opened and f.opened.modal]
    assert len(modal_ids) == len(forms) and len(set(modal_ids)) == len(forms)  # every opening its own form
    await asyncio.gather(*(submit(f) for f in shuffle.sample(forms, len(forms))))

    # every interaction answered once, in time, and each member's own answer
    refused = [r for r in w.sb.requests if isinstance(r.response, dict) and r.response.get("code") in UNANSWERED]
    assert refused == []
    assert all(rec.acknowledged for rec in w.sb.interactions.values())
    for form in forms:
        assert form.sent is not None and form.sent.ephemeral, form.text
        assert ANSWERS[form.kind] in (form.sent.content or ""), (form.text, form.sent.content)

    await check_reports(w, [f for f in forms if f.kind.endswith("report")])
    await check_checkins(w, [f for f in forms if f.kind == "checkin"])
    await check_agreements(w, [f for f in forms if f.kind == "agreement"], pairs[0] + pairs[1])
    assert w.running is not None
    for form in forms:  # each server its own moderator's text
        if form.kind == "resources":
            assert await w.running.bot.safety.resources(w.servers[form.server].guild.id) == form.text

    # nothing posted twice, or in another server's or pair's channel
    expected: Counter[tuple[int, str]] = Counter()
    for form in forms:
        if form.kind.endswith("report"):
            expected[(w.servers[form.server].log.id, form.text)] += 1
        elif form.kind == "checkin" and form.pair is not None and form.pair.space_id is not None:
            expected[(form.pair.space_id, form.text)] += 1
    assert posted_texts(w.sb) == expected


async def check_reports(w: TwoServers, forms: list[Form]) -> None:
    """Each once, in its own server, from its member, about their pair, in its own log channel."""
    rows = await w.rows(select(Report))
    assert sorted(r.text for r in rows) == sorted(f.text for f in forms)  # none lost, none twice
    reports = {r.text: r for r in rows}
    for form in forms:
        report, pair, server = reports[form.text], form.pair, w.servers[form.server]
        assert pair is not None and form.sent is not None
        expected = (server.guild.id, form.who.id, pair.id, form.kind.split()[0])
        assert (report.guild_id, report.reporter_id, report.pair_id, report.source) == expected, form.text
        assert f"(case #{report.id})" in (form.sent.content or ""), (form.text, form.sent.content)
        posted = [m.content for m in w.sb.messages_in(server.log) if form.text in m.content]
        assert len(posted) == 1, form.text
        assert f"Case #{report.id}**" in posted[0] and f"about pair #{pair.id}, from <@{form.who.id}>" in posted[0]


async def check_checkins(w: TwoServers, forms: list[Form]) -> None:
    """Each once, by its member, on their own pair, with their own mood and note."""
    rows = await w.rows(select(CheckIn))
    assert sorted(c.note for c in rows) == sorted(f.text for f in forms)
    checkins = {c.note: c for c in rows}
    for form in forms:
        row, pair = checkins[form.text], form.pair
        assert pair is not None
        assert (row.guild_id, row.pair_id, row.user_id) == (pair.guild_id, pair.id, form.who.id), form.text
        assert (row.mood, row.share_note) == (1 + form.index % 5, True), form.text


async def check_agreements(w: TwoServers, forms: list[Form], pairs: list[Pair]) -> None:
    """One per pair, written by one of its own members; each member's save announced once in their space."""
    agreements = await w.rows(select(PairAgreement))
    assert sorted(a.pair_id for a in agreements) == sorted(p.id for p in pairs)
    written = {f.text: f for f in forms}
    for agreement in agreements:
        author = written[agreement.objectives]
        assert author.pair is not None and author.pair.id == agreement.pair_id
        assert agreement.updated_by == author.who.id
    for pair in pairs:
        said = [m.content for m in w.sb.messages_in(pair.space_id or 0) if "updated your pair agreement" in m.content]
        assert sorted(s.split()[0] for s in said) == sorted(f"<@{uid}>" for uid in pair.user_ids)
