"""The steps of every conversation, which module owns each, and who reads what is typed.

A person is at one step at a time (`Conversation.step`): a registration step, or a staff
command's (the text of an announcement, the reason for a roster change). Each module claims the
steps it owns, with `text_step` for a step answered by typing and `button_steps` for those
answered with buttons, so a typed message reaches the module that asked for it and the shell
(`handlers.shell`) knows how to ask a step again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from handlers.common import Turn, conversation_turn, sent_message, sent_text

TypedStepReader = Callable[[Turn, str], Awaitable[None]]
StepPrompt = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class _Owner:
    # None at a step answered with buttons: what is typed there is pointed to the buttons.
    read: TypedStepReader | None
    # Asks the step again. Only steps holding a draft worth keeping (a registration typed in over
    # several messages) have it: a staff command must not overwrite such a draft with its own step.
    ask_again: StepPrompt | None


_STEPS: dict[str, _Owner] = {}
# Steps that read a phone number also take it from a shared contact (Telegram's "share my number").
_CONTACT_READERS: dict[str, TypedStepReader] = {}


def _claim(values: tuple[str, ...], owner: _Owner) -> None:
    for value in values:
        if value in _STEPS:
            raise ValueError(f"step {value!r} is taken")
        _STEPS[value] = owner


def text_step(*values: str, ask_again: StepPrompt | None = None) -> Callable[[TypedStepReader], TypedStepReader]:
    """Route text typed while the conversation is at one of these steps to the decorated reader."""

    def register(reader: TypedStepReader) -> TypedStepReader:
        _claim(values, _Owner(reader, ask_again))
        return reader

    return register


def contact_step(*values: str) -> Callable[[TypedStepReader], TypedStepReader]:
    """Give the phone number of a contact shared at one of these steps to the decorated reader."""

    def register(reader: TypedStepReader) -> TypedStepReader:
        for value in values:
            if value in _CONTACT_READERS:
                raise ValueError(f"step {value!r} takes contacts already")
            _CONTACT_READERS[value] = reader
        return reader

    return register


def button_steps(*values: str, ask_again: StepPrompt | None = None) -> None:
    """Claim steps answered with buttons; what is typed or sent there is answered by pointing to them."""
    _claim(values, _Owner(None, ask_again))


def _owner(turn: Turn) -> _Owner | None:
    return _STEPS.get(turn.conversation.step or "")


def holds_draft(turn: Turn) -> bool:
    """Whether the person is at a step of a draft worth coming back to (a registration)."""
    owner = _owner(turn)
    return owner is not None and owner.ask_again is not None


def expects_buttons(turn: Turn) -> bool:
    """Whether the person's current step is answered with buttons."""
    owner = _owner(turn)
    return owner is not None and owner.read is None


async def ask_again(turn: Turn) -> None:
    """Ask the current step again, if it belongs to a draft; other steps are not repeated."""
    owner = _owner(turn)
    if owner is not None and owner.ask_again is not None:
        await owner.ask_again(turn)


async def keeps_draft(turn: Turn) -> bool:
    """Whether a draft is in progress that a new step would wipe; if so, say so and ask its step again.

    Staff commands that start a step of their own check this first: a PIC half-way through their
    own registration finishes it, or leaves it with /cancel, before the command starts.
    """
    if not holds_draft(turn):
        return False
    turn.say("finish_draft_first")
    await ask_again(turn)
    return True


@conversation_turn
async def on_text(update: Update, turn: Turn) -> None:
    """Text typed by the person: the answer to the step they are at, or a hint when at none."""
    owner = _owner(turn)
    if owner is None:
        turn.say("idle_hint")
    elif owner.read is None:
        turn.say("use_buttons")
        await ask_again(turn)
    else:
        await owner.read(turn, sent_text(update))


@conversation_turn
async def on_contact(update: Update, turn: Turn) -> None:
    """A shared contact: the phone number, when the current step asks for one."""
    reader = _CONTACT_READERS.get(turn.conversation.step or "")
    if reader is None:
        turn.say("contact_not_expected")
        await ask_again(turn)
        return
    contact = sent_message(update).contact
    if contact is None:  # the handler's filter lets only contacts through
        return
    await reader(turn, contact.phone_number)


def register_handlers(application: Application) -> None:
    """Add the handlers of typed text (commands excluded) and of shared contacts."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(private & filters.CONTACT, on_contact))
