"""The candidate graph: the vectorised edge selection keeps exactly the edges, in the same order,
as the plain one."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching.candidates import _keep_numpy, _keep_python


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10**6))
def test_numpy_keep_matches_python_keep(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(2, 30)
    pairs = [tuple(sorted(rng.sample(range(n), 2))) for _ in range(rng.randint(1, 200))]
    ea = [p[0] for p in pairs]
    eb = [p[1] for p in pairs]
    ew = [rng.choice([0.01, 1.0, 2.0, 2.5, 3.0, 7.25]) for _ in pairs]  # many ties
    fair = [rng.choice([0.0, 0.5, 1.0, 2.5]) for _ in range(n)]
    k = rng.randint(1, 6)
    assert _keep_numpy(np, n, fair, ea, eb, ew, k) == _keep_python(n, fair, ea, eb, ew, k)


def test_names_are_interned_once_per_value_and_compared_loosely() -> None:
    from bot.matching import MemberProfile
    from bot.matching.engine import _compile

    from .helpers import member, round_input

    shared = frozenset({"  Grief ", "Career change"})
    ms = [
        member(1, topics=shared, languages=frozenset({"English"})),
        member(2, topics=shared, languages=frozenset({"english "})),
        # odd input the engine accepts: a list, a single string, a set of numbers
        MemberProfile(3, topics=frozenset({"grief", "career  change"}), languages=["English"]),  # type: ignore[arg-type]
        MemberProfile(4, topics=frozenset({1}), languages="English"),  # type: ignore[arg-type]
    ]
    pool = _compile(round_input(ms))
    assert pool.topics[0] == pool.topics[1] == pool.topics[2]
    assert len(pool.topics[0]) == 2
    assert pool.langs[0] == pool.langs[1] == pool.langs[2] == pool.langs[3]
    assert sorted(pool.topic_names) == ["1", "Career change", "Grief"]
    assert [pool.topic_names[t] for t in pool.topics[3]] == ["1"]
