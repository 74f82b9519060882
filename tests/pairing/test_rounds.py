"""The bridge from stored profiles to the matching engine."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.pairing import rounds
from bot.pairing.models import GuildSettings, MemberProfile

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def profile(user_id: int, **kw: object) -> MemberProfile:
    base: dict[str, object] = {
        "guild_id": 1, "user_id": user_id, "role": "peer", "topics": ["writing"], "timezone": "Europe/Berlin",
        "languages": ["en"], "tags": [], "life_stage": None, "about": "", "capacity": 1, "opted_in": True,
        "waiting_since": NOW, "match_priority": False,
    }  # fmt: skip
    base.update(kw)
    return MemberProfile(**base)


def ctx(**kw: object) -> rounds.Context:
    base: dict[str, object] = {"blocks": frozenset(), "history": {}, "mentor_load": {}, "now": NOW}
    base.update(kw)
    return rounds.Context(**base)  # type: ignore[arg-type]


def test_weights_take_known_overrides_only() -> None:
    settings = GuildSettings(guild_id=1, match_weights={"topics": 5.0, "nonsense": 9.0})
    weights = rounds.weights_from(settings)
    assert weights.topics == 5.0
    assert weights.tags == rounds.matching.Weights().tags
    assert rounds.weights_from(None) == rounds.matching.Weights()


def test_candidates_carry_language_names_load_and_priority() -> None:
    c = rounds.candidate(profile(7, languages=["de", "en"], role="mentor", capacity=3, match_priority=True), 2)
    assert c.languages == frozenset({"German", "English"})
    assert (c.capacity, c.current_load, c.priority) == (3, 2, True)


def test_best_partner_reasons_and_refusals() -> None:
    a, b, c = profile(1), profile(2, topics=["writing", "music"]), profile(3, languages=["ja"])
    found = rounds.best_partner(a, [b, c], ctx())
    assert isinstance(found, rounds.Proposal)
    assert found.member_ids == (1, 2)
    assert "you share: writing" in found.reasons
    blocked = rounds.best_partner(a, [b], ctx(blocks=frozenset({frozenset((1, 2))})))
    assert isinstance(blocked, str)
    assert "block" not in blocked.casefold()
    recent = rounds.best_partner(a, [b], ctx(history={frozenset((1, 2)): NOW}))
    assert isinstance(recent, str)
    allowed = rounds.best_partner(a, [b], ctx(history={frozenset((1, 2)): NOW}, cooldown_days=0))
    assert isinstance(allowed, rounds.Proposal)


def test_moderator_pair_stands_even_when_the_engine_would_not_choose_it() -> None:
    a, c = profile(1), profile(3, languages=["ja"])
    proposal = rounds.score_pair(a, c, ctx())
    assert proposal.member_ids == (1, 3)
    assert proposal.reasons == (rounds.BY_MODERATOR,)


async def test_plan_round_on_an_empty_waitlist_never_calls_the_engine() -> None:
    async def boom(_inp: object) -> object:
        raise AssertionError("no round for an empty waitlist")

    plan = await rounds.plan_round([], ctx(), boom)  # type: ignore[arg-type]
    assert plan.proposals == ()
    assert plan.unmatched == ()
