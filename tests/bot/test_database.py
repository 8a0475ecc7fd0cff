"""The database layer keeps personal data out of error messages."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from models.participant import Participant
from tests.models.factories import T0


async def test_a_failed_statement_does_not_show_what_people_typed(sessions) -> None:
    details = {
        "telegram_user_id": 1,
        "chat_id": 1,
        "full_name": "Siti Rahma",
        "institution": "Dinas",
        "position": "Kepala",
        "phone_e164": "+6281234567890",
        "created_at": T0,
        "updated_at": T0,
    }
    with pytest.raises(IntegrityError) as raised:
        async with sessions() as s, s.begin():
            s.add_all([Participant(**details), Participant(**details)])
    assert "Siti Rahma" not in str(raised.value) and "+6281234567890" not in str(raised.value)
