"""Whole-pool optimisation on the candidate graph: maximise the round's total score.

Mentors are expanded into one node per free mentee place, which turns the b-matching into a plain
matching (a mentee has one node, so never gets the same mentor twice).

1. Relaxation: an auction on the bipartite double cover (see ``auction.py``) gives the optimal
   fractional matching; its 2-cycles are pairs, and its few longer paths and cycles are matched
   optimally along their length by dynamic programming.
2. Local search until no move gains: each move adds one edge (u, v), drops the edges u and v had,
   and re-matches the two freed partners, to each other or to free neighbours (augmenting paths
   of up to 5 edges, alternating 4-cycles).

Measured on realistic pools (benchmarks/matching.py): about 0.995 of the exact optimum over the same
candidate graph; the graph itself is the larger loss at 10,000 members and more (see the benchmark).
"""

from __future__ import annotations

from collections import deque

from .auction import auction_assignment
from .candidates import CandidateGraph
from .pool import MENTOR, Pool

EPS = 1e-9
AUCTION_EPS = 0.01  # bid increment, relative to the heaviest edge (measured: 0.005 gains <0.05%)


def _pick_two(found: list[tuple[int, float]], ex1: int, ex2: int) -> tuple[int, float, int, float]:
    """The two best of ``found`` (best first), skipping ex1/ex2; -1 when missing."""
    n1, w1 = -1, 0.0
    for y, wy in found:
        if y not in (ex1, ex2):
            if n1 < 0:
                n1, w1 = y, wy
            else:
                return n1, w1, y, wy
    return n1, w1, -1, 0.0


def optimise(pool: Pool, graph: CandidateGraph, max_steps_factor: int = 40) -> list[tuple[int, int, float]]:
    """Member pairs (i, j, score): a b-matching respecting each mentor's free places."""
    n = pool.n
    slots = pool.slots
    first = [0] * n
    owner: list[int] = []
    for i in range(n):
        first[i] = len(owner)
        owner.extend([i] * max(0, slots[i]))
    nn = len(owner)
    member_nbrs: list[dict[int, float]] = [{} for _ in range(n)]
    ga, gb, gw = graph.a, graph.b, graph.w
    for a, b, w in zip(ga, gb, gw, strict=True):  # best first, so every dict is ordered best first
        member_nbrs[a][b] = w
        member_nbrs[b][a] = w
    for i in range(n):  # member -> node ids: a mentor has one node per free place, all alike
        d = member_nbrs[i]
        if not d:
            continue
        if any(slots[j] != 1 for j in d):
            member_nbrs[i] = {c: w for j, w in d.items() for c in range(first[j], first[j] + slots[j])}
        else:
            member_nbrs[i] = {first[j]: w for j, w in d.items()}
    empty: dict[int, float] = {}
    nbrw = [member_nbrs[owner[x]] or empty for x in range(nn)]
    del member_nbrs

    mate = [-1] * nn
    mw = [0.0] * nn
    if nn:
        center = [pool.role[owner[x]] != MENTOR for x in range(nn)]
        _auction_start(nn, nbrw, mate, mw, owner)
        _local_search(nn, nbrw, mate, mw, max_steps_factor, center)

    pairs = []
    for x in range(nn):
        y = mate[x]
        if y > x:
            pairs.append((owner[x], owner[y], mw[x]))
    return pairs


def _local_search(
    nn: int,
    nbrw: list[dict[int, float]],
    mate: list[int],
    mw: list[float],
    max_steps_factor: int,
    center: list[bool],
) -> None:
    """Apply improving moves until none is left. A move is symmetric in its edge (u, v), so
    only ``center`` nodes are searched from: every edge has one (mentors never meet mentors)."""
    freecnt = [0] * nn
    for f in range(nn):
        if mate[f] < 0:
            for x in nbrw[f]:
                freecnt[x] += 1
    top = [next(iter(d.values()), 0.0) for d in nbrw]

    cache: dict[int, list[tuple[int, float]]] = {}  # a neighbour dict's best free nodes, until a move

    def best_free(x: int) -> list[tuple[int, float]]:
        """Up to four best free neighbours of x (enough to skip two and keep two)."""
        d = nbrw[x]
        found = cache.get(id(d))
        if found is None:
            found = []
            left = freecnt[x]
            for y, wy in d.items():  # dicts are filled best first
                if mate[y] < 0:
                    found.append((y, wy))
                    left -= 1
                    if left <= 0 or len(found) == 4:
                        break
            cache[id(d)] = found
        return found

    def set_free(x: int) -> None:
        mate[x] = -1
        mw[x] = 0.0
        for y in nbrw[x]:
            freecnt[y] += 1

    def set_mate(x: int, y: int, w: float) -> None:
        for z in (x, y):
            if mate[z] < 0:
                for t in nbrw[z]:
                    freecnt[t] -= 1
        mate[x], mate[y] = y, x
        mw[x] = mw[y] = w

    empty: dict[int, float] = {}
    queue = deque(x for x in range(nn) if nbrw[x] and center[x])
    inq = bytearray(nn)
    for x in queue:
        inq[x] = 1
    steps = 0
    limit = max_steps_factor * max(nn, 1)
    while queue and steps < limit:
        steps += 1
        u = queue.popleft()
        inq[u] = 0
        u1 = mate[u]
        mwu = mw[u]
        top_u1 = top[u1] if u1 >= 0 else 0.0
        best_gain = EPS
        best: tuple[int, int, int, float, int, float] | None = None  # v, mode, x, wx, y, wy
        fx = u1 >= 0 and freecnt[u1] > 0
        free_u1 = best_free(u1) if fx else []  # the same for every v
        nbr_u1 = nbrw[u1] if u1 >= 0 else empty
        for v, wuv in nbrw[u].items():
            if v == u1:
                continue
            v1 = mate[v]
            g = wuv - mwu - mw[v]
            if g + top_u1 + (top[v1] if v1 >= 0 else 0.0) <= best_gain:
                continue
            extra, mode, x, wx, y, wy = 0.0, 0, -1, 0.0, -1, 0.0
            if v1 >= 0:
                w11 = nbr_u1.get(v1)
                if w11 is not None:
                    extra, mode = w11, 1
            fy = v1 >= 0 and freecnt[v1] > 0
            if fx or fy:
                x1, wx1, x2, wx2 = _pick_two(free_u1, v, u) if fx else (-1, 0.0, -1, 0.0)
                y1, wy1, y2, wy2 = _pick_two(best_free(v1), v, u) if fy else (-1, 0.0, -1, 0.0)
                if x1 >= 0 and x1 == y1:
                    if wx1 + wy2 >= wx2 + wy1:
                        cx, cwx, cy, cwy = x1, wx1, y2, wy2
                    else:
                        cx, cwx, cy, cwy = x2, wx2, y1, wy1
                else:
                    cx, cwx, cy, cwy = x1, wx1, y1, wy1
                if cwx + cwy > extra:
                    extra, mode, x, wx, y, wy = cwx + cwy, 2, cx, cwx, cy, cwy
            if g + extra > best_gain:
                best_gain = g + extra
                best = (v, mode, x, wx, y, wy)
        if best is None:
            continue
        v, mode, x, wx, y, wy = best
        v1 = mate[v]
        cache.clear()
        if u1 >= 0:
            set_free(u1)
            set_free(u)
        if v1 >= 0:
            set_free(v1)
            set_free(v)
        set_mate(u, v, nbrw[u][v])
        if mode == 1:
            set_mate(u1, v1, nbrw[u1][v1])
        elif mode == 2:
            if x >= 0:
                set_mate(u1, x, wx)
            if y >= 0:
                set_mate(v1, y, wy)
        for z in (u, v, u1, v1, x, y):
            if z >= 0:
                if not inq[z] and center[z]:
                    inq[z] = 1
                    queue.append(z)
                for t in nbrw[z]:
                    if not inq[t] and center[t]:
                        inq[t] = 1
                        queue.append(t)


def _solve_paths(
    nn: int, links: list[list[int]], nbrw: list[dict[int, float]], mate: list[int], mw: list[float]
) -> None:
    """Match optimally along disjoint paths and cycles (every node has at most two links)."""
    deg = [len(x) for x in links]
    seen = bytearray(nn)

    def walk(start: int) -> list[int]:
        path = [start]
        seen[start] = 1
        prev, cur = -1, start
        while True:
            nxt = -1
            for z in links[cur]:
                if z != prev and not seen[z]:
                    nxt = z
                    break
            if nxt < 0:
                return path
            seen[nxt] = 1
            path.append(nxt)
            prev, cur = cur, nxt

    def solve(path: list[int]) -> tuple[float, list[int]]:
        """Best matching on a path of nodes: (weight, indices k of chosen edges path[k]-path[k+1])."""
        k = len(path) - 1
        best = [0.0] * (k + 1)
        take = [False] * (k + 1)
        for i in range(1, k + 1):
            w = nbrw[path[i - 1]][path[i]] + (best[i - 2] if i >= 2 else 0.0)
            if w > best[i - 1]:
                best[i], take[i] = w, True
            else:
                best[i] = best[i - 1]
        chosen = []
        i = k
        while i >= 1:
            if take[i]:
                chosen.append(i - 1)
                i -= 2
            else:
                i -= 1
        return best[k], chosen

    def apply(path: list[int], chosen: list[int]) -> None:
        for c in chosen:
            x, y = path[c], path[c + 1]
            mate[x], mate[y] = y, x
            mw[x] = mw[y] = nbrw[x][y]

    for x in range(nn):
        if not seen[x] and deg[x] <= 1:
            path = walk(x)
            if len(path) > 1:
                apply(path, solve(path)[1])
    for x in range(nn):
        if not seen[x] and deg[x] == 2:  # an even cycle: drop one of two neighbouring edges
            cyc = walk(x)
            w1, c1 = solve(cyc)  # without the closing edge
            rot = cyc[1:] + cyc[:1]
            w2, c2 = solve(rot)
            if w2 > w1:
                apply(rot, c2)
            else:
                apply(cyc, c1)


def _auction_start(nn: int, nbrw: list[dict[int, float]], mate: list[int], mw: list[float], owner: list[int]) -> None:
    """Round the optimal fractional matching: 2-cycles become pairs, the rest (paths and cycles
    of the assignment) is matched optimally along its length."""
    ptr = [0] * (nn + 1)
    targets: list[int] = []
    values: list[float] = []
    for x in range(nn):
        d = nbrw[x]
        targets.extend(d)
        values.extend(d.values())
        ptr[x + 1] = len(targets)
    top = max(values, default=0.0)
    succ = auction_assignment(ptr, targets, values, eps=max(top * AUCTION_EPS, 1e-6), cls=owner)
    links: list[list[int]] = [[] for _ in range(nn)]
    for u in range(nn):
        v = succ[u]
        if v < 0:
            continue
        if succ[v] == u:
            if u < v:
                mate[u], mate[v] = v, u
                mw[u] = mw[v] = nbrw[u][v]
        elif v not in links[u]:
            links[u].append(v)
            links[v].append(u)
    _solve_paths(nn, links, nbrw, mate, mw)
