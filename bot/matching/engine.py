"""A matching round, and the best partner for one member: profiles in, pairs and reasons out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime

from . import explain
from .candidates import build_candidates
from .constraints import PREFERENCE, prefers, violations
from .optimise import optimise
from .pool import EITHER, MENTEE, MENTOR, PEER, Pool, compile_pool
from .profiles import (
    MemberProfile,
    PairKey,
    PartnerSuggestion,
    ProposedPair,
    RoundInput,
    RoundResult,
    Unmatched,
    Weights,
)
from .scoring import Scorer, make_scorer

DIAGNOSE_BUDGET = 2_000_000  # pair checks spent on explaining the unmatched and placing trios


def _compile(inp: RoundInput) -> Pool:
    return compile_pool(
        inp.members, inp.blocks, inp.history, inp.now, inp.cooldown_days, inp.weights, inp.reference_date
    )


def _side(role: int) -> tuple[int, ...]:
    """Index sides: 0 peers, 1 mentors, 2 mentees. Returns the sides a member sits on."""
    return {PEER: (0,), MENTOR: (1,), MENTEE: (2,), EITHER: (0, 2)}[role]


def _wanted(role: int) -> tuple[int, ...]:
    """Sides a member looks for partners on."""
    return {PEER: (0,), MENTOR: (2,), MENTEE: (1,), EITHER: (0, 1)}[role]


class _Index:
    """Members by (language, side), for scans that must not miss anyone (maximality, reasons)."""

    def __init__(self, pool: Pool, members: Iterable[int]) -> None:
        self.pool = pool
        self.buckets: dict[tuple[int, int], list[int]] = {}
        for i in members:
            for lang in sorted(pool.langs[i]):
                for side in _side(pool.role[i]):
                    self.buckets.setdefault((lang, side), []).append(i)

    def partners(self, i: int, sides: tuple[int, ...] | None = None) -> Iterator[int]:
        """Everyone sharing a language with i on a side i can pair with, each once, lazily."""
        seen = {i}
        for lang in sorted(self.pool.langs[i]):
            for side in sides if sides is not None else _wanted(self.pool.role[i]):
                for j in self.buckets.get((lang, side), ()):
                    if j not in seen:
                        seen.add(j)
                        yield j


class Budget:
    """A shared allowance of pair checks for explaining the unmatched and placing trios."""

    def __init__(self, left: int = DIAGNOSE_BUDGET) -> None:
        self.left = left


class _Round:
    def __init__(self, inp: RoundInput) -> None:
        self.inp = inp
        self.pool = _compile(inp)
        self.score: Scorer = make_scorer(self.pool)
        n = self.pool.n
        self.used = [0] * n
        self.partners: list[set[int]] = [set() for _ in range(n)]
        self.pairs: list[tuple[int, int, float]] = []
        self.budget = Budget()
        self._index: _Index | None = None

    def index(self) -> _Index:
        if self._index is None:
            self._index = _Index(self.pool, [i for i in range(self.pool.n) if self.pool.langs[i]])
        return self._index

    def free(self, i: int) -> int:
        return self.pool.slots[i] - self.used[i]

    def add(self, i: int, j: int, s: float) -> None:
        self.used[i] += 1
        self.used[j] += 1
        self.partners[i].add(j)
        self.partners[j].add(i)
        self.pairs.append((i, j, s))

    def run(self) -> RoundResult:
        pool = self.pool
        graph = build_candidates(pool, self.score, self.inp.seed)
        for i, j, s in optimise(pool, graph):
            self.add(i, j, s)
        self.make_maximal()
        trios: dict[int, tuple[int, float]] = {}
        if self.inp.odd_one_out == "trio":
            trios = self.place_trios()
        return self.result(trios)

    def make_maximal(self) -> None:
        """Pair any two members left with free places who may be paired (any pair, not only
        candidates): the result is a maximal matching of the compatibility graph."""
        pool = self.pool
        left = [i for i in range(pool.n) if self.free(i) > 0 and pool.langs[i]]
        if len(left) < 2:
            return
        index = _Index(pool, left)
        left.sort(key=lambda i: (-pool.fair[i], i))
        for i in left:
            while self.free(i) > 0:
                best, best_s = -1, 0.0
                for j in index.partners(i):
                    if self.free(j) <= 0 or j in self.partners[i]:
                        continue
                    s = self.score(i, j)
                    if s is not None and (s > best_s or best < 0):
                        best, best_s = j, s
                if best < 0:
                    break
                self.add(i, best, best_s)

    def place_trios(self) -> dict[int, tuple[int, float]]:
        """Give each member left alone a place in a peer pair they fit with both members of
        (at most one extra per pair; as many as possible, best fit first). Returns extra -> (pair, gain)."""
        pool = self.pool
        pair_of: dict[int, int] = {}
        for p, (i, j, _) in enumerate(self.pairs):
            if pool.role[i] != MENTOR and pool.role[j] != MENTOR:
                pair_of[i] = p
                pair_of[j] = p
        alone = [
            i
            for i in range(pool.n)
            if self.used[i] == 0 and pool.slots[i] > 0 and pool.langs[i] and pool.role[i] in (PEER, EITHER)
        ]
        if not alone or not pair_of:
            return {}
        index = _Index(pool, sorted(pair_of))
        options: dict[int, list[tuple[float, int]]] = {}
        for u in alone:
            opts: dict[int, float] = {}
            for v in index.partners(u):
                if self.budget.left <= 0:
                    break
                self.budget.left -= 1
                p = pair_of[v]
                if p in opts:
                    continue
                a, b, _ = self.pairs[p]
                sa, sb = self.score(u, a), self.score(u, b)
                if sa is not None and sb is not None:
                    opts[p] = sa + sb
            options[u] = sorted(((-g, p) for p, g in opts.items()))
        # Kuhn's augmenting paths: as many trios as possible, trying the best fit first
        owner: dict[int, int] = {}

        def place(u: int, seen: set[int]) -> bool:
            for _, p in options[u]:
                if p in seen:
                    continue
                seen.add(p)
                if p not in owner or place(owner[p], seen):
                    owner[p] = u
                    return True
            return False

        augment = len(options) <= 500  # (recursion depth stays small)
        for u in sorted(options, key=lambda x: (len(options[x]), x)):
            if not options[u]:
                continue
            if augment:
                place(u, set())
            else:
                free_p = next((p for _, p in options[u] if p not in owner), None)
                if free_p is not None:
                    owner[free_p] = u
        return {u: (p, -next(g for g, q in options[u] if q == p)) for p, u in owner.items()}

    def result(self, trios: dict[int, tuple[int, float]]) -> RoundResult:
        pool = self.pool
        extra_for = {p: (u, g) for u, (p, g) in trios.items()}
        out: list[ProposedPair] = []
        for p, (x, y, s) in enumerate(self.pairs):
            # the mentor first; otherwise the smaller id first
            i, j = (
                (y, x) if pool.role[y] == MENTOR or (pool.role[x] != MENTOR and pool.ids[y] < pool.ids[x]) else (x, y)
            )
            reasons = explain.pair_reasons(pool, i, j)
            if p in extra_for:
                u, gain = extra_for[p]
                reasons = (*reasons, explain.TRIO_NOTE)
                out.append(ProposedPair(pool.ids[i], pool.ids[j], round(s + gain, 4), reasons, pool.ids[u]))
            else:
                out.append(ProposedPair(pool.ids[i], pool.ids[j], round(s, 4), reasons))
        out.sort(key=lambda pp: (pp.a, pp.b))
        unmatched: list[Unmatched] = []
        for i in range(pool.n):
            if self.used[i] > 0 or i in trios:
                continue
            reason, prio = diagnose(pool, self.score, i, self.index(), self.budget)
            unmatched.append(Unmatched(pool.ids[i], reason, prio))
        priority = frozenset([u.member_id for u in unmatched if u.priority_next_round] + [pool.ids[u] for u in trios])
        notes: list[str] = []
        if pool.n == 0:
            notes.append("Nobody is waiting: there is nothing to match this round.")
        elif pool.n == 1:
            notes.append("Only one member is waiting: nobody to pair with this round.")
        return RoundResult(tuple(out), tuple(unmatched), priority, tuple(notes))


def diagnose(pool: Pool, score: Scorer, i: int, index: _Index, budget: Budget) -> tuple[str, bool]:
    """Why member i has no partner, in words that reveal nothing confidential (never a block,
    another member's preference or history), and whether they get priority next round."""
    role = pool.role[i]
    prof = pool.profiles[i]
    if role == MENTOR and pool.slots[i] <= 0:
        return explain.mentor_full(int(prof.capacity), int(prof.current_load)), False
    if not pool.langs[i]:
        return explain.NO_LANGUAGE_SET, True
    if next(index.partners(i, (0, 1, 2)), None) is None:
        if not any(j != i and pool.langs[j] for j in range(pool.n)):
            return (explain.MENTOR_NO_MENTEE, True) if role == MENTOR else (explain.ONLY_ONE, True)
        return explain.no_shared_language(sorted(pool.lang_names[x] for x in pool.langs[i])), True
    seen_any = seen_open = own_pref = False
    for j in index.partners(i):
        if budget.left <= 0:
            break
        budget.left -= 1
        seen_any = True
        if pool.slots[j] <= 0:
            continue
        seen_open = True
        if score(i, j) is not None:
            return (explain.MENTOR_NO_MENTEE, True) if role == MENTOR else (explain.ODD_ONE_OUT, True)
        if not own_pref and violations(pool, i, j) == [PREFERENCE] and prefers(pool, j, i):
            own_pref = True
    if role == MENTOR:
        return explain.MENTOR_NO_MENTEE, True
    if seen_any and not seen_open:
        return explain.MENTORS_FULL, True
    if not seen_any and role == MENTEE:
        return explain.NO_MENTOR, True
    if own_pref:
        return explain.OWN_PREFERENCE, True
    return explain.NO_COMPATIBLE, True


def run_round(inp: RoundInput) -> RoundResult:
    """Match a whole pool: maximise the round's total score under the hard constraints.
    Deterministic for a given input and seed. Never raises on empty or degenerate pools."""
    return _Round(inp).run()


def best_partner(
    member: MemberProfile,
    pool: Iterable[MemberProfile],
    *,
    blocks: Iterable[PairKey] = frozenset(),
    history: Mapping[PairKey, datetime] | None = None,
    now: datetime,
    cooldown_days: float = 90.0,
    weights: Weights | None = None,
    reference_date: date | None = None,
) -> PartnerSuggestion:
    """The best partner for one member among those waiting now (for ``/peer request``)."""
    others = [m for m in pool if m.member_id != member.member_id]
    compiled = compile_pool(
        [member, *others], blocks, history or {}, now, cooldown_days, weights or Weights(), reference_date
    )
    score = make_scorer(compiled)
    i = compiled.index_of[member.member_id]
    best, best_s = -1, 0.0
    if compiled.slots[i] > 0:
        for j in range(compiled.n):
            if j == i or compiled.slots[j] <= 0:
                continue
            s = score(i, j)
            if s is not None and (best < 0 or s > best_s):
                best, best_s = j, s
    if best < 0:
        index = _Index(compiled, [j for j in range(compiled.n) if compiled.langs[j]])
        reason, _ = diagnose(compiled, score, i, index, Budget())
        if reason == explain.ODD_ONE_OUT:
            reason = explain.NO_COMPATIBLE
        return PartnerSuggestion(member.member_id, None, 0.0, (), reason)
    return PartnerSuggestion(
        member.member_id, compiled.ids[best], round(best_s, 4), explain.pair_reasons(compiled, i, best)
    )


def pair_score(inp: RoundInput, a: int, b: int) -> float | None:
    """The score of one pair in this round's context, or None if a hard constraint forbids it."""
    pool = _compile(inp)
    if a not in pool.index_of or b not in pool.index_of:
        return None
    return make_scorer(pool)(pool.index_of[a], pool.index_of[b])


def check_pair(inp: RoundInput, a: int, b: int) -> list[str]:
    """The hard constraints a pair would break ("language", "role", "blocked", "cooldown",
    "preference", "capacity"); empty when they may be paired. Moderator/internal use only."""
    pool = _compile(inp)
    if a not in pool.index_of or b not in pool.index_of:
        return ["unknown"]
    return violations(pool, pool.index_of[a], pool.index_of[b])
