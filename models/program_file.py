"""The program file: a YAML description of a program's roles and meetings, and its loading.

The file is validated completely before anything is written, and every problem names the file,
the line and the field. Loading is idempotent: meetings are matched by their code, so an edited
file moves a meeting's date or venue and leaves its registrations alone; a meeting missing from
the file is unlisted (hidden from newcomers), never deleted.

What a file may cost is bounded before it is refused: its size, its nesting, the values it expands to
(an alias counts as everything it repeats) and its number of meetings. Reading stops at the first
bound crossed, so a hostile file costs no more than the largest file that would be accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import yaml
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.alert_rules import AlertRules
from models.free_text import clean_line
from models.meeting_day_settings import (
    MAX_QUESTIONS,
    MEETING_DAY_PREFIXES,
    CertificateSettings,
    Committee,
    EvaluationForm,
    MeetingDay,
    Question,
)
from models.program import Meeting, Program, Role, RoleQuota
from models.provinces import PROVINCES
from models.registration import TAKES_A_SEAT, Registration, RegistrationStatus
from models.reminder_plan import ReminderPlan, parse_duration
from models.schedule_changes import meeting_changed
from models.seats import lock_quota, seat_waiting
from models.staff import INVITE_PREFIX

T = TypeVar("T")

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ROLE_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
QUESTION_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
ONLINE_URL_PATTERN = re.compile(r"^https?://[^\s<>\"']+$")
# Deep-link payloads the bot itself opens: a meeting code starting so would open them, not the meeting.
RESERVED_PREFIXES = (INVITE_PREFIX, *MEETING_DAY_PREFIXES)
TO_BE_ANNOUNCED = {"", "tba", "menyusul", "jadwal menyusul", "~", "null"}

# The shipped program is 8 KB, 38 meetings, nesting 5 deep and about 500 values; a program of every
# kabupaten/kota (514) fits well within these.
MAX_PROGRAM_BYTES = 256 * 1024
MAX_MEETINGS = 1000
MAX_DEPTH = 20
MAX_VALUES = 100_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a program file."""

    line: int
    field: str
    message: str


class ProgramFileError(ValueError):
    """A program file that cannot be loaded; nothing was changed."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}:{p.line}: {p.field}: {p.message}" for p in problems))

    def __reduce__(self) -> tuple[type[ProgramFileError], tuple[str, list[Problem]]]:
        # Files are read in the file worker: the error crosses back to the bot pickled.
        return (ProgramFileError, (self.path, self.problems))


@dataclass(frozen=True)
class HiddenMeeting:
    """A listed meeting the file leaves out, and the registrations it holds."""

    code: str
    registrations: int


@dataclass(frozen=True)
class MovedMeeting:
    """A meeting whose date the file changes (new None: to be announced), its seated people; in local time."""

    code: str
    previous_start: datetime
    new_start: datetime | None
    seated: int


@dataclass(frozen=True)
class ProgramRisks:
    """What a file would do to people already registered; any of it is applied only once confirmed."""

    hidden: tuple[HiddenMeeting, ...] = ()
    moved: tuple[MovedMeeting, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.hidden or self.moved)


class _TooCostly(yaml.composer.ComposerError):
    """A file that crossed one of the bounds while it was being read."""


class _BoundedComposer(yaml.composer.Composer):
    """PyYAML's composer, counting nesting and values (an alias as all it repeats) and stopping at a bound.

    PyYAML composes recursively: without the depth bound, 3,000 nested brackets are a RecursionError.
    """

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._values = 0
        # What each composed node expands to, counted once when it was composed; an alias adds it again.
        self._expanded: dict[int, int] = {}

    if TYPE_CHECKING:  # given by the parser each loader below mixes in

        def peek_event(self) -> yaml.Event: ...

        def check_event(self, *choices: type[yaml.Event]) -> bool: ...

        def dispose(self) -> None: ...

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # libyaml's marks are a class of their own with the same line and column.
        mark = cast(yaml.Mark, self.peek_event().start_mark)
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._count(self._expanded.get(id(node), 1), mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooCostly(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        before = self._values
        self._count(1, mark)
        node = super().compose_node(parent, index)
        self._expanded[id(node)] = self._values - before
        self._depth -= 1
        return node

    def _count(self, values: int, mark: yaml.Mark) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise _TooCostly(None, None, f"more than {MAX_VALUES} values (an alias counts all it repeats)", mark)


class _PythonBoundedLoader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _BoundedComposer, yaml.resolver.BaseResolver
):
    """PyYAML's own parser feeding the bounded composer; every value a string."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _BoundedComposer.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)


LoaderClass = Callable[[str], _BoundedComposer]
_BoundedLoader: LoaderClass = _PythonBoundedLoader
if yaml.__with_libyaml__:  # else PyYAML was built without libyaml: the same events, parsed in Python
    from yaml._yaml import CParser

    class _LibyamlBoundedLoader(_BoundedComposer, CParser, yaml.resolver.BaseResolver):
        """libyaml's parser (ten times PyYAML's speed) feeding the bounded composer; every value a string."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            yaml.resolver.BaseResolver.__init__(self)

    _BoundedLoader = _LibyamlBoundedLoader


def _compose(source: str, loader_class: LoaderClass | None = None) -> yaml.Node | None:
    """The file's node tree, read within the bounds (a YAMLError past them)."""
    loader = (loader_class or _BoundedLoader)(source)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass(frozen=True)
class RoleSpec:
    code: str
    name: str
    seats: int


@dataclass(frozen=True)
class MeetingSpec:
    code: str
    province_code: str
    city: str
    venue: str | None
    wave: int | None
    starts_at: datetime | None
    ends_at: datetime | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    seats: dict[str, int] = field(default_factory=dict)
    online_url: str | None = None


@dataclass(frozen=True)
class ProgramSpec:
    """A validated program file."""

    code: str
    name: str
    roles: list[RoleSpec]
    meetings: list[MeetingSpec]
    reminder_plan: ReminderPlan = field(default_factory=ReminderPlan)
    alert_rules: AlertRules = field(default_factory=AlertRules)
    meeting_day: MeetingDay = field(default_factory=MeetingDay)


@dataclass
class LoadReport:
    """What loading a program file changed."""

    program_code: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    # People told that their meeting's date or venue changed.
    people_notified: int = 0


class _Reader:
    """Walks the YAML node tree, converting scalars and collecting problems with line numbers."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node, where: str, message: str) -> None:
        self.problems.append(Problem(node.start_mark.line + 1, where, message))

    def mapping(self, node: yaml.Node, where: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, "expected a mapping of key: value")
            return None
        result: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.value in result:
                self.fail(key, f"{where}.{key.value}", "appears twice")
            result[key.value] = value
        return result

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, where, "expected a list")
            return []
        return list(node.value)

    def unknown_keys(self, data: dict[str, yaml.Node], allowed: set[str], where: str) -> None:
        for key in data.keys() - allowed:
            self.fail(data[key], f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def text(
        self,
        data: dict[str, yaml.Node],
        key: str,
        where: str,
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
        max_length: int = 200,
    ) -> str | None:
        node = data.get(key)
        if node is None:
            if required:
                self.problems.append(Problem(self._line_of(data), f"{where}.{key}", "is required"))
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, f"{where}.{key}", "expected a single value")
            return None
        # A double-quoted YAML string can spell a NUL or a tab ("\0", "\t"): cleaned as any stored text.
        value = clean_line(node.value)
        if not value:
            if required:
                self.fail(node, f"{where}.{key}", "is empty")
            return None
        if len(value) > max_length:
            self.fail(node, f"{where}.{key}", f"longer than {max_length} characters")
            return None
        if pattern is not None and not pattern.match(value):
            self.fail(node, f"{where}.{key}", f"{value!r} does not match {pattern.pattern}")
            return None
        return value

    def integer(
        self, data: dict[str, yaml.Node], key: str, where: str, *, required: bool, minimum: int, maximum: int
    ) -> int | None:
        raw = self.text(data, key, where, required=required)
        if raw is None:
            return None
        if not raw.isdigit() or not minimum <= int(raw) <= maximum:
            self.fail(data[key], f"{where}.{key}", f"expected a whole number from {minimum} to {maximum}, got {raw!r}")
            return None
        return int(raw)

    def parsed(
        self, data: dict[str, yaml.Node], key: str, where: str, parse: Callable[[str], T], expected: str
    ) -> T | None:
        raw = self.text(data, key, where, required=False)
        if raw is None or raw.lower() in TO_BE_ANNOUNCED:
            return None
        try:
            return parse(raw)
        except ValueError:
            self.fail(data[key], f"{where}.{key}", f"expected {expected}, got {raw!r}")
            return None

    @staticmethod
    def _line_of(data: dict[str, yaml.Node]) -> int:
        lines = [node.start_mark.line for node in data.values()]
        return (min(lines) if lines else 0) + 1


def _parse_time(raw: str) -> time:
    return time.fromisoformat(raw.replace(".", ":").zfill(5))


def _parse_local_datetime(raw: str) -> datetime:
    return datetime.fromisoformat(raw.replace("T", " "))


def parse_program(source: str, path: str = "<program>", *, loader_class: LoaderClass | None = None) -> ProgramSpec:
    """Validate a program file's text; raise ProgramFileError listing every problem."""
    reader = _Reader()
    if len(source) > MAX_PROGRAM_BYTES:
        raise ProgramFileError(path, [Problem(1, "(file)", f"larger than {MAX_PROGRAM_BYTES // 1024} KB")])
    try:
        root = _compose(source, loader_class)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ProgramFileError(
            path, [Problem(line, "(file)", f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from None
    if root is None:
        raise ProgramFileError(path, [Problem(1, "(file)", "the file is empty")])
    top = reader.mapping(root, "(file)")
    if top is None:
        raise ProgramFileError(path, reader.problems)
    reader.unknown_keys(
        top,
        {
            "program",
            "defaults",
            "reminders",
            "alerts",
            "committee",
            "certificate",
            "certificate_after_evaluation",
            "evaluation",
            "roles",
            "meetings",
        },
        "(file)",
    )

    program_node = top.get("program")
    program = reader.mapping(program_node, "program") if program_node is not None else None
    if program_node is None:
        reader.problems.append(Problem(1, "program", "is required"))
    code = name = None
    if program is not None:
        reader.unknown_keys(program, {"code", "name"}, "program")
        code = reader.text(program, "code", "program", pattern=CODE_PATTERN)
        name = reader.text(program, "name", "program")

    defaults = reader.mapping(top["defaults"], "defaults") if "defaults" in top else {}
    default_start = default_end = None
    if defaults is not None:
        reader.unknown_keys(defaults, {"start_time", "end_time"}, "defaults")
        default_start = reader.parsed(defaults, "start_time", "defaults", _parse_time, "a time like 09:00")
        default_end = reader.parsed(defaults, "end_time", "defaults", _parse_time, "a time like 16:00")

    reminder_plan = _reminder_plan(reader, top["reminders"]) if "reminders" in top else ReminderPlan()
    alert_rules = _alert_rules(reader, top["alerts"]) if "alerts" in top else AlertRules()
    meeting_day = _meeting_day(reader, top)

    roles: list[RoleSpec] = []
    for index, node in enumerate(reader.sequence(top.get("roles", yaml.SequenceNode("", [])), "roles")):
        where = f"roles[{index}]"
        data = reader.mapping(node, where)
        if data is None:
            continue
        reader.unknown_keys(data, {"code", "name", "seats"}, where)
        role_code = reader.text(data, "code", where, pattern=ROLE_CODE_PATTERN)
        role_name = reader.text(data, "name", where, max_length=120)
        role_seats = reader.integer(data, "seats", where, required=True, minimum=1, maximum=10_000)
        if role_code and any(r.code == role_code for r in roles):
            reader.fail(data["code"], f"{where}.code", f"role {role_code!r} appears twice")
        elif role_code and role_name and role_seats:
            roles.append(RoleSpec(role_code, role_name, role_seats))
    if "roles" not in top or not roles and not reader.problems:
        reader.problems.append(Problem(1, "roles", "at least one role is required"))

    role_codes = {r.code for r in roles}
    meetings: list[MeetingSpec] = []
    meeting_codes: set[str] = set()
    allowed = {
        "code",
        "province",
        "city",
        "venue",
        "wave",
        "date",
        "start_time",
        "end_time",
        "registration_opens",
        "registration_closes",
        "seats",
        "online",
    }
    meeting_nodes = reader.sequence(top.get("meetings", yaml.SequenceNode("", [])), "meetings")
    if len(meeting_nodes) > MAX_MEETINGS:
        reader.fail(top["meetings"], "meetings", f"more than {MAX_MEETINGS} meetings ({len(meeting_nodes)})")
        raise ProgramFileError(path, reader.problems)
    for index, node in enumerate(meeting_nodes):
        where = f"meetings[{index}]"
        data = reader.mapping(node, where)
        if data is None:
            continue
        reader.unknown_keys(data, allowed, where)
        meeting_code = reader.text(data, "code", where, pattern=CODE_PATTERN)
        if meeting_code and meeting_code.lower().startswith(RESERVED_PREFIXES):
            reader.fail(
                data["code"],
                f"{where}.code",
                f"may not begin with {', '.join(RESERVED_PREFIXES)} (the bot's own links begin so)",
            )
            meeting_code = None
        if meeting_code in meeting_codes:
            reader.fail(data["code"], f"{where}.code", f"meeting {meeting_code!r} appears twice")
        province_code = reader.text(data, "province", where)
        province = PROVINCES.get(province_code or "")
        if province_code and province is None:
            reader.fail(
                data["province"],
                f"{where}.province",
                f"unknown province code {province_code!r} (Kemendagri codes 11-96)",
            )
        city = reader.text(data, "city", where, max_length=120)
        venue = reader.text(data, "venue", where, required=False)
        online = reader.text(data, "online", where, required=False, pattern=ONLINE_URL_PATTERN, max_length=500)
        wave = reader.integer(data, "wave", where, required=False, minimum=1, maximum=99)
        day = reader.parsed(data, "date", where, date.fromisoformat, "a date like 2023-07-26 or 'menyusul'")
        start = reader.parsed(data, "start_time", where, _parse_time, "a time like 09:00") or default_start or time(9)
        end = reader.parsed(data, "end_time", where, _parse_time, "a time like 16:00") or default_end or time(16)
        opens = reader.parsed(
            data, "registration_opens", where, _parse_local_datetime, "a local date and time like 2023-07-01 08:00"
        )
        closes = reader.parsed(
            data, "registration_closes", where, _parse_local_datetime, "a local date and time like 2023-07-24 17:00"
        )
        seats: dict[str, int] = {}
        if "seats" in data:
            overrides = reader.mapping(data["seats"], f"{where}.seats") or {}
            for role_code in overrides:
                if role_code not in role_codes:
                    reader.fail(overrides[role_code], f"{where}.seats.{role_code}", "not a role of this program")
                    continue
                value = reader.integer(overrides, role_code, f"{where}.seats", required=True, minimum=0, maximum=10_000)
                if value is not None:
                    seats[role_code] = value
        if day is not None and end <= start:
            reader.fail(data.get("end_time", node), f"{where}.end_time", "ends before it starts")
        if not (meeting_code and province and city):
            continue
        meeting_codes.add(meeting_code)
        zone = province.zone
        meetings.append(
            MeetingSpec(
                code=meeting_code,
                province_code=province.code,
                city=city,
                venue=venue,
                wave=wave,
                starts_at=datetime.combine(day, start, zone) if day else None,
                ends_at=datetime.combine(day, end, zone) if day else None,
                registration_opens_at=opens.replace(tzinfo=zone) if opens else None,
                registration_closes_at=closes.replace(tzinfo=zone) if closes else None,
                seats=seats,
                online_url=online,
            )
        )
    if reader.problems:
        raise ProgramFileError(path, sorted(reader.problems, key=lambda p: p.line))
    assert code is not None and name is not None
    return ProgramSpec(
        code=code,
        name=name,
        roles=roles,
        meetings=meetings,
        reminder_plan=reminder_plan,
        alert_rules=alert_rules,
        meeting_day=meeting_day,
    )


def _meeting_day(reader: _Reader, top: dict[str, yaml.Node]) -> MeetingDay:
    """The `committee:`, `certificate:`, `certificate_after_evaluation` and `evaluation:` sections."""
    committee = Committee()
    if "committee" in top and (data := reader.mapping(top["committee"], "committee")) is not None:
        reader.unknown_keys(data, {"name", "title"}, "committee")
        committee = Committee(
            name=reader.text(data, "name", "committee", required=False),
            title=reader.text(data, "title", "committee", required=False) or committee.title,
        )
    certificate = CertificateSettings()
    if "certificate" in top and (data := reader.mapping(top["certificate"], "certificate")) is not None:
        reader.unknown_keys(data, {"title", "text", "role_text", "signer_name", "signer_title"}, "certificate")
        role_text = reader.text(data, "role_text", "certificate", required=False, max_length=300)
        if role_text and (role_text.count("{role}") > 1 or re.search(r"[{}]", role_text.replace("{role}", ""))):
            reader.fail(data["role_text"], "certificate.role_text", "may name {role} once and no other {field}")
            role_text = None
        certificate = CertificateSettings(
            title=reader.text(data, "title", "certificate", required=False, max_length=60) or certificate.title,
            text=reader.text(data, "text", "certificate", required=False, max_length=300) or certificate.text,
            role_text=role_text or certificate.role_text,
            signer_name=reader.text(data, "signer_name", "certificate", required=False),
            signer_title=reader.text(data, "signer_title", "certificate", required=False),
        )
    after = reader.parsed(top, "certificate_after_evaluation", "(file)", _parse_yes_no, "true or false")
    evaluation = _evaluation(reader, top["evaluation"]) if "evaluation" in top else EvaluationForm()
    if after:
        if not evaluation:
            reader.fail(
                top["certificate_after_evaluation"], "(file).certificate_after_evaluation", "there is no evaluation"
            )
        certificate = replace(certificate, after_evaluation=True)
    return MeetingDay(committee, certificate, evaluation)


def _parse_yes_no(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"true", "yes", "ya"}:
        return True
    if lowered in {"false", "no", "tidak"}:
        return False
    raise ValueError(raw)


def _evaluation(reader: _Reader, node: yaml.Node) -> EvaluationForm:
    """The `evaluation:` section: statements rated 1-5, then an optional comment."""
    data = reader.mapping(node, "evaluation")
    if data is None:
        return EvaluationForm()
    reader.unknown_keys(data, {"questions", "comment", "comment_prompt", "comment_prompt_en"}, "evaluation")
    questions: list[Question] = []
    nodes = reader.sequence(data.get("questions", yaml.SequenceNode("", [])), "evaluation.questions")
    if not nodes:
        reader.fail(node, "evaluation.questions", "at least one question is required")
    if len(nodes) > MAX_QUESTIONS:
        reader.fail(data["questions"], "evaluation.questions", f"at most {MAX_QUESTIONS} questions")
    for index, item in enumerate(nodes[:MAX_QUESTIONS]):
        where = f"evaluation.questions[{index}]"
        question = reader.mapping(item, where)
        if question is None:
            continue
        reader.unknown_keys(question, {"code", "text", "text_en"}, where)
        code = reader.text(question, "code", where, pattern=QUESTION_CODE_PATTERN)
        text = reader.text(question, "text", where, max_length=300)
        text_en = reader.text(question, "text_en", where, required=False, max_length=300)
        if code and any(q.code == code for q in questions):
            reader.fail(question["code"], f"{where}.code", f"question {code!r} appears twice")
        elif code and text:
            questions.append(Question(code, text, text_en))
    comment = reader.parsed(data, "comment", "evaluation", _parse_yes_no, "true or false")
    return EvaluationForm(
        questions=tuple(questions),
        comment=True if comment is None else comment,
        comment_prompt=reader.text(data, "comment_prompt", "evaluation", required=False, max_length=300),
        comment_prompt_en=reader.text(data, "comment_prompt_en", "evaluation", required=False, max_length=300),
    )


def _reminder_plan(reader: _Reader, node: yaml.Node) -> ReminderPlan:
    """The `reminders:` section; every field is optional and defaults to ReminderPlan's."""
    defaults = ReminderPlan()
    data = reader.mapping(node, "reminders")
    if data is None:
        return defaults
    reader.unknown_keys(
        data, {"before", "waking_hours", "attendance_question", "attendance_nudge", "seat_hold"}, "reminders"
    )
    offsets = defaults.reminders
    if "before" in data:
        parsed = []
        for item in reader.sequence(data["before"], "reminders.before"):
            try:
                parsed.append(parse_duration(getattr(item, "value", "")))
            except ValueError:
                reader.fail(
                    item,
                    "reminders.before",
                    f"expected a duration like 7d, 1d or 2h, got {getattr(item, 'value', '')!r}",
                )
        offsets = tuple(sorted(set(parsed), reverse=True))
    durations = {}
    for key in ("attendance_question", "attendance_nudge", "seat_hold"):
        durations[key] = reader.parsed(
            data, key, "reminders", parse_duration, "a duration like 3d, 24h or 30m"
        ) or getattr(defaults, key)
    waking_from, waking_until = defaults.waking_from, defaults.waking_until
    hours = reader.text(data, "waking_hours", "reminders", required=False)
    if hours is not None:
        try:
            start, end = (_parse_time(part.strip()) for part in hours.split("-"))
            if end <= start:
                raise ValueError(hours)
            waking_from, waking_until = start, end
        except ValueError:
            reader.fail(
                data["waking_hours"], "reminders.waking_hours", f"expected local hours like 07:00-20:00, got {hours!r}"
            )
    if durations["attendance_nudge"] >= durations["attendance_question"]:
        reader.fail(
            data.get("attendance_nudge", node),
            "reminders.attendance_nudge",
            "must come after (be shorter than) attendance_question",
        )
    return ReminderPlan(reminders=offsets, waking_from=waking_from, waking_until=waking_until, **durations)


def _parse_share(raw: str) -> float:
    """'80%' or '0.8' as a fraction from 0 (exclusive) to 1."""
    value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    if not 0 < value <= 1:
        raise ValueError(raw)
    return value


def _parse_hours(raw: str) -> tuple[time, time]:
    """'21:00-07:00' as its two ends; the span may run past midnight but not be empty."""
    start, end = (_parse_time(part.strip()) for part in raw.split("-"))
    if start == end:
        raise ValueError(raw)
    return start, end


def _alert_rules(reader: _Reader, node: yaml.Node) -> AlertRules:
    """The `alerts:` section; every field is optional and defaults to AlertRules'."""
    defaults = AlertRules()
    data = reader.mapping(node, "alerts")
    if data is None:
        return defaults
    reader.unknown_keys(
        data, {"threshold", "digest_window", "quiet_hours", "lagging_days", "lagging_fill", "national_digest"}, "alerts"
    )
    share = "a share like 80% or 0.8"
    threshold = reader.parsed(data, "threshold", "alerts", _parse_share, share)
    lagging_fill = reader.parsed(data, "lagging_fill", "alerts", _parse_share, share)
    window = reader.parsed(data, "digest_window", "alerts", parse_duration, "a duration like 10m or 1h")
    quiet = reader.parsed(data, "quiet_hours", "alerts", _parse_hours, "local hours like 21:00-07:00")
    digest_at = reader.parsed(data, "national_digest", "alerts", _parse_time, "a WIB time like 08:00")
    lagging_days = reader.integer(data, "lagging_days", "alerts", required=False, minimum=1, maximum=365)
    return AlertRules(
        threshold=defaults.threshold if threshold is None else threshold,
        digest_window=window or defaults.digest_window,
        quiet_start=quiet[0] if quiet else defaults.quiet_start,
        quiet_end=quiet[1] if quiet else defaults.quiet_end,
        lagging_days=lagging_days or defaults.lagging_days,
        lagging_fill=defaults.lagging_fill if lagging_fill is None else lagging_fill,
        national_digest_at=digest_at or defaults.national_digest_at,
    )


def _meeting_values(spec: MeetingSpec) -> dict[str, object]:
    """A meeting's columns as the file gives them; listed again if it was hidden."""
    return {
        "province_code": spec.province_code,
        "city": spec.city,
        "venue": spec.venue,
        "wave": spec.wave,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "registration_opens_at": spec.registration_opens_at,
        "registration_closes_at": spec.registration_closes_at,
        "online_url": spec.online_url,
        "listed": True,
    }


def read_program_file(path: str | Path) -> ProgramSpec:
    """Read and validate a program file from disk."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProgramFileError(str(path), [Problem(1, "(file)", f"cannot be read: {exc}")]) from None
    return read_program_bytes(data, str(path))


def read_program_bytes(data: bytes, name: str) -> ProgramSpec:
    """Validate a program file's contents (from disk, or sent to the bot as a document)."""
    if len(data) > MAX_PROGRAM_BYTES:
        raise ProgramFileError(name, [Problem(1, "(file)", f"larger than {MAX_PROGRAM_BYTES // 1024} KB")])
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProgramFileError(name, [Problem(1, "(file)", f"cannot be read: {exc}")]) from None
    return parse_program(source, name)


async def program_risks(session: AsyncSession, spec: ProgramSpec) -> ProgramRisks:
    """The meetings with registrations the file would hide, and those with seated people whose date it moves.

    A meeting given its first date, or only a new time or venue, is the program's ordinary course and not asked about.
    """
    program_id = await session.scalar(select(Program.id).where(Program.code == spec.code))
    if program_id is None:
        return ProgramRisks()
    meetings = list(await session.scalars(select(Meeting).where(Meeting.program_id == program_id)))
    if not meetings:
        return ProgramRisks()
    counts = await session.execute(
        select(
            Registration.meeting_id,
            func.count(),
            func.count().filter(Registration.status.in_(TAKES_A_SEAT)),
        )
        .where(
            Registration.meeting_id.in_([m.id for m in meetings]),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .group_by(Registration.meeting_id)
    )
    held = {meeting_id: (active, seated) for meeting_id, active, seated in counts}
    listed = {m.code: m for m in spec.meetings}
    hidden: list[HiddenMeeting] = []
    moved: list[MovedMeeting] = []
    for meeting in sorted(meetings, key=lambda m: m.code):
        active, seated = held.get(meeting.id, (0, 0))
        wanted = listed.get(meeting.code)
        if wanted is None:
            if meeting.listed and active:
                hidden.append(HiddenMeeting(meeting.code, active))
            continue
        previous = meeting.starts_at
        if previous is None or not seated:
            continue
        zone = PROVINCES[wanted.province_code].zone
        new = wanted.starts_at
        if new is None or previous.astimezone(zone).date() != new.astimezone(zone).date():
            moved.append(MovedMeeting(meeting.code, previous.astimezone(zone), new, seated))
    return ProgramRisks(tuple(hidden), tuple(moved))


async def apply_program(session: AsyncSession, spec: ProgramSpec, *, now: datetime) -> LoadReport:
    """Bring the database in line with a validated program, keeping every registration.

    People registered for a meeting whose date or venue changed are told, and their reminders move.
    A raised quota passes its new seats to the people waiting, as freed seats are.
    """
    report = LoadReport(program_code=spec.code)
    program = await session.scalar(select(Program).where(Program.code == spec.code))
    if program is None:
        program = Program(code=spec.code, name=spec.name)
        session.add(program)
    program.name = spec.name
    program.reminder_plan = spec.reminder_plan.to_json()
    program.alert_rules = spec.alert_rules.to_json()
    program.committee = spec.meeting_day.committee.to_json()
    program.certificate = spec.meeting_day.certificate.to_json()
    program.evaluation = spec.meeting_day.evaluation.to_json() if spec.meeting_day.evaluation else None
    await session.flush()

    existing_roles = {r.code: r for r in await session.scalars(select(Role).where(Role.program_id == program.id))}
    for code, role in existing_roles.items():
        if code not in {r.code for r in spec.roles}:
            used = await session.scalar(select(func.count()).where(Registration.role_id == role.id))
            if used:
                raise ProgramFileError(
                    "(program)", [Problem(1, f"roles.{code}", f"has {used} registrations and cannot be removed")]
                )
            await session.delete(role)
    roles: dict[str, Role] = {}
    for position, role_spec in enumerate(spec.roles):
        role = existing_roles.get(role_spec.code) or Role(program_id=program.id, code=role_spec.code)
        role.name, role.seats, role.position = role_spec.name, role_spec.seats, position
        session.add(role)
        roles[role_spec.code] = role
    await session.flush()

    existing_meetings = {
        m.code: m for m in await session.scalars(select(Meeting).where(Meeting.program_id == program.id))
    }
    # Read once for the whole file, and written in one flush: a query per meeting made the largest file
    # allowed (1,000 meetings) hold the database for seconds while everyone else waited.
    new_codes = [m.code for m in spec.meetings if m.code not in existing_meetings]
    if new_codes:
        clashing = await session.scalar(select(Meeting.code).where(Meeting.code.in_(new_codes)).limit(1))
        if clashing is not None:
            raise ProgramFileError("(program)", [Problem(1, f"meetings.{clashing}", "code is used by another program")])
    quotas: dict[int, dict[int, RoleQuota]] = {}
    for row in await session.scalars(
        select(RoleQuota).join(Meeting, RoleQuota.meeting_id == Meeting.id).where(Meeting.program_id == program.id)
    ):
        quotas.setdefault(row.meeting_id, {})[row.role_id] = row
    # Only a meeting someone registered for has people to tell of a new date or venue.
    registered = set(
        await session.scalars(
            select(Registration.meeting_id)
            .join(Meeting, Registration.meeting_id == Meeting.id)
            .where(Meeting.program_id == program.id, Registration.status != RegistrationStatus.CANCELLED)
            .distinct()
        )
    )

    if new_codes:
        fresh = [m for m in spec.meetings if m.code not in existing_meetings]
        rows = await session.execute(
            insert(Meeting).returning(Meeting.id, Meeting.code, sort_by_parameter_order=True),
            [{"program_id": program.id, "code": m.code, **_meeting_values(m)} for m in fresh],
        )
        ids = dict((code, meeting_id) for meeting_id, code in rows)
        await session.execute(
            insert(RoleQuota),
            [
                {"meeting_id": ids[m.code], "role_id": role.id, "seats": m.seats.get(code, role.seats)}
                for m in fresh
                for code, role in roles.items()
            ],
        )
        report.created.extend(m.code for m in fresh)

    changes: list[tuple[MeetingSpec, Meeting, bool, datetime | None, str | None]] = []
    for meeting_spec in spec.meetings:
        meeting = existing_meetings.get(meeting_spec.code)
        if meeting is None:
            continue
        values = _meeting_values(meeting_spec)
        changed = any(getattr(meeting, k) != v for k, v in values.items())
        changes.append((meeting_spec, meeting, changed, meeting.starts_at, meeting.venue))
        for key, value in values.items():
            setattr(meeting, key, value)
    await session.flush()

    with session.no_autoflush:
        for meeting_spec, meeting, changed, previous_start, previous_venue in changes:
            held = quotas.get(meeting.id, {})
            for code, role in roles.items():
                seats = meeting_spec.seats.get(code, role.seats)
                quota = held.get(role.id)
                if quota is None:
                    session.add(RoleQuota(meeting_id=meeting.id, role_id=role.id, seats=seats))
                    changed = True
                elif quota.seats != seats:
                    raised = seats > quota.seats
                    if raised:
                        await session.flush()
                        # Under the quota's lock, as every seat change: a claim racing the raise counts right.
                        quota = await lock_quota(session, meeting.id, role.id)
                    quota.seats = seats
                    changed = True
                    if raised:
                        await session.flush()
                        # The new seats go to those waiting, in order, as a freed seat would.
                        await seat_waiting(session, quota, now=now)
            (report.updated if changed else report.unchanged).append(meeting.code)
            rescheduled = meeting.starts_at != previous_start or meeting.venue != previous_venue
            if rescheduled and meeting.id in registered:
                await session.flush()
                report.people_notified += await meeting_changed(
                    session, meeting, previous_start=previous_start, now=now
                )
    listed_codes = {m.code for m in spec.meetings}
    for code, meeting in existing_meetings.items():
        if code not in listed_codes and meeting.listed:
            meeting.listed = False
            report.unlisted.append(code)
    await session.flush()
    return report
