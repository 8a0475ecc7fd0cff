"""`python -m bot demo` as a newcomer runs it: no token, serves the page, stops cleanly on a signal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

from bot.settings import PROJECT_ROOT


def test_the_demo_command_serves_the_page_without_a_token_and_stops_on_sigterm() -> None:
    env = {key: value for key, value in os.environ.items() if key != "TELEGRAM_BOT_TOKEN"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "demo", "--port", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"open (http://127\.0\.0\.1:\d+/)", first)
        assert url, first + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        with urllib.request.urlopen(url.group(1), timeout=10) as response:
            assert response.status == 200 and b"chat.js" in response.read()
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "stopped" in out
