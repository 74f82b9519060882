"""Program statistics for moderators: counts only, and no count small enough to point at someone, even by
subtraction. Imports no discord.

Every number shown goes through :func:`bot.core.suppression.protect` *here*, before anything is shown or
drawn: counts from 1 to 4 are hidden, and so are as many further cells as it takes that no hidden cell can
be worked out from the shown ones (pairs ended = the sum of the reasons; this week's active pairs = last
week's + started - ended; active now = active + paused). The text and the chart are made from
:class:`ProgramStats`, which never holds a hidden number; a hidden cell reads "not shown", whatever the
reason it is hidden, so that the wording gives nothing away either. Zero is shown as zero.

**Extension point.** Other features (check-ins: check-in rate, goals completed) add numbers as a
:data:`StatsSource` handed to the constructor (``sources``, wired in the composition root); a source
returns :class:`StatLine` s of raw counts and they are protected the same way. Nothing is shown for a
feature that is not wired in: no placeholder numbers.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditAction, AuditLog
from bot.core.suppression import SMALL, Table, protect, total_of
from bot.db.base import utcnow
from bot.pairing import EndReason, PairRepo, PairStatus, ProfileRepo, as_utc

WEEKS = 12
HIDDEN = "not shown"
FOOTNOTE = "Not shown: fewer than 5, or hidden so that a small number can't be worked out from the others."

END_REASONS: dict[EndReason, str] = {
    EndReason.MEMBER_ENDED: "ended by a member",
    EndReason.MEMBER_LEFT_PROGRAM: "a member left the program",
    EndReason.MEMBER_LEFT_SERVER: "a member left the server",
    EndReason.MODERATOR_UNPAIRED: "ended by moderators",
    EndReason.MODERATOR_ENDED_AFTER_REPORT: "ended by moderators after a report",
}


def suppress(n: int) -> int | None:
    """A lone count with nothing it adds up with: exact from 5 up (and 0), ``None`` for 1 to 4."""
    return protect(Table({"n": n}))["n"]


def shown(n: int | None) -> str:
    return HIDDEN if n is None else str(n)


@dataclass(frozen=True)
class StatLine:
    """A number a feature contributes: ``count``, optionally out of ``of`` (shown as a rate)."""

    label: str
    count: int
    of: int | None = None

    def text(self) -> str:
        if self.of is None:
            return f"{self.label}: {shown(suppress(self.count))}"
        if self.of < SMALL:
            return f"{self.label}: not shown (fewer than 5 in the group)"
        table = Table()
        table.cell("count", self.count)
        table.cell("of", self.of)
        table.cell("rest", self.of - self.count, published=False)
        table.relate(total_of("of", ["count", "rest"]))
        cells = protect(table)
        count, of = cells["count"], cells["of"]
        rate = f" ({round(100 * self.count / self.of)}%)" if count is not None and of is not None else ""
        return f"{self.label}: {shown(count)} of {shown(of)}{rate}"


# (session, guild_id) -> the numbers a feature adds to /peeradmin stats
StatsSource = Callable[[AsyncSession, int], Awaitable[list[StatLine]]]


@dataclass(frozen=True)
class ProgramStats:
    opted_in: int | None
    active_pairs: int | None
    paused_pairs: int | None
    ended_pairs: int | None
    ended_by_reason: tuple[tuple[str, int | None], ...]
    week_ends: tuple[datetime, ...]
    active_by_week: tuple[int | None, ...]
    started_by_week: tuple[int | None, ...]
    ended_by_week: tuple[int | None, ...]
    extra: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = [
            f"Members opted in: {shown(self.opted_in)}",
            f"Active pairs: {shown(self.active_pairs)}",
            f"Paused pairs: {shown(self.paused_pairs)}",
            f"Pairs ended: {shown(self.ended_pairs)}",
        ]
        out.extend(f"- {label}: {shown(n)}" for label, n in self.ended_by_reason)
        out.extend(self.extra)
        out.append(FOOTNOTE)
        return out

    @property
    def drawn(self) -> tuple[int | None, ...]:
        return self.active_by_week + self.started_by_week + self.ended_by_week


# (status, started_at, ended_at, end reason) of a pair whose space was opened
Span = tuple[PairStatus, datetime | None, datetime | None, EndReason | None]


def program_table(opted_in: int, pairs: Sequence[Span], week_ends: Sequence[datetime]) -> Table:
    """Every number /peeradmin stats shows, with every relation a reader could use between them."""
    table = Table()
    table.cell("opted_in", opted_in)
    statuses: Counter[PairStatus] = Counter(status for status, *_ in pairs)
    for status in (PairStatus.ACTIVE, PairStatus.PAUSED, PairStatus.ENDED):
        table.cell(f"status:{status}", statuses[status])
    reasons = Counter(
        END_REASONS.get(r, "other") if r else "other" for st, _s, _e, r in pairs if st == PairStatus.ENDED
    )
    for label, n in sorted(reasons.items()):
        table.cell(f"reason:{label}", n)
    _relate(table, f"status:{PairStatus.ENDED}", [f"reason:{label}" for label in sorted(reasons)])
    spans = [(as_utc(s), as_utc(e) if e else None) for _st, s, e, _r in pairs if s is not None]
    previous = table.cell("week:active:before", 0, published=False)
    if week_ends:
        first = week_ends[0] - timedelta(weeks=1)
        table.values[previous] = sum(1 for s, e in spans if s <= first and (e is None or e > first))
    for i, end in enumerate(week_ends):
        start = end - timedelta(weeks=1)
        active = table.cell(f"week:active:{i}", sum(1 for s, e in spans if s <= end and (e is None or e > end)))
        started = table.cell(f"week:started:{i}", sum(1 for s, _e in spans if start < s <= end))
        ended = table.cell(f"week:ended:{i}", sum(1 for _s, e in spans if e is not None and start < e <= end))
        _relate(table, active, [previous, started], minus=[ended])
        previous = active
    if week_ends:
        _relate(table, previous, [f"status:{PairStatus.ACTIVE}", f"status:{PairStatus.PAUSED}"])
    ended_in_window = [f"week:ended:{i}" for i in range(len(week_ends))]
    outside = statuses[PairStatus.ENDED] - sum(table.values[c] for c in ended_in_window)
    if outside >= 0:
        table.cell("week:ended:outside", outside, published=False)
        _relate(table, f"status:{PairStatus.ENDED}", [*ended_in_window, "week:ended:outside"])
    return table


def _relate(table: Table, total: str, parts: list[str], minus: Sequence[str] = ()) -> None:
    """Declare ``total == sum(parts) - sum(minus)`` when the numbers satisfy it (a reader could use it)."""
    relation = total_of(total, parts)
    relation = type(relation)((*relation.terms, *((m, 1) for m in minus)))
    if sum(c * table.values[n] for n, c in relation.terms) == 0:
        table.relate(relation)


def program_stats(opted_in: int, pairs: Sequence[Span], week_ends: Sequence[datetime]) -> ProgramStats:
    table = program_table(opted_in, pairs, week_ends)
    cells = protect(table)
    weeks = range(len(week_ends))
    return ProgramStats(
        opted_in=cells["opted_in"],
        active_pairs=cells[f"status:{PairStatus.ACTIVE}"],
        paused_pairs=cells[f"status:{PairStatus.PAUSED}"],
        ended_pairs=cells[f"status:{PairStatus.ENDED}"],
        ended_by_reason=tuple((n.split(":", 1)[1], v) for n, v in cells.items() if n.startswith("reason:")),
        week_ends=tuple(week_ends),
        active_by_week=tuple(cells[f"week:active:{i}"] for i in weeks),
        started_by_week=tuple(cells[f"week:started:{i}"] for i in weeks),
        ended_by_week=tuple(cells[f"week:ended:{i}"] for i in weeks),
    )


class StatsService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        audit: AuditLog,
        clock: Callable[[], datetime] = utcnow,
        sources: Sequence[StatsSource] = (),
    ) -> None:
        self.sessions = sessions
        self.audit = audit
        self.clock = clock
        self.sources = tuple(sources)

    async def shown_to(self, guild_id: int, moderator_id: int) -> ProgramStats:
        """The program's numbers for a moderator (the look is audited)."""
        numbers = await self.program(guild_id)
        await self.audit.record(guild_id, moderator_id, AuditAction.STATS)
        return numbers

    async def program(self, guild_id: int) -> ProgramStats:
        now = self.clock()
        async with self.sessions() as session:
            opted_in = await ProfileRepo(session).opted_in_count(guild_id)
            pairs = await PairRepo(session).spans(guild_id)
            extra: list[str] = []
            for source in self.sources:
                extra.extend(line.text() for line in await source(session, guild_id))
        week_ends = tuple(now - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS))
        numbers = program_stats(opted_in, pairs, week_ends)
        return replace(numbers, extra=tuple(extra))


def render_chart(stats: ProgramStats) -> bytes:
    """A PNG of the weekly series. A hidden week is a hatched bar marked "hidden", never a number."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    labels = [w.strftime("%d %b") for w in stats.week_ends]
    series = (
        ("Active pairs", stats.active_by_week, "#4c78a8"),
        ("Pairs started", stats.started_by_week, "#59a14f"),
        ("Pairs ended", stats.ended_by_week, "#e15759"),
    )
    width = 0.27
    for k, (name, values, colour) in enumerate(series):
        xs = [i + (k - 1) * width for i in range(len(values))]
        exact = [v if v is not None else 0 for v in values]
        ax.bar(xs, exact, width, label=name, color=colour)
        hidden = [x for x, v in zip(xs, values, strict=True) if v is None]
        if hidden:
            ax.bar(hidden, [SMALL] * len(hidden), width, color="none", edgecolor=colour, hatch="///")
            for x in hidden:
                ax.text(x, SMALL, "hidden", ha="center", va="bottom", fontsize=6, rotation=90)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("pairs")
    ax.set_title("Peer program, week by week (hatched: not shown, to protect small numbers)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
