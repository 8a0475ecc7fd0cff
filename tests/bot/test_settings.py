"""Settings are read once from the environment, with one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.settings import DEFAULT_PROGRAM_FILE, PROJECT_ROOT, Settings, SettingsError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


def test_defaults_need_only_the_token() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.database_url == "sqlite+aiosqlite:///data/shm-bot.sqlite3"
    assert settings.program_file == DEFAULT_PROGRAM_FILE and settings.admin_ids == frozenset()
    assert settings.api_file_base_url == "https://api.telegram.org/file/bot"


def test_values_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/bot/",
            "DATABASE_URL": "postgres://u:p@db:5432/shm",
            "ADMIN_IDS": " 11, 22 ,",
            "PROGRAM_FILE": str(DEFAULT_PROGRAM_FILE),
            "DATA_RETENTION_DAYS": "30",
        }
    )
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.api_file_base_url == "http://127.0.0.1:8081/file/bot"
    assert settings.database_url == "postgresql+asyncpg://u:p@db:5432/shm"
    assert settings.admin_ids == frozenset({11, 22}) and settings.retention_days == 30


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "abc"}, "TELEGRAM_BOT_TOKEN is malformed"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "alice"}, "ADMIN_IDS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "PROGRAM_FILE": "/nope.yaml"}, "PROGRAM_FILE"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DATA_RETENTION_DAYS": "-1"}, "DATA_RETENTION_DAYS"),
    ],
)
def test_bad_settings_are_named(env: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(env)


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_entry_point_says_one_line_and_no_traceback(token: str | None) -> None:
    env = {"PATH": os.environ.get("PATH", "")}
    if token:
        env["TELEGRAM_BOT_TOKEN"] = token
    run = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("shm-bot: TELEGRAM_BOT_TOKEN")
    assert "Traceback" not in run.stderr


def test_building_the_application_connects_to_nothing() -> None:
    from bot.app import build_application

    settings = Settings(
        bot_token=TOKEN,
        api_base_url="http://127.0.0.1:9/bot",
        database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
    )
    application = build_application(settings)
    assert application.bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"


def test_webhook_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "WEBHOOK_URL": "https://bot.example.org/tg/",
            "WEBHOOK_SECRET": "s3cret_-X",
            "PORT": "9000",
            "WEBHOOK_MAX_CONNECTIONS": "10",
            "LOG_FORMAT": "JSON",
        }
    )
    assert settings.webhook_url == "https://bot.example.org/tg" and settings.webhook_secret == "s3cret_-X"
    assert (settings.port, settings.webhook_max_connections, settings.log_format) == (9000, 10, "json")
    settings.require_webhook()


def test_webhook_defaults_and_what_webhook_mode_needs() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert (settings.port, settings.webhook_max_connections, settings.log_format) == (8080, 40, "text")
    with pytest.raises(SettingsError, match="WEBHOOK_URL is not set"):
        settings.require_webhook()
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is not set"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://x.org"}).require_webhook()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WEBHOOK_SECRET", "has space", "WEBHOOK_SECRET must be"),
        ("WEBHOOK_SECRET", "x" * 257, "WEBHOOK_SECRET must be"),
        ("WEBHOOK_URL", "ftp://x.org", "WEBHOOK_URL must be"),
        ("PORT", "70000", "PORT must be"),
        ("WEBHOOK_MAX_CONNECTIONS", "101", "WEBHOOK_MAX_CONNECTIONS must be between"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of"),
    ],
)
def test_malformed_service_settings_are_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, name: value})
