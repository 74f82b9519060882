"""Builders and brute-force checkers for the matching tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.matching import MemberProfile, RoundInput, RoundResult, check_pair

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def member(mid: int, **kw: Any) -> MemberProfile:
    kw.setdefault("languages", frozenset({"English"}))
    for key in ("languages", "topics", "shared_tags", "require_tags"):
        if key in kw and not isinstance(kw[key], frozenset):
            kw[key] = frozenset(kw[key])
    return MemberProfile(member_id=mid, **kw)


def round_input(members: list[MemberProfile], **kw: Any) -> RoundInput:
    kw.setdefault("blocks", frozenset())
    kw.setdefault("history", {})
    kw.setdefault("now", NOW)
    return RoundInput(members=tuple(members), **kw)


def load(result: RoundResult) -> dict[int, int]:
    """How many partners (pairs and trios) each member got."""
    out: dict[int, int] = {}
    for p in result.pairs:
        for m in p.members:
            out[m] = out.get(m, 0) + 1
    return out


def violated(inp: RoundInput, result: RoundResult) -> list[str]:
    """Every broken hard constraint in the result (empty when none)."""
    problems = []
    caps = {m.member_id: (max(0, m.capacity - m.current_load) if m.role == "mentor" else 1) for m in inp.members}
    for mid, n in load(result).items():
        if n > caps[mid]:
            problems.append(f"{mid} over capacity")
    seen = set()
    for p in result.pairs:
        groups = [(p.a, p.b)] if p.c is None else [(p.a, p.b), (p.a, p.c), (p.b, p.c)]
        for a, b in groups:
            key = frozenset((a, b))
            if key in seen:
                problems.append(f"{a}-{b} twice")
            seen.add(key)
            v = check_pair(inp, a, b)
            if v:
                problems.append(f"{a}-{b}: {v}")
    return problems


def free_pairs(inp: RoundInput, result: RoundResult) -> list[tuple[int, int]]:
    """Two members both with free places who could have been paired (so not maximal)."""
    members = {m.member_id: m for m in inp.members}
    used = load(result)
    paired = {frozenset((p.a, p.b)) for p in result.pairs}
    free = [
        mid
        for mid, m in sorted(members.items())
        if used.get(mid, 0) < (max(0, m.capacity - m.current_load) if m.role == "mentor" else 1)
    ]
    out = []
    for x, a in enumerate(free):
        for b in free[x + 1 :]:
            if frozenset((a, b)) not in paired and not check_pair(inp, a, b):
                out.append((a, b))
    return out
