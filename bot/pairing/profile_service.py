"""Profiles and settings: opting in, a member's profile and status, the server's setup, DM bookkeeping."""

from __future__ import annotations

from bot.audit import AuditAction, AuditLog
from bot.core.errors import Conflict, InvalidInput, NotFound
from bot.pairing.models import GuildSettings
from bot.pairing.profiles import ProfileInput, validate_profile, validate_topic_list
from bot.pairing.queries import PairRepo, ProfileRepo, SettingsRepo
from bot.pairing.shared import Shared
from bot.pairing.states import OddOneOut
from bot.pairing.views import PairView, ProfileView, SettingsView, StatusView

NOT_JOINED = "You haven't joined the peer program yet: use /peer join to opt in."


class ProfileService:
    def __init__(self, shared: Shared, audit: AuditLog) -> None:
        self.shared = shared
        self.audit = audit

    # ----- settings -------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> SettingsView | None:
        async with self.shared.unit() as session:
            found = await SettingsRepo(session).get(guild_id)
            return None if found is None else settings_view(found)

    async def moderator_role(self, guild_id: int) -> int | None:
        """The server's moderator role, if one is set (besides Manage Server)."""
        found = await self.settings(guild_id)
        return found.moderator_role_id if found is not None else None

    async def setup(
        self,
        guild_id: int,
        moderator_id: int,
        *,
        category_id: int | None,
        hub_channel_id: int | None,
        moderator_role_id: int | None,
        log_channel_id: int | None,
        topics: str | None,
        odd_one_out: str | None = None,
        cooldown_days: int | None = None,
        discreet_dms: bool | None = None,
    ) -> SettingsView:
        """Record where pair spaces go and who moderates (audited with the change). Options left out keep
        their earlier value."""
        topic_list = validate_topic_list(topics) if topics is not None else None
        if odd_one_out is not None and odd_one_out not in tuple(OddOneOut):
            raise InvalidInput("The odd one out goes either into a trio or onto the waitlist.")
        if cooldown_days is not None and not 0 <= cooldown_days <= 3650:
            raise InvalidInput("The repeat-partner cooldown must be between 0 and 3650 days.")
        async with self.shared.locks(guild_id), self.audit.unit() as unit:
            settings = await SettingsRepo(unit.session).get_or_new(guild_id)
            nothing_yet = settings.category_id is None and settings.hub_channel_id is None
            if category_id is None and hub_channel_id is None and nothing_yet:
                raise InvalidInput(
                    "Choose a category for pair channels (and, if you like, a hub channel for private threads)."
                )
            if category_id is not None and category_id != settings.category_id:
                settings.category_id = category_id
                settings.overflow_category_ids = []
            if hub_channel_id is not None:
                settings.hub_channel_id = hub_channel_id
            if moderator_role_id is not None:
                settings.moderator_role_id = moderator_role_id
            if log_channel_id is not None:
                settings.log_channel_id = log_channel_id
            if topic_list is not None:
                settings.topics = topic_list
            if odd_one_out is not None:
                settings.odd_one_out = OddOneOut(odd_one_out)
            if cooldown_days is not None:
                settings.cooldown_days = cooldown_days
            if discreet_dms is not None:
                settings.discreet_dms = discreet_dms
            await unit.session.flush()
            changed = {
                "category": category_id,
                "hub": hub_channel_id,
                "moderator_role": moderator_role_id,
                "log_channel": log_channel_id,
                "odd_one_out": odd_one_out,
                "cooldown_days": cooldown_days,
                "discreet_dms": discreet_dms,
            }
            detail = [f"{name}={value}" for name, value in changed.items() if value is not None]
            if topic_list is not None:
                detail.append(f"topics set ({len(topic_list)})")
            await unit.record(guild_id, moderator_id, AuditAction.SETUP, detail=", ".join(detail))
            return settings_view(settings)

    # ----- members ---------------------------------------------------------------------------

    async def join(self, guild_id: int, user_id: int, raw: ProfileInput) -> tuple[ProfileView, bool]:
        """Opt in (which puts the member on the waitlist for the next round), or edit the profile.

        Returns the profile and whether the member has just (re)joined."""
        async with self.shared.locks(guild_id), self.shared.unit() as session:
            settings = await SettingsRepo(session).get(guild_id)
            data = validate_profile(raw, list(settings.topics) if settings else [])
            profiles = ProfileRepo(session)
            profile = await profiles.get(guild_id, user_id)
            created = profile is None or not profile.opted_in
            if profile is None:
                profile = profiles.add(guild_id, user_id)
            elif data.role != profile.role and await PairRepo(session).open_pairs_of(guild_id, user_id):
                raise Conflict("You can't change your role while paired; end your pairing first with /peer end.")
            profile.role = data.role
            profile.timezone = data.timezone
            profile.languages = list(data.languages)
            profile.topics = list(data.topics)
            profile.tags = list(data.tags)
            profile.life_stage = data.life_stage
            profile.about = data.about
            profile.capacity = data.capacity
            profile.opted_in = True
            profile.dms_closed = False  # worth trying again: they may have opened their DMs since
            if created:
                profile.waiting_since = self.shared.clock()  # opting in puts a member in the next round's pool
            await session.flush()
            return ProfileView.of(profile), created

    async def remember_dm_channel(self, guild_id: int, user_id: int, channel_id: int) -> None:
        async with self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.dm_channel_id = channel_id

    async def member_returned(self, guild_id: int, user_id: int) -> None:
        """A member who left the server came back before their data was erased: it is theirs to keep."""
        async with self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.left_at = None

    async def mark_dms_closed(self, guild_id: int, user_id: int) -> None:
        async with self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is not None:
                profile.dms_closed = True

    async def profile(self, guild_id: int, user_id: int) -> ProfileView:
        async with self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None or not profile.opted_in:
                raise NotFound(NOT_JOINED)
            return ProfileView.of(profile)

    async def status(self, guild_id: int, user_id: int) -> StatusView:
        async with self.shared.unit() as session:
            profile = await ProfileRepo(session).get(guild_id, user_id)
            if profile is None or not profile.opted_in:
                raise NotFound(NOT_JOINED)
            pairs = await PairRepo(session).settled_pairs_of(guild_id, user_id)
            return StatusView(ProfileView.of(profile), tuple(PairView.of(p) for p in pairs))


def settings_view(s: GuildSettings) -> SettingsView:
    return SettingsView(
        guild_id=s.guild_id,
        category_id=s.category_id,
        hub_channel_id=s.hub_channel_id,
        moderator_role_id=s.moderator_role_id,
        log_channel_id=s.log_channel_id,
        topics=tuple(s.topics),
        odd_one_out=s.odd_one_out,
        cooldown_days=s.cooldown_days,
        discreet_dms=s.discreet_dms,
    )
