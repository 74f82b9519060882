"""Logging, configured once at the entry point. Log lines carry ids and counts, never member text."""

from __future__ import annotations

import logging


def configure_logging(level: int) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        force=True,
    )
    quiet = max(level, logging.WARNING)
    for noisy in (
        "discord",
        "discord.http",
        "discord.gateway",
        "aiohttp.access",
        "alembic",
        "sqlalchemy.engine",
    ):
        logging.getLogger(noisy).setLevel(quiet)
    logging.getLogger("discord.client").setLevel(max(level, logging.ERROR))  # voice-support warnings
