"""An outside script plays users against `python -m bot` through a standalone stand-in."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from bot.settings import PROJECT_ROOT
from botapi_standin import WAIT
from tests.e2e.conftest import TOKEN


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_play_script_registers_fills_waits_cancels_and_promotes(tmp_path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"{base}/bot",
        "DATABASE_URL": f"sqlite:///{tmp_path}/play.sqlite3",
    }
    standin = subprocess.Popen(
        [sys.executable, "-m", "botapi_standin", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    bot = None
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                urllib.request.urlopen(f"{base}/_standin/errors", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline and standin.poll() is None, "the stand-in did not start"
                time.sleep(0.1)
        bot = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        play = subprocess.run(
            [sys.executable, "scripts/play_registration.py", "--standin", base],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert play.returncode == 0, play.stdout + play.stderr
        assert "seats before: Pemustaka yang terdampak TPBIS · sisa 1/1" in play.stdout
        assert "seats after: Pemustaka yang terdampak TPBIS · penuh (daftar tunggu)" in play.stdout
        assert "all held" in play.stdout
        with urllib.request.urlopen(f"{base}/_standin/errors", timeout=5) as response:
            refused = json.load(response)["result"]
        assert (refused["errors"], refused["warnings"]) == ([], [])
    finally:
        for process in (bot, standin):
            if process is not None:
                process.terminate()
                process.wait(10)
