"""The typed readers of an update: the pressed button's action, the sender, the new message and its text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from telegram import CallbackQuery, Chat, Contact, Message, Update, User

from handlers import callback_data as cb
from handlers.common import sender, sent_message, sent_text

USER = User(7, "Siti", False)
CHAT = Chat(7, "private")
WHEN = datetime(2026, 7, 1, 9, tzinfo=UTC)


def _message(text: str | None = None, contact: Contact | None = None) -> Message:
    return Message(1, WHEN, CHAT, from_user=USER, text=text, contact=contact)


def _press(data: str | None) -> Update:
    return Update(2, callback_query=CallbackQuery("q", USER, "chat-instance", message=_message(), data=data))


def test_the_pressed_action_is_parsed_and_anything_else_is_none() -> None:
    assert cb.pressed(_press(cb.pack(cb.ChooseRole(3, 4)))) == cb.ChooseRole(3, 4)
    assert cb.pressed(_press("r:3:x")) is None
    assert cb.pressed(_press(None)) is None
    assert cb.pressed(Update(3, message=_message(text="/start"))) is None


def test_a_new_message_gives_its_sender_text_and_contact() -> None:
    contact = Contact("+6281234567890", "Siti", user_id=USER.id)
    assert sender(Update(4, message=_message(text="Siti Rahma"))) == USER
    assert sent_text(Update(4, message=_message(text="Siti Rahma"))) == "Siti Rahma"
    assert sent_message(Update(5, message=_message(contact=contact))).contact == contact


def test_an_update_without_the_part_a_handler_reads_is_refused_by_name() -> None:
    # An edited message matches filters.TEXT too, but is not a new message.
    edited = Update(6, edited_message=_message(text="Siti"))
    with pytest.raises(ValueError, match="update 6 carries no new message"):
        sent_text(edited)
    with pytest.raises(ValueError, match="update 7 carries no text"):
        sent_text(Update(7, message=_message(contact=Contact("+6281234567890", "Siti"))))
    with pytest.raises(ValueError, match="update 8 has no sender"):
        sender(Update(8))
