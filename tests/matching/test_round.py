"""Whole rounds: bad input, roles and capacity, the odd one out, explanations, determinism."""

from bot.matching import RoundResult, Weights, best_partner, run_round
from bot.matching import explain as words

from .helpers import NOW, free_pairs, member, round_input, violated


def reasons_of(result: RoundResult) -> dict[int, str]:
    return {u.member_id: u.reason for u in result.unmatched}


def test_empty_waitlist() -> None:
    res = run_round(round_input([]))
    assert res.pairs == ()
    assert res.unmatched == ()
    assert res.notes and "nothing to match" in res.notes[0]


def test_single_member() -> None:
    res = run_round(round_input([member(1)]))
    assert res.pairs == ()
    assert reasons_of(res) == {1: words.ONLY_ONE}
    assert res.priority_next_round == frozenset({1})


def test_everyone_blocked_by_everyone_is_never_told_about_blocks() -> None:
    ms = [member(i) for i in range(1, 6)]
    blocks = frozenset((a, b) for a in range(1, 6) for b in range(1, 6) if a < b)
    res = run_round(round_input(ms, blocks=blocks))
    assert res.pairs == ()
    assert set(reasons_of(res).values()) == {words.NO_COMPATIBLE}
    assert "no compatible partner is waiting right now; you keep your place and get priority next round" in (
        words.NO_COMPATIBLE.lower()
    )
    assert all("block" not in r.lower() for r in reasons_of(res).values())


def test_all_mentors_full() -> None:
    ms = [
        member(1, role="mentor", capacity=2, current_load=2),
        member(2, role="mentor", capacity=1, current_load=1),
        member(3, role="mentee"),
        member(4, role="mentee"),
    ]
    res = run_round(round_input(ms))
    assert res.pairs == ()
    r = reasons_of(res)
    assert r[3] == r[4] == words.MENTORS_FULL
    assert r[1] == words.mentor_full(2, 2)
    assert 1 not in res.priority_next_round
    assert {3, 4} <= res.priority_next_round


def test_profile_without_topics_is_still_matched() -> None:
    res = run_round(round_input([member(1), member(2, topics={"writing"})]))
    assert len(res.pairs) == 1
    assert res.pairs[0].reasons == ("12 hours of overlapping daytime", "you both speak English")


def test_no_shared_language_and_no_language_set() -> None:
    res = run_round(round_input([member(1, languages={"Japanese"}), member(2), member(3, languages=set())]))
    r = reasons_of(res)
    assert r[1] == words.no_shared_language(["Japanese"])
    assert r[2] == words.no_shared_language(["English"])
    assert r[3] == words.NO_LANGUAGE_SET


def test_own_preference_reason_only_for_ones_own_preference() -> None:
    ms = [member(1, require_tags={"veteran"}), member(2)]
    r = reasons_of(run_round(round_input(ms)))
    assert r[1] == words.OWN_PREFERENCE
    assert r[2] == words.NO_COMPATIBLE  # never told about member 1's preference


def test_whole_pool_beats_first_come() -> None:
    # 1-2 is the single best pair, but taking it leaves 3 and 4 alone: 1-3 and 2-4 is better
    w = Weights(base=1.0, topics=2.0, tags=0, daytime=0, life_stage=0, waiting=0, priority=0)
    ms = [
        member(1, topics={"a", "b"}),
        member(2, topics={"a", "b"}),
        member(3, topics={"a"}, languages={"English"}),
        member(4, topics={"b"}, languages={"English", "Welsh"}),
    ]
    inp = round_input(ms, weights=w, blocks=frozenset({(3, 4)}))
    res = run_round(inp)
    assert len(res.pairs) == 2
    assert {frozenset((p.a, p.b)) for p in res.pairs} == {frozenset((1, 3)), frozenset((2, 4))} or {
        frozenset((p.a, p.b)) for p in res.pairs
    } == {frozenset((1, 4)), frozenset((2, 3))}


def test_mentor_gets_up_to_capacity_mentees_and_comes_first() -> None:
    ms = [
        member(1, role="mentor", capacity=2),
        member(2, role="mentee"),
        member(3, role="either"),
        member(4, role="mentee"),
    ]
    res = run_round(round_input(ms))
    assert [p.a for p in res.pairs] == [1, 1]
    assert res.pairs[0].reasons[0] == "a mentoring match"
    assert violated(round_input(ms), res) == []
    assert reasons_of(res) == {4: words.ODD_ONE_OUT} or reasons_of(res) == {2: words.ODD_ONE_OUT}


def test_waitlist_mode_leaves_the_odd_one_out_with_priority() -> None:
    ms = [member(i, rounds_waited=i) for i in range(1, 4)]
    res = run_round(round_input(ms, odd_one_out="waitlist"))
    assert len(res.pairs) == 1
    assert len(res.unmatched) == 1
    left = res.unmatched[0]
    assert left.reason == words.ODD_ONE_OUT
    assert left.priority_next_round
    assert left.member_id == 1  # the one who waited least
    assert "odd one out" in left.reason and "priority next round" in left.reason


def test_trio_mode_places_the_odd_one_out() -> None:
    ms = [member(i) for i in range(1, 4)]
    res = run_round(round_input(ms, odd_one_out="trio"))
    assert res.unmatched == ()
    assert len(res.pairs) == 1
    trio = res.pairs[0]
    assert trio.c is not None
    assert set(trio.members) == {1, 2, 3}
    assert words.TRIO_NOTE in trio.reasons
    assert trio.c in res.priority_next_round


def test_trio_needs_a_fit_with_both() -> None:
    ms = [member(1), member(2), member(3)]
    res = run_round(round_input(ms, odd_one_out="trio", blocks=frozenset({(3, 1)})))
    # 3 cannot join 1: the pair is 2-3 (or 1-2) and nobody fits both, so one waits
    assert len(res.pairs) == 1 and res.pairs[0].c is None
    assert len(res.unmatched) == 1


def test_explanation_wording() -> None:
    w = Weights()
    ms = [
        member(
            1,
            topics={"writing", "career change", "cooking"},
            shared_tags={"LGBTQ+"},
            timezone="Europe/London",
            day_start_hour=9,
            day_end_hour=21,
        ),
        member(
            2,
            topics={"Writing", "career change"},
            shared_tags={"LGBTQ+"},
            timezone="America/New_York",
            day_start_hour=12,
            day_end_hour=21,
        ),
        *[member(10 + k, topics={"writing"}, languages={"Klingon"}) for k in range(6)],
    ]
    res = run_round(round_input(ms, weights=w))  # 20 March: New York is on summer time, London not yet
    pair = next(p for p in res.pairs if p.a == 1)
    assert pair.summary == "you share: career change, writing; 5 hours of overlapping daytime; both chose LGBTQ+"


def test_same_seed_same_result_and_input_order_does_not_matter() -> None:
    ms = [
        member(i, topics={f"t{i % 3}", f"t{i % 5}"}, rounds_waited=i % 4, life_stage=f"s{i % 2}") for i in range(1, 40)
    ]
    a = run_round(round_input(ms, seed=7))
    b = run_round(round_input(list(reversed(ms)), seed=7))
    assert a == b
    assert free_pairs(round_input(ms), a) == []


def test_best_partner() -> None:
    me = member(1, topics={"writing"}, shared_tags={"LGBTQ+"})
    pool = [
        member(2, topics={"writing"}, shared_tags={"LGBTQ+"}),
        member(3, topics={"cooking"}),
        member(4, topics={"writing"}, role="mentee"),
    ]
    got = best_partner(me, pool, now=NOW)
    assert got.partner_id == 2
    assert got.reasons[0] == "you share: writing"
    assert got.score > 0
    blocked = best_partner(me, pool, now=NOW, blocks={(2, 1), (3, 1)})
    assert blocked.partner_id is None
    assert blocked.reason == words.NO_COMPATIBLE
    alone = best_partner(me, [], now=NOW)
    assert alone.partner_id is None and alone.reason == words.ONLY_ONE
    mentor_full = best_partner(member(5, role="mentor", capacity=1, current_load=1), pool, now=NOW)
    assert mentor_full.partner_id is None and mentor_full.reason == words.mentor_full(1, 1)
