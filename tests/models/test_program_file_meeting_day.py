"""The program file's meeting-day sections: committee, certificate, evaluation, online meetings."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.meeting_day_settings import DEFAULT_CERTIFICATE_TITLE, DEFAULT_COMMITTEE_TITLE
from models.program import Meeting, Program
from models.program_file import ProgramFileError, apply_program, parse_program
from tests.models.factories import T0
from tests.models.test_program_file import SMALL

DAY = (
    SMALL.replace("    venue: Hotel A\n", "    venue: Hotel A\n    online: https://zoom.example/j/123\n")
    + """\
committee:
  name: Dra. Siti Aminah, M.Si.
  title: Ketua Panitia Daerah
certificate:
  title: E-SERTIFIKAT
  role_text: "sebagai {role} pada"
certificate_after_evaluation: true
evaluation:
  questions:
    - {code: materi, text: Materi bermanfaat, text_en: The material was useful}
    - {code: narasumber, text: Narasumber menguasai materi}
  comment_prompt: Saran Anda?
"""
)


def test_sections_are_read_with_defaults_for_what_they_leave_out() -> None:
    day = parse_program(DAY).meeting_day
    assert day.committee.name == "Dra. Siti Aminah, M.Si." and day.committee.title == "Ketua Panitia Daerah"
    assert day.certificate.title == "E-SERTIFIKAT" and day.certificate.role_text == "sebagai {role} pada"
    assert day.certificate.after_evaluation is True
    # No signer of its own: the committee's head signs.
    assert day.certificate.signer(day.committee) == ("Dra. Siti Aminah, M.Si.", "Ketua Panitia Daerah")
    assert [q.code for q in day.evaluation.questions] == ["materi", "narasumber"]
    assert day.evaluation.questions[0].text_for("en") == "The material was useful"
    assert day.evaluation.questions[1].text_for("en") == "Narasumber menguasai materi"
    assert day.evaluation.comment and day.evaluation.comment_prompt == "Saran Anda?"


def test_a_file_without_them_gets_the_defaults_and_no_evaluation() -> None:
    day = parse_program(SMALL).meeting_day
    assert day.committee.name is None and day.committee.title == DEFAULT_COMMITTEE_TITLE
    assert day.certificate.title == DEFAULT_CERTIFICATE_TITLE and not day.certificate.after_evaluation
    assert not day.evaluation


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (("code: demo-bali", "code: hadir-bali"), "meetings[0].code", "may not begin with"),
        (("code: demo-bali", "code: PIC-bali"), "meetings[0].code", "may not begin with"),
        (("online: https://zoom.example/j/123", "online: zoom dot com"), "meetings[0].online", "does not match"),
        (('role_text: "sebagai {role} pada"', 'role_text: "{name} {role}"'), "certificate.role_text", "{role} once"),
        (
            ("certificate_after_evaluation: true", "certificate_after_evaluation: maybe"),
            "(file).certificate_after_evaluation",
            "true or false",
        ),
        (("- {code: narasumber,", "- {code: materi,"), "evaluation.questions[1].code", "appears twice"),
        (
            ("comment_prompt: Saran Anda?", "comment_prompt: Saran Anda?\n  colour: red"),
            "evaluation.colour",
            "unknown field",
        ),
    ],
)
def test_mistakes_name_their_field(edit: tuple[str, str], field: str, words: str) -> None:
    with pytest.raises(ProgramFileError) as raised:
        parse_program(DAY.replace(*edit))
    assert any(p.field == field and words in p.message for p in raised.value.problems), raised.value


def test_certificate_after_evaluation_needs_an_evaluation() -> None:
    without = DAY[: DAY.index("evaluation:\n  questions")]
    with pytest.raises(ProgramFileError) as raised:
        parse_program(without)
    assert [p.field for p in raised.value.problems] == ["(file).certificate_after_evaluation"]


async def test_loading_stores_them_on_the_program_and_meeting(sessions) -> None:
    async with sessions() as session, session.begin():
        await apply_program(session, parse_program(DAY), now=T0)
    async with sessions() as session:
        program = await session.scalar(select(Program))
        assert program is not None
        assert program.meeting_day == parse_program(DAY).meeting_day
        bali = await session.scalar(select(Meeting).where(Meeting.code == "demo-bali"))
        assert bali is not None and bali.online_url == "https://zoom.example/j/123"
    # Taken out of the file again: back to the defaults, and the meeting no longer online.
    async with sessions() as session, session.begin():
        await apply_program(session, parse_program(SMALL), now=T0)
    async with sessions() as session:
        program = await session.scalar(select(Program))
        assert program is not None and not program.meeting_day.evaluation
        bali = await session.scalar(select(Meeting).where(Meeting.code == "demo-bali"))
        assert bali is not None and bali.online_url is None
