"""What a program file may cost before it is refused, and the changes that need a confirmation."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from bot.settings import DEFAULT_PROGRAM_FILE
from models.program_file import (
    MAX_MEETINGS,
    MAX_PROGRAM_BYTES,
    HiddenMeeting,
    ProgramFileError,
    _BoundedLoader,
    _PythonBoundedLoader,
    parse_program,
    program_risks,
    read_program_bytes,
)
from models.registration import RegistrationStatus
from tests.models.factories import seat

SHIPPED = DEFAULT_PROGRAM_FILE.read_text(encoding="utf-8")
BENGKULU = "shm23-bengkulu"
# One meeting of the shipped file, to repeat under new codes.
MEETING = (
    "  - code" + SHIPPED[SHIPPED.index("  - code: shm23-bengkulu") :].split("\n  - code")[0].split("  - code", 1)[1]
)
LOADERS = pytest.mark.parametrize("loader", [_BoundedLoader, _PythonBoundedLoader], ids=lambda c: c.__name__)


def with_meetings(count: int) -> str:
    """The shipped file followed by `count` more meetings like Bengkulu's."""
    return SHIPPED + "".join("\n" + MEETING.replace(BENGKULU, f"extra-{n}") for n in range(count))


def refusal(source: str, loader: type = _BoundedLoader) -> ProgramFileError:
    with pytest.raises(ProgramFileError) as raised:
        parse_program(source, "program.yaml", loader_class=loader)
    return raised.value


@LOADERS
@pytest.mark.parametrize(
    "source",
    [
        "meetings: " + "[" * 3000 + "]" * 3000,
        "program: " + "{a: " * 3000 + "x" + "}" * 3000,
        "meetings:\n" + "".join(" " * i + "-\n" for i in range(600)),
    ],
    ids=["flow-lists", "flow-mappings", "block-lists"],
)
def test_deep_nesting_is_a_file_line_problem_not_a_recursion_error(source, loader) -> None:
    error = refusal(source, loader)
    assert str(error).startswith("program.yaml:") and "not valid YAML" in str(error), str(error)
    assert "nest" in str(error)


def test_nesting_as_deep_as_the_bound_allows_is_read() -> None:
    # 20 levels: the file reads and is refused only for what it lacks.
    assert "roles" in str(refusal("alerts: " + "[" * 19 + "]" * 19))


@LOADERS
def test_an_alias_bomb_stops_at_the_first_alias_past_the_bound(loader) -> None:
    anchored = SHIPPED.replace("  - code: shm23-bengkulu", "  - &m\n    code: shm23-bengkulu")
    source = anchored + "  - *m\n" * 30_000
    assert len(source.encode()) <= MAX_PROGRAM_BYTES
    error = refusal(source, loader)
    assert "an alias counts all it repeats" in str(error)
    # Stopped well before the end of the file: the work done is bounded, not the file's.
    assert error.problems[0].line < source.count("\n") // 2


def test_nested_aliases_count_everything_they_repeat() -> None:
    laughs = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n" for previous, name in zip("abcd", "bcde", strict=True)
    )
    assert "an alias counts all it repeats" in str(refusal(laughs))


def test_a_few_aliases_are_read_as_what_they_repeat() -> None:
    source = SHIPPED.replace("roles:\n", "x-seats: &seats {stakeholder: 20}\nroles:\n", 1)
    assert "x-seats: unknown field" in str(refusal(source))


def test_the_largest_program_allowed_is_accepted_and_one_more_meeting_is_refused() -> None:
    extra = MAX_MEETINGS - 38
    assert len(parse_program(with_meetings(extra)).meetings) == MAX_MEETINGS
    error = refusal(with_meetings(extra + 1))
    assert [(p.field, p.message) for p in error.problems] == [
        ("meetings", f"more than {MAX_MEETINGS} meetings ({MAX_MEETINGS + 1})")
    ]


def test_a_file_larger_than_the_bound_is_refused_unread() -> None:
    data = (SHIPPED + "#" * MAX_PROGRAM_BYTES).encode()
    with pytest.raises(ProgramFileError) as raised:
        read_program_bytes(data, "big.yaml")
    assert str(raised.value) == f"big.yaml:1: (file): larger than {MAX_PROGRAM_BYTES // 1024} KB"


def test_a_refusal_crosses_to_the_bot_from_the_file_worker() -> None:
    error = refusal("meetings: " + "[" * 3000 + "]" * 3000)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.problems, str(copy)) == (error.path, error.problems, str(error))


def _without_meetings() -> str:
    return SHIPPED[: SHIPPED.index("\nmeetings:")] + "\nmeetings: []\n"


async def test_hiding_meetings_with_registrations_is_a_risk_and_empty_meetings_are_not(program, sessions) -> None:
    async with sessions() as s, s.begin():
        await seat(s, BENGKULU, "stakeholder", 1)
        cancelled = await seat(s, "shm23-aceh", "stakeholder", 2)
        cancelled.status = RegistrationStatus.CANCELLED
    async with sessions() as s:
        risks = await program_risks(s, parse_program(_without_meetings()))
        unchanged = await program_risks(s, parse_program(SHIPPED))
    assert risks.hidden == (HiddenMeeting(BENGKULU, 1),) and risks.moved == ()
    assert not unchanged


async def test_moving_a_seated_meeting_is_a_risk_and_a_first_date_or_new_time_is_not(program, sessions) -> None:
    async with sessions() as s, s.begin():
        await seat(s, BENGKULU, "stakeholder", 1)
        await seat(s, "shm23-aceh", "stakeholder", 2)
    moved = SHIPPED.replace("date: 2023-07-26", "date: 2023-07-28", 1)
    later = SHIPPED.replace("city: Bengkulu\n", 'city: Bengkulu\n    start_time: "10:00"\n', 1)
    aceh_block = SHIPPED[SHIPPED.index("  - code: shm23-aceh") :].split("\n  - code")[0]
    first_date = SHIPPED.replace(aceh_block, aceh_block.replace("date: menyusul", "date: 2023-08-09"))
    assert aceh_block != first_date and "date: menyusul" in aceh_block
    to_be_announced = SHIPPED.replace("date: 2023-07-26", "date: menyusul", 1)
    async with sessions() as s:
        risks = await program_risks(s, parse_program(moved))
        assert [(m.code, m.previous_start.date(), m.new_start.date(), m.seated) for m in risks.moved] == [
            (BENGKULU, date(2023, 7, 26), date(2023, 7, 28), 1)
        ]
        assert not await program_risks(s, parse_program(later))
        assert not await program_risks(s, parse_program(first_date))
        back = await program_risks(s, parse_program(to_be_announced))
        assert [(m.code, m.new_start) for m in back.moved] == [(BENGKULU, None)]
