"""Plain-words explanations. Shown to members, so they never reveal anything confidential:
no blocks, no other member's preferences, no history."""

from __future__ import annotations

from .pool import MENTOR, Pool
from .scoring import score_parts

KEEP_PLACE = "you keep your place and get priority next round"

ONLY_ONE = f"You're the only member waiting right now; {KEEP_PLACE}."
NO_LANGUAGE_SET = (
    "Please add at least one language to your profile so we can find you a partner; you keep your place in the queue."
)
NO_COMPATIBLE = f"No compatible partner is waiting right now; {KEEP_PLACE}."
ODD_ONE_OUT = (
    "Everyone who fits you was already paired this round, so you're the odd one out this time. "
    f"Sorry about that: {KEEP_PLACE}."
)
NO_MENTOR = f"No mentor who speaks your language is available right now; {KEEP_PLACE}."
MENTORS_FULL = f"All mentors are fully booked this round; {KEEP_PLACE}."
OWN_PREFERENCE = (
    "Nobody waiting right now meets your must-have preferences; "
    f"{KEEP_PLACE}. Loosening them may get you matched sooner."
)
MENTOR_NO_MENTEE = "No mentee who fits you is waiting right now; your mentoring places stay open."
TRIO_NOTE = "joined as a trio this round so nobody is left out"


def no_shared_language(languages: list[str]) -> str:
    spoken = _join(languages) if languages else "your languages"
    return f"Nobody waiting right now speaks {spoken}; {KEEP_PLACE}."


def mentor_full(capacity: int, load: int) -> str:
    return f"Your mentoring places are all taken ({load} of {capacity}), so you weren't given a new mentee this round."


def _join(names: list[str]) -> str:
    return ", ".join(names)


def hours(n: int) -> str:
    return f"{n} hour{'s' if n != 1 else ''} of overlapping daytime"


def pair_reasons(pool: Pool, i: int, j: int, max_reasons: int = 3) -> tuple[str, ...]:
    """The pair's top reasons in words, e.g. ("you share: writing, career change",
    "5 hours of overlapping daytime", "both chose LGBTQ+"): the biggest score parts, in a fixed order."""
    p = score_parts(pool, i, j)
    items: list[tuple[float, int, str]] = []
    if p.topics:
        items.append((p.topic_points, 0, "you share: " + _join([pool.topic_names[t] for t in p.topics])))
    if p.overlap_hours:
        items.append((p.overlap_points, 1, hours(p.overlap_hours)))
    if p.tags:
        items.append((p.tag_points, 2, "both chose " + " and ".join(pool.tag_names[t] for t in p.tags)))
    if p.same_stage >= 0:
        items.append((p.stage_points, 3, f"same life stage: {pool.stage_names[p.same_stage]}"))
    top = sorted(items, key=lambda it: (-it[0], it[1]))[: max(1, max_reasons)]
    reasons = [text for _, _, text in sorted(top, key=lambda it: it[1])]
    if pool.role[i] == MENTOR or pool.role[j] == MENTOR:
        reasons.insert(0, "a mentoring match")
    if len(reasons) < 2:
        common = sorted(pool.langs[i] & pool.langs[j], key=lambda x: pool.lang_names[x])
        if common:
            reasons.append("you both speak " + " and ".join(pool.lang_names[x] for x in common[:2]))
    return tuple(reasons)
