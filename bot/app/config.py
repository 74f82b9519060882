"""Settings read once at start from the environment and an optional ``.env`` file.

Nothing here runs at import time: ``load_settings`` is called by the command line, and a bad value
raises :class:`ConfigError`, which names the variable and the fix in one sentence.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

from bot.core.errors import ConfigError
from bot.db.crypto import Keyring, valid_key

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/tandem.db"
DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
SUPPORTED_DATABASES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class SecretStr:
    """A string that never shows itself in a repr, a log line or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretStr('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    discord_token: SecretStr | None
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base: str = DEFAULT_API_BASE
    discord_gateway_url: str = DEFAULT_GATEWAY_URL
    dev_guild_ids: tuple[int, ...] = field(default_factory=tuple)
    log_level: str = "INFO"
    data_key: SecretStr | None = None
    old_data_keys: tuple[SecretStr, ...] = ()

    def keyring(self) -> Keyring:
        """The data key (and any older keys still accepted during a rotation); required to open the data."""
        if self.data_key is None:
            raise ConfigError(
                "TANDEM_DATA_KEY is not set: generate one with `tandem new-key`, put it in .env "
                "(see config.example.env) and keep a copy somewhere safe; without it the data cannot be read."
            )
        return Keyring(self.data_key.get(), [k.get() for k in self.old_data_keys])

    checkin_sweep_seconds: float = 60.0  # how often reminders, retries and catch-up are looked at
    pace_per_second: float = 46.0  # Tandem's own bot-wide pace for batches (Discord's global limit: 50)

    def require_token(self) -> SecretStr:
        if self.discord_token is None:
            raise ConfigError(
                "DISCORD_TOKEN is not set: put your bot's token in .env or the environment "
                "(see config.example.env), or run `tandem demo` to try Tandem without one."
            )
        return self.discord_token

    @property
    def log_level_number(self) -> int:
        return int(logging.getLevelName(self.log_level))


def read_environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """The environment, with values from ``env_file`` filling in what the environment lacks."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def _clean(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _token(env: Mapping[str, str]) -> SecretStr | None:
    value = _clean(env, "DISCORD_TOKEN")
    if value is None:
        return None
    if any(ch.isspace() for ch in value) or value.lower().startswith("bot "):
        raise ConfigError(
            "DISCORD_TOKEN looks wrong: paste only the token from the Developer Portal's Bot page, "
            "without 'Bot ' in front and without spaces."
        )
    return SecretStr(value)


def _url(env: Mapping[str, str], name: str, default: str, schemes: tuple[str, ...]) -> str:
    value = _clean(env, name) or default
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        allowed = " or ".join(f"{s}://" for s in schemes)
        raise ConfigError(f"{name} must be a URL starting with {allowed} (got {value!r}); default: {default}.")
    return value.rstrip("/")


def _database_url(env: Mapping[str, str]) -> str:
    value = _clean(env, "DATABASE_URL") or DEFAULT_DATABASE_URL
    if not value.startswith(SUPPORTED_DATABASES):
        raise ConfigError(
            "DATABASE_URL must start with sqlite+aiosqlite:/// (a file) or postgresql+asyncpg:// "
            f"(default: {DEFAULT_DATABASE_URL})."
        )
    return value


def _guild_ids(env: Mapping[str, str]) -> tuple[int, ...]:
    value = _clean(env, "DEV_GUILD_IDS")
    if value is None:
        return ()
    ids: list[int] = []
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        if not part.isdigit() or not 15 <= len(part) <= 21:
            raise ConfigError(
                f"DEV_GUILD_IDS must be server ids separated by commas (got {part!r}); "
                "copy a server's id with Developer Mode on, or leave DEV_GUILD_IDS empty."
            )
        ids.append(int(part))
    return tuple(ids)


def _data_keys(env: Mapping[str, str]) -> tuple[SecretStr | None, tuple[SecretStr, ...]]:
    primary = _clean(env, "TANDEM_DATA_KEY")
    if primary is not None and not valid_key(primary):
        raise ConfigError(
            "TANDEM_DATA_KEY is not a valid key: it must be 32 url-safe base64-encoded bytes, "
            "as printed by `tandem new-key`."
        )
    older: list[SecretStr] = []
    for raw in (_clean(env, "TANDEM_OLD_DATA_KEYS") or "").split(","):
        part = raw.strip()
        if not part:
            continue
        if not valid_key(part):
            raise ConfigError("TANDEM_OLD_DATA_KEYS must be keys printed by `tandem new-key`, separated by commas.")
        older.append(SecretStr(part))
    if older and primary is None:
        raise ConfigError("TANDEM_OLD_DATA_KEYS is set but TANDEM_DATA_KEY is not: set the new key too.")
    return (SecretStr(primary) if primary else None), tuple(older)


def _log_level(env: Mapping[str, str]) -> str:
    value = (_clean(env, "LOG_LEVEL") or "INFO").upper()
    if value not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {value!r}).")
    return value


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = _clean(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number between {low:g} and {high:g} (got {raw!r}).") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be a number between {low:g} and {high:g} (got {raw!r}).")
    return value


def load_settings(env: Mapping[str, str]) -> Settings:
    """Validate every variable; the first problem found raises :class:`ConfigError`."""
    data_key, old_data_keys = _data_keys(env)
    return Settings(
        discord_token=_token(env),
        database_url=_database_url(env),
        discord_api_base=_url(env, "DISCORD_API_BASE", DEFAULT_API_BASE, ("https", "http")),
        discord_gateway_url=_url(env, "DISCORD_GATEWAY_URL", DEFAULT_GATEWAY_URL, ("wss", "ws")),
        dev_guild_ids=_guild_ids(env),
        log_level=_log_level(env),
        data_key=data_key,
        old_data_keys=old_data_keys,
        checkin_sweep_seconds=_number(env, "CHECKIN_SWEEP_SECONDS", 60.0, 0.05, 3600),
        pace_per_second=_number(env, "PACE_PER_SECOND", 46.0, 1, 50),
    )
