"""Hard constraints. A pair that breaks any of them is never proposed."""

from __future__ import annotations

from .pool import MENTOR, ROLE_OK, Pool
from .timezones import offset_distance

LANGUAGE = "language"
ROLE = "role"
BLOCKED = "blocked"
COOLDOWN = "cooldown"
PREFERENCE = "preference"
CAPACITY = "capacity"


def prefers(pool: Pool, i: int, j: int) -> bool:
    """Does j meet i's own hard preferences (must share one of i's required tags; offset limit)?"""
    req = pool.req[i]
    if req is not None and req.isdisjoint(pool.tags[j]):
        return False
    md = pool.maxdiff[i]
    return md is None or offset_distance(pool.offset[i], pool.offset[j]) <= md + 1e-9


def violations(pool: Pool, i: int, j: int) -> list[str]:
    """Every hard constraint the pair (i, j) breaks; empty when they may be paired."""
    if i == j:
        return [ROLE]
    out: list[str] = []
    if pool.langs[i].isdisjoint(pool.langs[j]):
        out.append(LANGUAGE)
    if not ROLE_OK[pool.role[i] * 4 + pool.role[j]]:
        out.append(ROLE)
    key = pool.key(i, j)
    if key in pool.blocked_only:
        out.append(BLOCKED)
    elif key in pool.forbidden:
        out.append(COOLDOWN)
    if not prefers(pool, i, j) or not prefers(pool, j, i):
        out.append(PREFERENCE)
    if (pool.role[i] == MENTOR and pool.slots[i] <= 0) or (pool.role[j] == MENTOR and pool.slots[j] <= 0):
        out.append(CAPACITY)
    return out


def compatible(pool: Pool, i: int, j: int) -> bool:
    return not violations(pool, i, j)
