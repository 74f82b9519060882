from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.config import DEFAULT_DATABASE_URL, ConfigError, load_settings, read_environment
from bot.db import migrate
from bot.db.crypto import new_key


def test_defaults_need_only_nothing() -> None:
    settings = load_settings({})
    assert settings.discord_token is None
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert settings.dev_guild_ids == ()
    assert settings.log_level == "INFO"


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": " abc.def.ghi ",
            "DEV_GUILD_IDS": "123456789012345678, 223456789012345678",
            "LOG_LEVEL": "debug",
            "DISCORD_API_BASE": "http://127.0.0.1:9000/api/v10/",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9000/gateway",
        }
    )
    assert settings.require_token().get() == "abc.def.ghi"
    assert "abc" not in repr(settings)
    assert settings.dev_guild_ids == (123456789012345678, 223456789012345678)
    assert settings.log_level == "DEBUG"
    assert settings.discord_api_base == "http://127.0.0.1:9000/api/v10"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DISCORD_TOKEN": "Bot abc"}, "DISCORD_TOKEN"),
        ({"DEV_GUILD_IDS": "my-server"}, "DEV_GUILD_IDS"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"DISCORD_API_BASE": "discord.com"}, "DISCORD_API_BASE"),
        ({"DISCORD_GATEWAY_URL": "https://gateway.discord.gg"}, "DISCORD_GATEWAY_URL"),
        ({"TANDEM_DATA_KEY": "not-a-key"}, "TANDEM_DATA_KEY"),
        ({"TANDEM_OLD_DATA_KEYS": "nope"}, "TANDEM_OLD_DATA_KEYS"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env)


def test_missing_token_names_it() -> None:
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        load_settings({}).require_token()


def test_env_file_fills_in_but_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=WARNING\nDEV_GUILD_IDS=123456789012345678\n")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.delenv("DEV_GUILD_IDS", raising=False)
    merged = read_environment(env_file)
    assert merged["LOG_LEVEL"] == "ERROR"
    assert merged["DEV_GUILD_IDS"] == "123456789012345678"


def _tandem(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _clean_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "DEV_GUILD", "LOG_LEVEL", "DATABASE", "TANDEM_"))
    }
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return env


def test_cli_missing_token_is_one_line_and_status_2(tmp_path: Path) -> None:
    result = _tandem("check-config", cwd=tmp_path, env=_clean_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DISCORD_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_invalid_value_is_one_line_and_status_2(tmp_path: Path) -> None:
    env = _clean_env(tmp_path) | {"DISCORD_TOKEN": "abc", "LOG_LEVEL": "SHOUTY"}
    result = _tandem("run", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "tandem: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got 'SHOUTY')."
    )


def test_cli_check_config_ok_hides_token(tmp_path: Path) -> None:
    key = new_key()
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN=secret-token-value\nTANDEM_DATA_KEY={key}\n")
    result = _tandem("check-config", cwd=tmp_path, env=_clean_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Configuration is valid" in result.stdout
    assert "secret-token-value" not in result.stdout + result.stderr
    assert key not in result.stdout + result.stderr


def test_cli_migrate_creates_private_database(tmp_path: Path) -> None:
    result = _tandem("migrate", cwd=tmp_path, env=_clean_env(tmp_path) | {"TANDEM_DATA_KEY": new_key()})
    assert result.returncode == 0, result.stderr
    assert f"revision {migrate.head_revision()}" in result.stdout
    assert ((tmp_path / "cli.db").stat().st_mode & 0o777) == 0o600


def test_cli_check_config_hides_the_database_password(tmp_path: Path) -> None:
    env = _clean_env(tmp_path) | {
        "DISCORD_TOKEN": "abc",
        "TANDEM_DATA_KEY": new_key(),
        "DATABASE_URL": "postgresql+asyncpg://tandem:S3cretPw@db.example/tandem",
    }
    result = _tandem("check-config", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "S3cretPw" not in result.stdout + result.stderr
    assert "tandem:***@db.example" in result.stdout
