"""A bot-wide pace for batches of requests, below Discord's global limit of 50 requests a second.

discord.py paces each rate-limit bucket and learns of the global limit only from a 429, and every
DM channel is a bucket of its own, so a batch of prompts needs this: requests are spaced evenly
(no bursts), so no one-second window ever holds more than ``per_second`` of them.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

DISCORD_GLOBAL_PER_SECOND = 50
DEFAULT_PER_SECOND = 46.0  # 0.92 of the limit: room for jitter and requests the pacer does not see


class Pacer:
    def __init__(
        self,
        per_second: float = DEFAULT_PER_SECOND,
        monotonic: Callable[[], float] = time.monotonic,
        ceiling: float = DISCORD_GLOBAL_PER_SECOND,
    ) -> None:
        if not 0 < per_second <= ceiling:
            raise ValueError("the pace must be between 0 and Discord's 50 requests a second")
        self.per_second = int(per_second)
        self.interval = 1.0 / per_second
        self._granted: deque[float] = deque()
        self._window_lock = asyncio.Lock()
        self.monotonic = monotonic
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Wait for this request's slot. Slots are handed out in order, one every ``interval``; and
        since a busy event loop can wake several waiters at once, no more than ``per_second`` are
        let through in any one-second window, measured when they are let through."""
        async with self._lock:
            now = self.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)
        async with self._window_lock:
            while True:
                now = self.monotonic()
                while self._granted and now - self._granted[0] >= 1.0:
                    self._granted.popleft()
                if len(self._granted) < self.per_second:
                    self._granted.append(now)
                    return
                await asyncio.sleep(1.0 - (now - self._granted[0]))
