"""Diplomatic resources (SPEC §7): interpreters, delegation sizes, platform accounts, input."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import script
from vconf.checks import ProblemKind, Severity, at_once, find_problems, team_size
from vconf.cli import cli
from vconf.errors import VconfError
from vconf.invitations import NON_PARTICIPANT, session_attendees
from vconf.model import (
    Account,
    Conference,
    Delegation,
    Event,
    Hours,
    Kind,
    Person,
    Room,
    Session,
)
from vconf.timetable import Timetable, build_timetable

RESOURCES = """
[delegations.ID]
name = "Indonesia"
timezone = "Asia/Jakarta"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"
size = 2

[people.son]
name = "Bui Thanh Son"
delegation = "VN"

[people.dewi]
name = "Dewi Lestari"
delegation = "ID"
email = "dewi@interpreters.example"
interprets = ["en", "id"]

[people.sari]
name = "Sari Wulandari"
delegation = "ID"
interprets = ["id", "en", "vi"]

[accounts.zoom-1]
name = "Zoom licence 1"

[rooms.r1]
name = "Room 1"
account = "zoom-1"

[rooms.r2]
name = "Room 2"
account = "zoom-1"

[rooms.r3]
name = "Room 3"

[rooms.r4]
name = "Room 4"
"""


def session(session_id: str, start: str, duration: str = "1h30m", extra: str = "") -> str:
    return (
        f'[[sessions]]\nid = "{session_id}"\ntitle = "{session_id}"\n'
        f'start = {start}\nduration = "{duration}"\n{extra}\n'
    )


def found(timetable: Timetable, *kinds: ProblemKind) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (p.kind.value, p.subject, p.sessions) for p in find_problems(timetable) if p.kind in kinds
    ]


def test_viet_nam_of_two_cannot_sit_in_the_four_icdd_panels(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + "".join(
        session(f"panel-{n}", "2021-11-16T15:00:00", extra=f'room = "r{n}"\ndelegations = ["VN"]')
        for n in range(1, 5)
    )
    problems = [
        p for p in find_problems(timetable(text)) if p.kind is ProblemKind.DELEGATION_STRETCHED
    ]
    assert [(p.subject, p.sessions) for p in problems] == [
        ("VN", ("panel-1", "panel-2", "panel-3", "panel-4"))
    ]
    assert problems[0].severity is Severity.WARNING
    assert problems[0].message == (
        "Viet Nam (size 2) is in 4 sessions at 15:00\u201316:30 WIB on Tue 2021-11-16: "
        "panel-1, panel-2, panel-3, panel-4"
    )


def test_a_break_is_not_counted_against_a_delegation_but_is_against_an_account(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session(
        "panel-1", "2021-11-16T15:00:00", extra='room = "r1"\ndelegations = ["VN"]'
    )
    text += session("panel-2", "2021-11-16T15:00:00", extra='room = "r3"\ndelegations = ["VN"]')
    text += session(
        "coffee", "2021-11-16T15:30:00", "30m", 'kind = "break"\nroom = "r2"\ndelegations = ["*"]'
    )
    kinds = (ProblemKind.DELEGATION_STRETCHED, ProblemKind.ACCOUNT_OVERBOOKED)
    assert found(timetable(text), *kinds) == [
        ("account-overbooked", "zoom-1", ("panel-1", "coffee"))
    ]


def test_two_rooms_on_one_licence_at_once_overbook_it(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session("panel-1", "2021-11-16T15:00:00", extra='room = "r1"')
    text += session("panel-2", "2021-11-16T16:00:00", extra='room = "r2"')
    problems = find_problems(timetable(text))
    assert [(p.kind, p.subject, p.sessions) for p in problems] == [
        (ProblemKind.ACCOUNT_OVERBOOKED, "zoom-1", ("panel-1", "panel-2"))
    ]
    assert problems[0].is_error
    assert problems[0].message == (
        "Zoom licence 1 (zoom-1) hosts 1 meeting at once, but 2 run at 16:00\u201316:30 WIB on "
        "Tue 2021-11-16: panel-1, panel-2 (rooms Room 1, Room 2)"
    )


def test_back_to_back_sessions_on_one_licence_do_not_overlap(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session("panel-1", "2021-11-16T15:00:00", extra='room = "r1"')
    text += session("panel-2", "2021-11-16T16:30:00", extra='room = "r2"')
    assert find_problems(timetable(text)) == []


def test_a_90_minute_panel_with_one_en_id_interpreter_needs_two(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session(
        "panel-3", "2021-11-16T15:00:00", extra='languages = ["en", "id"]\ninterpreters = ["dewi"]'
    )
    problems = find_problems(timetable(text))
    assert [(p.kind, p.subject, p.sessions) for p in problems] == [
        (ProblemKind.INTERPRETER_TEAM, "id", ("panel-3",))
    ]
    assert problems[0].message == "en\u2013id on panel-3 (90 min) has 1 interpreter, needs 2"


def test_a_language_nobody_interprets_from_the_floor_is_a_gap(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session(
        "panel-2",
        "2021-11-16T15:00:00",
        "40m",
        'languages = ["en", "id", "vi", "id"]\ninterpreters = ["dewi"]',
    )
    # dewi covers en-id alone for 40 minutes (enough); nobody here covers en-vi
    assert found(timetable(text), ProblemKind.INTERPRETATION_GAP, ProblemKind.INTERPRETER_TEAM) == [
        ("interpretation-gap", "vi", ("panel-2",))
    ]


def test_without_any_interpreter_declared_languages_are_not_checked(
    timetable: Callable[[str], Timetable],
) -> None:
    text = '[delegations.ID]\nname = "Indonesia"\ntimezone = "Asia/Jakarta"\n'
    text += session("panel-1", "2021-11-16T15:00:00", extra='languages = ["en", "id"]')
    assert find_problems(timetable(text)) == []


@pytest.mark.parametrize(
    ("minutes", "needed"), [(40, 1), (41, 2), (240, 2), (241, 3), (360, 3), (361, 4)]
)
def test_team_sizes_follow_aiic(minutes: int, needed: int) -> None:
    assert team_size(timedelta(minutes=minutes)) == needed


def test_an_interpreter_is_a_person_of_the_session_but_adds_no_delegation(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session(
        "bilateral",
        "2021-11-16T15:00:00",
        "30m",
        'languages = ["vi", "en"]\nspeakers = ["son"]\ninterpreters = ["sari"]',
    )
    text += session("panel-1", "2021-11-16T15:15:00", "30m", 'interpreters = ["sari"]')
    built = timetable(text)
    slot = built.by_id["bilateral"]
    assert slot.people == ("sari", "son")
    assert slot.delegations == ("VN",)
    assert found(built, ProblemKind.PERSON_OVERLAP) == [
        ("person-overlap", "sari", ("bilateral", "panel-1"))
    ]
    assert built.by_person["sari"] == (slot, built.by_id["panel-1"])  # her own calendar


def test_an_interpreter_is_invited_as_a_non_participant(
    timetable: Callable[[str], Timetable],
) -> None:
    text = RESOURCES + session("panel-3", "2021-11-16T15:00:00", extra='interpreters = ["dewi"]')
    built = timetable(text)
    attendees = session_attendees(built.by_id["panel-3"], built)
    assert [(a.email, a.role, a.cutype) for a in attendees] == [
        ("dewi@interpreters.example", NON_PARTICIPANT, "INDIVIDUAL")
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ('[rooms.r3]\nname = "Room 3"\n', None),
        ('[rooms.r5]\nname = "Room 5"\naccount = "zoom1"\n', "rooms.r5.account: unknown account "
         "'zoom1'; did you mean 'zoom-1'?"),
        ('[accounts.webex]\nname = "Webex"\nconcurrent = 0\n', "accounts.webex.concurrent: "
         "expected an integer of at least 1, got 0"),
        ('[delegations.TH]\nname = "Thailand"\ntimezone = "Asia/Bangkok"\nsize = true\n',
         "delegations.TH.size: expected an integer of at least 1, got the boolean true"),
        ('[people.ana]\nname = "Ana"\ninterprets = ["en"]\n', "people.ana.interprets: expected "
         "two or more language codes, got 1"),
        ('[people.ana]\nname = "Ana"\ninterprets = ["en", "en"]\n', "people.ana.interprets: "
         "expected distinct language codes, got en, en"),
    ],
)  # fmt: skip
def test_each_mistake_in_the_new_keys_is_an_input_error_with_its_key_path(
    conference: Callable[[str], Conference], change: str, message: str | None
) -> None:
    text = RESOURCES.replace('[rooms.r3]\nname = "Room 3"\n', change)
    if message is None:
        conference(text)
        return
    with pytest.raises(VconfError) as raised:
        conference(text)
    assert message in str(raised.value)


def test_an_interpreter_without_interprets_and_an_undeclared_host_are_input_errors(
    conference: Callable[[str], Conference],
) -> None:
    text = (
        '[event]\nid = "e"\nname = "E"\ntimezone = "Asia/Jakarta"\nhost = "IDN"\n'
        + RESOURCES
        + session("panel-1", "2021-11-16T15:00:00", extra='interpreters = ["son"]')
    )
    with pytest.raises(VconfError) as raised:
        conference(text)
    shown = str(raised.value)
    assert "event.host: unknown delegation 'IDN'; did you mean 'ID'?" in shown
    assert "sessions[1] (panel-1).interpreters[1]: 'son' is not an interpreter" in shown


# ---- the "at once" sweep against counting at every start instant --------------------------

BASE = datetime(2021, 11, 16, 8, 0)
ROOMS = ("r1", "r2", "r3")


@st.composite
def resourced(draw: st.DrawFn) -> Conference:
    count = draw(st.integers(min_value=0, max_value=14))
    sessions = []
    for number in range(1, count + 1):
        sessions.append(
            Session(
                id=f"s{number:02d}",
                title=f"Session {number}",
                start=BASE + timedelta(minutes=15 * draw(st.integers(0, 24))),
                tz_name="Asia/Jakarta",
                number=number,
                duration=timedelta(minutes=15 * draw(st.integers(1, 12))),
                kind=draw(st.sampled_from((Kind.PANEL, Kind.BREAK))),
                room=draw(st.sampled_from((None, *ROOMS))),
                delegations=tuple(draw(st.sets(st.sampled_from(("VN", "TH")), max_size=2))),
            )
        )
    event = Event(id="e", name="E", tz_name="Asia/Jakarta")
    hours = Hours(0, 24 * 60)
    delegations = (
        Delegation("TH", "Thailand", "Asia/Bangkok", hours, size=draw(st.integers(1, 3))),
        Delegation("VN", "Viet Nam", "Asia/Ho_Chi_Minh", hours, size=draw(st.integers(1, 3))),
    )
    concurrent = draw(st.integers(1, 3))
    accounts = (Account("zoom-1", "Zoom", concurrent), Account("webex", "Webex", 1))
    rooms = (
        Room("r1", "R1", account="zoom-1"),
        Room("r2", "R2", account="zoom-1"),
        Room("r3", "R3", account=draw(st.sampled_from((None, "webex")))),
    )
    people = (Person("p", "P"),)
    return Conference(event, delegations, people, rooms, tuple(sessions), accounts=accounts)


def counted_at_every_start(timetable: Timetable) -> set[tuple[str, str, tuple[str, ...]]]:
    """Brute force: at every start instant, count every concerned session running then."""
    groups: list[tuple[str, str, int, Callable[[Session], bool]]] = []
    for delegation in timetable.delegations.values():
        assert delegation.size is not None
        groups.append(
            (
                "delegation-stretched",
                delegation.code,
                delegation.size,
                lambda s, code=delegation.code: code in s.delegations and s.kind is not Kind.BREAK,
            )
        )
    for account in timetable.accounts.values():
        rooms = {room.id for room in timetable.rooms.values() if room.account == account.id}
        groups.append(
            ("account-overbooked", account.id, account.concurrent, lambda s, r=rooms: s.room in r)
        )
    expected = set()
    for kind, subject, limit, concerned in groups:
        slots = [slot for slot in timetable.slots if concerned(slot.session)]
        for instant in {slot.start_utc for slot in slots}:
            running = [s for s in slots if s.start_utc <= instant < s.end_utc]
            if len(running) > limit:
                ordered = sorted(running, key=lambda s: (s.start_utc, s.id))
                expected.add((kind, subject, tuple(s.id for s in ordered)))
    return expected


@given(resourced())
def test_each_at_once_sweep_matches_a_count_at_every_start_instant(
    conference: Conference,
) -> None:
    timetable = build_timetable(conference)
    kinds = (ProblemKind.DELEGATION_STRETCHED, ProblemKind.ACCOUNT_OVERBOOKED)
    swept = found(timetable, *kinds)
    assert len(swept) == len(set(swept))  # one problem per moment, never twice
    assert set(swept) == counted_at_every_start(timetable)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 10)), max_size=20), st.integers(1, 4))
def test_at_once_yields_one_group_per_crowded_start_instant(
    spans: list[tuple[int, int]], limit: int
) -> None:
    sessions = [
        Session(f"s{n:02d}", "x", BASE + timedelta(minutes=5 * a), "UTC", n, None,
                timedelta(minutes=5 * b))
        for n, (a, b) in enumerate(spans)
    ]  # fmt: skip
    timetable = build_timetable(
        Conference(Event("e", "E", "UTC"), sessions=tuple(sessions), people=())
    )
    slots = list(timetable.slots)
    crowded = [
        instant
        for instant in sorted({s.start_utc for s in slots})
        if sum(s.start_utc <= instant < s.end_utc for s in slots) > limit
    ]
    groups = list(at_once(slots, limit))
    assert len(groups) == len(crowded)
    for instant, group in zip(crowded, groups, strict=True):
        assert {s.id for s in group} == {s.id for s in slots if s.start_utc <= instant < s.end_utc}


# ---- a closed session's busy block across revisions ----------------------------------------

CLOSED = """
[event]
id = "icdd"
name = "ICDD"
timezone = "Asia/Jakarta"
uid_domain = "icdd.example"

[delegations.ID]
name = "Indonesia"
timezone = "Asia/Jakarta"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"

[[sessions]]
id = "opening"
title = "Opening"
start = 2021-11-16T14:00:00
duration = "45m"
delegations = ["*"]

[[sessions]]
id = "bilateral"
title = "Bilateral ID-VN on the maritime border"
start = 2021-11-16T16:00:00
duration = "30m"
delegations = ["ID", "VN"]
visibility = "closed"
"""


def _export(runner: CliRunner, source: Path, out: Path, hour: int) -> dict[str, bytes]:
    epoch = 1_700_000_000 + 3600 * hour
    result = runner.invoke(
        cli, ["export", str(source), "-o", str(out)], env={"SOURCE_DATE_EPOCH": str(epoch)}
    )
    assert result.exit_code == 0, result.output
    return {str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*.ics"))}


def _block(files: dict[str, bytes]) -> icalendar.cal.Component:
    calendar = icalendar.Calendar.from_ical(files["icdd.ics"])
    (block,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("bilateral.")]
    return block


def test_a_closed_sessions_block_is_revised_like_any_event(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "icdd.toml", tmp_path / "out"
    source.write_text(CLOSED, encoding="utf-8")
    first = _export(runner, source, out, 0)
    block = _block(first)
    assert str(block["UID"]) == "bilateral.closed.icdd@icdd.example"
    assert (str(block["SUMMARY"]), int(block["SEQUENCE"])) == ("Closed meeting", 0)
    assert b"maritime" not in first["icdd.ics"]
    full = icalendar.Calendar.from_ical(first["delegations/VN.ics"]).walk("VEVENT")
    assert "Bilateral ID-VN on the maritime border" in {str(e["SUMMARY"]) for e in full}
    assert _export(runner, source, out, 1) == first  # nothing changed: byte-identical
    source.write_text(CLOSED.replace("16:00:00", "16:30:00"), encoding="utf-8")
    moved = _block(_export(runner, source, out, 2))
    assert int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == datetime(
        2021, 11, 16, 16, 30, tzinfo=moved.decoded("DTSTART").tzinfo
    )
    source.write_text(CLOSED.split('[[sessions]]\nid = "bilateral"')[0], encoding="utf-8")
    cancelled = _block(_export(runner, source, out, 3))
    assert str(cancelled["UID"]) == "bilateral.closed.icdd@icdd.example"
    assert (str(cancelled["STATUS"]), int(cancelled["SEQUENCE"])) == ("CANCELLED", 2)
    assert str(cancelled["SUMMARY"]) == "Closed meeting"


# ---- the interpretation plan: DIR/interpretation.csv and the JSON agenda --------------------


def test_the_interpretation_plan_has_one_row_per_session_and_language_pair(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = RESOURCES.replace(
        "[people.son]",
        '[event]\nid = "icdd"\nname = "ICDD"\ntimezone = "Asia/Jakarta"\n\n[people.son]',
    )
    text += session(
        "panel-3",
        "2021-11-16T15:00:00",
        extra='languages = ["en", "id", "vi"]\ninterpreters = ["dewi", "sari"]',
    )
    text += session("opening", "2021-11-16T14:00:00", "30m", 'languages = ["en"]')
    source, out = tmp_path / "icdd.toml", tmp_path / "out"
    source.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    with (out / "interpretation.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [
        (r["session"], r["floor"], r["target"], r["interpreters"], r["emails"]) for r in rows
    ] == [
        ("panel-3", "en", "id", "Dewi Lestari; Sari Wulandari", "dewi@interpreters.example"),
        ("panel-3", "en", "vi", "Sari Wulandari", ""),
    ]
    assert (rows[0]["start_utc"], rows[0]["start_local"], rows[0]["timezone"]) == (
        "2021-11-16T08:00:00Z",
        "2021-11-16T15:00:00+07:00",
        "Asia/Jakarta",
    )
    result = runner.invoke(cli, ["agenda", str(source), "--format", "json"])
    sessions = {s["id"]: s for s in json.loads(result.output)["sessions"]}
    assert sessions["panel-3"]["interpretation"] == [
        {"floor": "en", "target": "id", "interpreters": ["dewi", "sari"]},
        {"floor": "en", "target": "vi", "interpreters": ["sari"]},
    ]
    assert sessions["opening"]["interpretation"] == []


def test_a_file_without_interpreters_writes_no_interpretation_plan(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "icdd.toml", tmp_path / "out"
    source.write_text(CLOSED, encoding="utf-8")
    assert runner.invoke(cli, ["export", str(source), "-o", str(out)]).exit_code == 0
    assert not (out / "interpretation.csv").exists()
    result = runner.invoke(cli, ["agenda", str(source), "--format", "json"])
    assert all("interpretation" not in s for s in json.loads(result.output)["sessions"])


def test_the_benchmark_generator_adds_resources_without_changing_the_rest() -> None:
    module = script("benchmarks/generate.py")
    plain, resourced = module.generate(200), module.generate(200, resources=True)
    from vconf.load import conference_from_text

    with_keys, without = conference_from_text(resourced), conference_from_text(plain)

    def timetable_of(conference: Conference) -> list[tuple[object, ...]]:
        return [
            (s.id, s.title, s.start, s.end, s.duration, s.room, s.speakers, s.attendees)
            for s in conference.sessions
        ]

    assert timetable_of(with_keys) == timetable_of(without)
    assert all(d.size is not None for d in with_keys.delegations)
    assert all(r.account is not None for r in with_keys.rooms)
    assert sum(bool(s.interpreters) for s in with_keys.sessions) > len(with_keys.sessions) // 2


def test_the_icdd_example_shows_each_resource_problem_its_comments_promise() -> None:
    from vconf.load import read_conference

    root = Path(__file__).parent.parent / "examples"
    timetable = build_timetable(read_conference(str(root / "icdd-2021.toml")))
    resource_kinds = (
        ProblemKind.DELEGATION_STRETCHED,
        ProblemKind.INTERPRETATION_GAP,
        ProblemKind.INTERPRETER_TEAM,
        ProblemKind.ACCOUNT_OVERBOOKED,
    )
    assert sorted(found(timetable, *resource_kinds)) == [
        ("delegation-stretched", "PH", ("panel-2", "panel-4")),
        ("interpretation-gap", "vi", ("panel-1",)),
        ("interpreter-team", "id", ("panel-3",)),
    ]
    assert timetable.by_id["bilateral-id-au"].session.is_closed
    itu = build_timetable(read_conference(str(root / "itu-digital-world-2020.toml")))
    assert {room.account for room in itu.rooms.values()} == {"zoom-main", "webex-itu"}
    assert found(itu, ProblemKind.ACCOUNT_OVERBOOKED) == []


def test_turning_a_session_closed_and_back_cancels_what_the_public_file_showed(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "icdd.toml", tmp_path / "out"
    public = CLOSED.replace('visibility = "closed"', 'visibility = "public"')
    source.write_text(public, encoding="utf-8")
    _export(runner, source, out, 0)
    source.write_text(CLOSED, encoding="utf-8")
    closed = icalendar.Calendar.from_ical(_export(runner, source, out, 1)["icdd.ics"])
    shown = {str(e["UID"]): (str(e["STATUS"]), int(e["SEQUENCE"])) for e in closed.walk("VEVENT")}
    assert shown["bilateral.closed.icdd@icdd.example"] == ("CONFIRMED", 1)
    assert shown["bilateral.icdd@icdd.example"] == ("CANCELLED", 1)  # the full event it showed
    source.write_text(public, encoding="utf-8")
    reopened = icalendar.Calendar.from_ical(_export(runner, source, out, 2)["icdd.ics"])
    shown = {
        str(e["UID"]): (str(e["STATUS"]), int(e["SEQUENCE"]), str(e["SUMMARY"]))
        for e in reopened.walk("VEVENT")
    }
    assert shown["bilateral.icdd@icdd.example"][:2] == ("CONFIRMED", 2)
    assert shown["bilateral.closed.icdd@icdd.example"] == ("CANCELLED", 2, "Closed meeting")
