"""Check-ins, goals and agreements in the safety features: data export and deletion, retention, statistics.

The safety services take, in their constructors, what each feature stores; this module provides check-ins'
and goals' part, and the composition root (``bot/app/client.py``) hands it to them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import ledger
from bot.checkins.models import CheckIn, Delivery, Goal, GoalUpdate, PairAgreement
from bot.checkins.queries import CheckinRepo
from bot.db.base import utcnow
from bot.pairing import Pair
from bot.safety import StatLine

RATE_WINDOW = timedelta(weeks=4)
GOALS_WINDOW = timedelta(weeks=12)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    """A member's own check-ins and goals, decrypted, and the agreements of the pairs they were in."""
    repo = CheckinRepo(session)
    checkins = await repo.member_checkins(guild_id, user_id)
    goals = await repo.member_goals(guild_id, user_id)
    agreements = await repo.member_agreements(guild_id, user_id)
    updates: dict[int, list[GoalUpdate]] = {}
    mine = select(Goal.id).where(Goal.guild_id == guild_id, Goal.user_id == user_id)
    for update_row in await session.scalars(
        select(GoalUpdate).where(GoalUpdate.goal_id.in_(mine)).order_by(GoalUpdate.id)
    ):
        updates.setdefault(update_row.goal_id, []).append(update_row)
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
                "created_at": _when(g.created_at),
                "done_at": _when(g.done_at),
                "progress_history": [{"at": _when(u.at), "percent": u.percent} for u in updates.get(g.id, [])],
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
    """Delete a member's own check-ins, goals (with their progress history) and the reminders addressed to
    them. A pair agreement is joint work and stays for the partner, no longer naming who last changed it."""
    mine = select(Goal.id).where(Goal.guild_id == guild_id, Goal.user_id == user_id)
    await session.execute(delete(GoalUpdate).where(GoalUpdate.goal_id.in_(mine)))
    await CheckinRepo(session).erase_member(guild_id, user_id)
    await session.execute(delete(Delivery).where(Delivery.guild_id == guild_id, Delivery.user_id == user_id))
    await session.execute(
        update(Delivery)
        .where(Delivery.guild_id == guild_id, Delivery.mention_user_id == user_id)
        .values(mention_user_id=None)
    )
    in_guild = select(Pair.id).where(Pair.guild_id == guild_id)
    await session.execute(
        update(PairAgreement)
        .where(PairAgreement.updated_by == user_id, PairAgreement.pair_id.in_(in_guild))
        .values(updated_by=0)
    )


async def holds(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Whether check-ins still hold anything of this member's: a check-in, a goal, a reminder for them."""
    for stmt in (
        select(func.count()).select_from(CheckIn).where(CheckIn.guild_id == guild_id, CheckIn.user_id == user_id),
        select(func.count()).select_from(Goal).where(Goal.guild_id == guild_id, Goal.user_id == user_id),
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.guild_id == guild_id, (Delivery.user_id == user_id) | (Delivery.mention_user_id == user_id)),
    ):
        if await session.scalar(stmt):
            return True
    return False


async def erase_pair(session: AsyncSession, guild_id: int, pair_id: int) -> None:
    """Retention: once an ended pair's space is deleted, so are its agreement and its check-in notes."""
    await CheckinRepo(session).erase_pair_text(pair_id)


async def program_numbers(session: AsyncSession, guild_id: int) -> list[StatLine]:
    """Check-in rate over four weeks and goals completed over twelve: counts only, never content."""
    now = utcnow()
    repo = CheckinRepo(session)
    prompts = await ledger.prompts_sent_since(session, guild_id, now - RATE_WINDOW)
    answered = await repo.pairs_checked_in_since(guild_id, now - RATE_WINDOW)
    goals_done = await repo.goals_done_since(guild_id, now - GOALS_WINDOW)
    return [
        StatLine("Pairs that checked in after a prompt (4 weeks)", min(answered, prompts), prompts),
        StatLine("Goals completed (12 weeks)", goals_done),
    ]
