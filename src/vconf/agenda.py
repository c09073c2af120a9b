"""Choose and lay out what one party sees: `Timetable` + party + zones become an `Agenda`.

The columns (SPEC §8): the party's own zone first (the delegation's; the person's delegation's;
else the event zone), then each zone asked for, none twice. The selection: the party's sessions
(everyone's without a party), only the public ones with `public`, only those touching `dates`
in the first column's zone. Each row carries the problems of its session, sessions at the same
time form one `Parallel` group, and a `ClockShift` sits before the first row after a shown zone
changed its offset.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from vconf.files import CLOSED_SUMMARY
from vconf.model import Session, Visibility
from vconf.timetable import Slot, Timetable, slots_for
from vconf.timezones import ClockChange, clock_changes, utc_to_local


@dataclass(frozen=True, slots=True)
class LocalSpan:
    """A slot's start and end in one zone; `*_shift` is their day offset from the row's date."""

    tz_name: str
    start: datetime
    end: datetime
    start_shift: int
    end_shift: int


@dataclass(frozen=True, slots=True)
class Mark:
    """A problem of a row's session: its kind (`outside-hours`), severity and subject.

    Made from `checks.Problem`s by `render.words.problem_marks` (checks is a sibling layer).
    `local` is the session's start in the subject delegation's zone, for the kinds about a
    delegation's clock (`outside-hours: 02:00 for US`); None otherwise.
    """

    kind: str
    is_error: bool
    subject: str
    local: datetime | None = None


@dataclass(frozen=True, slots=True)
class ClockShift:
    """A shown zone's clock change that falls between two rows of the agenda.

    `reference` is the zone it is compared with (the first column's, or the second's when the
    first itself changes), None when the agenda shows only that zone.
    """

    tz_name: str
    change: ClockChange
    reference: str | None


@dataclass(frozen=True, slots=True)
class AgendaRow:
    """One session with its times in every column zone, its problems and the shifts before it."""

    slot: Slot
    spans: tuple[LocalSpan, ...]
    marks: tuple[Mark, ...] = ()
    shifts: tuple[ClockShift, ...] = ()


@dataclass(frozen=True, slots=True)
class Parallel:
    """Rows of one day that run at the same time (same start and end): one visible group."""

    rows: tuple[AgendaRow, ...]


@dataclass(frozen=True, slots=True)
class AgendaDay:
    """The sessions that start on one date of the first column's zone; `groups` are its rows
    in order, those with the same start and end together (made once: every format asks)."""

    day: date
    rows: tuple[AgendaRow, ...]
    groups: tuple[Parallel, ...] = field(init=False, repr=False, compare=False)
    # the distinct tzinfos of its times, first seen first: what its column headings show
    tzinfos: tuple[tzinfo | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen = {
            moment.tzinfo: None
            for row in self.rows
            for span in row.spans
            for moment in (span.start, span.end)
        }
        object.__setattr__(self, "tzinfos", tuple(seen))
        groups: list[list[AgendaRow]] = []
        for row in self.rows:
            last = groups[-1][-1].slot if groups else None
            if last is not None and _same_time(last, row.slot):
                groups[-1].append(row)
            else:
                groups.append([row])
        object.__setattr__(self, "groups", tuple(Parallel(tuple(group)) for group in groups))


@dataclass(frozen=True, slots=True)
class Agenda:
    """What a party sees, day by day, with a time column per zone."""

    timetable: Timetable
    tz_names: tuple[str, ...]
    days: tuple[AgendaDay, ...]
    delegation: str | None = None
    person: str | None = None
    public: bool = False
    dates: tuple[date, ...] = ()
    host: str | None = None

    @property
    def rows(self) -> tuple[AgendaRow, ...]:
        """Every row, in order."""
        return tuple(row for day in self.days for row in day.rows)

    @property
    def title(self) -> str:
        """`ICDD 2021`, or `ICDD 2021 — Viet Nam (VN)` for a party's agenda."""
        name = self.timetable.conference.event.name
        if self.delegation is not None:
            return (
                f"{name} — {self.timetable.delegations[self.delegation].name} ({self.delegation})"
            )
        if self.person is not None:
            return f"{name} — {self.timetable.people[self.person].name}"
        return name


def default_zone(
    timetable: Timetable, *, delegation: str | None = None, person: str | None = None
) -> str:
    """The zone of the delegation given, or of the person's delegation, else the event zone."""
    if delegation is not None:
        return timetable.delegations[delegation].tz_name
    if person is not None:
        code = timetable.people[person].delegation
        if code is not None:
            return timetable.delegations[code].tz_name
    return timetable.conference.event.tz_name


def column_zones(
    timetable: Timetable,
    *,
    delegation: str | None = None,
    person: str | None = None,
    tz_names: Iterable[str] = (),
) -> tuple[str, ...]:
    """Return the party's own zone, then each of `tz_names` not shown yet (SPEC §8)."""
    own = default_zone(timetable, delegation=delegation, person=person)
    return tuple(dict.fromkeys((own, *tz_names)))


def build_agenda(
    timetable: Timetable,
    *,
    delegation: str | None = None,
    person: str | None = None,
    tz_names: tuple[str, ...] = (),
    public: bool = False,
    dates: Sequence[date] = (),
    marks: Mapping[str, tuple[Mark, ...]] | None = None,
    host: str | None = None,
) -> Agenda:
    """Return the party's agenda (everyone's without a party), grouped by day of the first zone.

    `marks` (by session id, `render.words.problem_marks`) mark the rows; `host` (default
    `event.host`) is the delegation listed first wherever delegations are listed (SPEC §7).
    """
    zones = column_zones(timetable, delegation=delegation, person=person, tz_names=tz_names)
    host = host if host is not None else timetable.conference.event.host
    marks = marks or {}
    wanted = frozenset(dates)
    days: list[AgendaDay] = []
    rows: list[AgendaRow] = []
    current: date | None = None
    previous: AgendaRow | None = None
    for slot in slots_for(timetable, delegation=delegation, person=person):
        blocked = public and slot.session.is_closed
        if public and slot.session.visibility is not Visibility.PUBLIC and not blocked:
            continue
        if blocked:  # its time only (SPEC §7): no title, room, people or problems of it
            slot = closed_block(slot)
        spans = _spans(slot, zones)
        if wanted and not wanted.intersection(_touched(spans[0])):
            continue
        shifts = _shifts(previous, spans) if previous is not None else ()
        shown_marks = () if blocked else marks.get(slot.id, ())
        row = previous = AgendaRow(slot, spans, shown_marks, shifts)
        day = spans[0].start.date()
        if day != current and rows:
            assert current is not None
            days.append(AgendaDay(current, tuple(rows)))
            rows = []
        current = day
        rows.append(row)
    if rows:
        assert current is not None
        days.append(AgendaDay(current, tuple(rows)))
    return Agenda(
        timetable, zones, tuple(days), delegation, person, public, tuple(sorted(wanted)), host
    )


def closed_block(slot: Slot) -> Slot:
    """Return the busy block of a closed session: its times, `Closed meeting`, nothing else."""
    session = slot.session
    block = Session(
        id=session.id,
        title=CLOSED_SUMMARY,
        start=session.start,
        tz_name=session.tz_name,
        number=session.number,
        end=session.end,
        duration=session.duration,
        visibility=Visibility.CLOSED,
    )
    return replace(slot, session=block, delegations=(), people=())


def _spans(slot: Slot, zones: tuple[str, ...]) -> tuple[LocalSpan, ...]:
    return _spans_between(slot.start_utc, slot.end_utc, zones)


@lru_cache(maxsize=1 << 18)
def _spans_between(
    start_utc: datetime, end_utc: datetime, zones: tuple[str, ...]
) -> tuple[LocalSpan, ...]:
    """Return the spans of `[start_utc, end_utc)` in each zone (frozen, so shared).

    Memoised: the 5,251 agendas of 20,000 sessions ask for 178,000 rows' spans, and a person's
    page asks again for what their delegation's page asked (its zone, then the event zone):
    about 90,000 different ones, so the cache holds more than that.
    """
    row_day = _local(start_utc, zones[0]).date()
    spans = []
    for tz_name in zones:
        start = _local(start_utc, tz_name)
        end = _local(end_utc, tz_name)
        spans.append(
            LocalSpan(
                tz_name, start, end, (start.date() - row_day).days, (end.date() - row_day).days
            )
        )
    return tuple(spans)


@lru_cache(maxsize=1 << 18)
def _local(moment_utc: datetime, tz_name: str) -> datetime:
    """`utc_to_local`, memoised: each delegation's page asks the event zone's times again."""
    return utc_to_local(moment_utc, tz_name)


def _touched(span: LocalSpan) -> list[date]:
    """Return the local dates of `[start, end)` (an end at 00:00 does not touch its date)."""
    first, last = span.start.date(), span.end.date()
    if span.end.time() == datetime.min.time() and last > first:
        last -= timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _same_time(one: Slot, other: Slot) -> bool:
    return one.start_utc == other.start_utc and one.end_utc == other.end_utc


def _shifts(previous: AgendaRow, spans: tuple[LocalSpan, ...]) -> tuple[ClockShift, ...]:
    """Return the clock changes of the shown zones after one row's start, up to the next's.

    Only a zone whose offset differs between the two starts is searched: one comparison a
    zone and row on a large agenda.
    """
    shifts = []
    for before, after in zip(previous.spans, spans, strict=True):
        # a pytz tzinfo is one offset: the same object, the same offset (the usual case)
        if before.start.tzinfo is after.start.tzinfo:
            continue
        if before.start.utcoffset() == after.start.utcoffset():
            continue
        others = [span.tz_name for span in spans if span.tz_name != after.tz_name]
        start, end = previous.slot.start_utc, after.start.astimezone(timezone.utc)
        for change in clock_changes(after.tz_name, start, end + timedelta(seconds=1)):
            shifts.append(ClockShift(after.tz_name, change, others[0] if others else None))
    return tuple(shifts)


def delegation_order(
    codes: Iterable[str], timetable: Timetable, *, host: str | None = None
) -> list[str]:
    """Return delegation codes in protocol order: the host first, then by name (SPEC §7)."""
    names = timetable.delegations
    return sorted(codes, key=lambda code: (code != host, names[code].name.casefold(), code))


@dataclass(frozen=True, slots=True)
class RolePeople:
    """The people of a session in one role, in the order written."""

    role: str  # "speakers", "moderators", "attendees", "interpreters"
    people: tuple[str, ...]


def people_by_role(session: Session) -> tuple[RolePeople, ...]:
    """Return the session's people by role: speakers as written, then moderators, attendees,
    interpreters (SPEC §7). A person appears once, in their first role.
    """
    seen: set[str] = set()
    groups = []
    for role, people in (
        ("speakers", session.speakers),
        ("moderators", session.moderators),
        ("attendees", session.attendees),
        ("interpreters", session.interpreters),
    ):
        fresh = tuple(person for person in dict.fromkeys(people) if person not in seen)
        seen.update(fresh)
        if fresh:
            groups.append(RolePeople(role, fresh))
    return tuple(groups)
