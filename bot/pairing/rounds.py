"""The bridge between stored profiles and the matching engine (``bot/matching``).

It turns database rows into the engine's frozen inputs and the engine's answers into proposals the
pairing service can open. The engine itself is pure; a whole round runs in a worker process.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot import matching
from bot.matching import PairKey
from bot.pairing.catalog import LANGUAGES
from bot.pairing.models import GuildSettings, MemberProfile
from bot.pairing.states import OddOneOut, Role

COMPATIBLE_ROLES = {(Role.PEER, Role.PEER), (Role.MENTOR, Role.MENTEE), (Role.MENTEE, Role.MENTOR)}
NO_PARTNER = matching.explain.NO_COMPATIBLE
BY_MODERATOR = "paired by the program's moderators"
TAG_REASON = "both chose "  # the engine's wording for shared community tags

RoundRunner = Callable[[matching.RoundInput], Awaitable[matching.RoundResult]]
Offload = Callable[[Callable[[], matching.PartnerSuggestion]], Awaitable[matching.PartnerSuggestion]]
OFFLOAD_FROM = 1_000  # waiting members from which one member's search leaves the event loop (0.3 s at 10,000)


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
    priority_next_round: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Context:
    """What constrains a round besides the profiles: blocks, past pairs, mentors' load, settings."""

    blocks: frozenset[frozenset[int]]
    history: Mapping[frozenset[int], datetime]
    mentor_load: dict[int, int]
    now: datetime
    cooldown_days: float = 90.0
    odd_one_out: OddOneOut = OddOneOut.WAITLIST
    weights: matching.Weights = field(default_factory=matching.Weights)
    seed: int = 0


def weights_from(settings: GuildSettings | None) -> matching.Weights:
    """A server's weights: the defaults, with any overrides it saved (unknown names are ignored)."""
    base = matching.Weights()
    overrides = (settings.match_weights if settings else None) or {}
    known = {k: v for k, v in overrides.items() if hasattr(base, k)}
    return matching.Weights(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **known})


def candidate(profile: MemberProfile, load: int) -> matching.MemberProfile:
    return matching.MemberProfile(
        member_id=profile.user_id,
        languages=frozenset(LANGUAGES.get(code, code) for code in profile.languages),  # names for reasons
        topics=frozenset(profile.topics),
        role=profile.role,  # type: ignore[arg-type]
        timezone=profile.timezone,
        shared_tags=frozenset(profile.tags),
        life_stage=profile.life_stage,
        waiting_since=profile.waiting_since,
        priority=profile.match_priority,
        capacity=profile.capacity,
        current_load=load,
    )


def _history(ctx: Context) -> dict[PairKey, datetime]:
    return {key: when for key, when in ctx.history.items()}


def round_input(waiting: Sequence[MemberProfile], ctx: Context) -> matching.RoundInput:
    return matching.RoundInput(
        members=tuple(candidate(p, ctx.mentor_load.get(p.user_id, 0)) for p in waiting),
        blocks=set(ctx.blocks),
        history=_history(ctx),
        now=ctx.now,
        cooldown_days=ctx.cooldown_days,
        weights=ctx.weights,
        odd_one_out="trio" if ctx.odd_one_out == OddOneOut.TRIO else "waitlist",
        seed=ctx.seed,
    )


def partner_search(
    member: MemberProfile, pool: Sequence[MemberProfile], ctx: Context
) -> Callable[[], matching.PartnerSuggestion]:
    """The engine call for one member's best partner, ready to run here or (picklable) in a worker."""
    return functools.partial(
        matching.best_partner,
        candidate(member, ctx.mentor_load.get(member.user_id, 0)),
        [candidate(p, ctx.mentor_load.get(p.user_id, 0)) for p in pool],
        blocks=set(ctx.blocks),
        history=_history(ctx),
        now=ctx.now,
        cooldown_days=ctx.cooldown_days,
        weights=ctx.weights,
    )


def as_proposal(user_id: int, found: matching.PartnerSuggestion) -> Proposal | str:
    """A proposal for the member and their best partner, or the reason (in words) why there is none."""
    if found.partner_id is None:
        return found.reason or NO_PARTNER
    return Proposal((user_id, found.partner_id), found.score, found.reasons)


def best_partner(member: MemberProfile, pool: Sequence[MemberProfile], ctx: Context) -> Proposal | str:
    """The best partner waiting for one member now, computed here (small pools, tests)."""
    return as_proposal(member.user_id, partner_search(member, pool, ctx)())


def score_pair(a: MemberProfile, b: MemberProfile, ctx: Context) -> Proposal:
    """Score and reasons for a pair a moderator chose; their choice stands even if the engine's wouldn't."""
    found = best_partner(a, [b], ctx)
    if isinstance(found, Proposal):
        return found
    return Proposal((a.user_id, b.user_id), 0.0, (BY_MODERATOR,))


async def plan_round(waiting: Sequence[MemberProfile], ctx: Context, runner: RoundRunner) -> RoundPlan:
    """Pairs for the whole waitlist, maximising the round's total score (runs in a worker process)."""
    if not waiting:
        return RoundPlan((), ())
    result = await runner(round_input(waiting, ctx))
    proposals = tuple(Proposal(p.members, p.score, p.reasons) for p in result.pairs)
    unmatched = tuple(Unmatched(u.member_id, u.reason) for u in result.unmatched)
    return RoundPlan(proposals, unmatched, frozenset(result.priority_next_round))


def for_moderators(reasons: tuple[str, ...]) -> tuple[str, ...]:
    """Reasons a moderator may see: community tags were shared with the peer only, so they are left out."""
    return tuple(r for r in reasons if not r.startswith(TAG_REASON)) or ("a compatible match",)


async def run_here(search: Callable[[], matching.PartnerSuggestion]) -> matching.PartnerSuggestion:
    return search()


async def in_process(inp: matching.RoundInput) -> matching.RoundResult:
    """Run a round on the event loop: for tests and tiny pools only."""
    return matching.run_round(inp)
