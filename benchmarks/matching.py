"""Benchmark of the matching engine: speed, memory and quality against the exact optimum.

    python -m benchmarks.matching                      # all sizes
    python -m benchmarks.matching --sizes 1000 10000   # chosen sizes
    python -m benchmarks.matching --mentors 10000      # mentor assignment with 10,000 mentees

Each case runs in a fresh (spawned) child process: the population is generated there, then one
whole round (profiles to pairs) is timed; peak memory is the child's ru_maxrss (and the part of it
added by the round). Quality is the engine's total score over the exact maximum-weight matching
(rustworkx blossom; mentors are expanded into one node per free place), over all pairs up to
2,000 members and over the engine's candidate graph above that. A plain greedy by weight on the
same graph is shown as a baseline. The engine's own graph flatters it: ``--wide W K`` also gives
the optimum over a much wider candidate graph (window W, keep K) above 2,000 members (slow: minutes
at 10,000), shown as score/wide and pair/wide.

    python -m benchmarks.matching --sizes 10000 --mentors --wide 64 64
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.matching import MemberProfile, RoundInput, run_round
from bot.matching.candidates import build_candidates
from bot.matching.engine import _compile
from bot.matching.pool import Pool
from bot.matching.scoring import make_scorer

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)
TIMEZONES = [
    ("America/New_York", 20),
    ("America/Chicago", 10),
    ("America/Los_Angeles", 12),
    ("Europe/London", 12),
    ("Europe/Berlin", 12),
    ("Europe/Madrid", 5),
    ("America/Sao_Paulo", 5),
    ("Asia/Kolkata", 6),
    ("Asia/Tokyo", 4),
    ("Australia/Sydney", 5),
    ("Africa/Lagos", 4),
    ("Asia/Manila", 5),
]
LANGS = [("English", 70), ("Spanish", 12), ("French", 6), ("German", 5), ("Portuguese", 4), ("Japanese", 3)]
TAGS = ["LGBTQ+", "veteran", "student", "parent", "neurodivergent", "first-gen", "disabled", "carer"]
STAGES = ["student", "early career", "mid career", "career change", "parent", "retired"]
N_TOPICS = 60


def _pick(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([x for x, _ in table], weights=[w for _, w in table])[0]


def population(n: int, seed: int = 1, mentees_only: int = 0) -> RoundInput:
    """A realistic pool: Zipf-like topic popularity, several timezones and languages, 10% mentors
    with capacity 1-5, blocks and history. ``mentees_only``: that many mentees plus mentors."""
    rng = random.Random(seed)
    topic_w = [1.0 / (r + 1) ** 1.1 for r in range(N_TOPICS)]
    topics = [f"topic-{r:02d}" for r in range(N_TOPICS)]
    total = n if not mentees_only else mentees_only + mentees_only * 3 // 10
    members = []
    for k in range(total):
        mid = k + 1
        langs = {_pick(rng, LANGS)}
        if rng.random() < 0.2:
            langs.add("English")
        if mentees_only:
            role = "mentee" if k < mentees_only else "mentor"
        else:
            r = rng.random()
            role = "mentor" if r < 0.10 else "mentee" if r < 0.25 else "either" if r < 0.40 else "peer"
        cap = rng.randint(1, 5) if role == "mentor" else 1
        load = rng.randint(0, cap - 1) if role == "mentor" and rng.random() < 0.3 else 0
        nt = rng.choices([0, 1, 2, 3, 4, 5], weights=[5, 20, 30, 25, 12, 8])[0]
        tset = set(rng.choices(topics, weights=topic_w, k=nt))
        tags = {t for t in TAGS if rng.random() < 0.06}
        start, end = 9, 21
        if rng.random() < 0.2:
            start, end = rng.randint(6, 12), rng.randint(17, 24)
        members.append(
            MemberProfile(
                member_id=mid,
                languages=frozenset(langs),
                topics=frozenset(tset),
                role=role,  # type: ignore[arg-type]
                timezone=_pick(rng, TIMEZONES),
                day_start_hour=start,
                day_end_hour=end,
                shared_tags=frozenset(tags),
                life_stage=rng.choice(STAGES) if rng.random() < 0.7 else None,
                rounds_waited=min(int(rng.expovariate(0.8)), 8),
                priority=rng.random() < 0.02,
                capacity=cap,
                current_load=load,
                require_tags=frozenset(rng.sample(sorted(tags), 1)) if tags and rng.random() < 0.2 else frozenset(),
                max_utc_offset_diff_hours=float(rng.randint(3, 6)) if rng.random() < 0.05 else None,
            )
        )
    blocks = set()
    for _ in range(total * 3 // 10):
        a, b = rng.randint(1, total), rng.randint(1, total)
        if a != b:
            blocks.add((a, b))
    history = {}
    for _ in range(total):
        a, b = rng.randint(1, total), rng.randint(1, total)
        if a != b:
            history[frozenset((a, b))] = NOW - timedelta(days=rng.uniform(1, 365))
    return RoundInput(
        members=tuple(members), blocks=frozenset(blocks), history=history, now=NOW, cooldown_days=90, seed=seed
    )


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _all_pairs(pool: Pool) -> tuple[list[int], list[int], list[float]]:
    score = make_scorer(pool)
    a, b, w = [], [], []
    for i in range(pool.n):
        if pool.slots[i] <= 0:
            continue
        for j in range(i + 1, pool.n):
            if pool.slots[j] > 0:
                s = score(i, j)
                if s is not None:
                    a.append(i)
                    b.append(j)
                    w.append(s)
    return a, b, w


def _exact(pool: Pool, a: Sequence[int], b: Sequence[int], w: Sequence[float]) -> tuple[float, int]:
    """Exact maximum-weight b-matching (mentors expanded into copies): (total, members paired)."""
    import rustworkx as rx

    g = rx.PyGraph()
    copies: dict[int, list[int]] = {}
    for i in range(pool.n):
        if pool.slots[i] > 0:
            copies[i] = [g.add_node(i) for _ in range(pool.slots[i])]
    for e in range(len(w)):
        iw = round(w[e] * 10_000)
        for x in copies[a[e]]:
            for y in copies[b[e]]:
                g.add_edge(x, y, iw)
    m = rx.max_weight_matching(g, max_cardinality=False, weight_fn=lambda x: x)
    total = sum(g.get_edge_data(x, y) for x, y in m) / 10_000
    paired = {g[x] for pair in m for x in pair}
    return total, len(paired)


def _greedy(pool: Pool, a: Sequence[int], b: Sequence[int], w: Sequence[float]) -> tuple[float, int]:
    used = [0] * pool.n
    total = 0.0
    for e in sorted(range(len(w)), key=lambda e: -w[e]):
        i, j = a[e], b[e]
        if used[i] < pool.slots[i] and used[j] < pool.slots[j]:
            used[i] += 1
            used[j] += 1
            total += w[e]
    return total, sum(1 for u in used if u)


def _case(args: tuple[int, int, int, bool, tuple[int, int] | None]) -> dict[str, Any]:
    n, seed, mentees, exact, wide = args
    inp = population(n, seed, mentees)
    rss0 = _rss_mb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    res = run_round(inp)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    members = len(inp.members)
    paired = len({m for p in res.pairs for m in p.members})
    out: dict[str, Any] = {
        "members": members,
        "wall": wall,
        "cpu": cpu,
        "peak": peak,
        "added": peak - rss0,
        "pairs": len(res.pairs),
        "paired": paired,
        "score": sum(p.score for p in res.pairs),
    }
    if exact:
        pool = _compile(inp)
        if members <= 2000:
            a, b, w = _all_pairs(pool)
            out["graph"] = "all pairs"
        else:
            g = build_candidates(pool, make_scorer(pool), inp.seed)
            a, b, w = list(g.a), list(g.b), list(g.w)
            out["graph"] = "candidates"
        t1 = time.perf_counter()
        out["opt"], out["opt_paired"] = _exact(pool, a, b, w)
        out["opt_time"] = time.perf_counter() - t1
        out["greedy"], out["greedy_paired"] = _greedy(pool, a, b, w)
        out["edges"] = len(w)
        if wide and members > 2000:
            g = build_candidates(pool, make_scorer(pool), inp.seed, wide[0], wide[1])
            out["wide"], out["wide_paired"] = _exact(pool, list(g.a), list(g.b), list(g.w))
    return out


def _row(label: str, r: dict[str, Any]) -> str:
    def ratio(a: str, b: str) -> str:
        return f"{r[a] / r[b]:.4f}" if r.get(b) else "-"

    opt_t = f"{r['opt_time']:.1f}" if "opt_time" in r else "-"
    return (
        f"{label:<15}{r['members']:>8}{r['wall']:>8.2f}{r['cpu']:>7.2f}{r['peak']:>8.0f}{r['added']:>8.0f}"
        f"{r['pairs']:>7}{r['paired'] / max(1, r['members']):>8.3f}{ratio('score', 'opt'):>9}"
        f"{ratio('paired', 'opt_paired'):>9}{ratio('greedy', 'opt'):>9}{ratio('greedy_paired', 'opt_paired'):>9}"
        f"{opt_t:>8}  {r.get('graph', '-')}"
        + (f"; score/wide {ratio('score', 'wide')}, pair/wide {ratio('paired', 'wide_paired')}" if "wide" in r else "")
    )


HEADER = (
    f"{'case':<15}{'members':>8}{'wall_s':>8}{'cpu_s':>7}{'peakMB':>8}{'roundMB':>8}{'pairs':>7}{'paired':>8}"
    f"{'score/op':>9}{'pair/op':>9}{'grdy/op':>9}{'gpair/op':>9}{'opt_s':>8}  optimum over"
)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 2000, 10000, 100000])
    ap.add_argument("--mentors", type=int, nargs="*", default=[10000], help="mentee counts for mentor cases")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-exact", action="store_true", help="skip the exact optimum")
    ap.add_argument("--exact-limit", type=int, default=10000, help="largest pool given an exact optimum")
    ap.add_argument("--wide", type=int, nargs=2, metavar=("W", "K"), help="also the optimum over a wider graph")
    ns = ap.parse_args(argv)
    wide = tuple(ns.wide) if ns.wide else None
    cases = [(f"peers {n}", (n, ns.seed, 0, not ns.no_exact and n <= ns.exact_limit, wide)) for n in ns.sizes]
    cases += [(f"mentees {m}", (0, ns.seed, m, not ns.no_exact and m <= ns.exact_limit, wide)) for m in ns.mentors]
    print(HEADER, flush=True)
    ctx = multiprocessing.get_context("spawn")
    for label, args in cases:
        with ctx.Pool(1) as p:
            r = p.apply(_case, (args,))
        print(_row(label, r), flush=True)
    print(
        "wall_s: one whole round, profiles to pairs (one process); cpu_s: its CPU time (steadier under load);\n"
        "peakMB: child ru_maxrss; roundMB: its growth "
        "during the round;\npaired: share of members paired; score/op, pair/op: engine's total score and members "
        "paired over the exact optimum's; grdy: plain greedy by weight on the same graph."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
