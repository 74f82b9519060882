"""Each hard constraint, through check_pair and through a round."""

from datetime import timedelta

import pytest

from bot.matching import check_pair, run_round

from .helpers import NOW, member, round_input


def test_needs_a_common_language() -> None:
    inp = round_input(
        [member(1, languages={"English", "French"}), member(2, languages={"french"}), member(3, languages={"Spanish"})]
    )
    assert check_pair(inp, 1, 2) == []
    assert check_pair(inp, 1, 3) == ["language"]


def test_blocks_in_either_direction() -> None:
    ms = [member(1), member(2)]
    for block in [(1, 2), (2, 1), frozenset((1, 2))]:
        inp = round_input(ms, blocks=frozenset({block}))
        assert check_pair(inp, 1, 2) == ["blocked"]
        assert run_round(inp).pairs == ()


def test_no_repeat_within_the_cooldown() -> None:
    ms = [member(1), member(2)]
    recent = round_input(ms, history={(1, 2): NOW - timedelta(days=10)}, cooldown_days=30)
    old = round_input(ms, history={(2, 1): NOW - timedelta(days=31)}, cooldown_days=30)
    assert check_pair(recent, 1, 2) == ["cooldown"]
    assert check_pair(old, 1, 2) == []
    assert run_round(recent).pairs == ()
    assert len(run_round(old).pairs) == 1


@pytest.mark.parametrize(
    ("ra", "rb", "ok"),
    [
        ("peer", "peer", True),
        ("peer", "either", True),
        ("either", "either", True),
        ("mentor", "mentee", True),
        ("mentor", "either", True),
        ("peer", "mentor", False),
        ("peer", "mentee", False),
        ("mentee", "mentee", False),
        ("mentor", "mentor", False),
        ("either", "mentee", False),
    ],
)
def test_roles(ra: str, rb: str, ok: bool) -> None:
    inp = round_input([member(1, role=ra), member(2, role=rb)])
    assert (check_pair(inp, 1, 2) == []) is ok
    assert (check_pair(inp, 2, 1) == []) is ok


def test_mentor_capacity_counts_current_load() -> None:
    mentees = [member(10 + k, role="mentee") for k in range(5)]
    res = run_round(round_input([member(1, role="mentor", capacity=3, current_load=1), *mentees]))
    assert len(res.pairs) == 2
    assert all(p.a == 1 for p in res.pairs)
    assert len(res.unmatched) == 3
    full = round_input([member(1, role="mentor", capacity=2, current_load=2), member(2, role="mentee")])
    assert check_pair(full, 1, 2) == ["capacity"]


def test_require_tags_is_the_members_own_hard_preference() -> None:
    ms = [member(1, require_tags={"LGBTQ+"}), member(2, shared_tags={"veteran"}), member(3, shared_tags={"lgbtq+"})]
    inp = round_input(ms)
    assert check_pair(inp, 1, 2) == ["preference"]
    assert check_pair(inp, 1, 3) == []
    res = run_round(inp)
    assert [(p.a, p.b) for p in res.pairs] == [(1, 3)]


def test_max_utc_offset_difference() -> None:
    ms = [
        member(1, timezone="Europe/London", max_utc_offset_diff_hours=3),
        member(2, timezone="America/New_York"),
        member(3, timezone="Europe/Berlin"),
    ]
    inp = round_input(ms)
    assert check_pair(inp, 1, 2) == ["preference"]
    assert check_pair(inp, 2, 1) == ["preference"]
    assert check_pair(inp, 1, 3) == []
