"""deploy/: the systemd units and env.example name exactly the settings the bot reads."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from bot.settings import PROJECT_ROOT, Settings

DEPLOY = PROJECT_ROOT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


class RecordingEnv(Mapping[str, str]):
    """An environment that remembers every name read from it."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def settings_read() -> set[str]:
    """Every variable Settings.from_env reads."""
    env = RecordingEnv({"TELEGRAM_BOT_TOKEN": TOKEN})
    Settings.from_env(env)
    return env.read


def env_example() -> dict[str, str]:
    """deploy/env.example's VAR=value lines."""
    lines = (DEPLOY / "env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return {name.strip(): value.strip() for name, value in pairs}


def test_env_example_lists_every_setting_and_only_settings() -> None:
    read = settings_read()
    assert {"TELEGRAM_BOT_TOKEN", "DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "PORT"} <= read
    assert set(env_example()) == read


def test_every_setting_in_env_example_has_a_comment_above_it() -> None:
    lines = (DEPLOY / "env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if line.strip() and not line.startswith("#"):
            assert lines[number - 1].startswith("# "), f"env.example: {line} has no comment"


def test_env_example_is_valid_once_the_token_is_filled_in() -> None:
    values = {**env_example(), "TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": "a" * 64}
    settings = Settings.from_env(values)
    settings.require_webhook()
    assert settings.port == 8080


def test_the_units_name_only_settings_that_exist_and_run_both_modes() -> None:
    read = settings_read()
    assert [unit.name for unit in UNITS] == ["shm-bot-webhook.service", "shm-bot-worker.service"]
    for unit in UNITS:
        text = unit.read_text()
        used = set(re.findall(r"\$\{(\w+)\}|\$(\w+)", text)) - {("", "")}
        names = {a or b for a, b in used}
        assert names <= read, f"{unit.name} names {names - read}"
        directives = dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
        assert directives["EnvironmentFile"] == "/etc/shm-bot/env"
        assert directives["KillSignal"] == "SIGTERM" and directives["TimeoutStopSec"] == "15"
        assert directives["Restart"] == "on-failure" and "RestartSec" in directives
        assert directives["ExecStart"].startswith(directives["WorkingDirectory"] + "/.venv/bin/python -m bot")
    webhook = (DEPLOY / "shm-bot-webhook.service").read_text()
    assert "ExecStart=/opt/shm-bot/.venv/bin/python -m bot webhook\n" in webhook
    assert "/healthz" in webhook
    worker = (DEPLOY / "shm-bot-worker.service").read_text()
    assert "ExecStart=/opt/shm-bot/.venv/bin/python -m bot\n" in worker
    # EXIT_CONFLICT: another poller or a webhook; restarting would only fight it.
    assert "RestartPreventExitStatus=3\n" in worker


def test_the_procfile_runs_both_modes() -> None:
    assert (PROJECT_ROOT / "Procfile").read_text().splitlines() == [
        "web: python -m bot webhook",
        "worker: python -m bot",
    ]
