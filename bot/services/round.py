"""Turning stored profiles into proposed pairs: the bridge between the database and the matcher."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.db.models import MemberProfile
from bot.services.daytime import overlap_hours, utc_hour_mask
from bot.services.text import human_list

COMPATIBLE_ROLES = {("peer", "peer"), ("mentor", "mentee"), ("mentee", "mentor")}


@dataclass(frozen=True)
class Proposal:
    member_ids: tuple[int, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    user_id: int
    reason: str


@dataclass(frozen=True)
class RoundPlan:
    proposals: tuple[Proposal, ...]
    unmatched: tuple[Unmatched, ...]


@dataclass(frozen=True)
class Context:
    """What constrains a round besides the profiles: blocks, past pairs, mentors' current load."""

    blocks: frozenset[frozenset[int]]
    history: frozenset[frozenset[int]]
    mentor_load: dict[int, int]
    now: datetime


NO_PARTNER = "no compatible partner is waiting right now; you keep your place and get priority next round"


def _compatible(a: MemberProfile, b: MemberProfile, ctx: Context) -> bool:
    pair = frozenset((a.user_id, b.user_id))
    return (
        a.user_id != b.user_id
        and (a.role, b.role) in COMPATIBLE_ROLES
        and bool(set(a.languages) & set(b.languages))
        and pair not in ctx.blocks
        and pair not in ctx.history
    )


def _score(a: MemberProfile, b: MemberProfile, ctx: Context) -> tuple[float, tuple[str, ...]]:
    shared_topics = [t for t in a.topics if t in b.topics]
    shared_tags = [t for t in a.tags if t.casefold() in {x.casefold() for x in b.tags}]
    day = ctx.now.date()
    hours = overlap_hours(utc_hour_mask(a.timezone, day), utc_hour_mask(b.timezone, day))
    score = 2.0 * len(shared_topics) + 1.5 * len(shared_tags) + hours / 4
    if a.life_stage and a.life_stage == b.life_stage:
        score += 1.0
    reasons: list[str] = []
    if shared_topics:
        reasons.append(f"you share: {human_list(shared_topics)}")
    reasons.append(f"{hours} hours of overlapping daytime")
    if shared_tags:
        reasons.append(f"both chose {human_list(shared_tags)}")
    if a.life_stage and a.life_stage == b.life_stage:
        reasons.append("you are at the same life stage")
    return score, tuple(reasons)


def score_pair(a: MemberProfile, b: MemberProfile, ctx: Context) -> Proposal:
    score, reasons = _score(a, b, ctx)
    return Proposal((a.user_id, b.user_id), score, reasons)


def _room(profile: MemberProfile, ctx: Context, taken: dict[int, int]) -> bool:
    if profile.role != "mentor":
        return taken.get(profile.user_id, 0) == 0
    return ctx.mentor_load.get(profile.user_id, 0) + taken.get(profile.user_id, 0) < profile.capacity


def best_partner(member: MemberProfile, pool: Sequence[MemberProfile], ctx: Context) -> Proposal | None:
    """The best compatible partner for one member among those waiting, or None."""
    best: Proposal | None = None
    for other in pool:
        if not _compatible(member, other, ctx) or not _room(other, ctx, {}):
            continue
        score, reasons = _score(member, other, ctx)
        if best is None or score > best.score:
            best = Proposal((member.user_id, other.user_id), score, reasons)
    return best


def plan_round(waiting: Sequence[MemberProfile], ctx: Context) -> RoundPlan:
    """Pairs for a waitlist: the highest-scoring compatible pairs first (a simple greedy matching)."""
    edges: list[tuple[float, int, int, tuple[str, ...]]] = []
    for i, a in enumerate(waiting):
        for j in range(i + 1, len(waiting)):
            b = waiting[j]
            if _compatible(a, b, ctx):
                score, reasons = _score(a, b, ctx)
                edges.append((score, i, j, reasons))
    edges.sort(key=lambda e: (-e[0], e[1], e[2]))
    taken: dict[int, int] = {}
    proposals: list[Proposal] = []
    for score, i, j, reasons in edges:
        a, b = waiting[i], waiting[j]
        if _room(a, ctx, taken) and _room(b, ctx, taken):
            taken[a.user_id] = taken.get(a.user_id, 0) + 1
            taken[b.user_id] = taken.get(b.user_id, 0) + 1
            proposals.append(Proposal((a.user_id, b.user_id), score, reasons))
    unmatched = tuple(Unmatched(p.user_id, NO_PARTNER) for p in waiting if p.user_id not in taken)
    return RoundPlan(tuple(proposals), unmatched)
