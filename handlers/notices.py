"""Telling people about changes to their seat that someone else's action caused."""

from __future__ import annotations

from handlers.common import Turn
from handlers.formatting import registration_details
from handlers.texts import Texts
from models.conversation import DEFAULT_LANGUAGE, Conversation
from models.registration import Cancellation


async def announce_promotion(turn: Turn, cancellation: Cancellation) -> None:
    """Tell the person who took a freed seat, in their own language."""
    promoted = cancellation.promoted
    if promoted is None:
        return
    participant = promoted.participant
    conversation = await turn.session.get(Conversation, participant.telegram_user_id)
    language = conversation.language if conversation else DEFAULT_LANGUAGE
    details = registration_details(promoted.meeting, promoted.role.name, Texts(language))
    turn.tell(participant.chat_id, language, "promoted", **details)
