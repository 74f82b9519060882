"""Check-ins, goals and agreements in the safety features: data export and deletion, retention, statistics.

The safety services expose registration points so that each feature declares what it stores; this module
is check-ins' and goals' declaration. ``register()`` is called once when the bot is built.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.models import CheckIn, Delivery, Goal, PairAgreement
from bot.checkins.states import DeliveryKind, DeliveryStatus, GoalStatus
from bot.db.base import utcnow
from bot.pairing.models import PairMember
from bot.safety import privacy, retention, stats

RATE_WINDOW = timedelta(weeks=4)
GOALS_WINDOW = timedelta(weeks=12)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """A member's own check-ins and goals, decrypted, and the agreements of the pairs they were in."""
    checkins = (
        await session.scalars(
            select(CheckIn).where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id).order_by(CheckIn.id)
        )
    ).all()
    goals = (
        await session.scalars(select(Goal).where(Goal.guild_id == guild_id, Goal.user_id == user_id).order_by(Goal.id))
    ).all()
    their_pairs = select(PairMember.pair_id).where(PairMember.guild_id == guild_id, PairMember.user_id == user_id)
    agreements = (await session.scalars(select(PairAgreement).where(PairAgreement.pair_id.in_(their_pairs)))).all()
    return {
        "checkins": [
            {
                "at": _when(c.created_at),
                "mood": c.mood,
                "progress": c.progress,
                "note": c.note,
                "note_shared_with_partner": c.share_note,
                "asked_for_support": c.wants_support,
            }
            for c in checkins
        ],
        "goals": [
            {
                "objective": g.objective,
                "due_date": g.due_date.isoformat() if g.due_date else None,
                "milestones": g.milestones,
                "percent": g.percent,
                "progress_note": g.progress_note,
                "status": str(g.status),
            }
            for g in goals
        ],
        "pair_agreements": [
            {
                "pair_id": a.pair_id,
                "objectives": a.objectives,
                "timeline": a.timeline,
                "check_in_frequency": a.frequency_text,
                "boundaries": a.boundaries,
            }
            for a in agreements
        ],
    }


async def erase(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Delete a member's own check-ins and goals. A pair agreement is joint work and stays for the partner."""
    await session.execute(delete(CheckIn).where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id))
    await session.execute(delete(Goal).where(Goal.guild_id == guild_id, Goal.user_id == user_id))


async def erase_pair(session: AsyncSession, guild_id: int, pair_id: int) -> None:
    """Retention: once an ended pair's space is deleted, so are its agreement and its check-in notes."""
    await session.execute(delete(PairAgreement).where(PairAgreement.pair_id == pair_id))
    for checkin in await session.scalars(select(CheckIn).where(CheckIn.pair_id == pair_id)):
        checkin.note, checkin.progress = "", ""


async def program_numbers(session: AsyncSession, guild_id: int) -> list[stats.StatLine]:
    """Check-in rate over four weeks and goals completed over twelve: counts only, never content."""
    now = utcnow()
    prompts = await session.scalar(
        select(func.count(Delivery.id)).where(
            Delivery.guild_id == guild_id,
            Delivery.kind == DeliveryKind.CHECKIN,
            Delivery.status == DeliveryStatus.SENT,
            Delivery.due_at >= now - RATE_WINDOW,
        )
    )
    answered = await session.scalar(
        select(func.count(func.distinct(CheckIn.pair_id))).where(
            CheckIn.guild_id == guild_id, CheckIn.created_at >= now - RATE_WINDOW, CheckIn.pair_id.is_not(None)
        )
    )
    goals_done = await session.scalar(
        select(func.count(Goal.id)).where(
            Goal.guild_id == guild_id, Goal.status == GoalStatus.DONE, Goal.done_at >= now - GOALS_WINDOW
        )
    )
    return [
        stats.StatLine(
            "Pairs that checked in after a prompt (4 weeks)", min(answered or 0, prompts or 0), prompts or 0
        ),
        stats.StatLine("Goals completed (12 weeks)", goals_done or 0),
    ]


def register() -> None:
    if all(name != "checkins_and_goals" for name, _e, _x in privacy.EXTRA_SOURCES):
        privacy.EXTRA_SOURCES.append(("checkins_and_goals", export, erase))
    retention.register_eraser("checkins_and_goals", erase_pair)
    stats.register_source("checkins_and_goals", program_numbers)
