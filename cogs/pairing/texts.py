"""Formatting service results for members. Pure string building on top of the read models."""

from __future__ import annotations

from bot.core.text import channel_link, mention
from bot.pairing.catalog import LANGUAGES, LIFE_STAGES
from bot.pairing.states import Role
from bot.pairing.views import PairView, ProfileView, RequestOutcome
from cogs.common.replies import plain, timestamp


def request_outcome(outcome: RequestOutcome, user_id: int) -> str:
    if outcome.pair is not None:
        partners = ", ".join(mention(p) for p in outcome.pair.partners_of(user_id))
        space = channel_link(outcome.pair.space_id) if outcome.pair.space_id else "your new space"
        return f"You're paired with {partners}! Say hello in your private space: {space}."
    since = timestamp(outcome.waiting_since, "R") if outcome.waiting_since else "now"
    return f"You're on the waitlist (since {since}). {outcome.reason}"


def pair_line(pair: PairView, viewer: int | None = None) -> str:
    people = pair.partners_of(viewer) if viewer is not None else pair.member_ids
    names = " + ".join(mention(p) for p in people)
    since = timestamp(pair.started_at) if pair.started_at else "just now"
    space = f" · {channel_link(pair.space_id)}" if pair.space_id else ""
    return f"{names} · since {since}{space}"


def profile_lines(p: ProfileView) -> list[str]:
    lines = [
        f"**Role:** {p.role}" + (f" (up to {p.capacity} mentees)" if p.role == Role.MENTOR else ""),
        f"**Timezone:** {p.timezone}",
        f"**Languages:** {', '.join(LANGUAGES.get(code, code) for code in p.languages)}",
        f"**Topics:** {', '.join(plain(t) for t in p.topics) or '—'}",
        f"**Community tags shared with your peer:** {', '.join(plain(t) for t in p.tags) or '—'}",
    ]
    if p.life_stage:
        lines.append(f"**Life stage:** {LIFE_STAGES.get(p.life_stage, p.life_stage)}")
    lines.append(f"**About me:** {plain(p.about) if p.about else '—'}")
    return lines
