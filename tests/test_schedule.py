"""`vconf schedule` end to end: unscheduled sessions in, candidates, placements, OUT.toml (§10)."""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from vconf.checks import ProblemKind, find_problems
from vconf.cli import cli
from vconf.errors import VconfError
from vconf.load import conference_from_text
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
