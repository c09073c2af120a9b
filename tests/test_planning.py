"""The zone grid (`vconf zones`) and slot proposals (`vconf slots`) on real zones."""

from __future__ import annotations

import io
import itertools
import json
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import timetable_of
from vconf.checks import ProblemKind, find_problems
from vconf.errors import VconfError
from vconf.load import conference_from_text
from vconf.model import WEEKDAYS
from vconf.planning import CellState, Proposal, ZoneRow, build_zone_grid, propose_slots
from vconf.render.json import proposals_as_json, zone_grid_as_json
from vconf.render.planning import proposals_as_text, zone_grid_as_text
from vconf.timetable import Timetable, build_timetable
from vconf.timezones import utc_to_local

UTC = timezone.utc


def event(tz_name: str = "Asia/Jakarta", days: tuple[str, str] | None = None) -> str:
    dates = f"start = {days[0]}\nend = {days[1]}\n" if days else ""
    return f'[event]\nid = "test"\nname = "Test"\ntimezone = "{tz_name}"\n{dates}'


def delegation(code: str, tz_name: str, extra: str = "") -> str:
    return f'[delegations.{code}]\nname = "{code} delegation"\ntimezone = "{tz_name}"\n{extra}\n'


def session(session_id: str, start: str, duration: str, codes: str = '"*"') -> str:
    return (
        f'[[sessions]]\nid = "{session_id}"\ntitle = "{session_id}"\nstart = {start}\n'
        f'duration = "{duration}"\ndelegations = [{codes}]\n'
    )


def row(grid_rows: tuple[ZoneRow, ...], code: str) -> ZoneRow:
    return next(found for found in grid_rows if found.delegation.code == code)


ICDD = (
    event(days=("2021-11-16", "2021-11-16")),
    delegation("ID", "Asia/Jakarta"),
    delegation("US", "America/New_York"),
    delegation("AU", "Australia/Sydney"),
    delegation("DE", "Europe/Berlin"),
)


# ---- the zone grid -----------------------------------------------------------------------------


def test_the_grid_marks_14_00_jakarta_as_night_for_new_york_on_16_nov_2021() -> None:
    grid = build_zone_grid(timetable_of(*ICDD))
    assert grid.day == date(2021, 11, 16)
    assert row(grid.rows, "US").cells[14] is CellState.NIGHT  # 02:00 EST
    assert row(grid.rows, "ID").cells[14] is CellState.WORK


def test_the_grid_sorts_delegations_by_utc_offset_then_code() -> None:
    grid = build_zone_grid(timetable_of(*ICDD, delegation("CA", "America/Toronto")))
    assert [found.delegation.code for found in grid.rows] == ["CA", "US", "DE", "ID", "AU"]
    assert [found.abbreviation for found in grid.rows] == ["EST", "EST", "CET", "WIB", "AEDT"]


def test_the_grid_shows_hours_in_the_event_zone_on_the_local_day_overlapping_most() -> None:
    grid = build_zone_grid(timetable_of(*ICDD))
    us = row(grid.rows, "US")
    # New York's 15 Nov, 07:00-22:00 EST, is 19:00 on 15 Nov to 10:00 on 16 Nov in Jakarta
    assert us.hours_start_local.replace(tzinfo=None) == datetime(2021, 11, 15, 19, 0)
    assert us.hours_end_local.replace(tzinfo=None) == datetime(2021, 11, 16, 10, 0)
    assert us.cells[:10] == (CellState.WORK,) * 10


def test_the_grid_tells_off_hours_from_night_and_weekend() -> None:
    office = delegation("ID", "Asia/Jakarta", 'hours = "09:00-17:00"')
    grid = build_zone_grid(timetable_of(event(), office), day=date(2021, 11, 19))  # a Friday
    cells = row(grid.rows, "ID").cells
    assert (cells[3], cells[8], cells[9], cells[17], cells[22]) == (
        CellState.NIGHT,
        CellState.OFF_HOURS,
        CellState.WORK,
        CellState.OFF_HOURS,
        CellState.NIGHT,
    )
    saturday = build_zone_grid(timetable_of(event(), office), day=date(2021, 11, 20))
    assert row(saturday.rows, "ID").cells == (CellState.NON_WORKING,) * 24


def test_clock_changes_inside_an_event_spanning_12_mar_2023_are_found_in_new_york() -> None:
    text = (event(days=("2023-03-11", "2023-03-13")), delegation("US", "America/New_York"))
    grid = build_zone_grid(timetable_of(*text))
    assert len(grid.clock_changes) == 1
    change = grid.clock_changes[0]
    assert (change.tz_name, change.delegations) == ("America/New_York", ("US",))
    assert change.at_utc == datetime(2023, 3, 12, 7, 0, tzinfo=UTC)
    assert (change.local_before, change.local_after) == (
        datetime(2023, 3, 12, 2, 0),
        datetime(2023, 3, 12, 3, 0),
    )
    assert (change.change.abbreviation_before, change.change.abbreviation_after) == ("EST", "EDT")


def test_clock_changes_of_the_event_zone_are_listed_after_2037_too() -> None:
    grid = build_zone_grid(timetable_of(event("Europe/Berlin", ("2040-03-24", "2040-03-26"))))
    assert [(found.tz_name, found.at_utc) for found in grid.clock_changes] == [
        ("Europe/Berlin", datetime(2040, 3, 25, 1, 0, tzinfo=UTC))
    ]


def test_clock_changes_of_an_event_of_three_years_cover_its_first_366_days() -> None:
    """A long event stays readable and fast: the changes of its first 366 days, and it says so."""
    text = (
        event("Europe/Berlin", ("2023-01-01", "2025-12-31")),
        delegation("US", "America/New_York"),
    )
    grid = build_zone_grid(timetable_of(*text))
    assert (grid.last_day, grid.clock_changes_last_day) == (date(2025, 12, 31), date(2024, 1, 1))
    assert [(found.tz_name, found.at_utc.date()) for found in grid.clock_changes] == [
        ("America/New_York", date(2023, 3, 12)),
        ("Europe/Berlin", date(2023, 3, 26)),
        ("Europe/Berlin", date(2023, 10, 29)),
        ("America/New_York", date(2023, 11, 5)),
    ]
    assert json.loads(zone_grid_as_json(grid))["clock_changes_last_day"] == "2024-01-01"
    text_lines = [str(line) for line in zone_grid_as_text(grid)]
    assert any("(the event's first 366 days)" in line for line in text_lines), text_lines


def test_the_grid_defaults_to_the_first_session_day_when_the_event_has_no_dates() -> None:
    text = (event(), delegation("ID", "Asia/Jakarta"), session("a", "2021-11-18T10:00:00", "1h"))
    assert build_zone_grid(timetable_of(*text)).day == date(2021, 11, 18)


def test_the_grid_of_an_event_without_dates_or_sessions_needs_a_date() -> None:
    with pytest.raises(VconfError, match="--date"):
        build_zone_grid(timetable_of(event(), delegation("ID", "Asia/Jakarta")))


def test_the_zone_grid_renders_as_json_with_utc_clock_changes() -> None:
    text = (event(days=("2023-03-11", "2023-03-13")), delegation("US", "America/New_York"))
    document = json.loads(zone_grid_as_json(build_zone_grid(timetable_of(*text))))
    assert document["delegations"][0]["hours_in_event_zone"] == {
        "start": "2023-03-10T19:00:00+07:00",
        "end": "2023-03-11T10:00:00+07:00",
    }
    assert document["clock_changes"][0]["at"] == "2023-03-12T07:00:00Z"
    assert document["clock_changes"][0]["offset_after"] == "-04:00"


def printed(renderables: Iterable[object]) -> list[str]:
    """Return the lines rich prints for the renderables on an 80-column terminal, uncoloured."""
    from rich.console import Console

    output = io.StringIO()
    console = Console(width=80, file=output)
    for renderable in renderables:
        console.print(renderable)
    return output.getvalue().splitlines()


def test_the_zone_grid_text_fits_80_columns() -> None:
    long_names = delegation("ARGENTINA", "America/Argentina/Buenos_Aires").replace(
        "ARGENTINA delegation", "Ministry of Foreign Affairs, International Trade and Worship"
    )
    timetable = timetable_of(*ICDD, long_names)
    lines = printed(zone_grid_as_text(build_zone_grid(timetable)))
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    assert any(line.split()[:3] == ["US", "-05:00", "EST"] for line in lines)
    assert any(line.startswith("ARGENTI\u2026 -03:00") for line in lines)


# ---- proposals ---------------------------------------------------------------------------------


def test_a_time_inside_jakarta_sydney_and_berlin_hours_ranks_first() -> None:
    codes = ("ID", "AU", "DE")
    proposals = propose_slots(timetable_of(*ICDD), duration=timedelta(hours=1), delegations=codes)
    best = proposals[0]
    # 06:00-11:00 UTC is inside all three: 13:00 WIB, 17:00 AEDT, 07:00 CET
    assert (best.inside, best.minutes_outside, best.outside) == (3, 0, ())
    assert best.start_utc == datetime(2021, 11, 16, 6, 0, tzinfo=UTC)
    assert best.delegations == ("AU", "DE", "ID")


def test_a_proposal_says_who_is_outside_and_by_how_much() -> None:
    text = (*ICDD[:3],)
    proposals = propose_slots(timetable_of(*text), duration=timedelta(minutes=90), top=96)
    with_us = [p for p in proposals if any(o.delegation == "US" for o in p.outside)]
    assert with_us
    for proposal in with_us:
        [us] = [o for o in proposal.outside if o.delegation == "US"]
        start = us.start_local.replace(tzinfo=None)
        assert start == utc_to_local(proposal.start_utc, "America/New_York").replace(tzinfo=None)
        assert us.end_local - us.start_local == timedelta(minutes=90)
        # minute by minute, against the default hours 07:00-22:00 (a weekday in the event)
        walls = [start + timedelta(minutes=n) for n in range(90)]
        assert us.minutes == sum(not 7 * 60 <= w.hour * 60 + w.minute < 22 * 60 for w in walls)


def test_minutes_outside_count_only_the_part_outside_hours() -> None:
    proposals = propose_slots(timetable_of(*ICDD[:2]), duration=timedelta(hours=2), top=96)
    at_21 = next(p for p in proposals if p.start_utc == datetime(2021, 11, 16, 14, 0, tzinfo=UTC))
    assert (at_21.inside, at_21.minutes_outside) == (0, 60)  # 21:00-23:00 WIB, hours to 22:00


def test_a_minute_on_a_weekend_counts_as_outside() -> None:
    text = (event(days=("2021-11-20", "2021-11-20")), delegation("ID", "Asia/Jakarta"))
    proposals = propose_slots(timetable_of(*text), duration=timedelta(hours=1))
    assert all((p.inside, p.minutes_outside) == (0, 60) for p in proposals)
    assert all(p.outside[0].non_working_day for p in proposals)


def test_clashes_are_the_sessions_sharing_a_requested_delegation_counted_and_named() -> None:
    codes = ("ID", "AU", "DE")
    busy = session("opening", "2021-11-16T13:00:00", "1h")
    partial = session("bilateral", "2021-11-16T14:00:00", "1h", '"ID", "DE"')
    other = session("elsewhere", "2021-11-16T15:00:00", "1h", '"US"')
    timetable = timetable_of(*ICDD, busy, partial, other)
    proposals = propose_slots(timetable, duration=timedelta(hours=1), delegations=codes, top=96)
    spans = {  # UTC: 13:00 and 14:00 WIB
        "opening": (
            datetime(2021, 11, 16, 6, 0, tzinfo=UTC),
            datetime(2021, 11, 16, 7, 0, tzinfo=UTC),
        ),
        "bilateral": (
            datetime(2021, 11, 16, 7, 0, tzinfo=UTC),
            datetime(2021, 11, 16, 8, 0, tzinfo=UTC),
        ),
    }
    for proposal in proposals:
        expected = tuple(
            name
            for name, (start, end) in spans.items()
            if proposal.start_utc < end and start < proposal.end_utc
        )
        assert proposal.clashes == expected
    assert any(proposal.clashes for proposal in proposals)
    assert proposals[0].clashes == ()  # inside, no minute outside, and no clash: first
    assert proposals[0].start_utc == datetime(2021, 11, 16, 8, 0, tzinfo=UTC)


def test_each_proposal_is_its_own_window_and_in_every_delegation_zone() -> None:
    codes = ("ID", "AU", "DE")
    proposals = propose_slots(
        timetable_of(*ICDD), duration=timedelta(minutes=90), delegations=codes, top=20
    )
    assert len(proposals) > 3
    for first, second in itertools.combinations(proposals, 2):
        same_day = (
            utc_to_local(first.start_utc, "Asia/Jakarta").date()
            == utc_to_local(second.start_utc, "Asia/Jakarta").date()
        )
        assert not same_day or abs(first.start_utc - second.start_utc) >= timedelta(minutes=90)
    zones = {"ID": "Asia/Jakarta", "AU": "Australia/Sydney", "DE": "Europe/Berlin"}
    for proposal in proposals:
        assert [span.delegation for span in proposal.local] == ["AU", "DE", "ID"]
        for span in proposal.local:
            assert span.start_local == utc_to_local(proposal.start_utc, zones[span.delegation])


def test_the_days_default_to_the_sessions_span_without_event_dates() -> None:
    text = (event(), delegation("ID", "Asia/Jakarta"), session("a", "2021-11-17T10:00:00", "24h"))
    proposals = propose_slots(timetable_of(*text), duration=timedelta(hours=1), top=1000)
    first, last = (
        datetime(2021, 11, 16, 17, 0, tzinfo=UTC),
        datetime(2021, 11, 18, 17, 0, tzinfo=UTC),
    )
    assert all(first <= p.start_utc and p.end_utc <= last for p in proposals)
    days = {utc_to_local(p.start_utc, "Asia/Jakarta").date() for p in proposals}
    assert days == {date(2021, 11, 17), date(2021, 11, 18)}


ALWAYS_OPEN = 'hours = "00:00-24:00"\nweekend = []'


@pytest.mark.parametrize(
    ("start", "end", "first", "last"),
    [
        (None, None, date(2023, 1, 1), date(2024, 1, 1)),
        (date(2024, 6, 1), None, date(2024, 6, 1), date(2025, 6, 1)),
        (None, date(2025, 3, 1), date(2024, 3, 1), date(2025, 3, 1)),
    ],
)
def test_a_long_event_is_searched_366_days_from_the_end_given(
    start: date | None, end: date | None, first: date, last: date
) -> None:
    """An event of three years: the days filled in never make the search longer than 366 days."""
    text = (event("UTC", ("2023-01-01", "2025-12-31")), delegation("A", "UTC", ALWAYS_OPEN))
    proposals = propose_slots(
        timetable_of(*text), duration=timedelta(hours=1), start=start, end=end, top=400 * 96
    )
    days = {proposal.start_utc.date() for proposal in proposals}
    assert (min(days), max(days), len(days)) == (first, last, 366)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"delegations": ("XX",)}, "unknown delegation 'XX'; the delegations are: AU, DE, ID, US"),
        ({"duration": timedelta(0)}, "must be positive"),
        ({"start": date(2021, 11, 17), "end": date(2021, 11, 16)}, "is after"),
        ({"start": date(2021, 1, 1), "end": date(2022, 1, 2)}, "more than 366 days"),
        ({"duration": timedelta(days=2)}, "does not fit"),
        ({"top": 0}, "at least 1"),
    ],
)
def test_a_user_mistake_is_a_vconf_error(options: dict[str, object], words: str) -> None:
    arguments: dict[str, object] = {"duration": timedelta(hours=1), **options}
    with pytest.raises(VconfError, match=words):
        propose_slots(timetable_of(*ICDD), **arguments)


def test_an_event_without_dates_or_sessions_needs_from_and_to() -> None:
    with pytest.raises(VconfError, match="--from and --to"):
        propose_slots(timetable_of(event(), *ICDD[1:]), duration=timedelta(hours=1))


def test_proposals_render_as_json_and_text() -> None:
    timetable = timetable_of(*ICDD)
    proposals = propose_slots(timetable, duration=timedelta(hours=1), top=2)
    document = json.loads(proposals_as_json(proposals, timetable))
    assert document["duration_minutes"] == 60
    assert document["delegations"] == ["AU", "DE", "ID", "US"]
    first = document["proposals"][0]
    assert first["start"].endswith("Z")
    assert first["start_local"].endswith("+07:00")
    assert first["inside"] == 4 - len(first["outside"])
    assert set(first["outside"][0]) == {
        "delegation", "minutes", "local_start", "local_end", "non_working_day"
    }  # fmt: skip
    lines = printed(proposals_as_text(proposals, timetable))
    assert lines[0] == "Best start times for a 60 min session with all 4 delegations:"
    assert lines[2].startswith("1. Tue 16 Nov 2021 ")
    assert all(line == line.rstrip() and len(line) <= 80 for line in lines)


# ---- against brute force -----------------------------------------------------------------------

# zones whose clocks change between 00:00 and 03:00 local, so hours from 04:00 on never meet a
# fold: the SPEC rule (on a session's two ends) and a minute-by-minute count then agree
ZONES = (
    "Asia/Jakarta",
    "Australia/Sydney",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Pacific/Auckland",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Pacific/Honolulu",
    "Europe/London",
)


# and zones whose clocks change at midnight, 02:45 or by half an hour, for the test against `check`
ODD_ZONES = (*ZONES, "America/Santiago", "America/Havana", "Pacific/Chatham", "Asia/Tehran")


@st.composite
def plans(
    draw: st.DrawFn, zones: tuple[str, ...] = ZONES, earliest: int = 4 * 60
) -> tuple[str, int, tuple[str, ...]]:
    """Return TOML text of a small event, a duration in minutes and the requested codes.

    Delegations' hours start at `earliest` minutes after midnight or later.
    """
    first = draw(st.dates(date(2021, 1, 1), date(2040, 12, 30)))
    last = first + timedelta(days=draw(st.integers(0, 1)))
    parts = [event(draw(st.sampled_from(zones)), (first.isoformat(), last.isoformat()))]
    codes = [f"D{number}" for number in range(draw(st.integers(1, 3)))]
    for code in codes:
        start = draw(st.integers(earliest // 15, 48)) * 15
        end = draw(st.integers(start + 60, 24 * 60))
        hours = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
        weekend = draw(st.lists(st.sampled_from(WEEKDAYS), max_size=3, unique=True))
        holiday = draw(st.one_of(st.none(), st.just(first), st.just(last)))
        extra = f'hours = "{hours}"\nweekend = {json.dumps(weekend)}\n'
        extra += f"holidays = [{holiday}]\n" if holiday else ""
        parts.append(delegation(code, draw(st.sampled_from(zones)), extra))
    for number in range(draw(st.integers(0, 3))):
        start = datetime.combine(first, datetime.min.time()) + timedelta(
            minutes=15 * draw(st.integers(0, 190))
        )
        members = draw(st.lists(st.sampled_from(codes), min_size=1, unique=True))
        quoted = ", ".join(f'"{code}"' for code in members)
        parts.append(
            session(f"s{number}", start.isoformat(), f"{draw(st.integers(15, 180))}m", quoted)
        )
    requested = tuple(draw(st.lists(st.sampled_from(codes), unique=True)))
    return "\n".join(parts), draw(st.integers(5, 300)), requested


def ranking(proposal: Proposal) -> tuple[int, int, int, datetime]:
    return (-proposal.inside, proposal.minutes_outside, len(proposal.clashes), proposal.start_utc)


def minutes_outside_by_brute_force(timetable: Timetable, code: str, proposal: Proposal) -> int:
    """Count, minute by minute with zoneinfo, the minutes outside hours or on a day off."""
    delegation = timetable.delegations[code]
    zone = zoneinfo.ZoneInfo(delegation.tz_name)
    outside = 0
    moment = proposal.start_utc
    while moment < proposal.end_utc:
        local = moment.astimezone(zone)
        minute = local.hour * 60 + local.minute
        day_off = local.weekday() in delegation.weekend or local.date() in delegation.holidays
        outside += day_off or not delegation.hours.start <= minute < delegation.hours.end
        moment += timedelta(minutes=1)
    return outside


def inside_by_brute_force(timetable: Timetable, code: str, proposal: Proposal) -> bool:
    """Whether every minute is inside the hours on the start's local date, a working day."""
    zone = zoneinfo.ZoneInfo(timetable.delegations[code].tz_name)
    start_day = proposal.start_utc.astimezone(zone).date()
    minutes = int((proposal.end_utc - proposal.start_utc).total_seconds() // 60)
    same_day = all(
        (proposal.start_utc + timedelta(minutes=minute)).astimezone(zone).date() == start_day
        for minute in range(minutes)
    )
    return same_day and minutes_outside_by_brute_force(timetable, code, proposal) == 0


@given(plans(), st.data())
def test_proposals_are_ranked_by_the_spec_key_and_match_brute_force(
    plan: tuple[str, int, tuple[str, ...]], data: st.DataObject
) -> None:
    text, minutes, requested = plan
    timetable = build_timetable(conference_from_text(text))
    duration = timedelta(minutes=minutes)
    proposals = propose_slots(timetable, duration=duration, delegations=requested, top=10_000)
    keys = [ranking(proposal) for proposal in proposals]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    event_zone = timetable.conference.event.tz_name
    listed: dict[date, list[datetime]] = {}
    for proposal in proposals:  # each its own window: none within D of a better one that day
        day = utc_to_local(proposal.start_utc, event_zone).date()
        assert all(abs(proposal.start_utc - other) >= duration for other in listed.get(day, []))
        listed.setdefault(day, []).append(proposal.start_utc)
    codes = requested or tuple(sorted(timetable.delegations))
    sample = data.draw(st.lists(st.sampled_from(proposals), max_size=4))
    for proposal in [proposals[0], *sample]:
        inside = [code for code in codes if inside_by_brute_force(timetable, code, proposal)]
        assert proposal.inside == len(inside)
        outside = {
            code: minutes_outside_by_brute_force(timetable, code, proposal) for code in codes
        }
        assert proposal.minutes_outside == sum(outside.values())
        assert {found.delegation: found.minutes for found in proposal.outside} == {
            code: outside[code] for code in codes if code not in inside
        }


@given(plans(ODD_ZONES, earliest=0), st.data())
def test_a_proposal_is_inside_for_exactly_the_delegations_check_does_not_warn(
    plan: tuple[str, int, tuple[str, ...]], data: st.DataObject
) -> None:
    text, minutes, requested = plan
    timetable = build_timetable(conference_from_text(text))
    duration = timedelta(minutes=minutes)
    proposals = propose_slots(timetable, duration=duration, delegations=requested, top=10_000)
    proposal = data.draw(st.sampled_from(proposals))
    codes = requested or tuple(sorted(timetable.delegations))
    start = proposal.start_utc.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    quoted = ", ".join(f'"{code}"' for code in codes)
    checked = build_timetable(
        conference_from_text(text + "\n" + session("new", start, f"{minutes}m", quoted))
    )
    warned = {
        problem.subject
        for problem in find_problems(checked)
        if problem.sessions == ("new",)
        and problem.kind in (ProblemKind.OUTSIDE_HOURS, ProblemKind.NON_WORKING_DAY)
    }
    assert {found.delegation for found in proposal.outside} == warned
