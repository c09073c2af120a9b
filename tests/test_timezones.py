"""Wall time to instant and back, gaps, folds, and the years after pytz's table ends."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vconf.errors import VconfError
from vconf.timezones import (
    TimeIssue,
    check_zone_name,
    clock_changes,
    format_offset,
    offset_and_abbreviation,
    utc_to_local,
    wall_to_utc,
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
