"""Wall time to instant and back, gaps, folds, the years after pytz's table ends, the clock."""

from __future__ import annotations

import bisect
import zoneinfo
from datetime import datetime, timedelta, timezone

import pytest
import pytz
from hypothesis import given
from hypothesis import strategies as st

from vconf.errors import VconfError
from vconf.timezones import (
    AMBIGUOUS_ABBREVIATIONS,
    TimeIssue,
    check_zone_name,
    clock_changes,
    epoch_seconds,
    format_offset,
    instant_at,
    offset_and_abbreviation,
    readable_abbreviation,
    span_clock,
    utc_to_local,
    wall_to_utc,
    zone_clock,
)

UTC = timezone.utc
ZONES = (
    "Asia/Jakarta", "America/New_York", "Australia/Adelaide", "Australia/Lord_Howe",
    "Asia/Kathmandu", "Pacific/Chatham", "Europe/Stockholm", "Pacific/Kiritimati",
    "Pacific/Pago_Pago", "America/St_Johns", "Australia/Brisbane",
)  # fmt: skip


def test_14_00_in_jakarta_is_02_00_in_new_york_on_16_nov_2021() -> None:
    placed = wall_to_utc(datetime(2021, 11, 16, 14, 0), "Asia/Jakarta")
    assert placed.utc == datetime(2021, 11, 16, 7, 0, tzinfo=UTC)
    assert placed.issue is None
    assert utc_to_local(placed.utc, "America/New_York").replace(tzinfo=None) == datetime(
        2021, 11, 16, 2, 0
    )


def test_a_time_in_the_spring_gap_is_nonexistent_and_placed_with_the_offset_before() -> None:
    # 02:30 on 10 Mar 2024 does not exist in New York; RFC 5545 reads it as 02:30 EST = 07:30Z
    placed = wall_to_utc(datetime(2024, 3, 10, 2, 30), "America/New_York")
    assert placed.issue is TimeIssue.NONEXISTENT
    assert placed.utc == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)


def test_a_time_in_the_autumn_fold_is_ambiguous_and_placed_at_its_first_occurrence() -> None:
    # 01:30 on 3 Nov 2024 happens twice in New York; the first is 01:30 EDT = 05:30Z
    placed = wall_to_utc(datetime(2024, 11, 3, 1, 30), "America/New_York")
    assert placed.issue is TimeIssue.AMBIGUOUS
    assert placed.utc == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)


def test_lord_howe_half_hour_fold_is_ambiguous() -> None:
    # Lord Howe goes from +11 to +10:30 at 02:00 on 7 Apr 2024: 01:30-02:00 happens twice
    placed = wall_to_utc(datetime(2024, 4, 7, 1, 45), "Australia/Lord_Howe")
    assert placed.issue is TimeIssue.AMBIGUOUS
    assert placed.utc == datetime(2024, 4, 6, 14, 45, tzinfo=UTC)


def test_new_york_noon_in_july_2038_is_daylight_time_past_pytz_table() -> None:
    placed = wall_to_utc(datetime(2038, 7, 1, 12, 0), "America/New_York")
    assert placed.utc == datetime(2038, 7, 1, 16, 0, tzinfo=UTC)
    offset, abbreviation = offset_and_abbreviation(placed.utc, "America/New_York")
    assert (offset, abbreviation) == (timedelta(hours=-4), "EDT")


def test_gap_after_2037_is_still_found() -> None:
    assert (
        wall_to_utc(datetime(2039, 3, 13, 2, 30), "America/New_York").issue is TimeIssue.NONEXISTENT
    )


def test_clock_changes_continue_after_2037() -> None:
    start, end = datetime(2038, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)
    changes = clock_changes("Europe/Berlin", start, end)
    assert [change.utc for change in changes] == [
        datetime(2038, 3, 28, 1, 0, tzinfo=UTC),
        datetime(2038, 10, 31, 1, 0, tzinfo=UTC),
        datetime(2039, 3, 27, 1, 0, tzinfo=UTC),
        datetime(2039, 10, 30, 1, 0, tzinfo=UTC),
    ]


def test_a_zone_without_dst_has_no_clock_changes() -> None:
    start, end = datetime(2023, 1, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
    assert clock_changes("Australia/Brisbane", start, end) == ()
    assert len(clock_changes("Australia/Adelaide", start, end)) == 2


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("Asia/Hanoi", "Asia/Ho_Chi_Minh"),
        ("US/Eastern ", "without the spaces"),
        ("UTC+7", "Etc/GMT-7"),
        ("Jakarta", "Asia/Jakarta"),
        ("europe/london", "Europe/London"),
    ],
)
def test_unknown_zone_names_get_a_suggestion(typed: str, hint: str) -> None:
    with pytest.raises(VconfError, match="expected an IANA name") as caught:
        check_zone_name(typed)
    assert hint in str(caught.value)


def test_offsets_format_with_sign_and_minutes() -> None:
    assert format_offset(timedelta(hours=5, minutes=45)) == "+05:45"
    assert format_offset(timedelta(hours=-9, minutes=-30)) == "-09:30"


@given(
    zone=st.sampled_from(ZONES),
    instant=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)),
)
def test_instant_to_local_agrees_with_zoneinfo(zone: str, instant: datetime) -> None:
    aware = instant.replace(tzinfo=UTC, second=0, microsecond=0)
    ours = utc_to_local(aware, zone)
    theirs = aware.astimezone(zoneinfo.ZoneInfo(zone))
    assert ours.replace(tzinfo=None) == theirs.replace(tzinfo=None)
    assert ours.utcoffset() == theirs.utcoffset()


@given(
    zone=st.sampled_from(ZONES),
    wall=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)),
)
def test_local_to_utc_to_local_round_trips_outside_gaps(zone: str, wall: datetime) -> None:
    wall = wall.replace(second=0, microsecond=0)
    placed = wall_to_utc(wall, zone)
    expected = wall.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0).astimezone(UTC)
    assert placed.utc == expected  # RFC 5545 and PEP 495 fold=0 agree on gaps and folds
    if placed.issue is not TimeIssue.NONEXISTENT:
        assert utc_to_local(placed.utc, zone).replace(tzinfo=None) == wall


# ---- the zone clock ------------------------------------------------------------------------------

TABLE_ZONES = tuple(sorted(pytz.common_timezones))
PYTZ_YEARS = (datetime(1902, 1, 1, tzinfo=UTC), datetime(2037, 1, 1, tzinfo=UTC))
RULE_YEARS = (datetime(2038, 1, 1, tzinfo=UTC), datetime(2300, 1, 1, tzinfo=UTC))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def seconds_between(low: datetime, high: datetime) -> st.SearchStrategy[int]:
    return st.integers(int((low - EPOCH).total_seconds()), int((high - EPOCH).total_seconds()))


def pytz_changes(zone: str, low: datetime, high: datetime) -> list[int]:
    """Return the instants of pytz's table for a zone within [low, high], as epoch seconds."""
    times = getattr(pytz.timezone(zone), "_utc_transition_times", [])
    return [
        int((moment - datetime(1970, 1, 1)).total_seconds())
        for moment in times
        if low.replace(tzinfo=None) <= moment <= high.replace(tzinfo=None)
    ]


def instants(zone: str, low: datetime, high: datetime) -> st.SearchStrategy[int]:
    """Any instant in [low, high], or one within 3 hours of one of the zone's clock changes."""
    changes = pytz_changes(zone, low, high) or [
        epoch_seconds(change.utc) for change in clock_changes(zone, low, high)
    ]
    anywhere = seconds_between(low, high)
    if not changes:
        return anywhere
    near = st.tuples(st.sampled_from(changes), st.integers(-3 * 3600, 3 * 3600))
    return anywhere | near.map(sum)


def pytz_wall_seconds(instant: int, zone: str) -> int:
    """Wall time by pytz itself: the instant converted, read back as seconds since 1970 local."""
    local = pytz.utc.localize(datetime(1970, 1, 1) + timedelta(seconds=instant)).astimezone(
        pytz.timezone(zone)
    )
    return int((local.replace(tzinfo=None) - datetime(1970, 1, 1)).total_seconds())


@given(zone=st.sampled_from(TABLE_ZONES), data=st.data())
def test_the_zone_clock_reads_every_zone_as_pytz_does_up_to_2037(
    zone: str, data: st.DataObject
) -> None:
    instant = data.draw(instants(zone, *PYTZ_YEARS))
    clock = zone_clock(zone)
    assert clock.local_seconds(instant) == pytz_wall_seconds(instant, zone)
    wall, abbreviation = clock.local_wall(instant_at(instant))
    pytz_local = instant_at(instant).astimezone(pytz.timezone(zone))
    assert (wall, abbreviation) == (pytz_local.replace(tzinfo=None), pytz_local.tzname())


@given(zone=st.sampled_from(ZONES), data=st.data())
def test_the_zone_clock_follows_the_zone_rule_after_2037(zone: str, data: st.DataObject) -> None:
    year = data.draw(st.integers(2038, 2299))
    start = datetime(year, 1, 1, tzinfo=UTC)
    instant = data.draw(instants(zone, start, start.replace(year=year + 1)))
    theirs = instant_at(instant).astimezone(zoneinfo.ZoneInfo(zone))
    offset = theirs.utcoffset()
    assert offset is not None
    assert zone_clock(zone).local_seconds(instant) == instant + offset // timedelta(seconds=1)


def test_new_york_is_on_daylight_time_in_july_2038_by_the_zone_clock() -> None:
    noon_edt = epoch_seconds(datetime(2038, 7, 1, 16, 0, tzinfo=UTC))
    assert zone_clock("America/New_York").offset_at(noon_edt) == -4 * 3600
    assert zone_clock("America/New_York").local_wall(instant_at(noon_edt))[1] == "EDT"


@given(
    zone=st.sampled_from(ZONES),
    start=seconds_between(datetime(1990, 1, 1, tzinfo=UTC), datetime(2080, 1, 1, tzinfo=UTC)),
    days=st.integers(1, 800),
    data=st.data(),
)
def test_a_span_clock_agrees_with_the_whole_zone_clock(
    zone: str, start: int, days: int, data: st.DataObject
) -> None:
    end = start + days * 86_400
    clock = span_clock(zone, instant_at(start), instant_at(end))
    inside = instants(zone, instant_at(start), instant_at(end - 1)).filter(
        lambda instant: start <= instant < end
    )
    drawn = data.draw(st.lists(inside, min_size=1, max_size=20))
    whole = zone_clock(zone)
    assert clock.local_seconds_each(drawn) == [whole.local_seconds(i) for i in drawn]
    assert [clock.local_seconds(i) for i in drawn] == [whole.local_seconds(i) for i in drawn]
    assert clock.changes == tuple(
        change
        for change in clock_changes(zone, instant_at(start), instant_at(end))
        if change.utc > instant_at(start)
    )
    assert [epoch_seconds(change.utc) for change in clock.changes] == list(clock.change_instants)
    assert len(clock.offsets) == len(clock.abbreviations) == len(clock.changes) + 1


@given(
    zone=st.sampled_from(ZONES),
    wall=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2080, 1, 1)),
)
def test_the_instants_of_a_wall_time_are_none_in_a_gap_two_in_a_fold(
    zone: str, wall: datetime
) -> None:
    wall = wall.replace(second=0, microsecond=0)
    placed = wall_to_utc(wall, zone)
    found = zone_clock(zone).instants_at(epoch_seconds(wall.replace(tzinfo=UTC)))
    expected = {TimeIssue.NONEXISTENT: 0, TimeIssue.AMBIGUOUS: 2, None: 1}[placed.issue]
    assert len(found) == expected
    if found:
        assert found[0] == epoch_seconds(placed.utc)  # the first occurrence, as RFC 5545 reads it


def test_the_instants_of_a_wall_time_near_the_new_york_clock_changes() -> None:
    clock = span_clock(
        "America/New_York", datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)
    )

    def wall(*fields: int) -> int:
        return epoch_seconds(datetime(*fields, tzinfo=UTC))  # type: ignore[misc]

    assert clock.instants_at(wall(2024, 3, 10, 2, 30)) == ()
    assert clock.instants_at(wall(2024, 11, 3, 1, 30)) == (
        wall(2024, 11, 3, 5, 30),
        wall(2024, 11, 3, 6, 30),
    )
    assert clock.instants_at(wall(2024, 7, 1, 12, 0)) == (wall(2024, 7, 1, 16, 0),)


def test_epoch_seconds_round_down_and_instant_at_returns_them() -> None:
    moment = datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)
    assert epoch_seconds(moment) == -1
    assert instant_at(-1) == datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)
    offset_moment = datetime(2021, 11, 16, 14, 0, tzinfo=timezone(timedelta(hours=7)))
    assert epoch_seconds(offset_moment) == epoch_seconds(datetime(2021, 11, 16, 7, tzinfo=UTC))


def test_a_span_clock_carries_what_a_vtimezone_needs() -> None:
    start, end = datetime(2020, 1, 1, tzinfo=UTC), datetime(2022, 1, 1, tzinfo=UTC)
    clock = span_clock("Europe/Berlin", start, end)
    assert (clock.offsets[0], clock.abbreviations[0], clock.is_dst_at_start) == (3600, "CET", False)
    assert [(change.utc.month, change.abbreviation_after) for change in clock.changes] == [
        (3, "CEST"),
        (10, "CET"),
        (3, "CEST"),
        (10, "CET"),
    ]
    assert clock.abbreviations[1:] == ("CEST", "CET", "CEST", "CET")
    summer = span_clock("Australia/Sydney", start, end)
    assert (summer.abbreviations[0], summer.is_dst_at_start) == ("AEDT", True)
    # Dublin's winter is a negative DST offset in the tz data: still not daylight time
    assert not span_clock("Europe/Dublin", start, end).is_dst_at_start


def _placed_by_pytz(wall: datetime, zone_name: str) -> tuple[datetime, TimeIssue | None]:
    """What `wall_to_utc` answered before its zone-clock shortcut: pytz's localize."""
    zone = pytz.timezone(zone_name)
    try:
        return zone.localize(wall, is_dst=None).astimezone(pytz.utc), None
    except pytz.NonExistentTimeError:
        issue = TimeIssue.NONEXISTENT
    except pytz.AmbiguousTimeError:
        issue = TimeIssue.AMBIGUOUS
    before = pytz.utc.localize(wall - timedelta(hours=26)).astimezone(zone).utcoffset()
    assert before is not None
    return pytz.utc.localize(wall - before), issue


@pytest.mark.parametrize(
    "zone_name",
    # a skipped day (Apia 2011), two changes a month apart (Casablanca's Ramadan), 30 minutes
    # (Lord Howe), 45 minutes (Chatham), a zone moved by 23 hours (Kwajalein 1993)
    ["Pacific/Apia", "Africa/Casablanca", "Australia/Lord_Howe", "Pacific/Chatham",
     "Pacific/Kwajalein", "America/New_York", "Europe/Moscow"],
)  # fmt: skip
def test_wall_times_around_every_clock_change_are_placed_as_pytz_places_them(
    zone_name: str,
) -> None:
    changes = [
        change.utc.replace(tzinfo=None)
        for change in clock_changes(
            zone_name, datetime(1985, 1, 1, tzinfo=UTC), datetime(2037, 1, 1, tzinfo=UTC)
        )
    ]
    assert changes
    for change in changes:
        for minutes in range(-30 * 60, 30 * 60 + 1, 15):
            wall = change + timedelta(minutes=minutes)
            wall_to_utc.cache_clear()
            placed = wall_to_utc(wall, zone_name)
            assert (placed.utc, placed.issue) == _placed_by_pytz(wall, zone_name), wall
            assert placed.utc.tzinfo is pytz.utc


def test_the_ambiguous_abbreviations_are_those_tzdata_gives_two_offsets() -> None:
    offsets: dict[str, set[object]] = {}
    since = datetime(2000, 1, 1)
    for name in pytz.common_timezones:
        zone = pytz.timezone(name)
        times = getattr(zone, "_utc_transition_times", None)
        infos = getattr(zone, "_transition_info", None)
        if not times or not infos:
            offsets.setdefault(zone.tzname(since) or "", set()).add(zone.utcoffset(since))
            continue
        first = max(bisect.bisect_right(times, since) - 1, 0)
        for info in infos[first:]:
            offsets.setdefault(info[2], set()).add(info[0])
    ambiguous = {name for name, seen in offsets.items() if name.isalpha() and len(seen) > 1}
    assert ambiguous == AMBIGUOUS_ABBREVIATIONS


@pytest.mark.parametrize(
    ("abbreviation", "shown"),
    [("WIB", "WIB"), ("EST", "EST"), ("+07", ""), ("-03", ""), ("CST", ""), ("IST", ""), ("", "")],
)
def test_only_an_abbreviation_of_letters_with_one_offset_is_shown(
    abbreviation: str, shown: str
) -> None:
    assert readable_abbreviation(abbreviation) == shown
