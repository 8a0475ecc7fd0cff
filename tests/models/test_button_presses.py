"""The press applied last, kept with the conversation so a double tap acts once."""

from __future__ import annotations

from models.conversation import Conversation, closed_by_last_press, remember_press, repeats_last_press


def test_the_same_button_again_repeats_and_any_other_update_ends_the_repeat() -> None:
    conversation = Conversation(telegram_user_id=1, pressed_closed=False)
    assert not repeats_last_press(conversation, 10, "r:1:2", "view-1")
    remember_press(conversation, 10, "r:1:2", "view-1", closed=False)
    assert repeats_last_press(conversation, 10, "r:1:2", "view-1")
    assert not repeats_last_press(conversation, 10, "r:1:3", "view-1")
    assert not repeats_last_press(conversation, 11, "r:1:2", "view-1")
    # The same button on the view the press left (a panel rewritten with it): pressed anew.
    assert not repeats_last_press(conversation, 10, "r:1:2", "view-2")
    assert not closed_by_last_press(conversation, 10)
    remember_press(conversation, None, None, None, closed=False)
    assert not repeats_last_press(conversation, 10, "r:1:2", "view-1")


def test_a_press_that_closed_its_keyboard_covers_that_message_only() -> None:
    conversation = Conversation(telegram_user_id=1, pressed_closed=False)
    remember_press(conversation, 10, "c:1", "view-1", closed=True)
    assert closed_by_last_press(conversation, 10) and not closed_by_last_press(conversation, 11)
    # Whatever the message shows now, its closed keyboard's button is a repeat.
    assert repeats_last_press(conversation, 10, "c:1", "view-2")
    # Button data is at most 64 bytes; longer (forged) data is kept cut, and still matches itself.
    remember_press(conversation, 12, "x" * 80, "view-3", closed=False)
    assert repeats_last_press(conversation, 12, "x" * 80, "view-3") and not closed_by_last_press(conversation, 12)
    # Typed text is no press: nothing is closed by it.
    remember_press(conversation, None, None, None, closed=True)
    assert not closed_by_last_press(conversation, 10)
