"""The zone grid of `vconf zones`: delegations side by side, hour by hour, and clock changes."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from vconf.days import Availability, is_inside_hours
from vconf.errors import VconfError
from vconf.model import Delegation, Event
from vconf.planning.clock import (
    AWAKE,
    GRID_HOURS,
    HOUR,
    MAX_DAYS,
    MINUTE,
    _availabilities,
    _days_span,
    _event_days,
)
from vconf.timetable import Timetable
from vconf.timezones import (
    ClockChange,
    clock_changes,
    epoch_seconds,
    instant_at,
    offset_and_abbreviation,
    utc_to_local,
    wall_to_utc,
)


class CellState(enum.Enum):
    """What one hour of the zone grid is for one delegation."""

    WORK = "work"  # wholly inside the delegation's hours, on a working day
    OFF_HOURS = "off-hours"  # wholly inside 07:00-22:00 local, but not wholly inside its hours
    NIGHT = "night"  # some of it outside 07:00-22:00 local
    NON_WORKING = "non-working"  # some of it on a weekend day or holiday of the delegation


@dataclass(frozen=True, slots=True)
class ZoneRow:
    """One delegation in the zone grid.

    `offset`/`abbreviation` are the delegation zone's at 12:00 local on the grid's day.
    `hours_start_local`/`hours_end_local` are the delegation's acceptable hours in the event zone
    (aware), taken on whichever of its local days (the grid's date, the day before or after)
    overlaps the grid's day most; they may fall on another date than the grid's. `cells` has one
    state per hour of the grid.
    """

    delegation: Delegation
    offset: timedelta
    abbreviation: str
    hours_start_local: datetime
    hours_end_local: datetime
    cells: tuple[CellState, ...]


@dataclass(frozen=True, slots=True)
class ClockChangeRow:
    """One clock change of a zone in the event's days, and the delegations sitting in that zone."""

    tz_name: str
    change: ClockChange
    delegations: tuple[str, ...]

    @property
    def at_utc(self) -> datetime:
        """The instant of the change."""
        return self.change.utc

    @property
    def local_before(self) -> datetime:
        """The naive wall time the clocks show just before the change (`02:00` when they skip)."""
        return (self.change.utc + self.change.offset_before).replace(tzinfo=None)

    @property
    def local_after(self) -> datetime:
        """The naive wall time the clocks show from the change on (`03:00` when they skip)."""
        return (self.change.utc + self.change.offset_after).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class ZoneGrid:
    """The delegations side by side on one day of the event zone (`vconf zones`).

    Hour `h` of the grid starts at `h:00` on `day` in the event zone, read as SPEC §2 reads a wall
    time, and lasts an hour: on a day the event zone changes its clocks, one hour shows twice or
    not at all (the clock changes say so). `rows` are sorted by UTC offset, then code;
    `clock_changes` cover every delegation zone and the event zone from `first_day` to
    `clock_changes_last_day`, sorted by instant, then zone: the event's days (`first_day` to
    `last_day`), or its first MAX_DAYS days when it is longer.
    """

    event: Event
    day: date
    offset: timedelta
    abbreviation: str
    rows: tuple[ZoneRow, ...]
    first_day: date
    last_day: date
    clock_changes_last_day: date
    clock_changes: tuple[ClockChangeRow, ...]


# ---- the zone grid -----------------------------------------------------------------------------


def build_zone_grid(timetable: Timetable, *, day: date | None = None) -> ZoneGrid:
    """Return the delegations side by side on `day` (default the event's first day).

    Without `event.start` the first day is the first session's date in the event zone; with
    neither, `day` must be given.
    """
    event = timetable.conference.event
    days = _event_days(timetable)
    if day is None:
        if days is None:
            raise VconfError("the event has no dates and no sessions: pass --date")
        day = days[0]
    first_day, last_day = days or (day, day)
    changes_last_day = min(last_day, first_day + timedelta(days=MAX_DAYS - 1))
    hour_starts = tuple(
        epoch_seconds(wall_to_utc(datetime.combine(day, time(hour)), event.tz_name).utc)
        for hour in range(GRID_HOURS)
    )
    offset, abbreviation = _offset_at_noon(day, event.tz_name)
    return ZoneGrid(
        event=event,
        day=day,
        offset=offset,
        abbreviation=abbreviation,
        rows=_zone_rows(timetable, day, hour_starts),
        first_day=first_day,
        last_day=last_day,
        clock_changes_last_day=changes_last_day,
        clock_changes=_clock_change_rows(timetable, first_day, changes_last_day),
    )


def _zone_rows(timetable: Timetable, day: date, hour_starts: Sequence[int]) -> tuple[ZoneRow, ...]:
    """Return a row per delegation, sorted by UTC offset on the day, then code."""
    event_tz_name = timetable.conference.event.tz_name
    codes = sorted(timetable.delegations)
    available = _availabilities(timetable, codes, min(hour_starts), max(hour_starts) + HOUR)
    day_span = _days_span(day, day, event_tz_name)
    rows = [
        _zone_row(
            timetable.delegations[code],
            available[code],
            day=day,
            day_span=day_span,
            hour_starts=hour_starts,
            event_tz_name=event_tz_name,
        )
        for code in codes
    ]
    rows.sort(key=lambda row: (row.offset, row.delegation.code))
    return tuple(rows)


def _zone_row(
    delegation: Delegation,
    availability: Availability,
    *,
    day: date,
    day_span: tuple[int, int],
    hour_starts: Sequence[int],
    event_tz_name: str,
) -> ZoneRow:
    """Return one delegation's row: its offset that day, its hours in the event zone, its cells."""
    offset, abbreviation = _offset_at_noon(day, delegation.tz_name)
    hours_start, hours_end = _hours_nearest(delegation, day, day_span)
    return ZoneRow(
        delegation=delegation,
        offset=offset,
        abbreviation=abbreviation,
        hours_start_local=utc_to_local(instant_at(hours_start), event_tz_name),
        hours_end_local=utc_to_local(instant_at(hours_end), event_tz_name),
        cells=tuple(_cell(availability, start, start + HOUR) for start in hour_starts),
    )


def _offset_at_noon(day: date, tz_name: str) -> tuple[timedelta, str]:
    """Return a zone's UTC offset and abbreviation at 12:00 local on a date."""
    noon = wall_to_utc(datetime.combine(day, time(12)), tz_name).utc
    return offset_and_abbreviation(noon, tz_name)


def _hours_nearest(delegation: Delegation, day: date, day_span: tuple[int, int]) -> tuple[int, int]:
    """Return the delegation's hours on the local date (day, the day before or after) that
    overlaps the event-zone day most; ties go to the same date, then the day before."""
    windows = [_hours_on(delegation, day + timedelta(days=shift)) for shift in (0, -1, 1)]
    low, high = day_span
    return max(windows, key=lambda window: min(window[1], high) - max(window[0], low))


def _hours_on(delegation: Delegation, local_day: date) -> tuple[int, int]:
    """Return a delegation's acceptable hours on one of its local dates, as epoch seconds."""
    midnight = datetime.combine(local_day, time())
    start, end = (
        wall_to_utc(midnight + timedelta(minutes=minutes), delegation.tz_name).utc
        for minutes in (delegation.hours.start, delegation.hours.end)
    )
    return epoch_seconds(start), epoch_seconds(end)


def _cell(availability: Availability, start: int, end: int) -> CellState:
    """Return what the hour [start, end) is for a delegation."""
    wall_start, wall_end = availability.clock.local_seconds_each((start, end))
    if availability.touches_day_off(wall_start, wall_end):
        return CellState.NON_WORKING
    if is_inside_hours(wall_start, wall_end, availability.hours_start, availability.hours_end):
        return CellState.WORK
    if is_inside_hours(wall_start, wall_end, AWAKE.start * MINUTE, AWAKE.end * MINUTE):
        return CellState.OFF_HOURS
    return CellState.NIGHT


def _clock_change_rows(
    timetable: Timetable, first_day: date, last_day: date
) -> tuple[ClockChangeRow, ...]:
    """Return the clock changes of every delegation zone and the event zone in the given days."""
    event_tz_name = timetable.conference.event.tz_name
    low, high = (instant_at(moment) for moment in _days_span(first_day, last_day, event_tz_name))
    codes_by_zone: dict[str, list[str]] = {event_tz_name: []}
    for code in sorted(timetable.delegations):
        codes_by_zone.setdefault(timetable.delegations[code].tz_name, []).append(code)
    rows = [
        ClockChangeRow(tz_name, change, tuple(codes))
        for tz_name, codes in codes_by_zone.items()
        for change in clock_changes(tz_name, low, high)
    ]
    rows.sort(key=lambda row: (row.change.utc, row.tz_name))
    return tuple(rows)
