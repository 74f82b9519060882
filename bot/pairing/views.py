"""Plain read models that services hand to cogs: no ORM objects cross into the Discord layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.pairing.models import MemberProfile, Pair
from bot.pairing.states import OddOneOut, PairStatus, Role, SpaceKind


@dataclass(frozen=True)
class PairView:
    pair_id: int
    guild_id: int
    status: PairStatus
    member_ids: tuple[int, ...]
    space_id: int | None
    space_kind: SpaceKind | None
    started_at: datetime | None
    score: float
    reasons: tuple[str, ...]

    def partners_of(self, user_id: int) -> tuple[int, ...]:
        return tuple(m for m in self.member_ids if m != user_id)

    @classmethod
    def of(cls, pair: Pair) -> PairView:
        return cls(
            pair_id=pair.id,
            guild_id=pair.guild_id,
            status=pair.status,
            member_ids=tuple(pair.user_ids),
            space_id=pair.space_id,
            space_kind=pair.space_kind,
            started_at=pair.started_at,
            score=pair.score,
            reasons=tuple(pair.reasons),
        )


@dataclass(frozen=True)
class ProfileView:
    user_id: int
    role: Role
    timezone: str
    languages: tuple[str, ...]
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    life_stage: str | None
    about: str
    capacity: int
    opted_in: bool
    waiting_since: datetime | None
    dm_channel_id: int | None

    @classmethod
    def of(cls, p: MemberProfile) -> ProfileView:
        return cls(
            user_id=p.user_id,
            role=p.role,
            timezone=p.timezone,
            languages=tuple(p.languages),
            topics=tuple(p.topics),
            tags=tuple(p.tags),
            life_stage=p.life_stage,
            about=p.about,
            capacity=p.capacity,
            opted_in=p.opted_in,
            waiting_since=p.waiting_since,
            dm_channel_id=p.dm_channel_id,
        )


@dataclass(frozen=True)
class StatusView:
    profile: ProfileView
    pairs: tuple[PairView, ...]


@dataclass(frozen=True)
class RequestOutcome:
    pair: PairView | None
    waiting_since: datetime | None
    reason: str | None = None


@dataclass(frozen=True)
class RoundOutcome:
    dry_run: bool
    proposed: tuple[tuple[tuple[int, ...], float, tuple[str, ...]], ...]
    made: tuple[PairView, ...]
    unmatched: tuple[tuple[int, str], ...]
    failure: str | None = None


@dataclass(frozen=True)
class SettingsView:
    guild_id: int
    category_id: int | None
    hub_channel_id: int | None
    moderator_role_id: int | None
    log_channel_id: int | None
    topics: tuple[str, ...]
    odd_one_out: OddOneOut = OddOneOut.WAITLIST
    cooldown_days: int = 90
    discreet_dms: bool = False  # DMs open with a neutral line, details in an embed
