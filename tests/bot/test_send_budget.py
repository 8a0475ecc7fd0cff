"""Two processes' limiters on one send budget start no more than 30 sends in any rolling second together."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.rate_limit import FloodLimiter
from bot.send_budget import SharedSendBudget
from models.coordination import SendBudget
from tests.bot.test_rate_limit import most_in_rolling_window


async def test_two_limiters_on_one_budget_share_thirty_a_second(sessions: async_sessionmaker[AsyncSession]) -> None:
    started: list[float] = []

    async def send(**_: Any) -> bool:
        started.append(time.time())
        return True

    # Two instances: each its own limiter (its own window of 30) and its own view of the one budget row.
    limiters = [FloodLimiter(shared=SharedSendBudget(sessions)) for _ in range(2)]

    async def through(limiter: FloodLimiter, chat_id: int) -> None:
        await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat_id}, None)

    await asyncio.gather(*(through(limiters[n % 2], 5000 + n) for n in range(75)))
    assert len(started) == 75
    assert most_in_rolling_window(started) <= 30


async def test_a_call_that_is_no_message_takes_no_slot(sessions: async_sessionmaker[AsyncSession]) -> None:
    budget = SharedSendBudget(sessions)
    limiter = FloodLimiter(shared=budget)

    async def answer(**_: Any) -> bool:
        return True

    await limiter.process_request(answer, (), {}, "answerCallbackQuery", {"chat_id": 5001}, None)
    await limiter.process_request(answer, (), {}, "getMe", {}, None)
    async with sessions() as session:
        assert await session.get(SendBudget, "telegram") is None
