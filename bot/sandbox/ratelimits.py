"""Rate limits (per-route buckets and the global limit), fault injection and request statistics.

Discord's own per-channel bucket for bot messages (5 per 5 s) is on unless turned off
(``set_channel_messages``). Windows run on an injectable clock. Every REST answer carries Discord's
X-RateLimit-* headers; a 429 carries ``Retry-After``,
``X-RateLimit-Scope`` and a ``Via`` header (without ``Via`` discord.py takes a 429 for a
Cloudflare ban and raises instead of waiting).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

VIA = "1.1 google"
_MAJOR = re.compile(r"^/(channels|guilds|webhooks)/(\d+)(?:/([^/]+))?")
_ID = re.compile(r"/\d+")
CHANNEL_MESSAGES = r"/channels/\d+/messages"


@dataclass
class RouteRule:
    method: str
    pattern: re.Pattern[str]
    limit: int
    window: float
    builtin: bool = False  # one of Discord's own buckets, not added by a test

    @property
    def bucket(self) -> str:
        return hashlib.sha1(f"{self.method} {self.pattern.pattern}".encode()).hexdigest()[:16]  # noqa: S324

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.pattern.fullmatch(path) is not None


@dataclass
class _Window:
    started: float
    used: int = 0


@dataclass
class Verdict:
    """What the limiter decided for one request: headers to send, and a 429 body when refused."""

    headers: dict[str, str]
    refused: dict[str, Any] | None = None
    is_global: bool = False


def major_parameter(path: str) -> str:
    m = _MAJOR.match(path)
    if m is None:
        return ""
    if m.group(1) == "webhooks" and m.group(3):
        return f"{m.group(2)}/{m.group(3)}"
    return m.group(2)


class RateLimits:
    """Configurable limits. ``add_route`` adds a bucket; ``set_global`` turns the global limit on."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.rules: list[RouteRule] = []
        self.global_per_second: float | None = None
        self.default_limit = 1000
        self.default_window = 1.0
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global_times: deque[float] = deque()

    def add_route(self, method: str, pattern: str, *, limit: int, window: float) -> None:
        self.rules.insert(0, RouteRule(method.upper(), re.compile(pattern), limit, window))

    def set_channel_messages(self, limit: int | None, window: float = 5.0) -> None:
        """Discord's bucket for bot messages in one channel (or DM): ``limit`` per ``window`` seconds.

        Discord allows 5 per 5 s; ``None`` turns the bucket off. Rules from ``add_route`` take precedence.
        """
        self.rules = [r for r in self.rules if not r.builtin]
        if limit is not None:
            self.rules.append(RouteRule("POST", re.compile(CHANNEL_MESSAGES), limit, window, builtin=True))

    @property
    def channel_messages(self) -> tuple[int, float] | None:
        rule = next((r for r in self.rules if r.builtin), None)
        return None if rule is None else (rule.limit, rule.window)

    def set_global(self, per_second: float | None) -> None:
        self.global_per_second = per_second
        self._global_times.clear()

    def clear(self) -> None:
        """Drop the buckets added by tests and the global limit (Discord's own buckets stay)."""
        self.rules = [r for r in self.rules if r.builtin]
        self._windows.clear()
        self.set_global(None)

    def _rule_for(self, method: str, path: str) -> tuple[str, int, float]:
        for rule in self.rules:
            if rule.matches(method, path):
                return rule.bucket, rule.limit, rule.window
        template = _ID.sub("/{id}", path)
        digest = hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]  # noqa: S324
        return digest, self.default_limit, self.default_window

    def check(self, method: str, path: str, *, counts_global: bool) -> Verdict:
        now = self.clock()
        if counts_global and self.global_per_second:
            times = self._global_times
            while times and now - times[0] >= 1.0:
                times.popleft()
            if len(times) >= self.global_per_second:
                retry = max(0.001, 1.0 - (now - times[0]))
                return Verdict(
                    headers={
                        "X-RateLimit-Global": "true",
                        "X-RateLimit-Scope": "global",
                        "Retry-After": str(math.ceil(retry)),
                        "Via": VIA,
                    },
                    refused={
                        "message": "You are being rate limited.",
                        "retry_after": round(retry, 3),
                        "global": True,
                    },
                    is_global=True,
                )
            times.append(now)
        bucket, limit, window = self._rule_for(method, path)
        key = (bucket, major_parameter(path))
        win = self._windows.get(key)
        if win is None or now - win.started >= window:
            win = self._windows[key] = _Window(now)
        reset_after = max(0.0, window - (now - win.started))
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        }
        if win.used >= limit:
            headers.update(
                {
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Scope": "user",
                    "Retry-After": str(math.ceil(reset_after)),
                    "Via": VIA,
                }
            )
            return Verdict(
                headers,
                {
                    "message": "You are being rate limited.",
                    "retry_after": round(reset_after, 3),
                    "global": False,
                },
            )
        win.used += 1
        headers["X-RateLimit-Remaining"] = str(limit - win.used)
        return Verdict(headers)


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    retry_after: float


@dataclass
class Hold:
    """A gate: matching requests wait in the server until :meth:`release` (``reached`` is set by the first)."""

    method: str
    pattern: re.Pattern[str]
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0

    def release(self) -> None:
        self.released.set()


class Faults:
    """``fail_next(method, pattern, status, count)``: the next matching requests fail.
    ``hold(method, pattern)``: matching requests wait at a gate until the test releases it."""

    def __init__(self) -> None:
        self.pending: list[Fault] = []
        self.injected = 0
        self.holds: list[Hold] = []

    def hold(self, method: str, pattern: str) -> Hold:
        gate = Hold(method.upper(), re.compile(pattern))
        self.holds.append(gate)
        return gate

    async def pass_gates(self, method: str, path: str) -> None:
        for gate in list(self.holds):
            if gate.method in ("*", method) and gate.pattern.fullmatch(path) and not gate.released.is_set():
                gate.held += 1
                gate.reached.set()
                await gate.released.wait()
        self.holds = [g for g in self.holds if not g.released.is_set()]

    def fail_next(
        self, method: str, pattern: str, *, status: int = 500, count: int = 1, retry_after: float = 0.1
    ) -> None:
        if status not in (429, 500, 502, 503, 504):
            raise ValueError("status must be one of 429, 500, 502, 503, 504")
        self.pending.append(Fault(method.upper(), re.compile(pattern), status, count, retry_after))

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self.pending:
            if fault.method in ("*", method) and fault.pattern.fullmatch(path) and fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.pending.remove(fault)
                self.injected += 1
                return fault
        return None


_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def fault_response(fault: Fault) -> tuple[dict[str, Any], dict[str, str]]:
    if fault.status == 429:
        return (
            {"message": "You are being rate limited.", "retry_after": fault.retry_after, "global": False},
            {"Retry-After": str(math.ceil(fault.retry_after)), "X-RateLimit-Scope": "shared", "Via": VIA},
        )
    return {"message": f"{fault.status}: {_REASONS[fault.status]}", "code": 0}, {"Via": VIA}


@dataclass
class Stats:
    """Counters for benchmarks. ``peak_rps``/``mean_rps`` cover requests made by the bot."""

    global_429: int = 0
    route_429: int = 0
    fault_responses: int = 0
    invalid_requests: int = 0  # 401, 403 and 429 answers (Discord bans at 10,000 per 10 minutes)
    bot_request_times: list[float] = field(default_factory=list)

    @property
    def total_429(self) -> int:
        return self.global_429 + self.route_429

    @property
    def bot_requests(self) -> int:
        return len(self.bot_request_times)

    @property
    def peak_rps(self) -> int:
        """Most bot requests seen inside any one-second window."""
        times = self.bot_request_times
        best = start = 0
        for end, t in enumerate(times):
            while t - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best

    @property
    def mean_rps(self) -> float:
        times = self.bot_request_times
        if len(times) < 2:
            return float(len(times))
        span = times[-1] - times[0]
        return len(times) / span if span > 0 else float(len(times))
