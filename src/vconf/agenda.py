"""Choose and lay out what one party sees: `Timetable` + party + zones become an `Agenda`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from vconf.timetable import Slot, Timetable, slots_for
from vconf.timezones import utc_to_local


@dataclass(frozen=True, slots=True)
class LocalSpan:
    """A slot's start and end in one zone; `*_shift` is their day offset from the row's date."""

    tz_name: str
    start: datetime
    end: datetime
    start_shift: int
    end_shift: int


@dataclass(frozen=True, slots=True)
class AgendaRow:
    """One session with its times in every column zone."""

    slot: Slot
    spans: tuple[LocalSpan, ...]


@dataclass(frozen=True, slots=True)
class AgendaDay:
    """The sessions that start on one date of the first column's zone."""

    day: date
    rows: tuple[AgendaRow, ...]


@dataclass(frozen=True, slots=True)
class Agenda:
    """What a party sees, day by day, with a time column per zone."""

    timetable: Timetable
    tz_names: tuple[str, ...]
    days: tuple[AgendaDay, ...]
    delegation: str | None = None
    person: str | None = None

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


def build_agenda(
    timetable: Timetable,
    *,
    delegation: str | None = None,
    person: str | None = None,
    tz_names: tuple[str, ...] = (),
) -> Agenda:
    """Return the party's agenda (everyone's without a party), grouped by day of the first zone."""
    zones = tz_names or (default_zone(timetable, delegation=delegation, person=person),)
    days: list[AgendaDay] = []
    rows: list[AgendaRow] = []
    current: date | None = None
    for slot in slots_for(timetable, delegation=delegation, person=person):
        row = _row(slot, zones)
        day = row.spans[0].start.date()
        if day != current and rows:
            assert current is not None
            days.append(AgendaDay(current, tuple(rows)))
            rows = []
        current = day
        rows.append(row)
    if rows:
        assert current is not None
        days.append(AgendaDay(current, tuple(rows)))
    return Agenda(timetable, zones, tuple(days), delegation, person)


def _row(slot: Slot, zones: tuple[str, ...]) -> AgendaRow:
    row_day = utc_to_local(slot.start_utc, zones[0]).date()
    spans = []
    for tz_name in zones:
        start = utc_to_local(slot.start_utc, tz_name)
        end = utc_to_local(slot.end_utc, tz_name)
        spans.append(
            LocalSpan(
                tz_name, start, end, (start.date() - row_day).days, (end.date() - row_day).days
            )
        )
    return AgendaRow(slot, tuple(spans))
