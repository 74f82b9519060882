"""Finding 11 (issue 10): suppressed statistics recovered by subtraction. Checked by brute force.

**The property.** A reader sees the published cells of a table, knows every relation between its cells
(a total and its parts; this week's active pairs = last week's + started - ended; ...), knows the rule
(a hidden cell is never 0, so it is at least 1; an unpublished helper cell such as "ended before the
window" is at least 0) and may try every assignment of whole numbers to the cells they cannot see. For a
hidden cell ``h`` let ``V(h)`` be the set of values ``h`` takes over all assignments that satisfy every
relation. The table is safe when, for every hidden cell, ``V(h)`` has at least two values and at least one
of them is 5 or more: no hidden cell can be worked out, nor even shown to be a small count.

Values are searched up to ``CAP`` (well above every real value): a smaller search can only remove values
from ``V(h)``, so a table that passes here passes without the cap.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.core.suppression import SMALL, Relation, Table, protect, total_of
from bot.pairing import EndReason, PairStatus
from bot.safety.stats import program_stats, program_table


def values_of(table: Table, shown: dict[str, int | None], cell: str, cap: int) -> set[int]:
    """V(cell), by exhaustive search (stopping once it holds two values, one of them >= 5)."""
    unknown = sorted({n for n, v in shown.items() if v is None} | table.unpublished)
    low = {n: 0 if n in table.unpublished else 1 for n in unknown}
    known = {n: v for n, v in shown.items() if v is not None}
    found: set[int] = set()
    candidates = [table.values[cell], *range(cap, SMALL - 1, -1), *range(1, SMALL)]
    for value in dict.fromkeys(candidates):
        if len(found) >= 2 and max(found) >= SMALL:
            break
        if value in found:
            continue
        if _feasible(table.relations, {**known, cell: value}, [n for n in unknown if n != cell], low, cap):
            found.add(value)
    return found


def _feasible(
    relations: list[Relation], assigned: dict[str, int], rest: list[str], low: dict[str, int], cap: int
) -> bool:
    """Is there a whole-number assignment of ``rest`` (each from its low to ``cap``) satisfying every relation?

    Plain backtracking; a relation with one cell left fixes that cell (the only value it can take)."""
    assigned, rest = dict(assigned), list(rest)
    progress = True
    while progress:
        progress = False
        for relation in relations:
            total, lo, hi, open_cells = 0, 0, 0, []
            for name, c in relation.terms:
                if name in assigned:
                    total += c * assigned[name]
                else:
                    open_cells.append((name, c))
                    a, b = c * low[name], c * cap
                    lo, hi = lo + min(a, b), hi + max(a, b)
            if not total + lo <= 0 <= total + hi:
                return False
            if len(open_cells) == 1:
                name, c = open_cells[0]
                if total % c or not low[name] <= -total // c <= cap:
                    return False
                assigned[name] = -total // c
                rest.remove(name)
                progress = True
    if not rest:
        return True
    head, *tail = rest
    return any(_feasible(relations, {**assigned, head: v}, tail, low, cap) for v in range(low[head], cap + 1))


def assert_safe(table: Table, cap: int) -> dict[str, int | None]:
    shown = protect(table)
    assert set(shown) == set(table.values) - table.unpublished
    for name, value in shown.items():
        assert value is None or value == table.values[name]  # shown numbers are exact
        if 0 < table.values[name] < SMALL:
            assert value is None, name  # primary suppression
        if value is None:
            assert table.values[name] > 0, name  # zero is never hidden (so a reader may assume >= 1)
            seen = values_of(table, shown, name, cap)
            assert len(seen) >= 2 and max(seen) >= SMALL, (name, seen, table.values, shown)
    return shown


def small_count(rng: random.Random) -> int:
    return rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12])


def test_the_reported_attack_ended_six_five_by_a_member_is_closed() -> None:
    table = Table()
    for name, n in (("ended", 6), ("by a member", 5), ("by moderators", 1)):
        table.cell(name, n)
    table.relate(total_of("ended", ["by a member", "by moderators"]))
    shown = assert_safe(table, cap=40)
    assert shown["by a member"] is None  # "6 - 5 = 1" no longer works


def test_a_total_and_its_parts() -> None:
    rng = random.Random(11)
    for _ in range(300):
        table = Table()
        parts = [table.cell(f"p{i}", small_count(rng)) for i in range(rng.randint(2, 4))]
        table.cell("total", sum(table.values[p] for p in parts))
        table.relate(total_of("total", parts))
        assert_safe(table, cap=3 * max(table.values.values()) + SMALL)


def test_a_two_way_table_with_margins() -> None:
    rng = random.Random(12)
    for _ in range(30):
        rows, cols = rng.randint(2, 3), 2
        table = Table()
        grid = [[table.cell(f"c{r}{c}", small_count(rng)) for c in range(cols)] for r in range(rows)]
        for r in range(rows):
            table.cell(f"row{r}", sum(table.values[x] for x in grid[r]))
            table.relate(total_of(f"row{r}", grid[r]))
        for c in range(cols):
            table.cell(f"col{c}", sum(table.values[grid[r][c]] for r in range(rows)))
            table.relate(total_of(f"col{c}", [grid[r][c] for r in range(rows)]))
        table.cell("all", sum(table.values[f"row{r}"] for r in range(rows)))
        table.relate(total_of("all", [f"row{r}" for r in range(rows)]))
        assert_safe(table, cap=max(table.values.values()) + SMALL)


def random_pairs(rng: random.Random, now: datetime, weeks: int) -> list:  # type: ignore[type-arg]
    pairs = []
    for _ in range(rng.randint(1, 7)):
        start = now - timedelta(days=rng.uniform(0, 7 * (weeks + 1)))
        if rng.random() < 0.5:
            end = start + timedelta(days=rng.uniform(0.1, 20))
            if end <= now:
                reason = rng.choice(
                    [EndReason.MEMBER_ENDED, EndReason.MODERATOR_UNPAIRED, EndReason.MEMBER_LEFT_SERVER]
                )
                pairs.append((PairStatus.ENDED, start, end, reason))
                continue
        pairs.append((rng.choice([PairStatus.ACTIVE, PairStatus.ACTIVE, PairStatus.PAUSED]), start, None, None))
    return pairs


def test_the_program_statistics_with_their_weekly_chain() -> None:
    """The very table /peeradmin stats publishes (three weeks here, to keep the search exhaustive)."""
    rng = random.Random(13)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    weeks = [now - timedelta(weeks=2 - i) for i in range(3)]
    hidden_somewhere = 0
    for _ in range(80):
        pairs = random_pairs(rng, now, 3)
        table = program_table(rng.randint(0, 12), pairs, weeks)
        shown = assert_safe(table, cap=len(pairs) + SMALL)
        hidden_somewhere += any(v is None for v in shown.values())
        numbers = program_stats(0, pairs, weeks)  # what is shown and drawn is what was protected
        for name, value in shown.items():
            if name.startswith("week:active:"):
                assert numbers.active_by_week[int(name.rsplit(":", 1)[1])] == value
    assert hidden_somewhere > 30  # the search did meet hidden cells
