"""Configuration, read once from the environment into a typed object."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROGRAM_FILE = PROJECT_ROOT / "programs" / "shm-provinsi-2023.yaml"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/shm-bot.sqlite3"
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"
TOKEN_PATTERN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
# Telegram's rule for setWebhook's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LOG_FORMATS = ("text", "json")


class SettingsError(ValueError):
    """A setting that is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with."""

    bot_token: str
    api_base_url: str = TELEGRAM_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: frozenset[int] = frozenset()
    program_file: Path = DEFAULT_PROGRAM_FILE
    retention_days: int = 365
    concurrent_updates: int = 64
    rate_limit: bool = True
    log_level: str = "INFO"
    # How long a claimed outbox message stays claimed: after it, a crashed sender's message is sent again.
    outbox_lease_seconds: int = 120
    # How often the outbox is checked for messages planned by another process (load-program, a second bot).
    outbox_poll_seconds: int = 60
    # `python -m bot webhook`: the public HTTPS address Telegram posts updates to, the secret it
    # sends back in a header, the local port served, and how many requests Telegram keeps in flight.
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 8080
    webhook_max_connections: int = 40
    # "text" for a terminal, "json" for a log collector: one line per event either way.
    log_format: str = "text"

    @property
    def api_file_base_url(self) -> str:
        """Where files are downloaded from: Telegram puts them under /file/bot<token>."""
        base = self.api_base_url.rstrip("/")
        return base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file"

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, require_token: bool = True) -> Settings:
        """Read settings from environment variables; raise SettingsError with a one-line reason."""
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if require_token and not token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token "
                "(or try the bot without one: python -m bot demo)"
            )
        if token and not TOKEN_PATTERN.match(token):
            raise SettingsError("TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<secret>' as @BotFather gives it")
        return cls(
            bot_token=token,
            api_base_url=_url(env.get("TELEGRAM_API_BASE_URL"), TELEGRAM_API_BASE_URL),
            database_url=database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
            admin_ids=_admin_ids(env.get("ADMIN_IDS", "")),
            program_file=_program_file(env.get("PROGRAM_FILE")),
            retention_days=_positive_int(env, "DATA_RETENTION_DAYS", 365),
            concurrent_updates=_positive_int(env, "CONCURRENT_UPDATES", 64),
            rate_limit=env.get("TELEGRAM_RATE_LIMIT", "on").lower() not in {"0", "off", "false", "no"},
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            outbox_lease_seconds=_positive_int(env, "OUTBOX_LEASE_SECONDS", 120),
            outbox_poll_seconds=_positive_int(env, "OUTBOX_POLL_SECONDS", 60),
            webhook_url=_webhook_url(env.get("WEBHOOK_URL")),
            webhook_secret=_webhook_secret(env.get("WEBHOOK_SECRET")),
            port=_port(env.get("PORT")),
            webhook_max_connections=_bounded_int(env, "WEBHOOK_MAX_CONNECTIONS", 40, 1, 100),
            log_format=_log_format(env.get("LOG_FORMAT")),
        )

    def require_webhook(self) -> None:
        """Raise SettingsError unless webhook mode has what it needs (WEBHOOK_URL and WEBHOOK_SECRET)."""
        if not self.webhook_url:
            raise SettingsError(
                "WEBHOOK_URL is not set: the public https:// address Telegram posts updates to "
                "(or run `python -m bot` to poll instead)"
            )
        if not self.webhook_secret:
            raise SettingsError(
                "WEBHOOK_SECRET is not set: 1-256 characters of A-Z, a-z, 0-9, _ and -, sent back by Telegram "
                "with every update"
            )


def database_url(url: str) -> str:
    """The URL with the async driver this project uses, so plain URLs from a host also work."""
    url = url.strip()
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    if not url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        raise SettingsError(f"DATABASE_URL must be a sqlite:// or postgresql:// URL, got {url.split(':', 1)[0]}://…")
    return url


def _url(value: str | None, default: str) -> str:
    value = (value or "").strip()
    if not value:
        return default
    if not value.startswith(("http://", "https://")):
        raise SettingsError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    return value.rstrip("/")


def _webhook_url(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.startswith(("https://", "http://")):
        raise SettingsError("WEBHOOK_URL must be an https:// address (Telegram posts only to HTTPS)")
    return value.rstrip("/")


def _webhook_secret(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not WEBHOOK_SECRET_PATTERN.match(value):
        raise SettingsError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return value


def _port(value: str | None) -> int:
    value = (value or "").strip()
    if not value:
        return 8080
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise SettingsError("PORT must be a port number, 1-65535")
    return int(value)


def _log_format(value: str | None) -> str:
    value = (value or "text").strip().lower()
    if value not in LOG_FORMATS:
        raise SettingsError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    return value


def _bounded_int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _positive_int(env, name, default)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}")
    return value


def _admin_ids(value: str) -> frozenset[int]:
    ids = [part.strip() for part in value.split(",") if part.strip()]
    bad = [part for part in ids if not part.lstrip("-").isdigit()]
    if bad:
        raise SettingsError("ADMIN_IDS must be comma-separated numeric Telegram user ids")
    return frozenset(int(part) for part in ids)


def _program_file(value: str | None) -> Path:
    if not value:
        return DEFAULT_PROGRAM_FILE
    path = Path(value)
    if not path.is_file():
        raise SettingsError(f"PROGRAM_FILE {value} does not exist")
    return path


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SettingsError(f"{name} must be a positive whole number")
    return int(raw)
