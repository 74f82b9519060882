"""Statistical disclosure control for every number Tandem publishes: no count from 1 to 4, and none that
arithmetic over the published numbers can bring back. Pure: no I/O, no discord, no database.

A :class:`Table` is a set of named counts and the linear relations they satisfy (a total and its parts;
this week's active pairs = last week's + started - ended; any integer equation a reader could write).
A cell may be *unpublished* (never shown, such as "ended before the chart's window"): it takes part in
relations as an unknown that can be 0.

:func:`protect` hides every count from 1 to 4 (primary suppression), then, while a hidden cell is
*exposed*, hides one more published non-zero cell, the smallest, from a relation that holds the exposed
cell (complementary suppression). Zero is never hidden: it describes nobody. A hidden cell is exposed when

- linear arithmetic gives its exact value: its unit vector lies in the row space of the relations
  restricted to the unknown cells (exact Gaussian elimination over fractions); or
- bounds pin it to a small count: propagating the intervals of every unknown through every relation
  (a hidden cell is at least 1, an unpublished one at least 0), its upper bound is below 5 or equals
  its lower bound.

The property this gives (checked by brute force in ``tests/security/test_stats_suppression.py``): every
hidden cell is consistent with at least two values, at least one of them 5 or more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

SMALL = 5
_ROUNDS = 50  # interval propagation converges long before this on tables of a few dozen cells


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient * cell) == 0`` over the table's cells."""

    terms: tuple[tuple[str, int], ...]

    @property
    def cells(self) -> tuple[str, ...]:
        return tuple(name for name, _c in self.terms)


def total_of(total: str, parts: Iterable[str]) -> Relation:
    """``total == sum(parts)``."""
    return Relation(((total, 1), *((p, -1) for p in parts)))


@dataclass
class Table:
    values: dict[str, int] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    unpublished: set[str] = field(default_factory=set)

    def cell(self, name: str, value: int, *, published: bool = True) -> str:
        self.values[name] = value
        if not published:
            self.unpublished.add(name)
        return name

    def relate(self, relation: Relation) -> None:
        self.relations.append(relation)


def is_small(n: int) -> bool:
    return 0 < n < SMALL


def average(values: Iterable[float]) -> float | None:
    """The mean, or ``None`` over fewer than 5 answers (an average of two answers gives both away)."""
    items = list(values)
    return sum(items) / len(items) if len(items) >= SMALL else None


def protect(table: Table) -> dict[str, int | None]:
    """The published cells, each exact or ``None`` (hidden); unpublished cells are left out."""
    hidden = {n for n, v in table.values.items() if is_small(v) and n not in table.unpublished}
    while True:
        exposed = _exposed(table, hidden)
        if exposed is None:
            break
        extra = _complement(table, hidden, exposed)
        if extra is None:  # nothing left to hide around it: withhold every published cell
            hidden |= {n for n in table.values if n not in table.unpublished}
            break
        hidden.add(extra)
    return {n: (None if n in hidden else v) for n, v in table.values.items() if n not in table.unpublished}


def _unknown(table: Table, hidden: set[str]) -> set[str]:
    return hidden | table.unpublished


def _exposed(table: Table, hidden: set[str]) -> str | None:
    for name in sorted(hidden):
        if name in _determined(table, hidden):
            return name
    lo, hi = bounds(table, hidden)
    for name in sorted(hidden):
        top = hi[name]
        if top is not None and (top < SMALL or top == lo[name]):
            return name
    return None


def _complement(table: Table, hidden: set[str], exposed: str) -> str | None:
    unknown = _unknown(table, hidden)
    near = {c for r in table.relations if exposed in r.cells for c in r.cells}
    for pool in (near, set(table.values)):
        choices = [c for c in pool if c not in unknown and table.values[c] > 0]
        if choices:
            return min(choices, key=lambda c: (table.values[c], c))
    return None


def _determined(table: Table, hidden: set[str]) -> set[str]:
    """Unknown cells whose exact value follows from the relations (reduced row echelon form)."""
    unknown = sorted(_unknown(table, hidden))
    column = {n: i for i, n in enumerate(unknown)}
    rows = []
    for relation in table.relations:
        row = [Fraction(0)] * len(unknown)
        for name, coefficient in relation.terms:
            if name in column:
                row[column[name]] += coefficient
        if any(row):
            rows.append(row)
    pivots: list[tuple[int, int]] = []
    r = 0
    for c in range(len(unknown)):
        pick = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
        if pick is None:
            continue
        rows[r], rows[pick] = rows[pick], rows[r]
        lead = rows[r][c]
        rows[r] = [x / lead for x in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c] != 0:
                factor = rows[i][c]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r], strict=True)]
        pivots.append((r, c))
        r += 1
    return {unknown[c] for row, c in pivots if sum(1 for x in rows[row] if x != 0) == 1}


def bounds(table: Table, hidden: set[str]) -> tuple[dict[str, int], dict[str, int | None]]:
    """Lower and upper bounds (None: unbounded) of every unknown cell, propagated through the relations."""
    unknown = _unknown(table, hidden)
    lo = {n: (1 if n in hidden else 0) for n in unknown}
    hi: dict[str, int | None] = dict.fromkeys(unknown)
    for _ in range(_ROUNDS):
        changed = False
        for relation in table.relations:
            target = -sum(c * table.values[n] for n, c in relation.terms if n not in unknown)
            terms = [(n, c) for n, c in relation.terms if n in unknown]
            for name, coefficient in terms:
                low, high = _rest(terms, name, lo, hi)  # range of the other terms; None: unbounded
                # coefficient * x == target - rest
                ends = (
                    None if high is None else Fraction(target - high, coefficient),
                    None if low is None else Fraction(target - low, coefficient),
                )
                floor_end, ceiling_end = ends if coefficient > 0 else ends[::-1]
                if floor_end is not None and _ceil(floor_end) > lo[name]:
                    lo[name] = _ceil(floor_end)
                    changed = True
                if ceiling_end is not None:
                    top = ceiling_end.numerator // ceiling_end.denominator
                    current = hi[name]
                    if current is None or top < current:
                        hi[name] = top
                        changed = True
        if not changed:
            break
    return lo, hi


def _rest(
    terms: list[tuple[str, int]], name: str, lo: dict[str, int], hi: dict[str, int | None]
) -> tuple[int | None, int | None]:
    low: int | None = 0
    high: int | None = 0
    for other, c in terms:
        if other == name:
            continue
        top = hi[other]
        smallest: int | None = c * lo[other]
        largest: int | None = None if top is None else c * top
        if c < 0:
            smallest, largest = largest, smallest
        low = None if low is None or smallest is None else low + smallest
        high = None if high is None or largest is None else high + largest
    return low, high


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)
