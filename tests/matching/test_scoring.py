"""Each part of the soft score, measured as the difference it makes to pair_score."""

from datetime import timedelta

import pytest

from bot.matching import Weights, pair_score

from .helpers import NOW, member, round_input

ZERO = Weights(base=1.0, topics=0, tags=0, daytime=0, life_stage=0, waiting=0, priority=0, recent_partner=0)


def score(members: list, a: int = 1, b: int = 2, **kw: object) -> float:
    s = pair_score(round_input(members, **kw), a, b)  # type: ignore[arg-type]
    assert s is not None
    return s


def test_base_only() -> None:
    assert score([member(1), member(2)], weights=ZERO) == pytest.approx(1.0)


def test_rare_shared_topic_counts_more_than_a_common_one() -> None:
    w = Weights(base=1.0, topics=2.0, tags=0, daytime=0, life_stage=0, waiting=0, priority=0)
    crowd = [member(10 + k, topics={"career"}) for k in range(8)]
    common = score([member(1, topics={"career"}), member(2, topics={"career"}), *crowd], weights=w)
    rare = score([member(1, topics={"career", "beekeeping"}), member(2, topics={"beekeeping"}), *crowd], weights=w)
    assert 1.0 + 2.0 <= common < rare <= 1.0 + 2 * 2.0
    none = score([member(1, topics={"career"}), member(2, topics={"art"}), *crowd], weights=w)
    assert none == pytest.approx(1.0)


def test_topics_counted_up_to_max_topics() -> None:
    w = Weights(base=0.0, topics=1.0, max_topics=2, tags=0, daytime=0, life_stage=0, waiting=0, priority=0)
    t = {"a", "b", "c", "d"}
    s = score([member(1, topics=t), member(2, topics=t)], weights=w)
    assert s == pytest.approx(2.0)  # every topic shared by everyone: rarity 1, two counted


def test_tags_count_only_when_both_chose_to_share() -> None:
    w = Weights(base=1.0, topics=0, tags=1.5, daytime=0, life_stage=0, waiting=0, priority=0)
    both = score([member(1, shared_tags={"LGBTQ+"}), member(2, shared_tags={"LGBTQ+"})], weights=w)
    one = score([member(1, shared_tags={"LGBTQ+"}), member(2)], weights=w)
    assert both == pytest.approx(2.5)
    assert one == pytest.approx(1.0)


def test_daytime_overlap_is_pro_rata_up_to_full_hours() -> None:
    w = Weights(base=0.0, topics=0, tags=0, daytime=2.0, full_overlap_hours=8, life_stage=0, waiting=0, priority=0)
    same = score([member(1), member(2)], weights=w)  # 12 h shared, capped at 8
    assert same == pytest.approx(2.0)
    four = score(
        [member(1, day_start_hour=9, day_end_hour=13), member(2, day_start_hour=9, day_end_hour=21)], weights=w
    )
    assert four == pytest.approx(1.0)
    none = score(
        [
            member(1, timezone="Asia/Tokyo", day_start_hour=9, day_end_hour=12),
            member(2, timezone="Europe/London", day_start_hour=9, day_end_hour=12),
        ],
        weights=w,
    )
    assert none == pytest.approx(0.01)  # the floor: every allowed pair is worth something


def test_same_life_stage() -> None:
    w = Weights(base=1.0, topics=0, tags=0, daytime=0, life_stage=1.0, waiting=0, priority=0)
    assert score([member(1, life_stage="Student"), member(2, life_stage="student")], weights=w) == 2.0
    assert score([member(1, life_stage="student"), member(2, life_stage="retired")], weights=w) == 1.0
    assert score([member(1), member(2)], weights=w) == 1.0


def test_waiting_and_priority() -> None:
    w = Weights(
        base=1.0,
        topics=0,
        tags=0,
        daytime=0,
        life_stage=0,
        waiting=0.5,
        max_waiting_rounds=4,
        priority=2.0,
        round_length_days=7,
    )
    assert score([member(1, rounds_waited=2), member(2)], weights=w) == pytest.approx(2.0)
    assert score([member(1, rounds_waited=10), member(2)], weights=w) == pytest.approx(3.0)  # capped
    since = NOW - timedelta(days=15)
    assert score([member(1, waiting_since=since), member(2)], weights=w) == pytest.approx(2.0)  # 2 rounds
    assert score([member(1, priority=True), member(2)], weights=w) == pytest.approx(3.0)


def test_recent_partner_penalty_fades_after_the_cooldown() -> None:
    w = Weights(
        base=5.0,
        topics=0,
        tags=0,
        daytime=0,
        life_stage=0,
        waiting=0,
        priority=0,
        recent_partner=2.0,
        recent_window_days=100,
    )
    ms = [member(1), member(2)]

    def with_history(days: float) -> float:
        return score(ms, weights=w, history={(1, 2): NOW - timedelta(days=days)}, cooldown_days=30)

    assert with_history(30) == pytest.approx(3.0)
    assert with_history(80) == pytest.approx(4.0)
    assert with_history(200) == pytest.approx(5.0)


def test_scores_are_symmetric() -> None:
    ms = [
        member(
            1, topics={"a", "b", "c", "d"}, shared_tags={"x"}, life_stage="s", rounds_waited=3, timezone="Asia/Kolkata"
        ),
        member(2, topics={"d", "c", "b", "a", "e"}, shared_tags={"x"}, life_stage="s", priority=True),
        member(3, topics={"a"}),
    ]
    inp = round_input(ms, history={(2, 1): NOW - timedelta(days=120)})
    assert pair_score(inp, 1, 2) == pair_score(inp, 2, 1)
