"""Tandem's matching engine: a pure library (no discord, no database).

Profiles, constraints and history in; pairs with scores and reasons, and the unmatched with a
reason, out. See ``run_round``, ``best_partner`` and ``run_round_in_worker``."""

from .engine import best_partner, check_pair, pair_score, run_round
from .profiles import (
    MemberProfile,
    OddOneOut,
    PairKey,
    PartnerSuggestion,
    ProposedPair,
    Role,
    RoundInput,
    RoundResult,
    Unmatched,
    Weights,
)
from .timezones import offset_distance, overlap_hours, utc_hour_mask, utc_offset_hours
from .worker import make_executor, run_round_in_worker

__all__ = [
    "MemberProfile",
    "OddOneOut",
    "PairKey",
    "PartnerSuggestion",
    "ProposedPair",
    "Role",
    "RoundInput",
    "RoundResult",
    "Unmatched",
    "Weights",
    "best_partner",
    "check_pair",
    "make_executor",
    "offset_distance",
    "overlap_hours",
    "pair_score",
    "run_round",
    "run_round_in_worker",
    "utc_hour_mask",
    "utc_offset_hours",
]
