"""Run a round off the event loop, in a worker process (CPU-bound Python holds the GIL)."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from .engine import run_round
from .profiles import RoundInput, RoundResult


def make_executor(max_workers: int = 1) -> ProcessPoolExecutor:
    """A spawn-based process pool (safe with threads and event loops in the parent)."""
    return ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"))


async def run_round_in_worker(inp: RoundInput, executor: ProcessPoolExecutor | None = None) -> RoundResult:
    """``run_round(inp)`` in a worker process. Without an executor, a one-off spawn pool is used
    (and shut down afterwards); long-running bots should pass a shared one from ``make_executor``."""
    loop = asyncio.get_running_loop()
    if executor is not None:
        return await loop.run_in_executor(executor, run_round, inp)
    own = make_executor()
    try:
        return await loop.run_in_executor(own, run_round, inp)
    finally:
        own.shutdown(wait=False, cancel_futures=True)
