"""Problems (SPEC §2): each rule on real instants, and the sweeps against brute force."""

from __future__ import annotations

import itertools
import zoneinfo
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from vconf.checks import ProblemKind, Severity, find_problems
from vconf.model import Conference, Delegation, Event, Hours, Person, Room, Session
from vconf.timetable import Timetable, build_timetable

DELEGATIONS = """
[delegations.ID]
name = "Indonesia"
timezone = "Asia/Jakarta"

[delegations.US]
name = "United States"
timezone = "America/New_York"

[people.retno]
name = "Retno Marsudi"
delegation = "ID"

[rooms.main]
name = "Plenary"

[rooms.b]
name = "Breakout B"
"""


def session(session_id: str, start: str, duration: str = "1h", extra: str = "") -> str:
    return (
        f'[[sessions]]\nid = "{session_id}"\ntitle = "{session_id}"\n'
        f'start = {start}\nduration = "{duration}"\n{extra}\n'
    )


def kinds(timetable: Timetable) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(p.kind.value, p.subject, p.sessions) for p in find_problems(timetable)]


def test_a_minister_on_two_simultaneous_panels_is_a_person_overlap(
    timetable: Callable[[str], Timetable],
) -> None:
    text = DELEGATIONS + session("panel-1", "2021-11-16T15:00:00", extra='speakers = ["retno"]')
    text += session("panel-2", "2021-11-16T15:30:00", extra='speakers = ["retno"]')
    problems = find_problems(timetable(text))
    assert [(p.kind, p.subject, p.sessions) for p in problems] == [
        (ProblemKind.PERSON_OVERLAP, "retno", ("panel-1", "panel-2"))
    ]
    assert problems[0].severity is Severity.ERROR


def test_back_to_back_sessions_do_not_clash(timetable: Callable[[str], Timetable]) -> None:
    text = DELEGATIONS + session(
        "a", "2021-11-16T14:00:00", extra='room = "main"\nspeakers = ["retno"]'
    )
    text += session("b", "2021-11-16T15:00:00", extra='room = "main"\nspeakers = ["retno"]')
    assert kinds(timetable(text)) == []


def test_one_room_holding_two_sessions_is_a_room_overlap(
    timetable: Callable[[str], Timetable],
) -> None:
    text = DELEGATIONS + session("a", "2021-11-16T14:00:00", extra='room = "b"')
    text += session("b", "2021-11-16T14:59:00", extra='room = "b"')
    assert kinds(timetable(text)) == [("room-overlap", "b", ("a", "b"))]


def test_an_opening_at_14_00_jakarta_is_outside_hours_in_new_york(
    timetable: Callable[[str], Timetable],
) -> None:
    # 14:00 WIB on 16 Nov 2021 is 02:00 EST in New York
    text = DELEGATIONS + session("opening", "2021-11-16T14:00:00", "45m", 'delegations = ["*"]')
    problems = find_problems(timetable(text))
    assert [(p.kind, p.subject) for p in problems] == [(ProblemKind.OUTSIDE_HOURS, "US")]
    assert "2021-11-16 02:00-02:45 EST" in problems[0].message


def test_a_message_names_a_zone_by_its_offset_where_tzdata_gives_a_number_or_an_ambiguous_name(
    timetable: Callable[[str], Timetable],
) -> None:
    """Brazil's `-03` and China's `CST` (US Central too) read as UTC-03:00 and UTC+08:00."""
    text = DELEGATIONS.replace("America/New_York", "America/Sao_Paulo") + (
        '[delegations.CN]\nname = "China"\ntimezone = "Asia/Shanghai"\n'
    )
    text += session("opening", "2021-11-16T14:00:00", "45m", 'delegations = ["*"]')
    text += session("late", "2021-11-16T22:30:00", "30m", 'delegations = ["CN"]')
    messages = {p.subject: p.message for p in find_problems(timetable(text))}
    assert "at 2021-11-16 04:00-04:45 UTC-03:00 for United States" in messages["US"]
    assert "at 2021-11-16 23:30-2021-11-17 00:00 UTC+08:00 for China" in messages["CN"]
    assert not any(" -03 " in text or "CST" in text for text in messages.values())


def test_a_session_ending_at_midnight_is_inside_hours_ending_at_24_00(
    timetable: Callable[[str], Timetable],
) -> None:
    text = DELEGATIONS.replace(
        'timezone = "Asia/Jakarta"', 'timezone = "Asia/Jakarta"\nhours = "07:00-24:00"'
    )
    text += session("late", "2021-11-16T22:00:00", "2h", 'delegations = ["ID"]')
    assert kinds(timetable(text)) == []


def test_a_session_crossing_midnight_is_never_inside_hours(
    timetable: Callable[[str], Timetable],
) -> None:
    text = DELEGATIONS.replace(
        'timezone = "Asia/Jakarta"', 'timezone = "Asia/Jakarta"\nhours = "00:00-24:00"'
    )
    text += session("late", "2021-11-16T23:00:00", "2h", 'delegations = ["ID"]')
    assert kinds(timetable(text)) == [("outside-hours", "ID", ("late",))]


def test_a_start_in_the_dst_gap_is_a_nonexistent_time(
    timetable: Callable[[str], Timetable],
) -> None:
    text = DELEGATIONS + session(
        "call", "2024-03-10T02:30:00", "30m", 'timezone = "America/New_York"\ndelegations = ["ID"]'
    )
    problems = find_problems(timetable(text))
    assert (problems[0].kind.value, problems[0].subject) == ("nonexistent-time", "start")
    slot = timetable(text).slots[0]
    assert slot.start_utc == datetime(2024, 3, 10, 7, 30, tzinfo=timezone.utc)


def test_an_end_in_the_fold_is_an_ambiguous_time(timetable: Callable[[str], Timetable]) -> None:
    text = DELEGATIONS + (
        '[[sessions]]\nid = "call"\ntitle = "Call"\ntimezone = "America/New_York"\n'
        'start = 2024-11-03T00:30:00\nend = 2024-11-03T01:30:00\ndelegations = ["ID"]\n'
    )
    problems = [p for p in find_problems(timetable(text)) if p.is_error]
    assert [(p.kind.value, p.subject) for p in problems] == [("ambiguous-time", "end")]
    assert "2024-11-03T01:30:00-04:00" in problems[0].message


def test_a_weekend_day_of_a_delegation_is_a_non_working_day(
    timetable: Callable[[str], Timetable],
) -> None:
    # Saturday 20 Nov 2021 in Jakarta
    text = DELEGATIONS + session("sat", "2021-11-20T09:00:00", "1h", 'delegations = ["ID"]')
    assert kinds(timetable(text)) == [("non-working-day", "ID", ("sat",))]


def test_a_holiday_is_a_non_working_day(timetable: Callable[[str], Timetable]) -> None:
    text = DELEGATIONS.replace(
        'timezone = "Asia/Jakarta"', 'timezone = "Asia/Jakarta"\nholidays = [2021-11-17]'
    )
    text += session("wed", "2021-11-17T09:00:00", "1h", 'delegations = ["ID"]')
    problems = find_problems(timetable(text))
    assert [(p.kind.value, p.subject) for p in problems] == [("non-working-day", "ID")]
    assert "holiday" in problems[0].message


def test_a_session_before_the_event_start_is_outside_the_event(
    timetable: Callable[[str], Timetable],
) -> None:
    header = (
        '[event]\nid = "e"\nname = "E"\ntimezone = "Asia/Jakarta"\n'
        "start = 2021-11-16\nend = 2021-11-16\n"
    )
    text = header + DELEGATIONS + session("early", "2021-11-15T23:30:00", "1h")
    text += session("ends-at-midnight", "2021-11-16T23:00:00", "1h")
    text += session("late", "2021-11-16T23:30:00", "1h")
    assert kinds(timetable(text)) == [
        ("outside-event", "e", ("early",)),
        ("outside-event", "e", ("late",)),
    ]


def test_next_session_inside_the_buffer_is_a_short_changeover(
    timetable: Callable[[str], Timetable],
) -> None:
    header = '[event]\nid = "e"\nname = "E"\ntimezone = "Asia/Jakarta"\nbuffer = "15m"\n'
    text = header + DELEGATIONS + session("a", "2021-11-16T09:00:00", extra='speakers = ["retno"]')
    text += session("b", "2021-11-16T10:10:00", extra='speakers = ["retno"]')
    text += session("c", "2021-11-16T11:30:00", extra='speakers = ["retno"]')
    assert kinds(timetable(text)) == [("short-changeover", "retno", ("a", "b"))]


def test_problems_list_errors_first_then_by_start(timetable: Callable[[str], Timetable]) -> None:
    text = DELEGATIONS + session("early", "2021-11-16T02:00:00", "1h", 'delegations = ["ID"]')
    text += session("x", "2021-11-16T15:00:00", extra='room = "b"')
    text += session("y", "2021-11-16T15:00:00", extra='room = "b"')
    assert [kind for kind, _, _ in kinds(timetable(text))] == ["room-overlap", "outside-hours"]


# ---- the sweeps against brute force over all pairs ---------------------------------------------

PEOPLE = ("p1", "p2", "p3", "p4")
ROOMS = ("r1", "r2")
BASE = datetime(2021, 11, 16, 6, 0)


@st.composite
def conferences(draw: st.DrawFn) -> Conference:
    count = draw(st.integers(min_value=0, max_value=14))
    sessions = []
    for number in range(1, count + 1):
        sessions.append(
            Session(
                id=f"s{number:02d}",
                title=f"Session {number}",
                start=BASE + timedelta(minutes=15 * draw(st.integers(0, 40))),
                tz_name="Asia/Jakarta",
                number=number,
                duration=timedelta(minutes=15 * draw(st.integers(1, 12))),
                room=draw(st.sampled_from((None, *ROOMS))),
                speakers=tuple(sorted(draw(st.sets(st.sampled_from(PEOPLE), max_size=3)))),
            )
        )
    event = Event(
        id="e",
        name="E",
        tz_name="Asia/Jakarta",
        buffer=timedelta(minutes=draw(st.sampled_from((0, 15, 30)))),
    )
    hours = Hours(draw(st.integers(0, 12)) * 60, draw(st.integers(13, 24)) * 60)
    delegation = Delegation("US", "United States", "America/New_York", hours)
    people = tuple(Person(person_id, person_id.upper(), "US") for person_id in PEOPLE)
    rooms = tuple(Room(room_id, room_id.upper()) for room_id in ROOMS)
    return Conference(event, (delegation,), people, rooms, tuple(sessions))


def brute_force(timetable: Timetable) -> set[tuple[str, str, tuple[str, ...]]]:
    found = set()
    slots = timetable.slots
    for first, second in itertools.combinations(slots, 2):
        pair = tuple(s.id for s in sorted((first, second), key=lambda s: (s.start_utc, s.id)))
        if first.start_utc < second.end_utc and second.start_utc < first.end_utc:
            for person in set(first.people) & set(second.people):
                found.add(("person-overlap", person, pair))
            if first.session.room and first.session.room == second.session.room:
                found.add(("room-overlap", first.session.room, pair))
    buffer = timetable.conference.event.buffer
    for person in PEOPLE:
        mine = [s for s in slots if person in s.people]
        for slot in mine:
            later = [other for other in mine if other.start_utc >= slot.end_utc]
            if not later or not buffer:
                continue
            earliest = min(other.start_utc for other in later)
            if earliest - slot.end_utc < buffer:
                for other in later:
                    if other.start_utc == earliest:
                        found.add(("short-changeover", person, (slot.id, other.id)))
    return found


def minute_by_minute_outside_hours(timetable: Timetable) -> set[tuple[str, str, tuple[str, ...]]]:
    found = set()
    zone = zoneinfo.ZoneInfo("America/New_York")
    for slot in timetable.slots:
        if "US" not in slot.delegations:
            continue
        hours = timetable.delegations["US"].hours
        first_day = slot.start_utc.astimezone(zone).date()
        moment = slot.start_utc
        while moment < slot.end_utc:
            local = moment.astimezone(zone)
            minute = local.hour * 60 + local.minute
            if local.date() != first_day or not hours.start <= minute < hours.end:
                found.add(("outside-hours", "US", (slot.id,)))
                break
            moment += timedelta(minutes=1)
    return found


@given(conferences())
def test_sweep_finds_exactly_the_pairs_brute_force_finds(conference: Conference) -> None:
    timetable = build_timetable(conference)
    swept = {
        k
        for k in kinds(timetable)
        if k[0] in {"person-overlap", "room-overlap", "short-changeover"}
    }
    assert swept == brute_force(timetable)


@given(conferences())
def test_outside_hours_matches_a_minute_by_minute_check(conference: Conference) -> None:
    timetable = build_timetable(conference)
    found = {k for k in kinds(timetable) if k[0] == "outside-hours"}
    assert found == minute_by_minute_outside_hours(timetable)


@given(conferences())
def test_every_problem_order_is_total_and_errors_come_first(conference: Conference) -> None:
    problems = find_problems(build_timetable(conference))
    severities = [p.is_error for p in problems]
    assert severities == sorted(severities, reverse=True)
    reversed_conference = Conference(
        conference.event, conference.delegations, conference.people, conference.rooms,
        tuple(reversed(conference.sessions)),
    )  # fmt: skip
    assert problems == find_problems(build_timetable(reversed_conference))
