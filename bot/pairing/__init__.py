"""Pairing: profiles, rounds, the open/close saga of a pair's space, reconciliation. Imports no discord.

This module is the feature's public face: other features and the adapter import from here only (the
import contracts check it); the composition root (``bot.app``) builds the services from their modules.
"""

from bot.pairing.ending_service import EndingService
from bot.pairing.erasure import departed_members, erase_member_traces, member_traces_held
from bot.pairing.models import Block, GuildSettings, MemberProfile, Pair, PairHistory, PairMember
from bot.pairing.queries import BlockRepo, PairRepo, ProfileRepo, SettingsRepo, as_utc
from bot.pairing.shared import GuildLocks
from bot.pairing.states import BlockSource, CreatedBy, EndReason, OddOneOut, PairStatus, Role, SpaceKind

__all__ = [
    "Block",
    "BlockRepo",
    "BlockSource",
    "CreatedBy",
    "EndReason",
    "EndingService",
    "GuildLocks",
    "GuildSettings",
    "MemberProfile",
    "OddOneOut",
    "Pair",
    "PairHistory",
    "PairMember",
    "PairRepo",
    "PairStatus",
    "ProfileRepo",
    "Role",
    "SettingsRepo",
    "SpaceKind",
    "as_utc",
    "departed_members",
    "erase_member_traces",
    "member_traces_held",
]
