"""The bot under `python -m bot` talks to the real Bot API and imports nothing of the emulator or the demo."""

from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_ROOT

# Import what `python -m bot` (run) imports, build the application, and list the modules loaded.
PROBE = """
import sys, tempfile
import bot.__main__
from bot.app import build_application
from bot.settings import Settings
build_application(Settings(bot_token="123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0",
                           database_url=f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/probe.sqlite3"))
print("\\n".join(sorted(sys.modules)))
"""


# What the file worker loads for a document (fpdf2 brings fontTools and numpy): 0.33 s and 30 MB at
# boot when certificates imported it, which took boot past 2 s and idle memory past 100 MB.
FILE_WORKER_ONLY = {"fpdf", "fontTools", "numpy", "matplotlib", "openpyxl", "PIL"}


def test_running_the_bot_loads_neither_the_emulator_nor_the_demo_nor_aiohttp_nor_the_document_libraries() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert "bot.app" in loaded and "handlers.registration" in loaded, "the probe loaded the bot"
    leaked = [
        name
        for name in loaded
        if name.split(".")[0] in {"botapi_standin", "demo", "aiohttp", "playwright", *FILE_WORKER_ONLY}
    ]
    assert leaked == []


def test_the_demo_command_is_listed_and_a_missing_token_points_to_it() -> None:
    usage = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "demo" in usage
    env = {"PATH": "/usr/bin:/bin"}
    refused = subprocess.run([sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    assert refused.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in refused.stderr and "python -m bot demo" in refused.stderr
