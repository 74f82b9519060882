"""The bot's one worker process for matching: CPU-bound rounds and partner searches run there, so the
gateway heartbeat never waits on them. Started on first use, shut down when the bot closes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from bot import matching


class MatchingWorker:
    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._executor is not None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = matching.make_executor(max_workers=1)
        return self._executor

    async def run_round(self, inp: matching.RoundInput) -> matching.RoundResult:
        return await matching.run_round_in_worker(inp, self._pool())

    async def search(self, search: Callable[[], matching.PartnerSuggestion]) -> matching.PartnerSuggestion:
        return await asyncio.get_running_loop().run_in_executor(self._pool(), search)

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
