"""`vconf schedule` end to end: unscheduled sessions in, candidates, placements, OUT.toml (§10)."""

from __future__ import annotations

import ast
import itertools
import json
import os
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import tomli as tomllib
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from vconf.checks import ProblemKind, find_problems
from vconf.cli import cli
from vconf.errors import VconfError
from vconf.load import conference_from_text
from vconf.scheduling.candidates import build_instance
from vconf.scheduling.instance import instant_utc
from vconf.scheduling.schedule import schedule
from vconf.timetable import build_timetable

EVENT = """
[event]
id = "rt"
name = "Roundtables"
timezone = "Asia/Ho_Chi_Minh"
start = 2020-10-20
end = 2020-10-22

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"

[delegations.BR]
name = "Brazil"
timezone = "America/Sao_Paulo"

[people.lan]
name = "Lan"
delegation = "VN"

[people.joao]
name = "Joao"
delegation = "BR"
"""


def _text(*sessions: str) -> str:
    return textwrap.dedent(EVENT) + "".join(textwrap.dedent(part) for part in sessions)


UNSCHEDULED = """
[[sessions]]
id = "rt1"  # the first roundtable
title = "Roundtable 1"
duration = "1h"
within = [2020-10-21, 2020-10-21]
speakers = ["lan", "joao"]
"""

PINNED = """
[[sessions]]
id = "opening"
title = "Opening"
start = 2020-10-20T20:00:00
duration = "1h"
speakers = ["lan"]
"""


# -- (1) input and check ------------------------------------------------------------------------


def test_a_session_without_start_is_kept_aside_and_checked_as_unscheduled() -> None:
    timetable = build_timetable(conference_from_text(_text(PINNED, UNSCHEDULED)))
    assert [slot.id for slot in timetable.slots] == ["opening"]
    assert [session.id for session in timetable.unscheduled] == ["rt1"]
    assert timetable.unscheduled[0].within == (date(2020, 10, 21), date(2020, 10, 21))
    problems = find_problems(timetable)
    assert [(p.kind, p.subject, p.sessions, p.is_error) for p in problems] == [
        (ProblemKind.UNSCHEDULED, "start", ("rt1",), True)
    ]


def test_an_unscheduled_session_with_an_end_is_an_input_error() -> None:
    text = _text("""
        [[sessions]]
        id = "rt1"
        title = "Roundtable 1"
        end = 2020-10-21T10:00:00
        """)
    with pytest.raises(VconfError, match=r"sessions\[1\] \(rt1\)\.end: expected a 'duration'"):
        conference_from_text(text)


@pytest.mark.parametrize(
    ("within", "message"),
    [
        ("[2020-10-21]", "expected two dates"),
        ("[2020-10-22, 2020-10-21]", "expected a last day on or after 2020-10-22"),
        ('"soon"', "expected an array"),
    ],
)
def test_a_wrong_within_is_an_input_error(within: str, message: str) -> None:
    text = _text(UNSCHEDULED.replace("[2020-10-21, 2020-10-21]", within))
    with pytest.raises(VconfError, match=message):
        conference_from_text(text)


def test_start_and_within_together_are_valid() -> None:
    text = _text(
        UNSCHEDULED.replace('duration = "1h"', 'start = 2020-10-21T09:00:00\nduration = "1h"')
    )
    timetable = build_timetable(conference_from_text(text))
    assert [slot.id for slot in timetable.slots] == ["rt1"]
    assert not timetable.unscheduled


def test_agenda_and_export_leave_unscheduled_sessions_out_and_say_so(tmp_path: Path) -> None:
    source = tmp_path / "rt.toml"
    source.write_text(_text(PINNED, UNSCHEDULED), encoding="utf-8")
    runner = CliRunner()
    agenda = runner.invoke(cli, ["agenda", str(source), "--format", "json"])
    assert [s["id"] for s in json.loads(agenda.stdout)["sessions"]] == ["opening"]
    assert "1 session is not scheduled yet and left out: run vconf schedule" in agenda.stderr
    exported = runner.invoke(cli, ["export", str(source), "-o", str(tmp_path / "out")])
    assert "not scheduled yet" in exported.stderr
    calendars = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.ics"))
    assert "Opening" in calendars
    assert "Roundtable 1" not in calendars
    checked = runner.invoke(cli, ["check", str(source)])
    assert checked.exit_code == 1
    assert "not scheduled yet" not in checked.stderr
    assert "unscheduled" in checked.stdout
    assert "rt1" in checked.stdout


# -- (2-4) the whole path from TOML, against brute force over every quarter hour ----------------

BRUTE_EVENT = """
[event]
id = "bf"
name = "Brute force"
timezone = "Asia/Ho_Chi_Minh"
start = 2020-10-21
end = 2020-10-21

[delegations.BR]
name = "Brazil"
timezone = "America/Sao_Paulo"
hours = "08:00-20:00"

[delegations.KR]
name = "Korea"
timezone = "Asia/Seoul"
hours = "08:00-20:00"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"
hours = "08:00-20:00"

[people.joao]
name = "Joao"
delegation = "BR"

[people.kim]
name = "Kim"
delegation = "KR"

[people.lan]
name = "Lan"
delegation = "VN"

# the opening is pinned: it never moves, and lan is busy during it
[[sessions]]
id = "opening"
title = "Opening"
start = 2020-10-21T18:00:00
duration = "2h"
speakers = ["lan"]
"""

BRUTE_SESSIONS = (
    ("s1", 60, ("joao", "kim")),
    ("s2", 90, ("joao", "lan")),
    ("s3", 45, ("kim", "lan")),
)


def _brute_text() -> str:
    parts = [BRUTE_EVENT]
    for name, minutes, people in BRUTE_SESSIONS:
        speakers = ", ".join(f'"{person}"' for person in people)
        parts.append(
            f'\n[[sessions]]\nid = "{name}"  # keep this comment\ntitle = "Round {name}"\n'
            f'duration = "{minutes}m"\nspeakers = [{speakers}]\n'
        )
    return "".join(parts)


def _outside_minutes(start: datetime, minutes: int, zone: str) -> int:
    """Count, minute by minute with zoneinfo, the minutes outside 08:00-20:00 or on a weekend."""
    count = 0
    for minute in range(minutes):
        local = (start + timedelta(minutes=minute)).astimezone(ZoneInfo(zone))
        inside = local.weekday() < 5 and 8 * 60 <= local.hour * 60 + local.minute < 20 * 60
        count += not inside
    return count


def _brute_force_optimum() -> int:
    """Return the fewest minutes outside hours over every quarter-hour start of every session."""
    zones = {"joao": "America/Sao_Paulo", "kim": "Asia/Seoul", "lan": "Asia/Ho_Chi_Minh"}
    day = datetime(2020, 10, 21, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # no DST there
    starts = [day + timedelta(minutes=15 * q) for q in range(96)]
    opening = (day + timedelta(hours=18), day + timedelta(hours=20), {"lan"})
    options = []
    for _, minutes, people in BRUTE_SESSIONS:
        choices = []
        for start in starts:
            end = start + timedelta(minutes=minutes)
            if "lan" in people and start < opening[1] and opening[0] < end:
                continue
            cost = sum(_outside_minutes(start, minutes, zones[person]) for person in people)
            choices.append((start, end, set(people), cost))
        options.append(choices)
    best = None
    for a, b, c in itertools.product(*options):
        total = a[3] + b[3] + c[3]
        if best is not None and total >= best:
            continue
        pairs = ((a, b), (a, c), (b, c))
        if all(not (x[2] & y[2]) or x[1] <= y[0] or y[1] <= x[0] for x, y in pairs):
            best = total
    assert best is not None
    return best


def _schedule(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str, Path]:
    source = tmp_path / "in.toml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out.toml"
    result = CliRunner().invoke(cli, ["schedule", str(source), "-o", str(out), *args])
    return result.exit_code, result.stdout, result.stderr, out


def test_schedule_reaches_the_brute_force_optimum_and_check_agrees(tmp_path: Path) -> None:
    text = _brute_text()
    code, stdout, _, out = _schedule(tmp_path, text, "--format", "json")
    assert code == 0
    found = json.loads(stdout)
    assert found["optimal"] is True
    assert found["minutes_outside_hours"] == _brute_force_optimum()
    assert [p["session"] for p in found["placements"]] == ["s1", "s2", "s3"]
    written = out.read_text(encoding="utf-8")
    assert written.count("# keep this comment") == 3
    assert "# the opening is pinned" in written
    parsed, original = tomllib.loads(written), tomllib.loads(text)
    assert parsed["sessions"][0] == original["sessions"][0]  # the pinned one never moves
    for before, after in zip(original["sessions"][1:], parsed["sessions"][1:], strict=True):
        assert {k: v for k, v in after.items() if k != "start"} == before
        assert after["start"].minute % 15 == 0
    assert (tmp_path / "in.toml").read_text(encoding="utf-8") == text  # FILE untouched
    checked = CliRunner().invoke(cli, ["check", str(out), "--format", "json"])
    assert checked.exit_code == 0
    problems = json.loads(checked.stdout)["problems"]
    outside = sum(1 for p in problems if p["kind"] == "outside-hours")
    assert (outside == 0) == (found["minutes_outside_hours"] == 0)


def test_the_text_report_gives_each_placement_in_every_delegation_zone(tmp_path: Path) -> None:
    code, stdout, _, _ = _schedule(tmp_path, _brute_text())
    assert code == 0
    assert "proven optimal" in stdout
    block = stdout.split("s1  Round s1", 1)[1].split("\n\n", 1)[0]
    assert "America/Sao_Paulo" in block
    assert "Asia/Seoul" in block
    sao_paulo = next(line for line in block.splitlines() if "America/Sao_Paulo" in line)
    assert " UTC-03:00 " in sao_paulo  # tzdata's `-03` is shown as an offset
    assert " -03 " not in sao_paulo


def test_a_session_whose_people_are_always_busy_is_named_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    busy = """
    [[sessions]]
    id = "retreat"
    title = "Retreat"
    start = 2020-10-20T23:00:00
    duration = "26h"
    attendees = ["kim"]
    """
    text = _brute_text() + textwrap.dedent(busy)
    code, _, stderr, out = _schedule(tmp_path, text)
    assert code == 1
    assert stderr.startswith("cannot place s1: ")
    assert "retreat" in stderr
    assert not out.exists()


def test_out_equal_to_file_is_refused_and_file_is_untouched(tmp_path: Path) -> None:
    source = tmp_path / "in.toml"
    source.write_text(_brute_text(), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["schedule", str(source), "-o", str(tmp_path / "." / "in.toml")]
    )
    assert result.exit_code == 2
    assert "OUT must not be FILE" in result.stderr
    assert source.read_text(encoding="utf-8") == _brute_text()


def _run_vconf(*args: str, block_ortools: bool = False) -> tuple[int, str, set[str]]:
    """Run vconf in a fresh interpreter; return its exit code, stderr and the modules it loaded."""
    program = textwrap.dedent(f"""
        import sys
        if {block_ortools}:
            sys.modules["ortools"] = None  # importing it now raises ImportError
        from vconf.cli import cli
        try:
            cli.main({list(args)!r}, prog_name="vconf")
        except SystemExit as stop:
            code = stop.code
        print(sorted(name for name in sys.modules if name.startswith("ortools")), file=sys.stderr)
        sys.exit(code)
        """)
    src = str(Path(__file__).parent.parent / "src")
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env)
    *lines, loaded = done.stderr.strip().splitlines()
    return done.returncode, "\n".join(lines), set(ast.literal_eval(loaded))


def test_help_and_check_never_import_ortools(tmp_path: Path) -> None:
    source = tmp_path / "in.toml"
    source.write_text(_brute_text(), encoding="utf-8")
    assert _run_vconf("--help")[::2] == (0, set())
    assert _run_vconf("check", str(source))[::2] == (1, set())  # unscheduled: errors
    code, _, loaded = _run_vconf("schedule", str(source), "-o", str(tmp_path / "out.toml"))
    assert code == 0
    assert "ortools" in loaded  # the test can fail: schedule does import it


def test_schedule_without_ortools_says_how_to_install_it(tmp_path: Path) -> None:
    source = tmp_path / "in.toml"
    source.write_text(_brute_text(), encoding="utf-8")
    code, stderr, _ = _run_vconf(
        "schedule", str(source), "-o", str(tmp_path / "out.toml"), block_ortools=True
    )
    assert code == 2
    assert stderr == "vconf: vconf schedule needs OR-Tools: pip install 'vconf[solve]'"
    assert not (tmp_path / "out.toml").exists()


def test_candidates_skip_the_gap_and_the_fold_and_keep_within_days() -> None:
    text = _text(
        """
        [[sessions]]
        id = "dst"
        title = "Across the fall-back"
        duration = "30m"
        timezone = "Europe/London"
        within = [2020-10-25, 2020-10-25]
        attendees = ["lan"]
        """
    )
    timetable = build_timetable(conference_from_text(text))
    (session,) = build_instance(timetable).unscheduled
    starts = [instant_utc(c.start_utc) for c in session.candidates]
    local = [s.astimezone(ZoneInfo("Europe/London")) for s in starts]
    event_dates = {s.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date() for s in starts}
    assert event_dates == {date(2020, 10, 25)}
    assert all(moment.minute % 15 == 0 for moment in local)
    walls = [moment.replace(tzinfo=None) for moment in local]
    assert datetime(2020, 10, 25, 1, 30) not in walls  # 01:00-02:00 happens twice: a fold
    assert len(walls) == len(set(walls))
    # the event-zone day is 96 quarter hours of UTC; both runs of London's 01:00-01:45 are left out
    assert len(starts) == 96 - 8


def test_an_existing_out_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out.toml"
    out.write_text("stale", encoding="utf-8")
    code, _, _, written = _schedule(tmp_path, _brute_text())
    assert code == 0
    assert written == out
    assert tomllib.loads(out.read_text(encoding="utf-8"))["event"]["id"] == "bf"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no temporary left


def test_schedule_text_names_the_warnings_left(tmp_path: Path) -> None:
    text = _brute_text().replace('hours = "08:00-20:00"', 'hours = "09:00-10:00"')
    code, stdout, _, out = _schedule(tmp_path, text)
    assert code == 0
    checked = CliRunner().invoke(cli, ["check", str(out), "--format", "json"])
    warned = {
        (p["kind"], p["subject"])
        for p in json.loads(checked.stdout)["problems"]
        if {"s1", "s2", "s3"} & set(p["sessions"])
    }
    assert warned  # no hour meets all three zones' 09:00-10:00
    for kind, subject in warned:
        assert f"{kind} · {subject}" in stdout


# -- random small instances: the solver's total equals brute force over every quarter hour ----

ZONES = ("America/Sao_Paulo", "Europe/London", "Asia/Kolkata", "Asia/Ho_Chi_Minh", "Asia/Seoul")


@st.composite
def small_events(draw: st.DrawFn) -> tuple[str, dict[str, tuple[str, int, int]], list[Any]]:
    """Return a one-day event with two delegations, two unscheduled sessions and a pinned one."""
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=2, max_size=2, unique=True))
    delegations = {}
    parts = [BRUTE_EVENT.split("[delegations.BR]")[0]]
    for code, zone in zip(("A", "B"), zones, strict=True):
        start = draw(st.integers(6, 10)) * 60
        end = start + draw(st.integers(4, 12)) * 60
        delegations[code] = (zone, start, end)
        hours = f"{start // 60:02d}:00-{end // 60:02d}:00"
        parts.append(
            f'[delegations.{code}]\nname = "{code}"\ntimezone = "{zone}"\nhours = "{hours}"\n'
            f'\n[people.{code.lower()}]\nname = "{code}"\ndelegation = "{code}"\n\n'
        )
    pinned_quarter = draw(st.integers(0, 95))
    parts.append(
        f'[[sessions]]\nid = "pinned"\ntitle = "Pinned"\n'
        f"start = 2020-10-21T{pinned_quarter // 4:02d}:{pinned_quarter % 4 * 15:02d}:00\n"
        f'duration = "90m"\nspeakers = ["a"]\n\n'
    )
    sessions = []
    for name in ("x", "y"):
        minutes = draw(st.sampled_from((30, 45, 60, 120)))
        sessions.append((name, minutes))
        parts.append(
            f'[[sessions]]\nid = "{name}"\ntitle = "{name}"\nduration = "{minutes}m"\n'
            f'speakers = ["a", "b"]\n\n'
        )
    return "".join(parts), delegations, [pinned_quarter, sessions]


def _outside(start: datetime, minutes: int, zone: str, hours: tuple[int, int]) -> int:
    count = 0
    for minute in range(minutes):
        local = (start + timedelta(minutes=minute)).astimezone(ZoneInfo(zone))
        clock = local.hour * 60 + local.minute
        count += not (local.weekday() < 5 and hours[0] <= clock < hours[1])
    return count


@settings(max_examples=12, deadline=None)
@given(small_events())
def test_random_small_instances_reach_the_brute_force_optimum(
    event: tuple[str, dict[str, tuple[str, int, int]], list[Any]],
) -> None:
    text, delegations, (pinned_quarter, sessions) = event
    day = datetime(2020, 10, 21, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    pinned = (day + timedelta(minutes=15 * pinned_quarter), timedelta(minutes=90))
    options = []
    for _, minutes in sessions:
        choices = []
        for quarter in range(96):
            start = day + timedelta(minutes=15 * quarter)
            end = start + timedelta(minutes=minutes)
            if start < pinned[0] + pinned[1] and pinned[0] < end:
                continue  # both sessions hold person a, who is in the pinned one
            cost = sum(
                _outside(start, minutes, zone, (low, high))
                for zone, low, high in delegations.values()
            )
            choices.append((start, end, cost))
        options.append(choices)
    best = min(
        a[2] + b[2]
        for a, b in itertools.product(*options)
        if a[1] <= b[0] or b[1] <= a[0]  # the same two people: never at once
    )
    timetable = build_timetable(conference_from_text(text))
    found = schedule(timetable, text, time_limit=20)
    assert found.is_optimal
    assert found.cost == best
    assert sum(p.minutes_outside for p in found.placements) == best


def test_a_session_with_no_days_to_start_on_is_named(tmp_path: Path) -> None:
    text = _brute_text().replace("start = 2020-10-21\nend = 2020-10-21\n", "")
    code, _, stderr, out = _schedule(tmp_path, text)
    assert code == 1
    assert (
        stderr
        == "cannot place s1: it has no days to be placed on: give it `within = [DATE, DATE]`\n"
    )
    assert not out.exists()
