"""The words every output shares: dates, clock times, zone headings, time spans, people, counts.

Plain strings only (no rich, no markup), so the text, Markdown and HTML renderers escape them
their own way and say the same things.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Sequence
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from vconf.agenda import (
    Agenda,
    AgendaDay,
    AgendaRow,
    ClockShift,
    LocalSpan,
    Mark,
    Parallel,
    delegation_order,
    people_by_role,
)
from vconf.checks import Problem
from vconf.dates import day_heading as day_heading
from vconf.language import Language, utc_offset
from vconf.model import Kind, Room, Session, Visibility
from vconf.timetable import Slot, Timetable
from vconf.timezones import readable_abbreviation, utc_to_local

EN_DASH = "\u2013"
ARROW = "\u2192"
RESTRICTED = "restricted"


class Memo:
    """What the renderers made once for many agenda pages of one timetable in one language.

    `render.agenda_files` keeps one per language for the delegations' and people's pages: a
    session's cells are the same on every page, its times on every page with the same zones.
    `html` and `markdown` are each renderer's own, by what a piece depends on; `times` (a row's
    time texts by session and zones) and `people` (by session) are what both say.
    """

    __slots__ = ("html", "markdown", "people", "times")

    def __init__(self) -> None:
        self.html: dict[Hashable, str] = {}
        self.markdown: dict[Hashable, str] = {}
        self.times: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}
        self.people: dict[str, str] = {}


def row_times(memo: Memo, agenda: Agenda, row: AgendaRow, language: Language) -> tuple[str, ...]:
    """Return `local_span_text` of each of a row's spans, kept in `memo`."""
    key = (row.slot.id, agenda.tz_names)
    found = memo.times.get(key)
    if found is None:
        found = memo.times[key] = tuple(local_span_text(span, language) for span in row.spans)
    return found


def session_people(memo: Memo, agenda: Agenda, session: Session, language: Language) -> str:
    """Return `people_text` of a session, kept in `memo`."""
    found = memo.people.get(session.id)
    if found is None:
        found = memo.people[session.id] = people_text(agenda.timetable, session, language)
    return found


def city_of(tz_name: str) -> str:
    """Return `New York` for `America/New_York`: the last part of the zone name, in words."""
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


def _shown_end(span: LocalSpan) -> tuple[str, int]:
    """Return the end's clock time and its date shift; `24:00` is on the start's date."""
    if _is_24(span.start, span.end):
        return "24:00", span.start_shift
    return clock_text(span.end), span.end_shift


_ONE_DAY = timedelta(days=1)


def end_clock(start: datetime, end: datetime) -> tuple[str, date]:
    """Return the end's clock time and the date it is shown on, both local times of one zone.

    An end at the midnight after the start's date is `24:00` of that date, as SPEC §2 counts it.
    """
    if _is_24(start, end):
        return "24:00", start.date()
    return clock_text(end), end.date()


def _is_24(start: datetime, end: datetime) -> bool:
    """Whether `end` is the midnight after `start`'s date (shown `24:00`; SPEC §2)."""
    return not (end.hour or end.minute or end.second) and end.date() == start.date() + _ONE_DAY


def has_shifted_times(agenda: Agenda) -> bool:
    """Whether any time of the agenda is marked `+1`/`-1` (on another date than its row)."""
    return any(
        span.start_shift or (span.end_shift and _shown_end(span)[1])  # 24:00 is not +1
        for day in agenda.days
        for row in day.rows
        for span in row.spans
    )


def clock_text(moment: datetime) -> str:
    """Return `14:00`, with the seconds only when they are not zero."""
    clock = f"{moment.hour:02d}:{moment.minute:02d}"  # not strftime: 4x faster on big agendas
    return f"{clock}:{moment.second:02d}" if moment.second else clock


def room_of(timetable: Timetable, session: Session) -> Room | None:
    """Return the session's room, or None when it has none."""
    return timetable.rooms[session.room] if session.room is not None else None


def is_web_url(url: str | None) -> bool:
    """Whether a URL is http(s), the only kind written as a link."""
    return url is not None and url[:8].lower().startswith(("http://", "https://"))


def party_name(agenda: Agenda) -> str:
    """Return `Viet Nam (VN)`, a person's name, or '' for the organiser's view."""
    timetable = agenda.timetable
    if agenda.delegation is not None:
        return f"{timetable.delegations[agenda.delegation].name} ({agenda.delegation})"
    if agenda.person is not None:
        return timetable.people[agenda.person].name
    return ""


def counted_noun(number: int, one: str, many: str | None = None) -> str:
    """Return `1 error` or `3 errors`; `many` is the plural when it is not `one` + s."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


def whole_minutes(length: timedelta) -> int:
    """Return a length in whole minutes, rounded down."""
    return int(length.total_seconds() // 60)


# ---- agenda words in the reader's language (SPEC §8) -------------------------------------------

MIDDLE_DOT = " \u00b7 "
WARNING_SIGN = "\u26a0"
PARALLEL_SIGN = "\u2016"


def column_name(agenda: Agenda, column: int, language: Language) -> str:
    """Return who a time column is for: the party's delegation for the first, else the city.

    `City of Pittsburgh` heads a delegation's own column; `Ho Chi Minh City` a zone's.
    """
    tz_name = agenda.tz_names[column]
    if column == 0:
        code = _column_party(agenda)
        if code is not None:
            return agenda.timetable.delegations[code].name
    return language.zone_name(tz_name)


def _column_party(agenda: Agenda) -> str | None:
    """Return the delegation whose name heads the first column: the party's, or None."""
    if agenda.delegation is None and agenda.person is not None:
        return agenda.timetable.people[agenda.person].delegation
    return agenda.delegation


def headings_key(agenda: Agenda, day: AgendaDay, language: Language) -> Hashable | None:
    """Return what a day's `column_headings` depend on, or None when it cannot be a key.

    They depend on the columns (the first one's delegation, the zones, the language) and on
    the offsets the day shows: its distinct tzinfos, first seen first. A pytz tzinfo stands
    for one offset and abbreviation, so thousands of days share a few dozen keys; a zoneinfo
    time (after 2037) is not keyed.
    """
    tzinfos = day.tzinfos
    if not all(hasattr(tzinfo, "localize") for tzinfo in tzinfos):
        return None
    return (_column_party(agenda), agenda.tz_names, language.tag, tzinfos)


def column_headings(agenda: Agenda, day: AgendaDay, language: Language) -> list[str]:
    """Return each column's heading for one day: `City of Pittsburgh · UTC-05:00 (EST)`.

    The offsets are those the zone has at the day's sessions, first seen first; a letter
    abbreviation follows when it names one offset only (`CST` does not: US or China?).
    """
    headings = []
    for column in range(len(agenda.tz_names)):
        spans = [row.spans[column] for row in day.rows]
        seen = _offsets_seen([moment for span in spans for moment in (span.start, span.end)])
        name = column_name(agenda, column, language)
        headings.append(_heading(name, agenda.tz_names[column], seen))
    return headings


def _offsets_seen(moments: list[datetime]) -> tuple[tuple[timedelta | None, str], ...]:
    """Return the (offset, abbreviation) pairs of local times, first seen first.

    A pytz time's tzinfo stands for one (offset, abbreviation), so the distinct tzinfos are
    found first (fast on a 20,000-row agenda); a zoneinfo one (after 2037) is asked each time.
    """
    by_tzinfo = {moment.tzinfo: moment for moment in moments}
    distinct: Iterable[datetime] = by_tzinfo.values()
    if not all(hasattr(tzinfo, "localize") for tzinfo in by_tzinfo):  # pytz: the usual case
        distinct = {
            (moment.tzinfo if hasattr(moment.tzinfo, "localize") else moment): moment
            for moment in moments
        }.values()
    pairs: dict[tuple[timedelta | None, str], None] = {}
    for moment in distinct:
        pairs.setdefault((moment.utcoffset(), moment.tzname() or ""), None)
    return tuple(pairs)


@functools.lru_cache(maxsize=4096)
def _heading(name: str, tz_name: str, seen: tuple[tuple[timedelta | None, str], ...]) -> str:
    """Return `name · UTC-05:00 (EST)` from the (offset, abbreviation) pairs a day shows."""
    offsets = dict.fromkeys(offset for offset, _ in seen if offset is not None)
    abbreviations = dict.fromkeys(abbreviation for _, abbreviation in seen)
    if tz_name == "UTC" and name == "UTC":
        return name
    shown = [name for name in map(readable_abbreviation, abbreviations) if name]
    text = name + MIDDLE_DOT + "/".join(utc_offset(offset) for offset in offsets)
    return f"{text} ({'/'.join(shown)})" if shown and len(shown) == len(offsets) else text


def long_day(language: Language, day: date) -> str:
    """Return a day heading in the reader's language: `Tuesday, 16 November 2021`."""
    return language.day_heading(day)


def local_span_text(span: LocalSpan, language: Language) -> str:
    """Return `14:00-14:45` (the language's dash), `+1`/`-1` marking a time on another date."""
    midnight_as_24 = _is_24(span.start, span.end)
    end_shift = span.start_shift if midnight_as_24 else span.end_shift
    start = language.clock(span.start)
    if span.start_shift not in (0, end_shift):
        start += f" {span.start_shift:+d}"
    end = language.clock(span.end, midnight_as_24=midnight_as_24)
    if end_shift:
        end += f" {end_shift:+d}"
    return language.clock_range(start, end)


def kind_name(session: Session, language: Language) -> str:
    """Return the session's kind in the reader's language, or '' for the default `other`."""
    if session.kind is Kind.OTHER:
        return ""
    return language.label(session.kind.value.replace("-", " "))


def visibility_mark(session: Session, language: Language) -> str:
    """Return `restricted` for a session only its parties see, else ''."""
    if session.visibility is Visibility.PUBLIC:
        return ""
    return language.label(session.visibility.value)


def marks_text(marks: Sequence[Mark], timetable: Timetable, language: Language) -> str:
    """Return `⚠ outside-hours: 02:00 for CA, 02:00 for US` for a session's marks of one kind."""
    subjects = ", ".join(dict.fromkeys(_subject(mark, timetable, language) for mark in marks))
    return f"{WARNING_SIGN} {marks[0].kind}: {subjects}"


def _subject(mark: Mark, timetable: Timetable, language: Language) -> str:
    """Return what a mark is about: a person's or room's name, `02:00 for US`."""
    subject = mark.subject
    if mark.kind in ("person-overlap", "short-changeover"):
        person = timetable.people.get(subject)
        subject = person.name if person is not None else subject
    elif mark.kind == "room-overlap" and subject in timetable.rooms:
        subject = timetable.rooms[subject].name
    if mark.local is not None:
        subject = language.label(
            "{time} for {party}", time=language.clock(mark.local), party=subject
        )
    return subject


def parallel_text(group: Parallel, language: Language) -> str:
    """Return `‖ 4 sessions in parallel`."""
    count = len(group.rows)
    words = language.plural("{n} session in parallel", "{n} sessions in parallel", count)
    return f"{PARALLEL_SIGN} {words}"


def shift_text(shift: ClockShift, agenda: Agenda, language: Language) -> str:
    """Return a clock change between two rows, where it falls, against the reference zone.

    `Sun 2 Apr 2023 03:00 ACDT → 02:00 ACST: Adelaide is now 2 h 30 ahead of …, was 3 h 30`.
    """
    change = shift.change
    before = (change.utc + change.offset_before).replace(tzinfo=None)
    after = (change.utc + change.offset_after).replace(tzinfo=None)
    when = f"{language.short_day(before)} {before.year} {language.clock(before)}"
    moved = (
        f"{when} {_abbreviation(change.abbreviation_before)}{ARROW} "
        f"{language.clock(after)} {_abbreviation(change.abbreviation_after)}"
    ).replace("  ", " ")
    zone = _shown_name(agenda, shift.tz_name, language)
    if shift.reference is None:
        said = language.label(
            "{zone} is now {now}, was {was}",
            zone=zone,
            now=utc_offset(change.offset_after),
            was=utc_offset(change.offset_before),
        )
        return f"{moved.strip()}: {said}"
    reference = utc_to_local(change.utc, shift.reference).utcoffset() or timedelta(0)
    now, was = change.offset_after - reference, change.offset_before - reference
    other = _shown_name(agenda, shift.reference, language)
    if now == timedelta(0):
        said = language.label("{zone} now keeps the time of {other}", zone=zone, other=other)
    elif now > timedelta(0):
        said = language.label(
            "{zone} is now {now} ahead of {other}, was {was}",
            zone=zone, now=_hours(now), other=other, was=_hours(was),
        )  # fmt: skip
    else:
        said = language.label(
            "{zone} is now {now} behind {other}, was {was}",
            zone=zone, now=_hours(-now), other=other, was=_hours(was),
        )  # fmt: skip
    return f"{moved.strip()}: {said}"


def _abbreviation(abbreviation: str) -> str:
    return f"{abbreviation} " if abbreviation.isalpha() else ""


def _shown_name(agenda: Agenda, tz_name: str, language: Language) -> str:
    """Return a shown zone's column name (the first column may be a delegation's name)."""
    column = agenda.tz_names.index(tz_name)
    return column_name(agenda, column, language)


def _hours(length: timedelta) -> str:
    """Return `2 h 30`, `3 h`, `45 min` for a length of time."""
    minutes = whole_minutes(abs(length))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"


def role_lines(
    timetable: Timetable, session: Session, language: Language
) -> list[tuple[str, list[str]]]:
    """Return `(Speakers, [Retno L. P. Marsudi (ID), …])` per role, in protocol order (SPEC §7)."""
    lines = []
    for group in people_by_role(session):
        names = []
        for person_id in group.people:
            person = timetable.people[person_id]
            names.append(
                f"{person.name} ({person.delegation})" if person.delegation else person.name
            )
        lines.append((language.label(_ROLE_LABELS[group.role]), names))
    return lines


_ROLE_LABELS = {
    "speakers": "Speakers",
    "moderators": "Moderators",
    "attendees": "Attendees",
    "interpreters": "Interpreters",
}


def delegation_codes(agenda: Agenda, slot: Slot) -> list[str]:
    """Return the session's delegation codes, the host first, then by name (SPEC §7)."""
    return delegation_order(slot.delegations, agenda.timetable, host=agenda.host)


def delegation_names(agenda: Agenda, slot: Slot) -> list[str]:
    """Return `Viet Nam (VN)` per delegation of the session, in protocol order."""
    delegations = agenda.timetable.delegations
    return [f"{delegations[code].name} ({code})" for code in delegation_codes(agenda, slot)]


def languages_text(session: Session, language: Language) -> str:
    """Return the interpretation languages by name: `English, Indonesian`, or ''."""
    return ", ".join(language.language_name(code) for code in session.languages)


def first_paragraph(text: str) -> str:
    """Return a description's first paragraph on one line (text agendas show only that)."""
    paragraph = text.strip().split("\n\n", 1)[0]
    return " ".join(paragraph.split())


def local_times_text(agenda: Agenda, slot: Slot, language: Language) -> str:
    """Return `02:00 New York, Toronto · 16:00 Seoul, Tokyo`: the session's delegations' times.

    The zones of its delegations grouped by UTC offset, earliest local clock first (plan's view).
    """
    by_offset: dict[timedelta, dict[str, None]] = {}
    clocks: dict[timedelta, datetime] = {}
    for code in slot.delegations:
        tz_name = agenda.timetable.delegations[code].tz_name
        local = utc_to_local(slot.start_utc, tz_name)
        offset = local.utcoffset() or timedelta(0)
        by_offset.setdefault(offset, {})[language.zone_name(tz_name)] = None
        clocks[offset] = local
    parts = []
    for offset in sorted(by_offset):
        local = clocks[offset]
        shift = (local.date() - utc_to_local(slot.start_utc, agenda.tz_names[0]).date()).days
        clock = language.clock(local) + (f" {shift:+d}" if shift else "")
        parts.append(f"{clock} {', '.join(sorted(by_offset[offset]))}")
    return MIDDLE_DOT.join(parts)


def no_sessions_text(agenda: Agenda, language: Language) -> str:
    """Return the line shown instead of an empty agenda, naming the party."""
    party = party_name(agenda)
    if party:
        return language.label("No sessions for {party}.", party=party)
    return language.label("No sessions in this event.")


def times_notes_text(agenda: Agenda, language: Language) -> list[str]:
    """Return the line explaining `+1`/`-1` when the agenda uses them, else no line."""
    if not has_shifted_times(agenda):
        return []
    name = column_name(agenda, 0, language)
    return [
        language.label(
            "Dates are in {zone} time; +1/-1 marks a time on the next/previous date.", zone=name
        )
    ]


def people_text(timetable: Timetable, session: Session, language: Language) -> str:
    """Return `Speakers: A (ID), B (VN); Moderators: C (ID)`, roles in protocol order."""
    lines = role_lines(timetable, session, language)
    return "; ".join(f"{label}: {', '.join(names)}" for label, names in lines)


def session_marks(row: AgendaRow, agenda: Agenda, language: Language) -> list[tuple[bool, str]]:
    """Return one `⚠ kind: subjects` text per problem kind of the row, and if it is an error."""
    kinds: dict[str, list[Mark]] = {}
    for mark in row.marks:
        kinds.setdefault(mark.kind, []).append(mark)
    return [
        (marks[0].is_error, marks_text(marks, agenda.timetable, language))
        for marks in kinds.values()
    ]


def problem_marks(timetable: Timetable, problems: Sequence[Problem]) -> dict[str, tuple[Mark, ...]]:
    """Return each session's marks by id, in the problems' own (SPEC) order (`build_agenda`)."""
    marks: dict[str, list[Mark]] = {}
    for problem in problems:
        local_zone = _subject_zone(timetable, problem)
        for session_id in problem.sessions:
            local = None
            if local_zone is not None:
                local = utc_to_local(timetable.by_id[session_id].start_utc, local_zone)
            mark = Mark(problem.kind.value, problem.is_error, problem.subject, local)
            marks.setdefault(session_id, []).append(mark)
    return {session_id: tuple(found) for session_id, found in marks.items()}


_DELEGATION_KINDS = frozenset({"outside-hours", "non-working-day"})  # about a local clock


def _subject_zone(timetable: Timetable, problem: Problem) -> str | None:
    """Return the zone of the delegation a problem is about, for the kinds about its clock."""
    if problem.kind.value not in _DELEGATION_KINDS or problem.subject not in timetable.delegations:
        return None
    return timetable.delegations[problem.subject].tz_name


def zones_text(agenda: Agenda, language: Language) -> str:
    """Return the line naming the agenda's zones: `All times in Ho Chi Minh City (UTC+07:00)`.

    Then `; second column: Jakarta (UTC+07:00)` (or `next columns: …`) when there are more; the
    offsets are those the zone has at the agenda's sessions, first seen first.
    """
    zones = []
    for column, tz_name in enumerate(agenda.tz_names):
        spans = [row.spans[column] for day in agenda.days for row in day.rows]
        # a pytz time's tzinfo stands for one offset: one moment of each is enough
        by_tzinfo = {span.start.tzinfo: span.start for span in spans}
        by_tzinfo.update({span.end.tzinfo: span.end for span in spans})
        moments = list(by_tzinfo.values())
        if not all(hasattr(tzinfo, "localize") for tzinfo in by_tzinfo):  # zoneinfo: ask each
            moments = [moment for span in spans for moment in (span.start, span.end)]
        offsets = [offset for offset, _ in _offsets_seen(moments) if offset is not None]
        zones.append(language.zone_heading(tz_name, offsets))
    text = language.label("All times in {zone}", zone=zones[0])
    if len(zones) == 2:
        text += "; " + language.label("second column: {zone}", zone=zones[1])
    elif len(zones) > 2:
        text += "; " + language.label("next columns: {zones}", zones=", ".join(zones[1:]))
    return text


def host_of(url: str) -> str:
    """Return the host a web URL points to (`meet.example`), or '' when it names none."""
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # an invalid IPv6 literal, a bad port
        return ""
