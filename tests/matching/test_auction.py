"""The auction with classes of identical objects (a mentor's places), and capacities in whole rounds."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import run_round
from bot.matching.auction import SMALL, auction_assignment

from .helpers import load, member, round_input, violated


def _instance(rng: random.Random, bidders: int, classes: list[int], density: float) -> tuple:
    """Bidders 0..bidders-1; objects are the places of each class (consecutive ids)."""
    cls: list[int] = []
    for c, size in enumerate(classes):
        cls.extend([c] * size)
    n = max(bidders, len(cls))
    value = {}
    for u in range(bidders):
        for c in range(len(classes)):
            if rng.random() < density:
                value[u, c] = round(rng.uniform(0.5, 10.0), 2)
    ptr, tgt, val = [0], [], []
    for u in range(n):
        for v, c in enumerate(cls):
            if u < bidders and (u, c) in value:
                tgt.append(v)
                val.append(value[u, c])
        ptr.append(len(tgt))
    cls += list(range(len(classes), len(classes) + n - len(cls)))  # padding objects, no arcs to them
    return ptr, tgt, val, cls, value


def _brute_force(bidders: int, classes: list[int], value: dict) -> float:
    slots = [c for c, size in enumerate(classes) for _ in range(size)]
    best = 0.0
    options = [None, *range(len(slots))]
    for pick in itertools.product(options, repeat=bidders):
        used = [p for p in pick if p is not None]
        if len(used) != len(set(used)):
            continue
        if any((u, slots[p]) not in value for u, p in enumerate(pick) if p is not None):
            continue
        best = max(best, sum(value[u, slots[p]] for u, p in enumerate(pick) if p is not None))
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 5), st.lists(st.integers(1, 3), min_size=1, max_size=3))
def test_classes_are_near_optimal_and_each_place_has_one_owner(seed: int, bidders: int, classes: list[int]) -> None:
    rng = random.Random(seed)
    ptr, tgt, val, cls, value = _instance(rng, bidders, classes, 0.7)
    eps = 0.001
    got = auction_assignment(ptr, tgt, val, eps, cls=cls)
    owned = [v for v in got if v >= 0]
    assert len(owned) == len(set(owned))  # a place is never sold twice
    total = 0.0
    for u, v in enumerate(got):
        if v >= 0:
            assert v in tgt[ptr[u] : ptr[u + 1]]  # only along an arc
            total += val[ptr[u] + tgt[ptr[u] : ptr[u + 1]].index(v)]
    opt = _brute_force(bidders, classes, value)
    assert total >= opt - len(ptr) * eps - 1e-9


def test_many_bidders_for_one_class_fill_it_without_a_price_war() -> None:
    # 2,000 bidders who all value the 50 places of one mentor alike: the vectorised phase runs,
    # every place is sold once, and no bidder holds two places
    rng = random.Random(7)
    places = 50
    bidders = 2000
    n = bidders + places
    ptr, tgt, val = [0], [], []
    for u in range(n):
        if u < bidders:
            w = round(rng.uniform(1.0, 2.0), 3)
            tgt.extend(range(bidders, bidders + places))
            val.extend([w] * places)
        ptr.append(len(tgt))
    cls = list(range(bidders)) + [bidders] * places
    assert bidders > SMALL
    got = auction_assignment(ptr, tgt, val, 1e-4, cls=cls)
    owned = [v for v in got if v >= 0]
    assert len(owned) == len(set(owned)) == places
    # the places went to (nearly) the highest values
    top = sorted((val[ptr[u]] for u in range(bidders)), reverse=True)[:places]
    total = sum(val[ptr[u]] for u in range(bidders) if got[u] >= 0)
    assert total >= sum(top) - n * 1e-4


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6))
def test_mentor_capacity_is_never_exceeded(seed: int) -> None:
    rng = random.Random(seed)
    ms = []
    n_mentors = rng.randint(1, 4)
    for k in range(1, n_mentors + 1):
        cap = rng.randint(1, 8)
        ms.append(
            member(
                k,
                role="mentor",
                capacity=cap,
                current_load=rng.randint(0, cap),
                topics={rng.choice(["art", "code", "grief"])},
            )
        )
    for k in range(n_mentors + 1, n_mentors + 1 + rng.randint(0, 30)):
        ms.append(member(k, role=rng.choice(["mentee", "mentee", "either", "peer"]), topics={"code"}))
    inp = round_input(ms, seed=seed % 5)
    res = run_round(inp)
    assert violated(inp, res) == []
    used = load(res)
    for m in ms:
        if m.role == "mentor":
            assert used.get(m.member_id, 0) <= max(0, m.capacity - m.current_load)
    # every free place is used while a compatible mentee waits
    free_places = sum(max(0, m.capacity - m.current_load) for m in ms if m.role == "mentor")
    mentees = [m for m in ms if m.role == "mentee"]
    mentored = sum(used.get(m.member_id, 0) for m in ms if m.role == "mentor")
    assert mentored >= min(free_places, len(mentees)) if n_mentors == 1 else mentored <= free_places
