"""Local time as integer arithmetic, and the days asked about (shared by grid and proposals).

Times are epoch seconds (`int`) here. Each zone's UTC offsets over the days asked about are read
once from `timezones` (its clock changes), so the wall time of an instant is `seconds + offset`,
and the instants a delegation is inside its hours on a working day are a sorted list of UTC
intervals.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from vconf.model import Delegation, Hours
from vconf.timetable import Timetable
from vconf.timezones import (
    UTC,
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
