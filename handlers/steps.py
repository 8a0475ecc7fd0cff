"""Steps that wait for typed text, whichever conversation owns them, and who reads what is typed.

A person is at one step at a time (`Conversation.step`): a registration step, or a staff
command's (the text of an announcement, the reason for a roster change). Each module registers
the steps it owns with `text_step`, so a typed message reaches the module that asked for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from handlers.common import Turn, conversation_turn

TypedStepReader = Callable[[Turn, str], Awaitable[None]]
StepPrompt = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class _Owner:
    read: TypedStepReader
    # Asks the step again. Only steps holding a draft worth keeping (a registration typed in over
    # several messages) have it: a staff command must not overwrite such a draft with its own step.
    ask_again: StepPrompt | None


_STEPS: dict[str, _Owner] = {}


def text_step(*values: str, ask_again: StepPrompt | None = None) -> Callable[[TypedStepReader], TypedStepReader]:
    """Route text typed while the conversation is at one of these steps to the decorated reader."""

    def register(reader: TypedStepReader) -> TypedStepReader:
        for value in values:
            if value in _STEPS:
                raise ValueError(f"step {value!r} is taken")
            _STEPS[value] = _Owner(reader, ask_again)
        return reader

    return register


async def keeps_draft(turn: Turn) -> bool:
    """Whether a draft is in progress that a new step would wipe; if so, say so and ask its step again.

    Staff commands that start a step of their own check this first: a PIC half-way through their
    own registration finishes it, or leaves it with /cancel, before the command starts.
    """
    owner = _STEPS.get(turn.conversation.step or "")
    if owner is None or owner.ask_again is None:
        return False
    turn.say("finish_draft_first")
    await owner.ask_again(turn)
    return True


@conversation_turn
async def on_text(update: Update, turn: Turn) -> None:
    """Text typed by the person: the answer to the step they are at, or a hint when at none."""
    owner = _STEPS.get(turn.conversation.step or "")
    if owner is None:
        turn.say("idle_hint")
        return
    await owner.read(turn, update.message.text)


def register_handlers(application: Application) -> None:
    """Add the handler of typed text (commands excluded)."""
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_text))
