"""FloodLimiter keeps every rolling second under the flood limit, pauses on 429 and retries.

Timing is only asserted as lower bounds (a throttled run cannot be faster than the floor) or as
generous upper bounds far from what a throttled run would need; everything else is counts and
order, so a loaded machine cannot make these fail.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter, ExtBot

from bot.rate_limit import FloodLimiter, chat_key, group_key, is_limited_method, retry_after_seconds
from botapi_standin import BotApiStandin

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
# A wide margin for the stand-in runs: client and server share one event loop, and on a busy
# machine a request can reach the server tens of milliseconds after the limiter stamped it.
LOADED_MACHINE_MARGIN = 0.25


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(bot_username="shm_test_bot", rate_limit_per_second=30) as server:
        yield server


def ext_bot(standin: BotApiStandin, limiter: BaseRateLimiter[Any]) -> ExtBot[Any]:
    return ExtBot(token=TOKEN, base_url=standin.base_url, rate_limiter=limiter)


def most_in_rolling_window(times: list[float], period: float = 1.0) -> int:
    """The largest number of times in any window (t - period, t], as the stand-in counts."""
    ordered = sorted(times)
    return max((i + 1 - bisect.bisect_right(ordered, t - period) for i, t in enumerate(ordered)), default=0)


# ------------------------------------------------------------------ against the stand-in


async def test_fan_out_stays_under_the_limit(standin: BotApiStandin) -> None:
    users = [standin.user(2000 + i) for i in range(90)]
    limiter = FloodLimiter(overall_max_rate=30, margin=LOADED_MACHINE_MARGIN)
    async with ext_bot(standin, limiter) as bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(user.id, f"pesan {i}") for i, user in enumerate(users)))
        elapsed = time.monotonic() - started

    assert [len(user.messages) for user in users] == [1] * 90
    assert standin.rate_limited_count == 0
    sends = standin.calls_to("sendMessage")
    assert len(sends) == 90 and all(call.status == 200 for call in sends)
    assert most_in_rolling_window([call.received_at for call in sends]) <= 30
    # 30 go at once, the next 30 a full period later, the last 30 another period later.
    assert elapsed >= 2.0


async def test_control_aioratelimiter_bursts_into_flood_control(standin: BotApiStandin) -> None:
    """PTB's leaky bucket sends ~60 in the first second, so the strict stand-in refuses some."""
    users = [standin.user(3000 + i) for i in range(90)]
    async with ext_bot(standin, AIORateLimiter(max_retries=0)) as bot:
        outcomes = await asyncio.gather(*(bot.send_message(user.id, "x") for user in users), return_exceptions=True)
    refused = [o for o in outcomes if isinstance(o, RetryAfter)]
    assert refused, "AIORateLimiter should have exceeded 30 sends in a rolling second"
    assert standin.rate_limited_count == len(refused)


async def test_injected_429_is_waited_out_and_retried(standin: BotApiStandin) -> None:
    user = standin.user(4001)
    standin.fail_next("sendMessage", status=429, retry_after=1)
    async with ext_bot(standin, FloodLimiter(max_retries=3)) as bot:
        await bot.send_message(user.id, "sekali saja")

    assert [m.plain_text for m in user.messages] == ["sekali saja"]
    refused, accepted = standin.calls_to("sendMessage")
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.received_at - refused.received_at >= 1.0


async def test_retries_exhausted_reraise(standin: BotApiStandin) -> None:
    user = standin.user(4002)
    standin.fail_next("sendMessage", status=429, retry_after=1, times=2)
    async with ext_bot(standin, FloodLimiter(max_retries=1)) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(user.id, "tidak sampai")
    assert retry_after_seconds(caught.value) == 1.0
    assert [call.status for call in standin.calls_to("sendMessage")] == [429, 429]
    assert user.messages == []


async def test_other_endpoints_are_not_throttled(standin: BotApiStandin) -> None:
    user = standin.user(4003)
    # One send per second: were getMe or sendChatAction throttled, 130 calls would need > 2 min.
    limiter = FloodLimiter(overall_max_rate=1)
    async with ext_bot(standin, limiter) as bot:
        async with asyncio.timeout(30):
            await asyncio.gather(
                *(bot.get_me() for _ in range(100)), *(bot.send_chat_action(user.id, "typing") for _ in range(30))
            )
        assert limiter.in_window == 0
        await bot.send_message(user.id, "halo")
        assert limiter.in_window == 1
    assert len(standin.calls_to("getMe")) >= 100
    assert len(user.chat_actions) == 30


class _RecordingLimiter(FloodLimiter):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, Any]] = []

    async def process_request(
        self,
        callback: Any,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        self.seen.append((endpoint, data.get("chat_id")))
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


async def test_ptb_passes_bot_api_method_names(standin: BotApiStandin) -> None:
    user = standin.user(4004)
    limiter = _RecordingLimiter()
    async with ext_bot(standin, limiter) as bot:
        message = await bot.send_message(user.id, "satu")
        await bot.edit_message_text("dua", chat_id=user.id, message_id=message.message_id)
        await bot.send_chat_action(user.id, "typing")
    assert ("sendMessage", user.id) in limiter.seen
    assert ("editMessageText", user.id) in limiter.seen
    assert ("sendChatAction", user.id) in limiter.seen
    assert ("getMe", None) in limiter.seen


# ------------------------------------------------------------------ the limiter alone


def test_which_methods_and_chats_are_limited() -> None:
    for method in (
        "sendMessage",
        "sendPhoto",
        "editMessageText",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "sendMediaGroup",
    ):
        assert is_limited_method(method), method
    for method in ("sendChatAction", "getUpdates", "getMe", "answerCallbackQuery", "setMyCommands", "deleteMessage"):
        assert not is_limited_method(method), method
    assert group_key(-100123) == -100123
    assert group_key("-100123") == -100123
    assert group_key("@kanal") == "@kanal"
    assert group_key(42) is None and group_key("42") is None and group_key(None) is None
    assert chat_key(42) == chat_key("42") == 42 and chat_key("@kanal") == "@kanal"
    assert chat_key(None) is None and chat_key("") is None and chat_key(True) is None


async def _limited(
    limiter: FloodLimiter,
    callback: Any,
    chat_id: int | str = 1,
    endpoint: str = "sendMessage",
    rate_limit_args: int | None = None,
) -> Any:
    return await limiter.process_request(callback, (), {}, endpoint, {"chat_id": chat_id}, rate_limit_args)


def _recorder(events: list[tuple[str, float]], name: str, refusals: int = 0) -> Any:
    """A send that records when it reached Telegram and is refused the first `refusals` times."""
    loop = asyncio.get_running_loop()
    calls = 0

    async def callback() -> bool:
        nonlocal calls
        calls += 1
        events.append((name, loop.time()))
        if calls <= refusals:
            raise RetryAfter(1)
        return True

    return callback


async def _started(events: list[tuple[str, float]], count: int) -> None:
    while len(events) < count:
        await asyncio.sleep(0)


async def test_a_429_for_one_chat_holds_that_chat_only() -> None:
    limiter = FloodLimiter(margin=0.0)
    events: list[tuple[str, float]] = []
    refused = asyncio.create_task(_limited(limiter, _recorder(events, "a", refusals=1), chat_id=1))
    await _started(events, 1)
    refused_at = events[0][1]
    # The same chat as a string is the same chat: held too.
    same_chat = asyncio.create_task(_limited(limiter, _recorder(events, "a again"), chat_id="1"))
    # Another chat, and a method that is no message, go at once.
    assert await _limited(limiter, _recorder(events, "b"), chat_id=2)
    assert await _limited(limiter, _recorder(events, "getMe"), endpoint="getMe")
    assert [name for name, _ in events] == ["a", "b", "getMe"]
    assert await refused and await same_chat
    later = {name: at for name, at in events[3:]}
    assert sorted(later) == ["a", "a again"]
    assert all(at >= refused_at + 1.0 for at in later.values())


async def test_429s_for_two_chats_hold_every_send() -> None:
    limiter = FloodLimiter(margin=0.0)
    events: list[tuple[str, float]] = []
    first = asyncio.create_task(_limited(limiter, _recorder(events, "a", refusals=1), chat_id=1))
    await _started(events, 1)
    second = asyncio.create_task(_limited(limiter, _recorder(events, "b", refusals=1), chat_id=2))
    await _started(events, 2)
    # Two chats refused within a second: the bot-wide limit, so a third chat waits too.
    third = asyncio.create_task(_limited(limiter, _recorder(events, "c"), chat_id=3))
    assert await first and await second and await third
    second_refused_at = events[1][1]
    assert [name for name, _ in events[:2]] == ["a", "b"]
    assert sorted(name for name, _ in events[2:]) == ["a", "b", "c"]
    assert all(at >= second_refused_at + 1.0 for _, at in events[2:])


async def test_a_429_for_a_send_without_a_chat_holds_every_send() -> None:
    limiter = FloodLimiter(margin=0.0)
    events: list[tuple[str, float]] = []
    refused = _recorder(events, "inline edit", refusals=1)
    # An inline message's edit names no chat_id.
    first = asyncio.create_task(limiter.process_request(refused, (), {}, "editMessageText", {}, None))
    await _started(events, 1)
    other = asyncio.create_task(_limited(limiter, _recorder(events, "b"), chat_id=2))
    assert await first and await other
    assert sorted(name for name, _ in events[1:]) == ["b", "inline edit"]
    assert all(at >= events[0][1] + 1.0 for _, at in events[1:])


async def test_a_chat_refused_twice_is_still_held_alone() -> None:
    limiter = FloodLimiter(margin=0.0)
    events: list[tuple[str, float]] = []
    refused = asyncio.create_task(_limited(limiter, _recorder(events, "a", refusals=2), chat_id=1))
    await _started(events, 2)
    # One chat refused twice is that chat's own limit: another chat is not held while it waits again.
    assert await _limited(limiter, _recorder(events, "b"), chat_id=2)
    assert await refused
    assert [name for name, _ in events] == ["a", "a", "b", "a"]
    assert events[3][1] - events[1][1] >= 1.0


async def test_max_retries_and_per_call_override() -> None:
    limiter = FloodLimiter(margin=0.0, max_retries=2)
    calls = 0

    async def always_refused() -> bool:
        nonlocal calls
        calls += 1
        raise RetryAfter(0)

    for rate_limit_args, expected_calls in ((None, 3), (0, 1), (1, 2)):
        calls = 0
        with pytest.raises(RetryAfter):
            await _limited(limiter, always_refused, rate_limit_args=rate_limit_args)
        assert calls == expected_calls


async def test_group_limit_is_per_chat_and_does_not_block_others() -> None:
    loop = asyncio.get_running_loop()
    limiter = FloodLimiter(margin=0.0, group_max_rate=3, group_period=0.5)
    order: list[tuple[int | str, float]] = []

    def recorder(chat: int | str) -> Any:
        async def callback() -> bool:
            order.append((chat, loop.time()))
            return True

        return callback

    group_sends = [asyncio.create_task(_limited(limiter, recorder(-100), chat_id=-100)) for _ in range(7)]
    await asyncio.sleep(0)
    private = asyncio.create_task(_limited(limiter, recorder(5), chat_id=5))
    other_group = asyncio.create_task(_limited(limiter, recorder("@lain"), chat_id="@lain"))
    await asyncio.gather(*group_sends, private, other_group)

    chats = [chat for chat, _ in order]
    # The private chat and the other group overtake the fourth message to the busy group.
    fourth_to_busy_group = [i for i, chat in enumerate(chats) if chat == -100][3]
    assert chats.index(5) < fourth_to_busy_group and chats.index("@lain") < fourth_to_busy_group
    group_times = [at for chat, at in order if chat == -100]
    assert len(group_times) == 7
    # Allow for the microseconds between the limiter's stamp and the callback running.
    assert all(later - earlier >= 0.5 - 1e-3 for earlier, later in zip(group_times, group_times[3:], strict=False))


async def test_overall_window_allows_a_burst_then_waits_for_the_oldest() -> None:
    loop = asyncio.get_running_loop()
    limiter = FloodLimiter(overall_max_rate=5, period=0.3, margin=0.0)
    times: list[float] = []

    async def callback() -> bool:
        times.append(loop.time())
        return True

    await asyncio.gather(*(_limited(limiter, callback, chat_id=i + 1) for i in range(12)))
    assert len(times) == 12
    assert all(later - earlier >= 0.3 - 1e-3 for earlier, later in zip(times, times[5:], strict=False))
    assert limiter.in_window <= 5


async def test_a_flooding_chat_cannot_take_a_bystanders_slot_while_the_window_is_busy() -> None:
    limiter = FloodLimiter(overall_max_rate=30, margin=0.0, busy_at=15, chat_share=3)
    events: list[tuple[str, float]] = []
    # Fifteen other chats' answers: the window is busy.
    await asyncio.gather(*(_limited(limiter, _recorder(events, "other"), chat_id=100 + i) for i in range(15)))
    # One chat's eight answers queue first, a bystander's one after them; the window still has 15 free slots.
    flood = [asyncio.create_task(_limited(limiter, _recorder(events, "flooder"), chat_id=1)) for _ in range(8)]
    await asyncio.sleep(0)
    bystander = asyncio.create_task(_limited(limiter, _recorder(events, "bystander"), chat_id=2))
    assert await bystander and all(await asyncio.gather(*flood))

    names = [name for name, _ in events]
    assert names[:15] == ["other"] * 15
    # The flooder starts its share (3), then the bystander goes first: first come, first served,
    # it would have waited behind all eight.
    assert names[15:19] == ["flooder"] * 3 + ["bystander"], names
    assert names.count("flooder") == 8
    # The rest waited for the busy window to empty, a period after the first sends.
    rest = [at for name, at in events[19:]]
    assert len(rest) == 5 and all(at >= events[0][1] + 1.0 - 1e-3 for at in rest)
    assert most_in_rolling_window([at for _, at in events]) <= 30


async def test_an_idle_bot_lets_one_chat_burst_until_the_window_is_busy() -> None:
    limiter = FloodLimiter(overall_max_rate=30, margin=0.0, busy_at=15, chat_share=3)
    loop = asyncio.get_running_loop()
    events: list[tuple[str, float]] = []
    started = loop.time()
    burst = [asyncio.create_task(_limited(limiter, _recorder(events, "burst"), chat_id=1)) for _ in range(20)]
    await asyncio.sleep(0)
    other = asyncio.create_task(_limited(limiter, _recorder(events, "other"), chat_id=2))
    assert await other and all(await asyncio.gather(*burst))

    names = [name for name, _ in events]
    # Nothing else to send: a long answer in 15 parts goes at once, far sooner than a period.
    assert names[:15] == ["burst"] * 15
    assert events[14][1] - started < 0.5
    # Then the window is busy: the other chat goes before the burst's sixteenth part.
    assert names[15] == "other", names
    assert names.count("burst") == 20
    assert all(at >= started + 1.0 - 1e-3 for _, at in events[16:])


async def test_no_share_without_chat_share() -> None:
    """chat_share=0 is first come, first served: the bystander waits behind every queued send."""
    limiter = FloodLimiter(overall_max_rate=30, margin=0.0, chat_share=0)
    events: list[tuple[str, float]] = []
    burst = [asyncio.create_task(_limited(limiter, _recorder(events, "burst"), chat_id=1)) for _ in range(20)]
    await asyncio.sleep(0)
    other = asyncio.create_task(_limited(limiter, _recorder(events, "other"), chat_id=2))
    assert await other and all(await asyncio.gather(*burst))
    assert [name for name, _ in events] == ["burst"] * 20 + ["other"]
