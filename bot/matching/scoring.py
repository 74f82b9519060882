"""Soft compatibility score of a pair: a weighted sum of explainable parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .pool import RARITY_SCALE, ROLE_OK, Pool
from .timezones import offset_distance

MIN_SCORE = 0.01  # every compatible pair is worth something, so the best matching is also maximal

Scorer = Callable[[int, int], float | None]


@dataclass(frozen=True, slots=True)
class ScoreParts:
    topics: tuple[int, ...]  # shared topic ids counted, rarest first
    topic_points: float
    tags: tuple[int, ...]
    tag_points: float
    overlap_hours: int
    overlap_points: float
    same_stage: int  # stage id, or -1
    stage_points: float
    waiting_points: float
    recent_penalty: float
    total: float


def make_scorer(pool: Pool) -> Scorer:
    """A fast ``score(i, j)``: the pair's score, or None when a hard constraint forbids it.

    Capacity is not checked here (the optimiser owns it). The result is exactly symmetric:
    the arguments are put in order and integer rarities are summed."""
    n = pool.n
    langs, topics, tags, req, maxdiff = pool.langs, pool.topics, pool.tags, pool.req, pool.maxdiff
    has_pref, mask, offset, stage, role, fair = (
        pool.has_pref,
        pool.mask,
        pool.offset,
        pool.stage,
        pool.role,
        pool.fair,
    )
    rarity, forbidden, recent = pool.rarity, pool.forbidden, pool.recent_penalty
    w = pool.weights
    base = w.base
    w_topic = w.topics / RARITY_SCALE
    max_topics = max(0, w.max_topics)
    w_tag = w.tags
    full = max(1, w.full_overlap_hours)
    w_hour = w.daytime / full
    w_stage = w.life_stage
    role_ok = ROLE_OK

    def score(i: int, j: int) -> float | None:
        if i > j:
            i, j = j, i
        if not role_ok[role[i] * 4 + role[j]] or langs[i].isdisjoint(langs[j]) or i == j:
            return None
        key = i * n + j
        if key in forbidden:
            return None
        if has_pref[i] or has_pref[j]:
            r = req[i]
            if r is not None and r.isdisjoint(tags[j]):
                return None
            r = req[j]
            if r is not None and r.isdisjoint(tags[i]):
                return None
            md = maxdiff[i]
            if md is not None and offset_distance(offset[i], offset[j]) > md + 1e-9:
                return None
            md = maxdiff[j]
            if md is not None and offset_distance(offset[i], offset[j]) > md + 1e-9:
                return None
        s = base + fair[i] + fair[j]
        shared = topics[i] & topics[j]
        if shared:
            if len(shared) <= max_topics:
                s += w_topic * sum([rarity[t] for t in shared])
            else:
                s += w_topic * sum(sorted([rarity[t] for t in shared], reverse=True)[:max_topics])
        ov = (mask[i] & mask[j]).bit_count()
        s += w_hour * (ov if ov < full else full)
        ti = tags[i]
        if ti:
            ct = len(ti & tags[j])
            if ct:
                s += w_tag * (ct if ct < 2 else 2)
        si = stage[i]
        if si >= 0 and si == stage[j]:
            s += w_stage
        if key in recent:
            s -= recent[key]
        return s if s > MIN_SCORE else MIN_SCORE

    return score


def score_parts(pool: Pool, i: int, j: int) -> ScoreParts:
    """The same score, broken into its parts (for explanations and tests)."""
    if i > j:
        i, j = j, i
    w = pool.weights
    shared = sorted(pool.topics[i] & pool.topics[j], key=lambda t: (-pool.rarity[t], pool.topic_names[t]))
    counted = tuple(shared[: max(0, w.max_topics)])
    topic_points = w.topics / RARITY_SCALE * sum(pool.rarity[t] for t in counted)
    common_tags = tuple(sorted(pool.tags[i] & pool.tags[j], key=lambda t: pool.tag_names[t]))
    tag_points = w.tags * min(len(common_tags), 2)
    full = max(1, w.full_overlap_hours)
    ov = (pool.mask[i] & pool.mask[j]).bit_count()
    overlap_points = w.daytime / full * min(ov, full)
    same = pool.stage[i] if pool.stage[i] >= 0 and pool.stage[i] == pool.stage[j] else -1
    stage_points = w.life_stage if same >= 0 else 0.0
    waiting = pool.fair[i] + pool.fair[j]
    penalty = pool.recent_penalty.get(pool.key(i, j), 0.0)
    total = w.base + waiting + topic_points + overlap_points + tag_points + stage_points - penalty
    return ScoreParts(
        counted,
        topic_points,
        common_tags,
        tag_points,
        ov,
        overlap_points,
        same,
        stage_points,
        waiting,
        penalty,
        max(total, MIN_SCORE),
    )
