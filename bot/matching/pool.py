"""A round's members compiled into flat lists of small ints and sets, for fast scoring.

Names (topics, tags, languages, life stages) are compared case- and space-insensitively and
interned to ints in sorted order, so nothing depends on Python's per-process string hashing."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache

from .profiles import MemberProfile, PairKey, Weights
from .timezones import utc_hour_mask, utc_offset_hours

PEER, MENTOR, MENTEE, EITHER = 0, 1, 2, 3
ROLE_CODE = {"peer": PEER, "mentor": MENTOR, "mentee": MENTEE, "either": EITHER}
# ROLE_OK[a * 4 + b]: peer with peer, mentor with mentee, "either" as a peer or as a mentee.
_OK = {(PEER, PEER), (PEER, EITHER), (EITHER, EITHER), (MENTOR, MENTEE), (MENTOR, EITHER)}
ROLE_OK = tuple((a, b) in _OK or (b, a) in _OK for a in range(4) for b in range(4))
RARITY_SCALE = 1000


@lru_cache(maxsize=65536)
def _norm_str(name: str) -> str:
    return " ".join(name.split()).casefold()


def _norm(name: object) -> str:
    return _norm_str(str(name))


def as_names(value: object) -> tuple[str, ...]:
    """Accept a set, list, tuple, a single string or None; drop blanks."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: Iterable[object] = (value,)
    elif isinstance(value, Iterable):
        items = value
    else:
        items = (value,)
    return tuple(str(v) for v in items if str(v).strip())


@lru_cache(maxsize=65536)
def _key_of(name: str) -> tuple[str, str]:
    """(compared form, shown form) of a non-blank name."""
    shown = " ".join(name.split())
    return shown.casefold(), shown


class _Names:
    """Each value's names as (compared, shown) pairs, worked out once per distinct value (profiles
    mostly share the same few sets of languages, tags and topics)."""

    def __init__(self) -> None:
        self.memo: dict[object, tuple[tuple[str, str], ...]] = {}

    def __call__(self, value: object) -> tuple[tuple[str, str], ...]:
        try:
            return self.memo[value]
        except (KeyError, TypeError):  # new, or unhashable (a list)
            pass
        keys = tuple(_key_of(name) for name in as_names(value))
        if self.plain(value):
            self.memo[value] = keys
        return keys

    @staticmethod
    def plain(value: object) -> bool:
        """Safe to remember by value: a string or a set of strings (equal only to equal names)."""
        return isinstance(value, str) or (type(value) is frozenset and all(type(x) is str for x in value))

    def ids(self, table: dict[str, int]) -> Callable[[object], frozenset[int]]:
        """``value -> frozenset of interned ids`` through ``table``, remembered per distinct value."""
        memo: dict[object, frozenset[int]] = {}

        def ids_of(value: object) -> frozenset[int]:
            try:
                return memo[value]
            except (KeyError, TypeError):
                pass
            got = frozenset([table[norm] for norm, _ in self(value)])
            if self.plain(value):
                memo[value] = got
            return got

        return ids_of


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def pair_key_ids(key: object) -> tuple[int, int] | None:
    try:
        ids = [int(x) for x in key]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    if len(ids) != 2 or ids[0] == ids[1]:
        return None
    return (min(ids), max(ids))


class _Interner:
    """Names compared case- and space-insensitively, shown in their most common spelling."""

    def __init__(self) -> None:
        self.spellings: dict[str, dict[str, int]] = {}

    def add(self, names: Iterable[str]) -> None:
        self.add_keys(_key_of(name) for name in names)

    def add_keys(self, keys: Iterable[tuple[str, str]]) -> None:
        for norm, shown in keys:
            counts = self.spellings.setdefault(norm, {})
            counts[shown] = counts.get(shown, 0) + 1

    def freeze(self) -> tuple[dict[str, int], list[str]]:
        keys = sorted(self.spellings)
        shown = [min(self.spellings[k].items(), key=lambda kv: (-kv[1], kv[0]))[0] for k in keys]
        return {k: i for i, k in enumerate(keys)}, shown


@dataclass
class Pool:
    n: int
    ids: list[int]
    profiles: list[MemberProfile]
    index_of: dict[int, int]
    langs: list[frozenset[int]]
    topics: list[frozenset[int]]
    tags: list[frozenset[int]]
    req: list[frozenset[int] | None]
    maxdiff: list[float | None]
    has_pref: list[bool]
    mask: list[int]
    offset: list[float]
    stage: list[int]
    role: list[int]
    slots: list[int]
    fair: list[float]
    rarity: list[int]
    topic_names: list[str]
    tag_names: list[str]
    lang_names: list[str]
    stage_names: list[str]
    forbidden: set[int]  # i * n + j (i < j): blocked, or paired within the cooldown
    recent_penalty: dict[int, float]
    weights: Weights
    reference_date: date
    blocked_only: set[int] = field(default_factory=set)

    def key(self, i: int, j: int) -> int:
        return i * self.n + j if i < j else j * self.n + i


def dedupe_members(members: Iterable[MemberProfile]) -> list[MemberProfile]:
    """One profile per member id (the first given), ordered by id: input order never matters."""
    seen: dict[int, MemberProfile] = {}
    for m in members:
        if isinstance(m, MemberProfile) and m.member_id not in seen:
            seen[m.member_id] = m
    return [seen[k] for k in sorted(seen)]


def compile_pool(
    members: Iterable[MemberProfile],
    blocks: Iterable[PairKey],
    history: Mapping[PairKey, datetime],
    now: datetime,
    cooldown_days: float,
    weights: Weights,
    reference_date: date | None = None,
) -> Pool:
    profiles = dedupe_members(members)
    n = len(profiles)
    now = aware(now)
    ref = reference_date or now.date()
    topic_in, tag_in, lang_in, stage_in = _Interner(), _Interner(), _Interner(), _Interner()
    names = _Names()
    for m in profiles:
        topic_in.add_keys(names(m.topics))
        tag_in.add_keys(names(m.shared_tags) + names(m.require_tags))
        lang_in.add_keys(names(m.languages))
        if m.life_stage and str(m.life_stage).strip():
            stage_in.add((str(m.life_stage),))
    topic_id, topic_names = topic_in.freeze()
    tag_id, tag_names = tag_in.freeze()
    lang_id, lang_names = lang_in.freeze()
    stage_id, stage_names = stage_in.freeze()

    lang_ids, topic_ids, tag_ids = names.ids(lang_id), names.ids(topic_id), names.ids(tag_id)

    w = weights
    index_of = {m.member_id: i for i, m in enumerate(profiles)}
    langs, topics, tags, req, maxdiff, has_pref = [], [], [], [], [], []
    mask, offset, stage, role, slots, fair = [], [], [], [], [], []
    for m in profiles:
        langs.append(lang_ids(m.languages))
        topics.append(topic_ids(m.topics))
        tags.append(tag_ids(m.shared_tags))
        r = tag_ids(m.require_tags)
        req.append(r or None)
        md = m.max_utc_offset_diff_hours
        md_f = None if md is None or (isinstance(md, float) and math.isnan(md)) else max(0.0, float(md))
        maxdiff.append(md_f)
        has_pref.append(bool(r) or md_f is not None)
        tz = str(m.timezone or "UTC")
        mask.append(utc_hour_mask(tz, int(m.day_start_hour), int(m.day_end_hour), ref))
        offset.append(utc_offset_hours(tz, ref))
        st = str(m.life_stage).strip() if m.life_stage else ""
        stage.append(stage_id[_norm(st)] if st else -1)
        rc = ROLE_CODE.get(str(m.role).strip().lower(), PEER)
        role.append(rc)
        slots.append(max(0, int(m.capacity) - max(0, int(m.current_load))) if rc == MENTOR else 1)
        rounds = max(0, int(m.rounds_waited))
        if m.waiting_since is not None and w.round_length_days > 0:
            waited_days = (now - aware(m.waiting_since)).total_seconds() / 86400.0
            rounds = max(rounds, int(waited_days // w.round_length_days))
        fair.append(w.waiting * min(rounds, max(0, w.max_waiting_rounds)) + (w.priority if m.priority else 0.0))

    df = [0] * len(topic_names)
    for ts in topics:
        for t in ts:
            df[t] += 1
    log_n = math.log(n) if n >= 2 else 1.0
    rarity = [RARITY_SCALE + round(RARITY_SCALE * math.log(n / d) / log_n) if n >= 2 else RARITY_SCALE for d in df]

    forbidden: set[int] = set()
    blocked_only: set[int] = set()
    for b in blocks:
        pk = pair_key_ids(b)
        if pk and pk[0] in index_of and pk[1] in index_of:
            i, j = sorted((index_of[pk[0]], index_of[pk[1]]))
            forbidden.add(i * n + j)
            blocked_only.add(i * n + j)
    recent: dict[int, float] = {}
    latest: dict[int, float] = {}
    for hk, when in history.items():
        pk = pair_key_ids(hk)
        if not pk or pk[0] not in index_of or pk[1] not in index_of or not isinstance(when, datetime):
            continue
        i, j = sorted((index_of[pk[0]], index_of[pk[1]]))
        age = (now - aware(when)).total_seconds() / 86400.0
        key = i * n + j
        latest[key] = min(age, latest.get(key, age))
    for key, age in latest.items():
        if age < cooldown_days:
            forbidden.add(key)
        elif w.recent_partner > 0:
            fade = 1.0 - (age - cooldown_days) / w.recent_window_days if w.recent_window_days > 0 else 0.0
            if fade > 0:
                recent[key] = w.recent_partner * fade

    return Pool(
        n=n,
        ids=[m.member_id for m in profiles],
        profiles=profiles,
        index_of=index_of,
        langs=langs,
        topics=topics,
        tags=tags,
        req=req,
        maxdiff=maxdiff,
        has_pref=has_pref,
        mask=mask,
        offset=offset,
        stage=stage,
        role=role,
        slots=slots,
        fair=fair,
        rarity=rarity,
        topic_names=topic_names,
        tag_names=tag_names,
        lang_names=lang_names,
        stage_names=stage_names,
        forbidden=forbidden,
        recent_penalty=recent,
        weights=weights,
        reference_date=ref,
        blocked_only=blocked_only,
    )
