"""Discord's timing: network latency on REST calls.

``Latency`` adds a delay to every REST answer: a uniform draw in ``[low, high]`` seconds (jitter),
plus any per-route extra (``add_route``). Half of it passes before the request is handled (Discord
sees the request late: a slow interaction callback can miss the 3-second window) and half after
(the answer travels back). Off by default (0 s) so unit tests stay fast; ``Latency.realistic()``
gives 20-50 ms. The random source and the sleep are injectable so tests need no real waiting.

The other timing rules live where they are enforced: the per-channel message bucket in
``ratelimits.RateLimits.set_channel_messages`` and the 3-second first response in
``rest_interactions`` (both read ``Sandbox.clock``).
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class RouteLatency:
    method: str
    pattern: re.Pattern[str]
    seconds: float


@dataclass
class Latency:
    """Added delay on REST calls; ``low``/``high`` in seconds, ``seed`` fixes the jitter."""

    low: float = 0.0
    high: float = 0.0
    seed: int | None = None
    sleep: Sleep = asyncio.sleep
    routes: list[RouteLatency] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    @classmethod
    def realistic(cls, seed: int | None = None) -> Latency:
        """What the end-to-end suite uses under realistic timing: 20-50 ms a call."""
        return cls(0.020, 0.050, seed=seed)

    def set(self, low: float, high: float | None = None) -> None:
        """Every call takes ``low`` seconds, or a uniform draw in ``[low, high]``."""
        high = low if high is None else high
        if not 0 <= low <= high:
            raise ValueError("latency needs 0 <= low <= high")
        self.low, self.high = low, high

    def add_route(self, method: str, pattern: str, seconds: float) -> None:
        """Extra latency on matching calls (e.g. 2.5 s on message sends), on top of the base draw."""
        self.routes.append(RouteLatency(method.upper(), re.compile(pattern), seconds))

    def clear_routes(self) -> None:
        self.routes.clear()

    def draw(self, method: str, path: str) -> float:
        base = self._rng.uniform(self.low, self.high) if self.high > 0 else 0.0
        extra = sum(r.seconds for r in self.routes if r.method in ("*", method) and r.pattern.fullmatch(path))
        return base + extra

    async def wait(self, seconds: float) -> None:
        if seconds > 0:
            await self.sleep(seconds)
