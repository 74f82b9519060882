"""Program statistics for moderators: counts only, and no count small enough to point at someone.
Imports no discord.

Every count from 1 to 4 is replaced by ``None`` ("fewer than 5") *here*, before anything is shown or
drawn: the text and the chart are made from :class:`ProgramStats`, which never holds a small exact
number. Zero is shown as zero (it describes nobody).

**Extension point.** Other features (check-ins: check-in rate, goals completed) add numbers as a
:data:`StatsSource` handed to the constructor (``sources``, wired in the composition root); a source
returns :class:`StatLine` s of raw counts and they are suppressed the same way. Nothing is shown for a
feature that is not wired in: no placeholder numbers.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.audit import AuditAction, AuditLog
from bot.db.base import utcnow
from bot.pairing import EndReason, PairRepo, PairStatus, ProfileRepo, as_utc

SMALL = 5
WEEKS = 12
FEWER = "fewer than 5"

END_REASONS: dict[EndReason, str] = {
    EndReason.MEMBER_ENDED: "ended by a member",
    EndReason.MEMBER_LEFT_PROGRAM: "a member left the program",
    EndReason.MEMBER_LEFT_SERVER: "a member left the server",
    EndReason.MODERATOR_UNPAIRED: "ended by moderators",
    EndReason.MODERATOR_ENDED_AFTER_REPORT: "ended by moderators after a report",
}


def suppress(n: int) -> int | None:
    """The count to show: exact from 5 up (and 0), ``None`` for 1 to 4."""
    return None if 0 < n < SMALL else n


def shown(n: int | None) -> str:
    return FEWER if n is None else str(n)


@dataclass(frozen=True)
class StatLine:
    """A number a feature contributes: ``count``, optionally out of ``of`` (shown as a rate)."""

    label: str
    count: int
    of: int | None = None

    def text(self) -> str:
        if self.of is not None:
            if self.of < SMALL:
                return f"{self.label}: not shown (fewer than 5 in the group)"
            count = suppress(self.count)
            rate = f" ({round(100 * self.count / self.of)}%)" if count is not None else ""
            return f"{self.label}: {shown(count)} of {self.of}{rate}"
        return f"{self.label}: {shown(suppress(self.count))}"


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
        return out


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
        statuses: Counter[PairStatus] = Counter(status for status, *_ in pairs)
        reasons = Counter(
            END_REASONS.get(r, "other") if r is not None else "other"
            for status, _s, _e, r in pairs
            if status == PairStatus.ENDED
        )
        spans = [(as_utc(s), as_utc(e) if e else None) for _st, s, e, _r in pairs if s is not None]
        week_ends = tuple(now - timedelta(weeks=WEEKS - 1 - i) for i in range(WEEKS))
        active, started, ended = [], [], []
        for end in week_ends:
            start = end - timedelta(weeks=1)
            active.append(suppress(sum(1 for s, e in spans if s <= end and (e is None or e > end))))
            started.append(suppress(sum(1 for s, _e in spans if start < s <= end)))
            ended.append(suppress(sum(1 for _s, e in spans if e is not None and start < e <= end)))
        return ProgramStats(
            opted_in=suppress(opted_in),
            active_pairs=suppress(statuses[PairStatus.ACTIVE]),
            paused_pairs=suppress(statuses[PairStatus.PAUSED]),
            ended_pairs=suppress(statuses[PairStatus.ENDED]),
            ended_by_reason=tuple((label, suppress(n)) for label, n in sorted(reasons.items())),
            week_ends=week_ends,
            active_by_week=tuple(active),
            started_by_week=tuple(started),
            ended_by_week=tuple(ended),
            extra=tuple(extra),
        )


def render_chart(stats: ProgramStats) -> bytes:
    """A PNG of the weekly series. A suppressed week is a hatched bar up to 5 marked "<5", never a number."""
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
                ax.text(x, SMALL, "<5", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("pairs")
    ax.set_title("Peer program, week by week (hatched: fewer than 5, not shown exactly)")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
