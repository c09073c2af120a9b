"""Behaviours of the renderers: SPEC §4 JSON, terminal text at 80 columns, Markdown, HTML, files."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterable
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console, RenderableType

from conftest import built_in_another_process, timetable_of
from vconf.agenda import build_agenda
from vconf.checks import Problem, ProblemKind, find_problems
from vconf.render.agenda_files import agenda_files
from vconf.render.html import agenda_as_html
from vconf.render.json import agenda_as_json, problems_as_json
from vconf.render.markdown import agenda_as_markdown, escape
from vconf.render.text import _one_cell_each, agenda_as_text, problems_as_text, written_as_text

DASH = "\u2013"  # the en dash of `14:00-14:45`

EVENT = """
[event]
id = "icdd-2021"
name = "ICDD 2021"
timezone = "Asia/Jakarta"

[delegations.ID]
name = "Indonesia"
timezone = "Asia/Jakarta"

[delegations.US]
name = "United States"
timezone = "America/New_York"

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"

[people.retno]
name = "Retno Marsudi"
delegation = "ID"

[people.son]
name = "Bui Thanh Son"
delegation = "VN"

[people.mc]
name = "Master of Ceremonies"

[rooms.main]
name = "Plenary hall"
url = "https://meet.example/main?a=1&b=2"
"""

OPENING = """
[[sessions]]
id = "opening"
title = "Opening session"
kind = "plenary"
start = 2021-11-16T14:00:00
duration = "45m"
room = "main"
delegations = ["*"]
speakers = ["retno"]
moderators = ["mc"]
"""

BILATERAL = """
[[sessions]]
id = "bilateral"
title = "Bilateral meeting"
kind = "bilateral"
start = 2021-11-16T17:30:00
duration = "30m"
delegations = ["ID", "VN"]
speakers = ["retno", "son"]
visibility = "restricted"
"""


def session(session_id: str, start: str, duration: str = "45m", **extra: str) -> str:
    """Return a [[sessions]] table, by default for every delegation; `extra` are TOML literals."""
    keys = {"delegations": '["*"]', **extra}
    lines = [
        "[[sessions]]",
        f'id = "{session_id}"',
        f'title = "{session_id} title"',
        f"start = {start}",
        f'duration = "{duration}"',
        *(f"{key} = {value}" for key, value in keys.items()),
    ]
    return "\n" + "\n".join(lines) + "\n"


def as_text(renderables: Iterable[RenderableType]) -> str:
    """Return what an 80-column console without colour prints for the renderables."""
    console = Console(file=io.StringIO(), width=80, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(output, str)
    return output


def assert_fits_80_columns(output: str) -> None:
    """Fail if a line is wider than 80 columns, ends in spaces or holds an escape code."""
    for line in output.splitlines():
        assert cell_len(line) <= 80, line
        assert line == line.rstrip(), repr(line)
    assert "\x1b" not in output


def table_cells(line: str) -> list[str]:
    """Return the cells of a Markdown table row, split at the pipes that are not escaped."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


# ---- check --format json -----------------------------------------------------------------------


def test_check_json_counts_errors_and_warnings_with_the_spec_keys() -> None:
    overlap = session("panel-b", "2021-11-16T15:00:00", speakers='["retno"]')
    earlier = session("panel-a", "2021-11-16T14:30:00", "1h", speakers='["retno"]')
    timetable = timetable_of(EVENT, overlap, earlier)
    document = json.loads(problems_as_json(find_problems(timetable), timetable))
    assert document["event"] == "icdd-2021"
    assert document["sessions"] == 2
    assert document["errors"] == 1
    assert document["warnings"] == len(document["problems"]) - 1
    first = document["problems"][0]
    assert {"kind", "severity", "subject", "sessions", "message"} <= set(first)
    assert first["kind"] == "person-overlap"
    assert first["severity"] == "error"
    assert first["subject"] == "retno"
    assert first["sessions"] == ["panel-a", "panel-b"]  # earliest start first
    assert first["first_start"] == "2021-11-16T07:30:00Z"


def test_check_json_without_problems_has_an_empty_list() -> None:
    timetable = timetable_of(EVENT, session("noon", "2021-11-16T12:00:00", delegations='["ID"]'))
    document = json.loads(problems_as_json([], timetable))
    assert document == {
        "event": "icdd-2021",
        "sessions": 1,
        "errors": 0,
        "warnings": 0,
        "problems": [],
    }


def test_json_documents_end_with_one_newline() -> None:
    timetable = timetable_of(EVENT, OPENING)
    assert problems_as_json([], timetable).endswith("}\n")
    assert agenda_as_json(build_agenda(timetable)).endswith("}\n")


# ---- agenda --format json ----------------------------------------------------------------------


def test_agenda_json_gives_utc_times_and_local_times_per_delegation() -> None:
    document = json.loads(agenda_as_json(build_agenda(timetable_of(EVENT, OPENING))))
    assert document["event"] == "icdd-2021"
    (opening,) = document["sessions"]
    assert opening["id"] == "opening"
    assert opening["title"] == "Opening session"
    assert opening["kind"] == "plenary"
    assert opening["start"] == "2021-11-16T07:00:00Z"
    assert opening["end"] == "2021-11-16T07:45:00Z"
    assert opening["room"] == "main"
    assert opening["visibility"] == "public"
    assert opening["delegations"] == ["ID", "US", "VN"]
    assert opening["people"] == ["mc", "retno"]
    assert list(opening["local"]) == ["ID", "US", "VN"]
    assert opening["local"]["US"] == {
        "timezone": "America/New_York",
        "start": "2021-11-16T02:00:00-05:00",
        "end": "2021-11-16T02:45:00-05:00",
    }
    assert opening["local"]["VN"]["start"] == "2021-11-16T14:00:00+07:00"


def test_agenda_json_local_has_one_entry_per_delegation_of_the_session() -> None:
    document = json.loads(agenda_as_json(build_agenda(timetable_of(EVENT, BILATERAL))))
    (bilateral,) = document["sessions"]
    assert bilateral["visibility"] == "restricted"
    assert bilateral["room"] is None
    assert sorted(bilateral["local"]) == bilateral["delegations"] == ["ID", "VN"]


def test_agenda_json_lists_sessions_by_start_then_id() -> None:
    timetable = timetable_of(
        EVENT,
        session("b", "2021-11-16T09:00:00"),
        session("c", "2021-11-16T08:00:00"),
        session("a", "2021-11-16T09:00:00"),
    )
    document = json.loads(agenda_as_json(build_agenda(timetable)))
    assert [item["id"] for item in document["sessions"]] == ["c", "a", "b"]


def test_agenda_json_for_a_delegation_has_only_its_sessions() -> None:
    timetable = timetable_of(EVENT, OPENING, BILATERAL)
    for_us = json.loads(agenda_as_json(build_agenda(timetable, delegation="US")))
    for_vn = json.loads(agenda_as_json(build_agenda(timetable, delegation="VN")))
    assert [item["id"] for item in for_us["sessions"]] == ["opening"]
    assert [item["id"] for item in for_vn["sessions"]] == ["opening", "bilateral"]


def test_agenda_json_gives_an_offset_date_time_in_utc() -> None:
    written = OPENING.replace("2021-11-16T14:00:00", "2021-11-16T14:00:00+07:00")
    document = json.loads(agenda_as_json(build_agenda(timetable_of(EVENT, written))))
    assert document["sessions"][0]["start"] == "2021-11-16T07:00:00Z"
    assert document["sessions"][0]["local"]["ID"]["start"] == "2021-11-16T14:00:00+07:00"


def test_json_renderers_do_not_import_rich() -> None:
    code = (
        "import sys\n"
        "from vconf.render.json import agenda_as_json, problems_as_json, zone_grid_as_json\n"
        "from vconf.render.json import proposals_as_json\n"
        "from vconf.render.changes import changes_as_json\n"
        "print(any(name == 'rich' or name.startswith('rich.') for name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---- problems as text --------------------------------------------------------------------------


def test_problems_text_shows_severity_kind_subject_message_and_a_summary() -> None:
    overlap = session("panel-b", "2021-11-16T15:00:00", speakers='["retno"]')
    earlier = session("panel-a", "2021-11-16T14:30:00", "1h", speakers='["retno"]')
    timetable = timetable_of(EVENT, overlap, earlier)
    problems = find_problems(timetable)
    output = as_text(problems_as_text(problems, timetable))
    assert_fits_80_columns(output)
    assert "error   person-overlap · retno" in output
    assert "Retno Marsudi is in panel-a" in output
    assert "warning outside-hours · US" in output
    warnings = len(problems) - 1
    assert output.splitlines()[-1] == f"1 error, {warnings} warnings in 2 sessions"


def test_problems_text_lists_every_problem_of_a_long_list() -> None:
    timetable = timetable_of(EVENT, OPENING)
    start = timetable.slots[0].start_utc
    problems = [
        Problem(ProblemKind.OUTSIDE_HOURS, "US", ("opening",), f"problem number {number}", start)
        for number in range(450)
    ]
    lines = as_text(problems_as_text(problems, timetable)).splitlines()
    assert len([line for line in lines if line.startswith("warning outside-hours · US")]) == 450
    assert "        problem number 449" in lines
    assert lines[-1] == "0 errors, 450 warnings in 1 session"


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_problem_messages_wrap_within_80_columns(message: str) -> None:
    timetable = timetable_of(EVENT, OPENING)
    problem = Problem(
        ProblemKind.OUTSIDE_HOURS, "US", ("opening",), message, timetable.slots[0].start_utc
    )
    output = as_text(problems_as_text([problem], timetable))
    assert_fits_80_columns(output)
    assert "".join(output.split()[4:-7]) == "".join(message.split())  # nothing lost


def test_no_problems_says_so_with_the_session_count() -> None:
    timetable = timetable_of(EVENT, session("noon", "2021-11-16T12:00:00", delegations='["ID"]'))
    output = as_text(problems_as_text([], timetable))
    assert output == "No problems found in 1 session.\n"


# ---- agenda as text ----------------------------------------------------------------------------


def test_text_agenda_starts_with_the_title_and_each_day_with_its_date() -> None:
    timetable = timetable_of(EVENT, OPENING, session("day-two", "2021-11-17T10:00:00"))
    output = as_text(agenda_as_text(build_agenda(timetable)))
    assert_fits_80_columns(output)
    lines = output.splitlines()
    assert lines[0] == "ICDD 2021"
    assert "Tuesday, 16 November 2021" in lines
    assert "Wednesday, 17 November 2021" in lines
    assert lines.index("Tuesday, 16 November 2021") < lines.index("Wednesday, 17 November 2021")


def test_text_agenda_rules_every_day_across_the_whole_width() -> None:
    """A short day and a long one get the same rule: the page reads as one table."""
    long_title = 'title = "' + "A long title that wraps " * 5 + '"'
    timetable = timetable_of(
        EVENT,
        session("short", "2021-11-16T10:00:00"),
        session("long", "2021-11-17T10:00:00").replace('title = "long title"', long_title),
    )
    output = as_text(agenda_as_text(build_agenda(timetable)))
    assert_fits_80_columns(output)
    rules = [line for line in output.splitlines() if line.startswith("─")]
    assert [len(rule) for rule in rules] == [80, 80]


def test_text_agenda_heads_each_time_column_with_city_and_abbreviation() -> None:
    agenda = build_agenda(
        timetable_of(EVENT, OPENING), tz_names=("Asia/Jakarta", "America/New_York")
    )
    output = as_text(agenda_as_text(agenda))
    assert_fits_80_columns(output)
    assert "Jakarta ·" in output
    assert "UTC+07:00 (WIB)" in output
    assert "New York ·" in output
    assert "UTC-05:00 (EST)" in output
    assert f"14:00{DASH}14:45        02:00{DASH}02:45" in output


def test_text_agenda_marks_a_time_on_the_previous_date() -> None:
    timetable = timetable_of(EVENT, session("morning", "2021-11-16T09:00:00"))
    agenda = build_agenda(timetable, tz_names=("Asia/Jakarta", "America/New_York"))
    output = as_text(agenda_as_text(agenda))
    assert_fits_80_columns(output)
    assert f"09:00{DASH}09:45" in output
    assert f"21:00{DASH}21:45 -1" in output  # 09:00 WIB on the 16th is 21:00 EST on the 15th


def test_text_agenda_marks_an_end_on_the_next_date() -> None:
    timetable = timetable_of(EVENT, session("late", "2021-11-16T23:30:00", "1h"))
    output = as_text(agenda_as_text(build_agenda(timetable)))
    assert f"23:30{DASH}00:30 +1" in output


def test_text_agenda_marks_a_start_on_another_date_than_its_end() -> None:
    # 11:30-12:30 WIB on the 16th is 23:30 on the 15th to 00:30 on the 16th in New York
    timetable = timetable_of(EVENT, session("crossing", "2021-11-16T11:30:00", "1h"))
    agenda = build_agenda(timetable, tz_names=("Asia/Jakarta", "America/New_York"))
    assert f"23:30 -1{DASH}00:30" in as_text(agenda_as_text(agenda))


def test_an_end_at_midnight_is_written_as_24_00_of_the_start_date() -> None:
    timetable = timetable_of(EVENT, session("evening", "2021-11-16T22:00:00", "2h"))
    output = as_text(agenda_as_text(build_agenda(timetable)))
    assert f"22:00{DASH}24:00" in output
    assert "+1" not in output


def test_text_agenda_shows_kind_room_people_and_marks_moderators_and_restricted() -> None:
    output = as_text(agenda_as_text(build_agenda(timetable_of(EVENT, OPENING, BILATERAL))))
    assert_fits_80_columns(output)
    assert "Opening session" in output
    assert "plenary · Plenary hall" in output
    assert "Speakers: Retno Marsudi (ID)\n" in output
    assert "Moderators: Master of Ceremonies\n" in output
    assert "Bilateral meeting\n" in output
    assert output.count("[restricted]") == 1
    assert output.index("[restricted]") > output.index("Bilateral meeting")


def test_text_agenda_shows_markup_in_titles_as_written() -> None:
    titled = OPENING.replace('"Opening session"', '"[bold]Opening[/bold] :smile:"')
    output = as_text(agenda_as_text(build_agenda(timetable_of(EVENT, titled))))
    assert "[bold]Opening[/bold] :smile:" in output


def test_text_agenda_with_three_zones_and_long_titles_fits_80_columns() -> None:
    long_title = "Ministerial roundtable: accelerating digital transformation " * 2
    titled = OPENING.replace('"Opening session"', f'"{long_title.strip()}"')
    zones = ("Asia/Jakarta", "America/New_York", "Pacific/Auckland")
    agenda = build_agenda(timetable_of(EVENT, titled, BILATERAL), tz_names=zones)
    output = as_text(agenda_as_text(agenda))
    assert_fits_80_columns(output)
    assert "Auckland" in output
    assert "(NZDT)" in output  # past two zones the abbreviation goes under the city


def test_text_agenda_wraps_wide_characters_within_80_columns() -> None:
    titled = OPENING.replace(
        '"Opening session"', '"' + "デジタル外交に関する閣僚級円卓会議" * 4 + '"'
    )
    agenda = build_agenda(timetable_of(EVENT, titled), tz_names=("Asia/Jakarta", "Asia/Tokyo"))
    output = as_text(agenda_as_text(agenda))
    assert_fits_80_columns(output)
    assert "デジタル外交" in output


def test_empty_agenda_says_there_are_no_sessions_for_the_party() -> None:
    agenda = build_agenda(timetable_of(EVENT, BILATERAL), delegation="US")
    output = as_text(agenda_as_text(agenda))
    assert output.splitlines() == [
        "ICDD 2021 — United States (US)",
        "No sessions for United States (US).",
    ]


# ---- Markdown ----------------------------------------------------------------------------------


def test_markdown_has_a_heading_and_a_table_per_day() -> None:
    timetable = timetable_of(EVENT, OPENING, session("day-two", "2021-11-17T10:00:00"))
    markdown = agenda_as_markdown(build_agenda(timetable))
    assert markdown.startswith("# ICDD 2021\n")
    assert markdown.endswith("|\n")
    assert "## Tuesday, 16 November 2021" in markdown
    assert "## Wednesday, 17 November 2021" in markdown
    heading = "| Jakarta · UTC+07:00 (WIB) | Session | Room | People | Delegations | Languages |"
    assert heading in markdown


def test_markdown_escapes_pipes_and_markdown_specials_in_titles() -> None:
    titled = OPENING.replace('"Opening session"', '"A | B *C* _D_ [E](x) <b>"')
    markdown = agenda_as_markdown(build_agenda(timetable_of(EVENT, titled)))
    row = next(line for line in markdown.splitlines() if "14:00" in line)
    assert len(table_cells(row)) == 6
    assert r"A \| B \*C\* \_D\_ \[E\](x) \<b\>" in row


def test_markdown_links_http_rooms_and_marks_restricted_sessions() -> None:
    markdown = agenda_as_markdown(build_agenda(timetable_of(EVENT, OPENING, BILATERAL)))
    assert "[Plenary hall](<https://meet.example/main?a=1&b=2>)" in markdown
    row = next(line for line in markdown.splitlines() if "Bilateral meeting" in line)
    assert "*restricted*" in row
    assert "Moderators: Master of Ceremonies" in markdown


def test_markdown_shows_a_non_web_room_url_as_text_not_a_link() -> None:
    event = EVENT.replace('"https://meet.example/main?a=1&b=2"', '"javascript:alert(1)"')
    markdown = agenda_as_markdown(build_agenda(timetable_of(event, OPENING)))
    assert "](" not in markdown
    assert "| Plenary hall (javascript:alert(1)) |" in markdown


@given(st.text())
def test_markdown_escape_keeps_text_on_one_line_in_one_cell(text: str) -> None:
    escaped = escape(text)
    assert "\n" not in escaped
    assert "\r" not in escaped
    assert len(table_cells(f"| {escaped} |")) == 1


# ---- HTML --------------------------------------------------------------------------------------


def test_html_is_a_complete_page() -> None:
    page = agenda_as_html(build_agenda(timetable_of(EVENT, OPENING)))
    assert page.startswith("<!DOCTYPE html>\n")
    assert '<meta charset="utf-8">' in page
    assert "<title>ICDD 2021</title>" in page
    assert "<style>" in page
    # the day heads its table, so it repeats with the column headings on every printed page
    assert '<thead>\n<tr class="day"><th colspan="6">Tuesday, 16 November 2021</th></tr>' in page
    assert page.endswith("</html>\n")


def test_html_shows_a_script_title_as_text() -> None:
    titled = OPENING.replace('"Opening session"', '"<script>alert(1)</script>"')
    page = agenda_as_html(build_agenda(timetable_of(EVENT, titled)))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_links_http_rooms_with_an_escaped_href() -> None:
    page = agenda_as_html(build_agenda(timetable_of(EVENT, OPENING)))
    assert '<a href="https://meet.example/main?a=1&amp;b=2">Plenary hall</a>' in page


def test_html_never_makes_a_link_of_a_non_web_url() -> None:
    event = EVENT.replace('"https://meet.example/main?a=1&b=2"', '"javascript:alert(1)"')
    page = agenda_as_html(build_agenda(timetable_of(event, OPENING)))
    assert "<a " not in page
    assert "Plenary hall (javascript:alert(1))" in page


def test_html_marks_restricted_sessions_and_moderators() -> None:
    page = agenda_as_html(build_agenda(timetable_of(EVENT, OPENING, BILATERAL)))
    row = next(line for line in page.splitlines() if "Bilateral meeting" in line)
    assert '<span class="restricted">restricted</span>' in row
    assert "Moderators: Master of Ceremonies" in page


class _PeopleCells(HTMLParser):
    """The text lines of each `<td class="people">`, split where a `<br>` breaks them."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[list[str]] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "td" and ("class", "people") in attrs:
            self.inside = True
            self.cells.append([""])
        elif tag == "br" and self.inside:
            self.cells[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "td"

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.cells[-1][-1] += data


def test_html_puts_each_role_of_a_session_on_its_own_line() -> None:
    reader = _PeopleCells()
    reader.feed(agenda_as_html(build_agenda(timetable_of(EVENT, OPENING))))
    assert reader.cells == [["Speakers: Retno Marsudi (ID)", "Moderators: Master of Ceremonies"]]


def test_empty_html_agenda_says_there_are_no_sessions_for_the_party() -> None:
    page = agenda_as_html(build_agenda(timetable_of(EVENT, BILATERAL), delegation="US"))
    assert "<p>No sessions for United States (US).</p>" in page
    assert "<table" not in page


# ---- agenda files ------------------------------------------------------------------------------


def test_agenda_files_hold_one_markdown_and_one_html_per_delegation() -> None:
    files = agenda_files(timetable_of(EVENT, OPENING))
    delegations = [f"agendas/{code}.{ext}" for code in ("ID", "US", "VN") for ext in ("html", "md")]
    assert sorted(path for path in files if path.count("/") == 1) == delegations
    assert all(isinstance(content, bytes) for content in files.values())
    assert files["agendas/US.md"].decode("utf-8").startswith("# ICDD 2021 — United States (US)")


def test_a_restricted_session_is_only_in_the_files_of_its_delegations() -> None:
    files = agenda_files(timetable_of(EVENT, OPENING, BILATERAL))
    holding = sorted(path for path, content in files.items() if b"Bilateral meeting" in content)
    people = [f"agendas/people/{pid}.{ext}" for pid in ("retno", "son") for ext in ("html", "md")]
    delegations = ["agendas/ID.html", "agendas/ID.md", "agendas/VN.html", "agendas/VN.md"]
    assert holding == sorted(delegations + people)  # never the programme


def test_agenda_files_are_in_the_delegation_zone_then_the_event_zone() -> None:
    files = agenda_files(timetable_of(EVENT, OPENING))
    american = files["agendas/US.md"].decode("utf-8")
    assert "| United States · UTC-05:00 (EST) | Jakarta · UTC+07:00 (WIB) | Session |" in american
    assert f"| 02:00{DASH}02:45 | 14:00{DASH}14:45 |" in american
    host = files["agendas/ID.md"].decode("utf-8")
    assert "| Indonesia · UTC+07:00 (WIB) | Session |" in host  # the event zone is not repeated


def test_agenda_files_are_the_same_bytes_in_another_process() -> None:
    here = agenda_files(timetable_of(EVENT, OPENING, BILATERAL))
    elsewhere = built_in_another_process(agenda_files, EVENT, OPENING, BILATERAL)
    assert elsewhere == here
    assert list(elsewhere) == list(here)


# ---- written files -----------------------------------------------------------------------------


def test_written_summary_counts_files_by_kind() -> None:
    paths = [
        "icdd-2021.ics",
        "delegations/ID.ics",
        "delegations/VN.ics",
        "people/retno.ics",
        "invites/opening.ics",
        "agendas/ID.md",
        "agendas/ID.html",
    ]
    output = as_text([written_as_text("out/icdd", paths)])
    assert_fits_80_columns(output)
    assert " ".join(output.split()) == (
        "Wrote 7 files to out/icdd (1 public calendar, 2 delegation calendars, "
        "1 person calendar, 1 invitation, 2 agenda pages)."
    )


@pytest.mark.parametrize(
    ("paths", "unchanged", "expected"),
    [
        (
            ["invites/a.ics"],
            1,
            "Wrote 1 file to out (1 invitation); 1 other was already up to date.",
        ),
        (
            ["icdd.ics", "invites/a.ics"],
            48,
            "Wrote 2 files to out (1 public calendar, 1 invitation); 48 others were already up to "
            "date.",
        ),
        ([], 50, "Wrote no files to out: all 50 were already up to date."),
        ([], 1, "Wrote no files to out: its 1 file was already up to date."),
    ],
)
def test_written_summary_says_how_many_files_were_already_up_to_date(
    paths: list[str], unchanged: int, expected: str
) -> None:
    output = as_text([written_as_text("out", paths, unchanged=unchanged)])
    assert_fits_80_columns(output)
    assert " ".join(output.split()) == expected


@pytest.mark.parametrize(
    ("paths", "expected"),
    [([], "Wrote no files to out.\n"), (["notes.txt"], "Wrote 1 file to out (1 other file).\n")],
)
def test_written_summary_reads_well_with_no_or_unknown_files(
    paths: list[str], expected: str
) -> None:
    assert as_text([written_as_text("out", paths)]) == expected


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_the_one_cell_check_agrees_with_measuring_each_character(text: str) -> None:
    """The set of characters met is only a shortcut: the answer is rich's, character by
    character, asked twice (the second time from the set)."""
    expected = all(cell_len(character) == 1 for character in text)
    assert _one_cell_each(text) is expected
    assert _one_cell_each(text) is expected
