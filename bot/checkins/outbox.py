"""What the delivery service needs from Discord, as a protocol (``bot/discord/outbox.py`` implements
it with discord.py). A message carries the delivery's nonce so Discord deduplicates a resend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

SendStatus = Literal["sent", "dms_closed", "gone", "retry"]


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: str = "primary"  # primary, secondary, success, danger


@dataclass(frozen=True)
class Outgoing:
    guild_id: int
    channel_id: int
    text: str
    nonce: str
    is_dm: bool = False
    ping: tuple[int, ...] = ()  # the only users who may be notified
    buttons: tuple[ButtonSpec, ...] = ()


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
