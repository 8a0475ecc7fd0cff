"""The file worker builds files in a child process that ends when idle, and survives its death."""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from bot.file_worker import FileWorker
from botapi_standin import WAIT


def _pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _die_once(marker: str) -> int:
    """Kill the worker the first time (leaving `marker`), answer the worker's pid after."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def _loads_matplotlib() -> tuple[bool, bool]:
    import sys

    before = "matplotlib" in sys.modules
    from matplotlib.figure import Figure  # noqa: F401 - loaded for its cost, as the chart does

    return before, "matplotlib" in sys.modules


async def test_work_runs_in_another_process_and_it_ends_when_idle() -> None:
    worker = FileWorker(idle_seconds=0.3)
    pid, square = await worker.run(_pid_and_square, 12)
    assert square == 144 and pid != os.getpid()
    again, _ = await worker.run(_pid_and_square, 3)
    assert again == pid, "a second file reuses the running worker"
    assert worker.running
    # Idle for 0.3 s it stops; a fixed pause of 0.8 s was too short on a loaded machine.
    deadline = asyncio.get_running_loop().time() + WAIT
    while worker.running:
        assert asyncio.get_running_loop().time() < deadline, "the idle worker did not stop"
        await asyncio.sleep(0.05)
    later, _ = await worker.run(_pid_and_square, 2)
    assert later != pid, "after the pause a new worker starts"
    worker.stop()


async def test_the_chart_library_is_loaded_in_the_worker_not_before() -> None:
    worker = FileWorker(idle_seconds=5)
    try:
        before, after = await worker.run(_loads_matplotlib)
    finally:
        worker.stop()
    assert (before, after) == (False, True)


async def test_a_worker_that_dies_is_replaced_once() -> None:
    worker = FileWorker(idle_seconds=5)
    try:
        with pytest.raises(BrokenProcessPool):
            await worker.run(_die)
        pid, square = await worker.run(_pid_and_square, 5)
        assert square == 25 and pid != os.getpid()
    finally:
        worker.stop()


async def test_two_jobs_on_a_worker_that_dies_share_one_replacement(tmp_path) -> None:
    """Both jobs fail with the dead worker; the second to notice must not discard the first one's replacement."""
    worker = FileWorker(idle_seconds=5)
    try:
        # One worker process: the square waits behind the job that kills it.
        retried, (pid, _) = await asyncio.gather(
            worker.run(_die_once, str(tmp_path / "died")), worker.run(_pid_and_square, 4)
        )
    finally:
        worker.stop()
    assert (tmp_path / "died").exists(), "the worker died under both jobs"
    assert pid == retried != os.getpid(), "both retries ran in the one replacement worker"
