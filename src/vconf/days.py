"""The day rules of SPEC §2 on wall times: a delegation's hours, its weekend days and holidays.

Wall times are `timezones.ZoneClock` wall times: seconds since 1970-01-01 00:00 local, so the
local day number is `wall // DAY`. `checks` (the `outside-hours` and `non-working-day` problems)
and `planning` (the zone grid, slot proposals, minutes outside hours) read the rules from here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from vconf.model import Delegation
from vconf.timezones import ZoneClock, epoch_seconds, span_clock

MINUTE = 60
DAY = 86_400
ORDINAL_OF_EPOCH_DAY = 719_163  # date(1970, 1, 1).toordinal()
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday is 0)


def day_number(day: date) -> int:
    """Return a date as its local day number (days since 1970-01-01)."""
    return day.toordinal() - ORDINAL_OF_EPOCH_DAY


def day_of(number: int) -> date:
    """Return the date of a local day number."""
    return date.fromordinal(number + ORDINAL_OF_EPOCH_DAY)


def is_inside_hours(wall_start: int, wall_end: int, hours_start: int, hours_end: int) -> bool:
    """Whether local [wall_start, wall_end) lies in one day's hours (seconds of the day).

    Positional for speed: `check` asks it for every (session, delegation), `slots` for every
    quarter hour and delegation.

    The `outside-hours` rule of SPEC §2 holds when this is false: an end at the next day's 00:00
    counts as 24:00 of the start date, and a session that crosses midnight is never inside.
    """
    day = wall_start // DAY
    end_of_day = wall_end - day * DAY
    if wall_end // DAY != day and end_of_day != DAY:
        return False
    return hours_start <= wall_start - day * DAY and end_of_day <= hours_end


@dataclass(frozen=True, slots=True)
class DaysOff:
    """A delegation's weekend days (Monday is 0) and holidays (local day numbers)."""

    weekend: frozenset[int]
    holidays: frozenset[int]

    def is_off(self, day: int) -> bool:
        """Whether a local day number is a weekend day or a holiday."""
        return day in self.holidays or (day + _EPOCH_WEEKDAY) % 7 in self.weekend

    def touched(self, wall_start: int, wall_end: int) -> list[int]:
        """Return the days off local [wall_start, wall_end) touches, oldest first.

        An end at 00:00 does not touch its date (SPEC §2): the last second before it does.
        """
        first, last = wall_start // DAY, (wall_end - 1) // DAY
        if first == last:  # most sessions: one date
            return [first] if self.is_off(first) else []
        return [day for day in range(first, last + 1) if self.is_off(day)]


@lru_cache(maxsize=4096)
def days_off(delegation: Delegation) -> DaysOff:
    """Return a delegation's days off."""
    return DaysOff(
        frozenset(delegation.weekend), frozenset(day_number(day) for day in delegation.holidays)
    )


def touches_day_off(wall_start: int, wall_end: int, *, off: DaysOff) -> bool:
    """Whether local [wall_start, wall_end) touches a weekend day or holiday: `non-working-day`."""
    return bool(off.touched(wall_start, wall_end))


# ---- availability: when a delegation is inside its hours on a working day ------------------------


@dataclass(frozen=True, slots=True)
class Availability:
    """When one delegation is inside its hours on a working day, over a span of instants.

    `windows_start`/`windows_end` are the UTC intervals whose wall time is inside the hours on a
    working day, after an empty one at the span's start; `inside_before[i]` is their length
    before window `i`. `off_days_before[i]` counts the days off before day number
    `first_day + i`. Methods take instants of the span, in epoch seconds; the `_each` ones take
    many at once, which is what makes scoring every quarter hour fast.
    """

    clock: ZoneClock
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
        walls = zip(
            self.clock.local_seconds_each(starts), self.clock.local_seconds_each(ends), strict=True
        )
        return [self._inside_walls(wall_start, wall_end) for wall_start, wall_end in walls]

    def _inside_walls(self, wall_start: int, wall_end: int) -> bool:
        return is_inside_hours(
            wall_start, wall_end, self.hours_start, self.hours_end
        ) and not self.touches_day_off(wall_start, wall_end)

    def touches_day_off(self, wall_start: int, wall_end: int) -> bool:
        """`touches_day_off` for wall times of the span, by two look-ups."""
        first, last = wall_start // DAY, (wall_end - 1) // DAY  # an end at 00:00 touches no date
        if last < first:
            return False
        before = self.off_days_before
        return before[last + 1 - self.first_day] > before[first - self.first_day]

    def seconds_outside(self, start: int, end: int) -> int:
        """Return how many seconds of [start, end) are not inside the hours on a working day.

        Each elapsed second counts against the hours of the local date it falls on (SPEC §10's
        minutes outside hours, to the second); every second of a day off counts.
        """
        return self.seconds_outside_each((start,), (end,))[0]

    def minutes_outside(self, start: int, end: int) -> int:
        """Return `seconds_outside` in minutes, a part minute counting as one."""
        return -(-self.seconds_outside(start, end) // MINUTE)

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


def availability(delegation: Delegation, clock: ZoneClock, *, low: int, high: int) -> Availability:
    """Return when a delegation is inside its hours on a working day between `low` and `high`.

    `clock` is the delegation zone's clock over (at least) `[low, high]`.
    """
    first_day = (low + min(clock.offsets)) // DAY - 1
    last_day = (high + max(clock.offsets)) // DAY + 1
    off = days_off(delegation)
    off_days = {day for day in range(first_day, last_day + 1) if off.is_off(day)}
    off_days_before = [0]
    for day in range(first_day, last_day + 1):
        off_days_before.append(off_days_before[-1] + (day in off_days))
    hours_start, hours_end = delegation.hours.start * MINUTE, delegation.hours.end * MINUTE
    windows = [(low, low), *_windows(clock, off_days, hours_start, hours_end, low, high)]
    inside_before = [0]
    for window_start, window_end in windows:
        inside_before.append(inside_before[-1] + window_end - window_start)
    return Availability(
        clock=clock,
        hours_start=hours_start,
        hours_end=hours_end,
        first_day=first_day,
        off_days_before=tuple(off_days_before),
        windows_start=tuple(start for start, _ in windows),
        windows_end=tuple(end for _, end in windows),
        inside_before=tuple(inside_before[:-1]),
    )


def _windows(
    clock: ZoneClock, off_days: set[int], hours_start: int, hours_end: int, low: int, high: int
) -> Iterable[tuple[int, int]]:
    """Yield the UTC intervals, oldest first, whose wall time is in the hours of a working day."""
    inside = [instant for instant in clock.change_instants if low < instant < high]
    starts, ends = (low, *inside), (*inside, high)
    for piece_start, piece_end in zip(starts, ends, strict=True):
        offset = clock.offset_at(piece_start)
        wall_start, wall_end = piece_start + offset, piece_end + offset
        for day in range(wall_start // DAY, (wall_end - 1) // DAY + 1):
            if day in off_days:
                continue
            start = max(day * DAY + hours_start, wall_start)
            end = min(day * DAY + hours_end, wall_end)
            if start < end:
                yield start - offset, end - offset


def seconds_outside_hours(delegation: Delegation, *, start_utc: datetime, end_utc: datetime) -> int:
    """Return the seconds of [start_utc, end_utc) outside a delegation's hours or on a day off.

    SPEC §10's minutes outside hours, to the second, for one interval; to score many intervals of
    one span, build an `availability` once and use its `_each` methods.
    """
    low, high = epoch_seconds(start_utc), epoch_seconds(end_utc)
    clock = span_clock(delegation.tz_name, start_utc, end_utc + timedelta(seconds=1))
    return availability(delegation, clock, low=low, high=high).seconds_outside(low, high)


def minutes_outside_hours(delegation: Delegation, *, start_utc: datetime, end_utc: datetime) -> int:
    """Return `seconds_outside_hours` in minutes, a part minute counting as one."""
    return -(-seconds_outside_hours(delegation, start_utc=start_utc, end_utc=end_utc) // MINUTE)
