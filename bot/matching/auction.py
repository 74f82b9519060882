"""The relaxation behind the optimiser: an auction on the bipartite double cover.

Every node appears twice, as a bidder and as an object; bidder u may take object v for each
edge (u, v) (value w), or nothing (value 0). The best assignment is the optimal fractional
matching, which on these graphs is almost integral: mostly 2-cycles u->v, v->u, i.e. pairs.
Bertsekas' auction: a free bidder bids for its best object, raising the price by its margin over
the second best plus ``eps``; the result is within ``n * eps`` of the optimum.

Identical objects (a mentor's free places) form a class: a bidder's second best is taken over
the *other* classes only, and it bids for the cheapest place of its best class. Otherwise the places
of one mentor, worth exactly the same to every bidder, would outbid each other by ``eps`` at a time
(a price war); with classes the bid raises the price by the real margin. The class's price is its
cheapest place (zero while a place is unsold), and the result is the same eps-optimal b-matching
relaxation (Bertsekas' auction for similar objects).

While many bidders are free, all of them bid at once (Jacobi), vectorised with numpy; the rest is
done one bid at a time in plain Python.
"""

from __future__ import annotations

from typing import Any

SMALL = 200  # below this many free bidders, plain Python is cheaper than numpy calls


def auction_assignment(
    ptr: list[int],
    tgt: list[int],
    val: list[float],
    eps: float,
    max_bids: int = 50_000_000,
    cls: list[int] | None = None,
) -> list[int]:
    """Object chosen by each bidder, or -1 for nothing. Bidder u's arcs are
    ``tgt[ptr[u]:ptr[u + 1]]`` with values ``val`` (positive). ``cls[v]`` is object v's class
    (objects of one class are identical: the same value to every bidder); default: its own."""
    n = len(ptr) - 1
    if cls is None:
        cls = list(range(n))
    price = [0.0] * n
    owner = [-1] * n
    assigned = [-1 if ptr[u + 1] > ptr[u] else -2 for u in range(n)]  # -1 free, -2 nothing
    free = [u for u in range(n) if assigned[u] == -1]
    if len(free) > SMALL:
        np = _numpy()
        if np is not None:
            free = _jacobi(np, ptr, tgt, val, cls, price, owner, assigned, eps)
    _gauss_seidel(ptr, tgt, val, cls, price, owner, assigned, free, eps, max_bids)
    return [x if x >= 0 else -1 for x in assigned]


_np: Any
try:  # imported with the engine, not during a round
    import numpy

    _np = numpy
except ImportError:  # pragma: no cover - numpy is optional
    _np = None


def _numpy() -> Any:
    return _np


def _jacobi(
    np: Any,
    ptr: list[int],
    tgt: list[int],
    val: list[float],
    cls: list[int],
    price: list[float],
    owner: list[int],
    assigned: list[int],
    eps: float,
) -> list[int]:
    indptr = np.array(ptr, dtype=np.int64)
    targets = np.array(tgt, dtype=np.int64)
    values = np.array(val, dtype=np.float64)
    tcls = np.array(cls, dtype=np.int64)[targets]  # class of each arc's object
    deg = np.diff(indptr)
    p = np.array(price)
    own = np.array(owner, dtype=np.int64)
    asg = np.array(assigned, dtype=np.int64)
    while True:
        free = np.flatnonzero(asg == -1)
        if len(free) <= SMALL:
            break
        lens = deg[free]
        offs = np.cumsum(lens) - lens
        total = int(lens.sum())
        pos = np.repeat(indptr[free] - offs, lens) + np.arange(total)
        objs = targets[pos]
        v = values[pos] - p[objs]
        best = np.maximum.reduceat(v, offs)
        arg = np.minimum.reduceat(np.where(v >= np.repeat(best, lens), np.arange(total), total), offs)
        v[tcls[pos] == np.repeat(tcls[pos[arg]], lens)] = -np.inf  # the best's class, all its places
        second = np.maximum(np.maximum.reduceat(v, offs), 0.0)
        nothing = best <= 0.0
        asg[free[nothing]] = -2
        keep = ~nothing
        bidders = free[keep]
        if len(bidders) == 0:
            continue
        obj = objs[arg[keep]]
        bid = p[obj] + (best[keep] - second[keep]) + eps
        order = np.lexsort((-bid, obj))  # the highest bid for each object wins it
        obj_sorted = obj[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = obj_sorted[1:] != obj_sorted[:-1]
        win = order[first]
        won = obj[win]
        prev = own[won]
        asg[prev[prev >= 0]] = -1
        own[won] = bidders[win]
        asg[bidders[win]] = won
        p[won] = bid[win]
    price[:] = p.tolist()
    owner[:] = own.tolist()
    assigned[:] = asg.tolist()
    return [int(u) for u in np.flatnonzero(asg == -1)]


def _gauss_seidel(
    ptr: list[int],
    tgt: list[int],
    val: list[float],
    cls: list[int],
    price: list[float],
    owner: list[int],
    assigned: list[int],
    free: list[int],
    eps: float,
    max_bids: int,
) -> None:
    stack = free[::-1]
    bids = 0
    while stack:
        u = stack.pop()
        bids += 1
        if bids > max_bids:  # a safety net only: leave the rest unassigned
            assigned[u] = -2
            continue
        best = second = 0.0
        obj = bc = -1
        for k in range(ptr[u], ptr[u + 1]):
            v = tgt[k]
            x = val[k] - price[v]
            if x > best:
                c = cls[v]
                if c != bc:
                    second = best
                    bc = c
                best, obj = x, v
            elif x > second and cls[v] != bc:
                second = x
        if obj < 0:
            assigned[u] = -2
            continue
        price[obj] += best - second + eps
        prev = owner[obj]
        if prev >= 0:
            assigned[prev] = -1
            stack.append(prev)
        owner[obj] = u
        assigned[u] = obj
