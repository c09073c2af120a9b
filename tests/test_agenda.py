"""Agendas people read (SPEC §8): columns, width, content, selection, files, in every format."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from conftest import readme_blocks
from vconf.agenda import build_agenda, delegation_order
from vconf.cli import cli
from vconf.load import read_conference
from vconf.render.text import _wrap_groups
from vconf.render.words import MIDDLE_DOT
from vconf.timetable import Timetable, build_timetable

EXAMPLES = Path(__file__).parent.parent / "examples"
ICDD = str(EXAMPLES / "icdd-2021.toml")
DANANG = str(EXAMPLES / "danang-partners-2023.toml")
ZONES = (
    "America/Los_Angeles",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kathmandu",
    "America/St_Johns",
)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def timetable_of(path: str) -> Timetable:
    return build_timetable(read_conference(path))


def words_of(text: str) -> set[str]:
    return set(text.split())


# ---- width: nothing dropped, links whole -------------------------------------------------------


@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES.glob("*.toml")))
@pytest.mark.parametrize("width", [80, 100, 140])
def test_no_character_is_lost_at_any_width_with_one_to_six_zones(example: str, width: int) -> None:
    """Every title word, person name word and link of every session appears whole."""
    path = str(EXAMPLES / example)
    timetable = timetable_of(path)
    expected: set[str] = set()
    for slot in timetable.slots:
        expected |= words_of(slot.session.title)
        for person in slot.people:
            expected |= {word.rstrip(",") for word in timetable.people[person].name.split()}
        room = timetable.rooms.get(slot.session.room or "")
        if room is not None and room.url:
            expected.add(room.url)
    for count in range(1, len(ZONES) + 1):
        zones = [part for zone in ZONES[:count] for part in ("--tz", zone)]
        result = run("agenda", path, *zones, "--width", str(width))
        assert result.exit_code in (0, 1)
        output = result.stdout
        assert "\x1b" not in output  # piped: no escape codes
        lines = output.splitlines()
        assert max(len(line) for line in lines) <= width, (count, width)
        tokens = {token.rstrip(",;") for token in output.split()}
        missing = {word for word in expected if word.rstrip(",;") not in tokens}
        assert not missing, (count, width, sorted(missing))


def test_a_link_longer_than_the_session_column_stays_on_one_line() -> None:
    result = run(
        "agenda", ICDD, *[p for zone in ZONES[:3] for p in ("--tz", zone)], "--width", "60"
    )
    for url in (
        "https://meet.example/icdd-2021/bilateral-1",
        "https://meet.example/icdd-2021/main",
    ):
        assert any(line.strip() == url for line in result.stdout.splitlines())


# ---- columns -----------------------------------------------------------------------------------


def test_the_partys_own_zone_comes_first_then_each_tz_once() -> None:
    timetable = timetable_of(DANANG)
    agenda = build_agenda(
        timetable,
        delegation="PIT",
        tz_names=("Asia/Ho_Chi_Minh", "America/New_York", "Asia/Ho_Chi_Minh"),
    )
    assert agenda.tz_names == ("America/New_York", "Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_headings_name_the_delegation_and_an_unambiguous_offset(fmt: str) -> None:
    result = run(
        "agenda",
        DANANG,
        "--delegation",
        "PIT",
        "--tz",
        "Asia/Ho_Chi_Minh",
        "--format",
        fmt,
        "--width",
        "140",
    )
    output = " ".join(result.stdout.split())
    if fmt == "html":  # an offset sits in a span that keeps it on one line
        output = re.sub(r"<[^>]*>", "", output)
    assert (
        "City of Pittsburgh · UTC-05:00 (EST)" in output
        or "City of Pittsburgh · UTC-04:00 (EDT)" in output
    )
    assert "Ho Chi Minh City · UTC+07:00" in output
    assert output.index("City of Pittsburgh ·") < output.index("Ho Chi Minh City ·")
    assert "(+07)" not in output


def test_china_is_headed_by_its_offset_never_by_cst() -> None:
    result = run("agenda", ICDD, "--tz", "Asia/Shanghai", "--width", "140")
    assert "Shanghai · UTC+08:00" in result.stdout
    assert "CST" not in result.stdout


# ---- content -----------------------------------------------------------------------------------


def test_text_shows_roles_delegations_languages_description_and_problem_marks() -> None:
    output = " ".join(run("agenda", ICDD, "--width", "140").stdout.split())
    assert "Speakers: Retno L. P. Marsudi (ID)" in output
    assert "Moderators: Master of Ceremonies, ICDD Secretariat" in output
    assert "Languages: English, Indonesian" in output
    assert "Keynote address by the Minister" in output
    assert "⚠ outside-hours: 02:00 for CA, 02:00 for US" in output
    assert "⚠ person-overlap: Ayu Kartika" in output
    assert "‖ 4 sessions in parallel" in output
    assert "[restricted]" in output


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_every_format_lists_roles_in_protocol_order_and_the_host_first(fmt: str) -> None:
    """Panel 3: speakers as written (not sorted), then the moderator, then the interpreter, each
    labelled; its delegations ID (host), then the others by name, though the file says GB first."""
    output = " ".join(run("agenda", ICDD, "--format", fmt, "--width", "140").stdout.split())
    block = output[output.index("Making sense of data") : output.index("Big data and crisis")]
    position = 0  # each in turn, after the one before (a mark names Ayu Kartika first)
    for token in (
        *("Speakers:", "Ayu Kartika", "James Porter", "Emily Carter"),
        *("Moderators:", "Sarah Whitfield", "Interpreters:", "Budi Hartono"),
    ):
        position = block.index(token, position) + len(token)
    after_people = block[position:]
    delegations = after_people[: after_people.index("English")]
    assert re.findall(r"\b[A-Z]{2}\b", delegations) == ["ID", "AU", "FR", "NL", "GB", "US"]


def test_json_keeps_its_sorted_delegations_and_the_written_order_of_each_role() -> None:
    sessions = json.loads(run("agenda", ICDD, "--format", "json").stdout)["sessions"]
    panel = next(session for session in sessions if session["id"] == "panel-3")
    assert panel["delegations"] == ["AU", "FR", "GB", "ID", "NL", "US"]
    assert panel["speakers"] == ["ayu-kartika", "james-porter", "emily-carter"]
    assert (panel["moderators"], panel["interpreters"]) == (["sarah-whitfield"], ["budi-hartono"])


def test_delegations_are_listed_host_first_then_by_name() -> None:
    timetable = timetable_of(ICDD)
    codes = delegation_order(timetable.by_id["panel-1"].delegations, timetable, host="VN")
    assert codes[0] == "VN"
    names = [timetable.delegations[code].name for code in codes[1:]]
    assert names == sorted(names, key=str.casefold)


def test_a_clock_change_between_two_sessions_is_said_where_it_falls() -> None:
    result = run(
        "agenda", DANANG, "--delegation", "ADL", "--tz", "Asia/Ho_Chi_Minh", "--width", "140"
    )
    output = " ".join(result.stdout.split())
    assert (
        "Sun 2 Apr 2023 03:00 ACDT → 02:00 ACST: City of Adelaide is now 2 h 30 ahead of "
        "Ho Chi Minh City, was 3 h 30"
    ) in output
    assert output.index("ACDT → 02:00 ACST") < output.index("Beach safety")


def test_plan_shows_each_sessions_delegations_local_times_by_offset(tmp_path: Path) -> None:
    result = run("plan", ICDD, "--dry-run", "-o", str(tmp_path / "out"))
    output = " ".join(result.stdout.split())
    assert "02:00 New York, Toronto · 07:00 London" in output


def test_plan_breaks_the_local_times_line_between_places_never_inside_one(tmp_path: Path) -> None:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(
        cli, ["plan", DANANG, "--dry-run", "-o", str(tmp_path / "out")], catch_exceptions=False
    )
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "20:00 Ho Chi Minh City" in lines  # whole on its own line, not `20:00 Ho Chi` / `Minh`
    assert all(not line.endswith(("Ho Chi", "·")) for line in lines)


_GROUP = st.text(alphabet="abc:0 ", min_size=1, max_size=12).map(str.strip).filter(bool)


@given(groups=st.lists(_GROUP, min_size=1, max_size=8), width=st.integers(8, 40))
def test_grouped_text_wraps_between_groups_and_only_splits_a_group_too_wide(
    groups: list[str], width: int
) -> None:
    groups = [" ".join(group.split()) for group in groups]
    lines = _wrap_groups(Console(), MIDDLE_DOT.join(groups), width)
    assert all(len(line) <= width for line in lines)
    if all(len(group) <= width for group in groups):  # the oracle: the groups, packed greedily
        packed: list[list[str]] = []
        for group in groups:
            if packed and len(MIDDLE_DOT.join([*packed[-1], group])) <= width:
                packed[-1].append(group)
            else:
                packed.append([group])
        assert lines == [MIDDLE_DOT.join(line) for line in packed]
    else:  # nothing lost: the same characters, but for spaces and the dots between groups
        assert "".join(lines).replace("·", "").replace(" ", "") == "".join(groups).replace(" ", "")


# ---- selection ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html"])
def test_public_leaves_out_restricted_sessions_in_every_format(fmt: str) -> None:
    everything = run("agenda", ICDD, "--format", fmt).stdout
    public = run("agenda", ICDD, "--public", "--format", fmt).stdout
    assert "Bilateral meeting" in everything
    assert "Bilateral meeting" not in public
    assert "Opening session" in public


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html"])
def test_date_keeps_the_sessions_of_that_day_and_an_empty_day_is_no_error(fmt: str) -> None:
    first = run("agenda", DANANG, "--date", "2023-03-15", "--format", fmt)
    assert first.exit_code == 0
    empty = run("agenda", DANANG, "--date", "1999-01-01", "--format", fmt)
    assert empty.exit_code == 0
    if fmt == "json":
        sessions = json.loads(first.stdout)["sessions"]
        assert sessions
        assert all(session["start"].startswith("2023-03-1") for session in sessions)
        assert json.loads(empty.stdout)["sessions"] == []


def test_json_adds_the_new_facts_as_new_keys() -> None:
    document = json.loads(run("agenda", ICDD, "--format", "json").stdout)
    panel = next(session for session in document["sessions"] if session["id"] == "panel-1")
    assert list(panel)[:10] == [
        "id", "title", "kind", "start", "end", "room", "visibility", "delegations", "people",
        "local",
    ]  # fmt: skip
    assert panel["parallel"] == 4
    assert panel["speakers"][0] == "ayu-kartika"
    assert {"kind": "person-overlap", "severity": "error", "subject": "ayu-kartika"} in panel[
        "problems"
    ]


def test_an_unknown_language_is_misuse_and_a_known_one_translates() -> None:
    bad = run("agenda", ICDD, "--lang", "xx")
    assert bad.exit_code == 2
    assert "--lang xx" in bad.stderr
    french = run("agenda", ICDD, "--lang", "fr", "--format", "html")
    assert '<html lang="fr">' in french.stdout
    assert "mardi 16 novembre 2021" in french.stdout


# ---- files and the newcomer path ---------------------------------------------------------------


def test_export_writes_the_programme_and_a_page_per_person(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("export", ICDD, "-o", str(out))
    programme = (out / "programme.md").read_text(encoding="utf-8")
    assert "Opening session" in programme
    assert "Bilateral meeting" not in programme
    assert (out / "programme.html").is_file()
    minister = (out / "agendas" / "people" / "bui-thanh-son.md").read_text(encoding="utf-8")
    assert "Bilateral meeting" in minister
    other = (out / "agendas" / "people" / "ayu-kartika.md").read_text(encoding="utf-8")
    assert "Bilateral meeting" not in other


def test_the_help_suggests_an_example_that_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    help_text = run("--help").stdout
    suggested = [
        line.split() for line in help_text.splitlines() if line.strip().startswith("vconf ")
    ]
    assert suggested
    for line in suggested:
        args = [str(tmp_path / part) if part.startswith("out/") else part for part in line[1:]]
        assert run(*args).exit_code == 0, line


def test_the_readme_shows_the_agenda_the_code_prints() -> None:
    """docs/readme_blocks.py regenerates the block; the README must hold its current output."""
    blocks = readme_blocks()
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    assert blocks.marked("agenda", blocks.agenda_block()) in readme
    assert "Opening session" in blocks.agenda_block()
    assert "SPEC.md" not in readme
