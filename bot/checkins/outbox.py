"""What the delivery service needs from Discord, as a protocol (``bot/discord/deliveries.py`` implements
it with discord.py). A message carries the delivery's nonce so Discord deduplicates a resend."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, Protocol

SendStatus = Literal["sent", "dms_closed", "gone", "retry"]


class Action(StrEnum):
    """What a button under a scheduled message does (its label, look and custom id are the adapter's)."""

    CHECK_IN = "check_in"
    ASK_FOR_SUPPORT = "ask_for_support"
    KEEP_WAITING = "keep_waiting"  # the three answers when a partner has gone quiet
    PAUSE_PAIRING = "pause_pairing"
    MATCH_ME_ANEW = "match_me_anew"


@dataclass(frozen=True)
class ButtonSpec:
    """A button described by what it does and for which pair; services never see custom ids."""

    action: Action
    guild_id: int
    pair_id: int


@dataclass(frozen=True)
class Outgoing:
    guild_id: int
    channel_id: int
    text: str
    nonce: str
    is_dm: bool = False
    ping: tuple[int, ...] = ()  # the only users who may be notified
    buttons: tuple[ButtonSpec, ...] = ()
    discreet: bool = False  # a DM opening with a neutral line, the text in an embed (the server's setting)


@dataclass(frozen=True)
class Sent:
    status: SendStatus
    message_id: int | None = None
    code: int | None = None  # Discord's error code, for logs


class OutboxPort(Protocol):
    async def deliver(self, message: Outgoing) -> Sent:
        """Send once (discord.py retries 429/5xx itself); never raises for Discord's answers."""
        ...

    async def tell_moderators(self, log_channel_id: int, text: str) -> None:
        """A status line for moderators (never member content)."""
        ...
