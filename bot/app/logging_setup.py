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
    install_redaction()


# Libraries that put payloads in their log lines at DEBUG (message bodies, interaction data with what
# members typed, URLs with interaction tokens, SQL parameters): their text arguments are redacted.
PAYLOAD_LOGGERS = (
    "discord.http",
    "discord.gateway",
    "discord.client",
    "discord.state",
    "discord.webhook.async_",
    "discord.ui.view",
    "discord.app_commands.tree",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool.impl.AsyncAdaptedQueuePool",
    "aiosqlite",
)


class RedactPayloads(logging.Filter):
    """Keeps a library's log line but replaces every argument that is not a plain number."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(a if isinstance(a, int | float) else "[redacted]" for a in args)
        return True


def install_redaction() -> None:
    """Idempotent: attach the redaction filter to every payload-carrying logger."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactPayloads) for f in logger.filters):
            logger.addFilter(RedactPayloads())
