"""Plain, frozen, picklable data types: what goes into a matching round and what comes out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Role = Literal["peer", "mentor", "mentee", "either"]
OddOneOut = Literal["trio", "waitlist"]
PairKey = tuple[int, int] | frozenset[int]


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """One member waiting to be matched.

    ``shared_tags`` are the community tags the member chose to share with a peer (e.g. "LGBTQ+").
    ``require_tags`` and ``max_utc_offset_diff_hours`` are the member's own hard preferences.
    Mentors take up to ``capacity`` mentees, counting the ``current_load`` they already have.
    Waiting is measured by ``rounds_waited`` or ``waiting_since`` (whichever is longer);
    ``priority`` is set for a member who was the odd one out last round.
    """

    member_id: int
    languages: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    role: Role = "peer"
    timezone: str = "UTC"
    day_start_hour: int = 9
    day_end_hour: int = 21
    shared_tags: frozenset[str] = frozenset()
    life_stage: str | None = None
    waiting_since: datetime | None = None
    rounds_waited: int = 0
    priority: bool = False
    capacity: int = 1
    current_load: int = 0
    require_tags: frozenset[str] = frozenset()
    max_utc_offset_diff_hours: float | None = None


@dataclass(frozen=True, slots=True)
class Weights:
    """Soft-score weights, configurable per server. Every compatible pair scores at least ``base``-ish.

    topics:        per shared topic (up to ``max_topics``), times its rarity in 1..2 (rare counts double)
    tags:          per community tag both members chose to share (up to 2)
    daytime:       for a full ``full_overlap_hours`` of shared local daytime, pro rata below
    life_stage:    same life stage
    waiting:       per round waited, per member (up to ``max_waiting_rounds``)
    priority:      per member flagged as last round's odd one out
    recent_partner: penalty for a past partner just out of cooldown, fading over ``recent_window_days``
    """

    base: float = 1.0
    topics: float = 2.0
    max_topics: int = 3
    tags: float = 1.5
    daytime: float = 2.0
    full_overlap_hours: int = 8
    life_stage: float = 1.0
    waiting: float = 0.5
    max_waiting_rounds: int = 6
    priority: float = 2.0
    recent_partner: float = 2.0
    recent_window_days: float = 180.0
    round_length_days: float = 7.0


@dataclass(frozen=True)
class RoundInput:
    """Everything a round needs. ``blocks`` hold (a, b) tuples or frozensets; a block in either
    direction forbids the pair. ``history`` maps a past pair to when it was last paired."""

    members: tuple[MemberProfile, ...] | list[MemberProfile]
    blocks: frozenset[PairKey] | set[PairKey]
    history: Mapping[PairKey, datetime]
    now: datetime
    cooldown_days: float = 90.0
    weights: Weights = Weights()
    odd_one_out: OddOneOut = "waitlist"
    seed: int = 0
    reference_date: date | None = None


@dataclass(frozen=True, slots=True)
class ProposedPair:
    """A proposed pair (``a`` is the mentor in a mentoring pair); ``c`` is set for a trio."""

    a: int
    b: int
    score: float
    reasons: tuple[str, ...]
    c: int | None = None

    @property
    def members(self) -> tuple[int, ...]:
        return (self.a, self.b) if self.c is None else (self.a, self.b, self.c)

    @property
    def summary(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class Unmatched:
    member_id: int
    reason: str
    priority_next_round: bool = True


@dataclass(frozen=True, slots=True)
class RoundResult:
    pairs: tuple[ProposedPair, ...]
    unmatched: tuple[Unmatched, ...]
    # members who get priority next round: the unmatched who still wait, and trio extras
    priority_next_round: frozenset[int] = frozenset()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PartnerSuggestion:
    """The answer to ``best_partner``: a partner with score and reasons, or ``reason`` why none."""

    member_id: int
    partner_id: int | None
    score: float
    reasons: tuple[str, ...]
    reason: str | None = None
