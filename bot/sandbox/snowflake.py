"""Snowflake ids shaped like Discord's: milliseconds since the Discord epoch, worker, process, increment."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime

DISCORD_EPOCH_MS = 1_420_070_400_000

_increment = itertools.count()
_last_ms = 0


def new_snowflake() -> int:
    """A new, strictly increasing snowflake for the current time."""
    global _last_ms  # noqa: PLW0603 - process-wide monotonic clock for ids
    now_ms = int(time.time() * 1000)
    _last_ms = max(_last_ms, now_ms)
    seq = next(_increment) & 0xFFF
    if seq == 0xFFF:
        _last_ms += 1
    return ((_last_ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | (1 << 12) | seq


def snowflake_time(snowflake: int) -> datetime:
    """When the snowflake was made."""
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso_now() -> str:
    """The current time as Discord writes timestamps."""
    return datetime.now(tz=UTC).isoformat()


def parse_id(value: object) -> int | None:
    """An id from a request body: Discord accepts ints and numeric strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
