"""The day rules of SPEC §2 against brute force: hours, days off, minutes outside hours."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from vconf.days import (
    DAY,
    DaysOff,
    day_number,
    day_of,
    days_off,
    is_inside_hours,
    minutes_outside_hours,
    touches_day_off,
)
from vconf.model import Delegation, Hours
from vconf.timezones import clock_changes

UTC = timezone.utc
MINUTE = 60
ZONES = (
    "Asia/Jakarta", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
    "Pacific/Chatham", "Europe/Berlin", "Pacific/Kiritimati", "America/St_Johns",
    "Pacific/Apia", "Australia/Adelaide",
)  # fmt: skip

# wall times on whole minutes, 1990 to 2060, as seconds since 1970-01-01 local
walls = st.integers(7305 * 24 * 60, 32872 * 24 * 60).map(lambda minutes: minutes * MINUTE)


@st.composite
def hours(draw: st.DrawFn) -> tuple[int, int]:
    """A delegation's hours in seconds of the day: start before end, end up to 24:00."""
    start = draw(st.integers(0, 24 * 60 - 1))
    end = draw(st.integers(start + 1, 24 * 60))
    return start * MINUTE, end * MINUTE


def inside_by_minutes(wall_start: int, wall_end: int, window: tuple[int, int]) -> bool:
    """Every minute of the session lies on its start date, in that date's window."""
    date_start = wall_start // DAY * DAY
    return all(
        minute // DAY * DAY == date_start
        and window[0] <= minute - date_start
        and minute - date_start + MINUTE <= window[1]
        for minute in range(wall_start, wall_end, MINUTE)
    )


@given(wall_start=walls, length=st.integers(1, 3 * 24 * 60), window=hours())
def test_inside_hours_is_every_minute_on_the_start_date_in_its_window(
    wall_start: int, length: int, window: tuple[int, int]
) -> None:
    wall_end = wall_start + length * MINUTE
    expected = inside_by_minutes(wall_start, wall_end, window)
    assert is_inside_hours(wall_start, wall_end, *window) is expected


def test_an_end_at_the_next_midnight_is_24_00_and_crossing_midnight_is_never_inside() -> None:
    day = 18_947 * DAY  # 2021-11-16
    assert is_inside_hours(day + 22 * 3600, day + DAY, 7 * 3600, DAY)
    assert not is_inside_hours(day + 22 * 3600, day + DAY, 7 * 3600, 23 * 3600)
    assert not is_inside_hours(day + 23 * 3600, day + DAY + 3600, 0, DAY)


weekends = st.frozensets(st.integers(0, 6), max_size=3)


def dates_by_minutes(wall_start: int, wall_end: int) -> list[date]:
    """The local dates the minutes of [wall_start, wall_end) fall on, oldest first."""
    found: list[date] = []
    for minute in range(wall_start, wall_end, MINUTE):
        on = datetime(1970, 1, 1) + timedelta(seconds=minute)
        if not found or found[-1] != on.date():
            found.append(on.date())
    return found


@given(
    wall_start=walls,
    length=st.integers(1, 4 * 24 * 60),
    weekend=weekends,
    holiday_shifts=st.frozensets(st.integers(-2, 6), max_size=3),
)
def test_the_days_off_touched_are_those_of_the_sessions_minutes(
    wall_start: int, length: int, weekend: frozenset[int], holiday_shifts: frozenset[int]
) -> None:
    wall_end = wall_start + length * MINUTE
    first_date = (datetime(1970, 1, 1) + timedelta(seconds=wall_start)).date()
    holidays = {first_date + timedelta(days=shift) for shift in holiday_shifts}
    off = DaysOff(weekend, frozenset(day_number(day) for day in holidays))
    expected = [
        day
        for day in dates_by_minutes(wall_start, wall_end)
        if day in holidays or day.weekday() in weekend
    ]
    assert [day_of(number) for number in off.touched(wall_start, wall_end)] == expected
    assert touches_day_off(wall_start, wall_end, off=off) is bool(expected)


def test_a_delegations_days_off_are_its_weekend_and_holidays() -> None:
    delegation = Delegation(
        "ID", "Indonesia", "Asia/Jakarta", Hours(8 * 60, 17 * 60), (4, 5), (date(2021, 11, 18),)
    )
    off = days_off(delegation)
    assert [day_of(day) for day in range(18_945, 18_953) if off.is_off(day)] == [
        date(2021, 11, 18),  # the holiday, a Thursday
        date(2021, 11, 19),  # Friday
        date(2021, 11, 20),  # Saturday
    ]
    assert day_of(day_number(date(2999, 12, 31))) == date(2999, 12, 31)


# ---- minutes outside hours (SPEC §10) ------------------------------------------------------------


def outside_by_minutes(delegation: Delegation, start: datetime, length: int) -> int:
    """Count the minutes of the session whose local time is outside the hours of its date or on a
    day off, converting each minute by zoneinfo."""
    zone = zoneinfo.ZoneInfo(delegation.tz_name)
    window = (delegation.hours.start, delegation.hours.end)
    count = 0
    for minute in range(length):
        local = (start + timedelta(minutes=minute)).astimezone(zone)
        of_day = local.hour * 60 + local.minute
        day_off = local.date() in delegation.holidays or local.weekday() in delegation.weekend
        count += day_off or not window[0] <= of_day < window[1]
    return count


@st.composite
def session_starts(draw: st.DrawFn, zone: str) -> datetime:
    """A start on a whole minute from 1990 to 2060, often within a day of a clock change."""
    year = draw(st.integers(1990, 2059))
    low, high = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    changes = [change.utc for change in clock_changes(zone, low, high)]
    if changes and draw(st.booleans()):
        base = draw(st.sampled_from(changes)) - timedelta(hours=draw(st.integers(0, 30)))
    else:
        base = low + timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))
    return base.replace(second=0, microsecond=0)


@given(
    zone=st.sampled_from(ZONES),
    window=hours(),
    weekend=weekends,
    length=st.integers(1, 2 * 24 * 60),
    data=st.data(),
)
def test_minutes_outside_hours_count_each_minute_against_its_own_date(
    zone: str, window: tuple[int, int], weekend: frozenset[int], length: int, data: st.DataObject
) -> None:
    start = data.draw(session_starts(zone))
    holiday = (start + timedelta(days=data.draw(st.integers(-1, 2)))).date()
    delegation = Delegation(
        "XX",
        "X",
        zone,
        Hours(window[0] // MINUTE, window[1] // MINUTE),
        tuple(sorted(weekend)),
        (holiday,) if data.draw(st.booleans()) else (),
    )
    end = start + timedelta(minutes=length)
    expected = outside_by_minutes(delegation, start, length)
    assert minutes_outside_hours(delegation, start_utc=start, end_utc=end) == expected


def test_a_90_minute_session_from_21_00_jakarta_has_30_minutes_outside_08_00_to_22_00() -> None:
    delegation = Delegation("ID", "Indonesia", "Asia/Jakarta", Hours(8 * 60, 22 * 60))
    start = datetime(2021, 11, 16, 14, 0, tzinfo=UTC)  # 21:00 WIB, a Tuesday
    assert (
        minutes_outside_hours(delegation, start_utc=start, end_utc=start + timedelta(minutes=90))
        == 30
    )
    saturday = datetime(2021, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 WIB
    assert (
        minutes_outside_hours(delegation, start_utc=saturday, end_utc=saturday + timedelta(hours=1))
        == 60
    )
