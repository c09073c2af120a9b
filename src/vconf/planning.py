"""The zone grid of `vconf zones` and the start times `vconf slots` proposes (SPEC §3).

Local time is integer arithmetic here. Each zone's UTC offsets over the days asked about are read
once from `timezones` (its clock changes), so the wall time of an instant is `seconds + offset`,
and the instants a delegation is inside its hours on a working day are a sorted list of UTC
intervals. Scoring a week of quarter hours for 250 delegations is then a few hundred thousand
bisections and additions instead of as many pytz conversions.

Times are epoch seconds (`int`) inside this module and aware datetimes in what it returns.
"""

from __future__ import annotations

import enum
import heapq
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from vconf.errors import VconfError
from vconf.model import Delegation, Event, Hours
from vconf.timetable import Timetable
from vconf.timezones import (
    UTC,
    ClockChange,
    clock_changes,
    offset_and_abbreviation,
    utc_to_local,
    wall_to_utc,
)

SECOND = timedelta(seconds=1)
MINUTE = 60
HOUR = 3600
DAY = 86_400
QUARTER_HOUR = 900
GRID_HOURS = 24
MAX_DAYS = 366
AWAKE = Hours(7 * 60, 22 * 60)  # the zone grid's waking hours, whatever a delegation's hours are
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday is 0)


# ---- what the module returns -------------------------------------------------------------------


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
    `clock_changes` cover every delegation zone and the event zone from `first_day` to `last_day`
    (the event's days), sorted by instant, then zone.
    """

    event: Event
    day: date
    offset: timedelta
    abbreviation: str
    hour_starts_utc: tuple[datetime, ...]
    rows: tuple[ZoneRow, ...]
    first_day: date
    last_day: date
    clock_changes: tuple[ClockChangeRow, ...]


@dataclass(frozen=True, slots=True)
class OutsideHours:
    """One delegation a proposal leaves outside its hours or on a non-working day.

    `minutes` counts the minutes of the session whose local time is outside the delegation's hours
    or on its weekend or holiday; `start_local`/`end_local` are the session in its zone.
    """

    delegation: str
    minutes: int
    start_local: datetime
    end_local: datetime
    non_working_day: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    """A start time for a new session, scored as SPEC §3 ranks them.

    `delegations` are the requested codes (sorted); `inside` counts those wholly inside their hours
    on a working day; `minutes_outside` sums `OutsideHours.minutes` over all of them; `clashes` are
    the overlapping sessions whose delegations include every requested one (start, then id);
    `outside` lists the delegations not inside, by code.
    """

    start_utc: datetime
    end_utc: datetime
    delegations: tuple[str, ...]
    inside: int
    minutes_outside: int
    clashes: tuple[str, ...]
    outside: tuple[OutsideHours, ...]


# ---- local time as arithmetic ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LocalClock:
    """A zone's UTC offsets over a span: `offsets[i]` is in force from `changes_at[i]` on."""

    changes_at: tuple[int, ...]
    offsets: tuple[int, ...]

    def walls(self, instants: Iterable[int]) -> list[int]:
        """Return the wall time of each instant of the span, in seconds since 1970-01-01 local."""
        if len(self.offsets) == 1:  # most zones on most days: no clock change
            offset = self.offsets[0]
            return [instant + offset for instant in instants]
        changes_at, offsets = self.changes_at, self.offsets
        return [instant + offsets[bisect_right(changes_at, instant) - 1] for instant in instants]


def _local_clock(tz_name: str, low: int, high: int) -> _LocalClock:
    """Return the zone's offsets in force from `low` to `high` (both included)."""
    low_utc, high_utc = _instant(low), _instant(high)
    offset, _ = offset_and_abbreviation(low_utc, tz_name)
    changes = clock_changes(tz_name, low_utc, high_utc + SECOND)
    return _LocalClock(
        (low, *(_seconds(change.utc) for change in changes)),
        (offset // SECOND, *(change.offset_after // SECOND for change in changes)),
    )


@dataclass(frozen=True, slots=True)
class _Availability:
    """When one delegation is inside its hours on a working day, over the span being planned.

    `windows_start`/`windows_end` are the UTC intervals whose wall time is inside the hours on a
    working day, after an empty one at the span's start; `inside_before[i]` is their length
    before window `i`. `off_days_before[i]` counts the non-working local days before day number
    `first_day + i`. Methods take instants of the span, in epoch seconds; the `_each` ones take
    many at once, which is what makes scoring every quarter hour fast.
    """

    clock: _LocalClock
    hours_start: int
    hours_end: int
    first_day: int
    off_days_before: tuple[int, ...]
    windows_start: tuple[int, ...]
    windows_end: tuple[int, ...]
    inside_before: tuple[int, ...]

    def is_inside(self, start: int, end: int) -> bool:
        """Whether neither `outside-hours` nor `non-working-day` holds for [start, end) (§2)."""
        return self.inside_each((start,), (end,))[0]

    def inside_each(self, starts: Sequence[int], ends: Sequence[int]) -> list[bool]:
        """Return `is_inside` for each interval [starts[i], ends[i])."""
        walls = zip(self.clock.walls(starts), self.clock.walls(ends), strict=True)
        return [self._inside_walls(wall_start, wall_end) for wall_start, wall_end in walls]

    def _inside_walls(self, wall_start: int, wall_end: int) -> bool:
        return _within_one_day(
            wall_start, wall_end, self.hours_start, self.hours_end
        ) and not self.touches_non_working_day(wall_start, wall_end)

    def touches_non_working_day(self, wall_start: int, wall_end: int) -> bool:
        """Whether local [wall_start, wall_end) touches a weekend day or holiday (SPEC §2)."""
        first, last = wall_start // DAY, (wall_end - 1) // DAY  # an end at 00:00 touches no date
        if last < first:
            return False
        before = self.off_days_before
        return before[last + 1 - self.first_day] > before[first - self.first_day]

    def seconds_outside(self, start: int, end: int) -> int:
        """Return how many seconds of [start, end) are not inside the hours on a working day."""
        return self.seconds_outside_each((start,), (end,))[0]

    def seconds_outside_each(self, starts: Sequence[int], ends: Sequence[int]) -> list[int]:
        """Return `seconds_outside` for each interval [starts[i], ends[i])."""
        before_starts, before_ends = self._inside_until_each(starts), self._inside_until_each(ends)
        return [
            end - start - (inside_end - inside_start)
            for start, end, inside_start, inside_end in zip(
                starts, ends, before_starts, before_ends, strict=True
            )
        ]

    def _inside_until_each(self, instants: Sequence[int]) -> list[int]:
        """Return the seconds inside the windows from the span's start to each instant."""
        starts, ends, before = self.windows_start, self.windows_end, self.inside_before
        found = [bisect_right(starts, instant) - 1 for instant in instants]
        return [  # a conditional, not min(): this runs for every quarter hour and delegation
            before[index] - starts[index] + (instant if instant < ends[index] else ends[index])
            for index, instant in zip(found, instants, strict=True)
        ]


def _within_one_day(wall_start: int, wall_end: int, hours_start: int, hours_end: int) -> bool:
    """Whether local [start, end) lies in one day's hours; the next 00:00 counts as 24:00.

    The `outside-hours` rule of SPEC §2 (as `checks` applies it): a session that crosses
    midnight is never inside.
    """
    day = wall_start // DAY
    end_of_day = wall_end - day * DAY
    if wall_end // DAY != day and end_of_day != DAY:
        return False
    return hours_start <= wall_start - day * DAY and end_of_day <= hours_end


def _availability(delegation: Delegation, clock: _LocalClock, low: int, high: int) -> _Availability:
    """Return when a delegation is inside its hours on a working day between `low` and `high`."""
    first_day = (low + min(clock.offsets)) // DAY - 1
    last_day = (high + max(clock.offsets)) // DAY + 1
    off_days = _non_working_days(delegation, first_day, last_day)
    off_days_before = [0]
    for day in range(first_day, last_day + 1):
        off_days_before.append(off_days_before[-1] + (day in off_days))
    hours_start, hours_end = delegation.hours.start * MINUTE, delegation.hours.end * MINUTE
    windows = [(low, low), *_windows(clock, off_days, hours_start, hours_end, high)]
    inside_before = [0]
    for window_start, window_end in windows:
        inside_before.append(inside_before[-1] + window_end - window_start)
    return _Availability(
        clock=clock,
        hours_start=hours_start,
        hours_end=hours_end,
        first_day=first_day,
        off_days_before=tuple(off_days_before),
        windows_start=tuple(start for start, _ in windows),
        windows_end=tuple(end for _, end in windows),
        inside_before=tuple(inside_before[:-1]),
    )


def _non_working_days(delegation: Delegation, first_day: int, last_day: int) -> set[int]:
    """Return the local day numbers (days since 1970-01-01) that are weekend days or holidays."""
    epoch = EPOCH.date()
    days = {(holiday - epoch).days for holiday in delegation.holidays}
    weekend = set(delegation.weekend)
    days.update(
        day for day in range(first_day, last_day + 1) if (day + _EPOCH_WEEKDAY) % 7 in weekend
    )
    return days


def _windows(
    clock: _LocalClock, off_days: set[int], hours_start: int, hours_end: int, high: int
) -> Iterable[tuple[int, int]]:
    """Yield the UTC intervals, oldest first, whose wall time is in the hours of a working day."""
    ends = (*clock.changes_at[1:], high)
    for piece_start, piece_end, offset in zip(clock.changes_at, ends, clock.offsets, strict=True):
        wall_start, wall_end = piece_start + offset, piece_end + offset
        for day in range(wall_start // DAY, (wall_end - 1) // DAY + 1):
            if day in off_days:
                continue
            start = max(day * DAY + hours_start, wall_start)
            end = min(day * DAY + hours_end, wall_end)
            if start < end:
                yield start - offset, end - offset


def _availabilities(
    timetable: Timetable, codes: Iterable[str], low: int, high: int
) -> dict[str, _Availability]:
    """Return each delegation's availability; delegations alike (zone, hours, days) share one."""
    clocks: dict[str, _LocalClock] = {}
    shared: dict[tuple[object, ...], _Availability] = {}
    found: dict[str, _Availability] = {}
    for code in codes:
        delegation = timetable.delegations[code]
        key = (delegation.tz_name, delegation.hours, delegation.weekend, delegation.holidays)
        if key not in shared:
            if delegation.tz_name not in clocks:
                clocks[delegation.tz_name] = _local_clock(delegation.tz_name, low, high)
            shared[key] = _availability(delegation, clocks[delegation.tz_name], low, high)
        found[code] = shared[key]
    return found


def _seconds(instant: datetime) -> int:
    """Return an aware instant as whole seconds since the epoch (rounded down)."""
    return (instant - EPOCH) // SECOND


def _instant(seconds: int) -> datetime:
    """Return epoch seconds as an aware UTC datetime."""
    return EPOCH + timedelta(seconds=seconds)


# ---- days --------------------------------------------------------------------------------------


def _event_days(timetable: Timetable) -> tuple[date, date] | None:
    """Return the event's first and last day: `event.start`/`end`, else the sessions' span."""
    event = timetable.conference.event
    sessions = _session_days(timetable)
    first = event.start or (sessions[0] if sessions else event.end)
    last = event.end or (sessions[1] if sessions else event.start)
    if first is None or last is None:
        return None
    return first, max(first, last)


def _session_days(timetable: Timetable) -> tuple[date, date] | None:
    """Return the first and last event-zone date the sessions touch, or None without sessions."""
    if not timetable.slots:
        return None
    tz_name = timetable.conference.event.tz_name
    first = utc_to_local(timetable.slots[0].start_utc, tz_name).date()
    last_end = max(slot.end_utc for slot in timetable.slots)
    last = (utc_to_local(last_end, tz_name) - timedelta(microseconds=1)).date()
    return first, max(first, last)


def _days_span(first: date, last: date, tz_name: str) -> tuple[int, int]:
    """Return the instants of 00:00 on `first` and 00:00 after `last` in a zone (epoch seconds)."""
    after = last + timedelta(days=1)
    return _seconds(_midnight(first, tz_name)), _seconds(_midnight(after, tz_name))


def _midnight(day: date, tz_name: str) -> datetime:
    """Return the instant a local date starts (a midnight in a DST gap: when the clocks resume)."""
    return wall_to_utc(datetime.combine(day, time()), tz_name).utc


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
    hour_starts = tuple(
        _seconds(wall_to_utc(datetime.combine(day, time(hour)), event.tz_name).utc)
        for hour in range(GRID_HOURS)
    )
    offset, abbreviation = _offset_at_noon(day, event.tz_name)
    return ZoneGrid(
        event=event,
        day=day,
        offset=offset,
        abbreviation=abbreviation,
        hour_starts_utc=tuple(_instant(start) for start in hour_starts),
        rows=_zone_rows(timetable, day, hour_starts),
        first_day=first_day,
        last_day=last_day,
        clock_changes=_clock_change_rows(timetable, first_day, last_day),
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
    availability: _Availability,
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
        hours_start_local=utc_to_local(_instant(hours_start), event_tz_name),
        hours_end_local=utc_to_local(_instant(hours_end), event_tz_name),
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
    return _seconds(start), _seconds(end)


def _cell(availability: _Availability, start: int, end: int) -> CellState:
    """Return what the hour [start, end) is for a delegation."""
    wall_start, wall_end = availability.clock.walls((start, end))
    if availability.touches_non_working_day(wall_start, wall_end):
        return CellState.NON_WORKING
    if _within_one_day(wall_start, wall_end, availability.hours_start, availability.hours_end):
        return CellState.WORK
    if _within_one_day(wall_start, wall_end, AWAKE.start * MINUTE, AWAKE.end * MINUTE):
        return CellState.OFF_HOURS
    return CellState.NIGHT


def _clock_change_rows(
    timetable: Timetable, first_day: date, last_day: date
) -> tuple[ClockChangeRow, ...]:
    """Return the clock changes of every delegation zone and the event zone in the given days."""
    event_tz_name = timetable.conference.event.tz_name
    low, high = (_instant(moment) for moment in _days_span(first_day, last_day, event_tz_name))
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


# ---- proposals ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SessionIndex:
    """Sessions sorted by start, to find those overlapping an interval by bisection."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    ids: tuple[str, ...]
    longest: int

    def overlapping(self, start: int, end: int) -> tuple[str, ...]:
        """Return the sessions overlapping [start, end), half-open (SPEC §2), in start order."""
        # a session starting `longest` or more before `start` has ended by then
        first = bisect_right(self.starts, start - self.longest)
        last = bisect_left(self.starts, end)
        return tuple(self.ids[index] for index in range(first, last) if self.ends[index] > start)


def propose_slots(
    timetable: Timetable,
    *,
    duration: timedelta,
    delegations: tuple[str, ...] = (),
    start: date | None = None,
    end: date | None = None,
    top: int = 10,
) -> tuple[Proposal, ...]:
    """Return the `top` best start times for a new session of `duration`, best first (SPEC §3).

    Candidates start on every quarter hour of the event zone from 00:00 on `start` and end by
    00:00 after `end` (default the event's days, else the sessions' span). With `delegations`
    empty, every delegation is asked. The ranking, most important first:

    1. most delegations inside: wholly inside their hours on one local day, and touching no
       weekend day or holiday (neither `outside-hours` nor `non-working-day` of SPEC §2 holds);
    2. fewest minutes outside, summed over the delegations: the minutes of the session whose
       local time is outside the delegation's hours, or on its weekend day or holiday (a part
       minute counts as one);
    3. no clash: no overlap (half-open) with an existing session whose delegations include every
       requested one (our reading of SPEC's "a session that has the same delegations": all of
       them are busy then; a session of only some of them is not a clash);
    4. earliest.
    """
    codes = _requested(timetable, delegations)
    if duration <= timedelta(0):
        raise VconfError(f"the duration must be positive, got {_minutes_text(duration)}")
    if top < 1:
        raise VconfError(f"--top must be at least 1, got {top}")
    first_day, last_day = _proposal_days(timetable, start, end)
    low, high = _days_span(first_day, last_day, timetable.conference.event.tz_name)
    length = -(-duration // SECOND)
    starts = range(low, high - length + 1, QUARTER_HOUR)
    if not starts:
        raise VconfError(
            f"a {_minutes_text(duration)} session does not fit between {first_day} and {last_day}"
        )
    available = _availabilities(timetable, codes, low, high)
    inside, minutes = _scores(starts, length, [available[code] for code in codes])
    sessions = _session_index(timetable, codes)
    clashes = [bool(sessions.overlapping(moment, moment + length)) for moment in starts]
    best = heapq.nsmallest(
        top, range(len(starts)), key=lambda i: (-inside[i], minutes[i], clashes[i], starts[i])
    )
    return tuple(_proposal(timetable, codes, available, sessions, starts[i], length) for i in best)


def _requested(timetable: Timetable, delegations: tuple[str, ...]) -> tuple[str, ...]:
    """Return the requested codes sorted and without repeats, or every code; check each exists."""
    for code in delegations:
        if code not in timetable.delegations:
            known = ", ".join(sorted(timetable.delegations)) or "none"
            raise VconfError(f"unknown delegation {code!r}; the delegations are: {known}")
    return tuple(sorted(set(delegations) if delegations else timetable.delegations))


def _proposal_days(timetable: Timetable, start: date | None, end: date | None) -> tuple[date, date]:
    """Return the days to search: the given ones, the event's, else the sessions' span.

    A missing `end` is the event's last day, or `start` when the event ends before it; a
    missing `start` likewise.
    """
    default = _event_days(timetable)
    if start is None and end is None:
        if default is None:
            raise VconfError("the event has no dates and no sessions: pass --from and --to")
        return default
    if start is None:
        assert end is not None  # both missing returned above
        start = default[0] if default and default[0] <= end else end
    if end is None:
        end = default[1] if default and default[1] >= start else start
    if start > end:
        raise VconfError(f"--from {start} is after --to {end}")
    if (end - start).days + 1 > MAX_DAYS:
        raise VconfError(f"{start} to {end} is more than {MAX_DAYS} days: choose fewer")
    return start, end


def _scores(
    starts: range, length: int, availabilities: Sequence[_Availability]
) -> tuple[list[int], list[int]]:
    """Return, per candidate start, how many delegations are inside and the minutes outside."""
    # delegations alike share one availability (same object): score it once, count it n times
    shared = {id(availability): availability for availability in availabilities}
    counts = Counter(id(availability) for availability in availabilities)
    ends = [moment + length for moment in starts]
    inside = [0] * len(starts)
    minutes = [0] * len(starts)
    for key, availability in shared.items():
        count = counts[key]
        inside_each = availability.inside_each(starts, ends)
        outside_each = availability.seconds_outside_each(starts, ends)
        inside = [total + count * found for total, found in zip(inside, inside_each, strict=True)]
        minutes = [
            total + count * _minutes_up(seconds)
            for total, seconds in zip(minutes, outside_each, strict=True)
        ]
    return inside, minutes


def _session_index(timetable: Timetable, codes: tuple[str, ...]) -> _SessionIndex:
    """Return the sessions whose delegations include every requested code, by start."""
    wanted = set(codes)
    slots = [slot for slot in timetable.slots if wanted.issubset(slot.delegations)]
    # starts rounded down and ends up: candidates are whole seconds, so overlaps stay exact
    starts = tuple(_seconds(slot.start_utc) for slot in slots)
    ends = tuple(_seconds_rounded_up(slot.end_utc) for slot in slots)
    longest = max((end - start for start, end in zip(starts, ends, strict=True)), default=0)
    return _SessionIndex(starts, ends, tuple(slot.id for slot in slots), longest)


def _seconds_rounded_up(instant: datetime) -> int:
    """Return an aware instant as whole seconds since the epoch, rounded up."""
    return -((EPOCH - instant) // SECOND)


def _proposal(
    timetable: Timetable,
    codes: tuple[str, ...],
    available: dict[str, _Availability],
    sessions: _SessionIndex,
    start: int,
    length: int,
) -> Proposal:
    """Return one scored start time with who is outside and the sessions it clashes with."""
    end = start + length
    outside = tuple(
        _outside_hours(timetable.delegations[code], available[code], start, end)
        for code in codes
        if not available[code].is_inside(start, end)
    )
    minutes = sum(_minutes_up(available[code].seconds_outside(start, end)) for code in codes)
    return Proposal(
        start_utc=_instant(start),
        end_utc=_instant(end),
        delegations=codes,
        inside=len(codes) - len(outside),
        minutes_outside=minutes,
        clashes=sessions.overlapping(start, end),
        outside=outside,
    )


def _outside_hours(
    delegation: Delegation, availability: _Availability, start: int, end: int
) -> OutsideHours:
    """Return how a delegation is outside for [start, end): minutes, local times, day."""
    wall_start, wall_end = availability.clock.walls((start, end))
    return OutsideHours(
        delegation=delegation.code,
        minutes=_minutes_up(availability.seconds_outside(start, end)),
        start_local=utc_to_local(_instant(start), delegation.tz_name),
        end_local=utc_to_local(_instant(end), delegation.tz_name),
        non_working_day=availability.touches_non_working_day(wall_start, wall_end),
    )


def _minutes_up(seconds: int) -> int:
    """Return seconds as minutes, a part minute counting as one."""
    return -(-seconds // MINUTE)


def _minutes_text(length: timedelta) -> str:
    """Return `90 min` for a duration."""
    return f"{length.total_seconds() / MINUTE:g} min"
