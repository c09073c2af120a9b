"""The commands as a user runs them: exit codes, one-line errors, files written or not."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from conftest import readme_blocks
from vconf.cli import cli
from vconf.load import read_conference
from vconf.timetable import build_timetable

EXAMPLES = Path(__file__).parent.parent / "examples"
ICDD = str(EXAMPLES / "icdd-2021.toml")
DANANG = str(EXAMPLES / "danang-partners-2023.toml")
COMMANDS = ("plan", "check", "agenda", "export", "zones", "slots")


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=True)


def assert_one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_shows_an_example(runner: CliRunner, command: str) -> None:
    result = run(runner, command, "--help")
    assert result.exit_code == 0
    assert "vconf " + command in result.output
    assert "xample" in result.output


def help_examples(runner: CliRunner) -> list[list[str]]:
    """Every `vconf ...` line under "Examples:" in the help of every command, as arguments."""
    examples = []
    for command in COMMANDS:
        lines = run(runner, command, "--help").output.splitlines()
        start = lines.index("  Examples:")
        for line in lines[start + 1 :]:
            if not line.strip().startswith("vconf "):
                break
            examples.append(shlex.split(line)[1:])
    return examples


def test_every_example_in_the_help_runs(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user copies the examples from `--help`: each must run (exit 0 or 1), not be misuse."""
    monkeypatch.chdir(EXAMPLES.parent)
    examples = help_examples(runner)
    assert {example[0] for example in examples} == set(COMMANDS)
    for number, example in enumerate(examples):
        writes = example[0] in ("plan", "export")
        out = ["-o", str(tmp_path / f"out-{number}")] if writes and "-o" not in example else []
        example = [str(tmp_path / part) if part.startswith("out/") else part for part in example]
        result = run(runner, *example, *out)
        assert result.exit_code in (0, 1), (example, result.output)


def test_plan_with_a_clash_prints_it_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(runner, "plan", ICDD, "-o", str(out))
    assert result.exit_code == 1
    assert "person-overlap" in result.stdout
    assert "Nothing written" in result.stdout
    assert not out.exists()


def test_plan_with_force_writes_every_file_and_still_exits_1(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(runner, "plan", ICDD, "-o", str(out), "--force")
    assert result.exit_code == 1
    assert (out / "icdd-2021.ics").is_file()
    assert (out / "delegations" / "US.ics").is_file()
    assert (out / "invites" / "opening.ics").is_file()
    assert (out / "agendas" / "VN.md").is_file()
    assert (out / "agendas" / "VN.html").is_file()


def test_plan_of_a_clean_event_writes_every_spec_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run(runner, "plan", DANANG, "-o", str(out))
    assert result.exit_code == 0, result.output
    written = {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()}
    assert "danang-partners-2023.ics" in written
    for prefix in ("delegations/", "people/", "invites/", "agendas/"):
        assert any(name.startswith(prefix) for name in written), prefix


def test_plan_refuses_a_directory_it_did_not_write(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "thesis.docx").write_text("years of work")
    result = run(runner, "plan", DANANG, "-o", str(tmp_path))
    assert_one_line_error(result)
    assert (tmp_path / "thesis.docx").read_text() == "years of work"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["thesis.docx"]


def test_export_twice_into_the_same_directory_is_allowed(runner: CliRunner, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    assert run(runner, "export", DANANG, "-o", out).exit_code == 0
    assert run(runner, "export", DANANG, "-o", out).exit_code == 0


def test_check_json_follows_the_spec_shape(runner: CliRunner) -> None:
    result = run(runner, "check", ICDD, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["event"] == "icdd-2021"
    assert report["errors"] == 1
    assert report["warnings"] == len(report["problems"]) - 1
    first = report["problems"][0]
    assert first["kind"] == "person-overlap"
    assert first["severity"] == "error"
    assert first["sessions"] == ["panel-1", "panel-3"]
    assert set(first) >= {"kind", "severity", "subject", "sessions", "message"}


def test_check_of_a_clean_event_exits_0(runner: CliRunner) -> None:
    assert run(runner, "check", DANANG).exit_code == 0


def test_agenda_json_gives_utc_and_local_times(runner: CliRunner) -> None:
    result = run(runner, "agenda", ICDD, "--format", "json")
    sessions = json.loads(result.stdout)["sessions"]
    opening = next(item for item in sessions if item["id"] == "opening")
    assert opening["start"] == "2021-11-16T07:00:00Z"
    assert opening["local"]["US"]["start"] == "2021-11-16T02:00:00-05:00"


def test_agenda_for_a_delegation_hides_restricted_sessions_of_others(runner: CliRunner) -> None:
    result = run(runner, "agenda", ICDD, "--delegation", "US", "--format", "json")
    ids = [item["id"] for item in json.loads(result.stdout)["sessions"]]
    assert "bilateral-id-vn" not in ids
    result = run(runner, "agenda", ICDD, "--delegation", "VN", "--format", "json")
    assert "bilateral-id-vn" in [item["id"] for item in json.loads(result.stdout)["sessions"]]


def test_an_unknown_delegation_is_misuse_listing_the_codes(runner: CliRunner) -> None:
    line = assert_one_line_error(run(runner, "agenda", ICDD, "--delegation", "XX"))
    assert "XX" in line
    assert "VN" in line


def test_an_unknown_person_is_misuse(runner: CliRunner) -> None:
    assert "nobody" in assert_one_line_error(run(runner, "agenda", ICDD, "--person", "nobody"))


def test_an_unknown_tz_is_misuse_with_a_suggestion(runner: CliRunner) -> None:
    line = assert_one_line_error(run(runner, "agenda", ICDD, "--tz", "Mars/Base"))
    assert "Mars/Base" in line


def test_a_missing_file_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    line = assert_one_line_error(run(runner, "check", str(tmp_path / "nope.toml")))
    assert "nope.toml" in line


def test_text_agenda_fits_80_columns(runner: CliRunner) -> None:
    result = run(runner, "agenda", ICDD, "--tz", "Asia/Jakarta", "--tz", "America/New_York")
    assert result.exit_code == 1
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "\x1b[" not in result.stdout


VALID = (EXAMPLES / "itu-digital-world-2020.toml").read_bytes()


@given(
    cut=st.integers(min_value=0, max_value=len(VALID)),
    flips=st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), max_size=4),
    command=st.sampled_from(("check", "agenda", "plan")),
)
def test_no_mangled_file_reaches_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, cut: int, flips: list[tuple[int, int]], command: str
) -> None:
    data = bytearray(VALID[:cut])
    for position, value in flips:
        if position < len(data):
            data[position] = value
    folder = tmp_path_factory.mktemp("mangled")
    path = folder / "event.toml"
    path.write_bytes(bytes(data))
    args = [command, str(path)]
    if command == "plan":
        args += ["-o", str(folder / "out"), "--force"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:  # every input error at once: one line each, each naming the file
        lines = result.stderr.strip().splitlines()
        assert 1 <= len(lines) <= 51
        assert all(line.startswith(f"vconf: {path}") for line in lines), lines


@pytest.mark.parametrize(
    "args",
    [
        ("zones", ICDD, "--date", "2021-13-01"),
        ("slots", ICDD, "--duration", "1h", "--from", "16/11/2021"),
    ],
)
def test_a_mistyped_date_says_how_to_write_one(runner: CliRunner, args: tuple[str, ...]) -> None:
    result = run(runner, *args)
    assert result.exit_code == 2
    assert "expected a date like 2021-11-16 (year-month-day)" in result.stderr
    assert "%Y" not in result.stderr


def test_a_date_on_the_command_line_is_read_as_a_calendar_date(runner: CliRunner) -> None:
    result = run(runner, "zones", ICDD, "--date", "2021-11-17", "--format", "json")
    assert json.loads(result.stdout)["date"] == "2021-11-17"


# ---- exit codes and the note on stderr ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("zones", ICDD),
        ("zones", ICDD, "--format", "json"),
        ("slots", ICDD, "--duration", "1h"),
        ("slots", ICDD, "--duration", "1h", "--format", "json"),
    ],
)
def test_zones_and_slots_exit_0_once_they_answered_whatever_clashes_the_file_holds(
    runner: CliRunner, args: tuple[str, ...]
) -> None:
    assert run(runner, "check", ICDD).exit_code == 1  # the file holds an error
    result = run(runner, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html"])
def test_agenda_of_a_file_with_errors_exits_1_and_notes_them_on_stderr(
    runner: CliRunner, fmt: str
) -> None:
    result = run(runner, "agenda", ICDD, "--format", fmt)
    assert result.exit_code == 1
    assert result.stderr == f"vconf: 1 error(s) in {ICDD}; see `vconf check {ICDD}`\n"
    assert "vconf:" not in result.stdout


def test_export_of_a_file_with_errors_writes_exits_1_and_notes_them(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run(runner, "export", ICDD, "-o", str(out), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["event"] == "icdd-2021"
    assert result.stderr == f"vconf: 1 error(s) in {ICDD}; see `vconf check {ICDD}`\n"
    assert (out / "icdd-2021.ics").is_file()


@pytest.mark.parametrize(
    "args", [("check", ICDD), ("check", ICDD, "--format", "json"), ("plan", ICDD, "--dry-run")]
)
def test_commands_that_show_the_problems_exit_1_without_a_note(
    runner: CliRunner, tmp_path: Path, args: tuple[str, ...]
) -> None:
    extra = ("-o", str(tmp_path / "out")) if args[0] == "plan" else ()
    result = run(runner, *args, *extra)
    assert result.exit_code == 1
    assert "person-overlap" in result.stdout
    assert result.stderr == ""


def test_a_clean_file_exits_0_without_a_note_from_every_command(
    runner: CliRunner, tmp_path: Path
) -> None:
    for args in (
        ("check", DANANG),
        ("agenda", DANANG),
        ("export", DANANG, "-o", str(tmp_path / "out")),
        ("plan", DANANG, "-o", str(tmp_path / "out")),
    ):
        result = run(runner, *args)
        assert (result.exit_code, result.stderr) == (0, ""), args


# ---- --format ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "choices"),
    [
        (["check", ICDD], "'text', 'json'"),
        (["agenda", ICDD], "'text', 'json', 'md', 'html'"),
        (["export", ICDD, "-o", "unused"], "'text', 'json'"),
        (["zones", ICDD], "'text', 'json'"),
        (["slots", ICDD, "--duration", "1h"], "'text', 'json'"),
    ],
)
def test_an_unknown_format_is_misuse_listing_the_choices(
    runner: CliRunner, command: list[str], choices: str
) -> None:
    result = run(runner, *command, "--format", "xml")
    assert result.exit_code == 2
    assert choices in result.stderr
    assert "xml" in result.stderr


@pytest.mark.parametrize("command", ["check", "agenda", "export", "zones", "slots"])
def test_help_shows_the_format_choices_and_text_as_default(runner: CliRunner, command: str) -> None:
    help_text = " ".join(run(runner, command, "--help").output.split())
    assert "--format [text|json" in help_text
    assert "[default: text]" in help_text


LOADED = """
import json, sys
from vconf.cli import cli
try:
    cli(sys.argv[1:], prog_name="vconf")
except SystemExit:
    pass
names = sorted(m for m in sys.modules if m.split(".")[0] in ("rich", "icalendar"))
names += sorted(m for m in sys.modules if m.startswith("vconf.render"))
print(json.dumps(names), file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--help"], []),
        (["check", "--help"], []),
        (["check", ICDD, "--format", "json"], ["vconf.render", "vconf.render.json"]),
        (["zones", ICDD, "--format", "json"], ["vconf.render", "vconf.render.json"]),
        (["agenda", ICDD, "--format", "md"], ["vconf.render", "vconf.render.markdown"]),
    ],
)
def test_a_command_imports_only_the_renderer_it_uses(args: list[str], expected: list[str]) -> None:
    """`vconf --help` pays for no renderer; a JSON or Markdown output never loads rich."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *args], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    assert [name for name in loaded if not name.startswith("vconf.render.words")] == expected


def test_agenda_pdf_needs_an_output_file(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["agenda", "examples/danang-partners-2023.toml", "--format", "pdf"])
    assert result.exit_code == 2
    assert "--format pdf needs -o FILE" in result.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("weasyprint") is None or shutil.which("pdftotext") is None,
    reason="needs vconf[pdf] and poppler-utils",
)
def test_agenda_pdf_is_an_a4_document_holding_every_session_title(
    runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "dn.pdf"
    args = ["agenda", "examples/danang-partners-2023.toml", "--delegation", "DN"]
    result = runner.invoke(cli, [*args, "--format", "pdf", "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    text = subprocess.run(
        ["pdftotext", "-raw", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    # a title wraps in its cell, after a space or a hyphen: compare without the white space
    flat = re.sub(r"\s+", "", text)
    timetable = build_timetable(read_conference("examples/danang-partners-2023.toml"))
    for slot in timetable.by_delegation["DN"]:
        assert re.sub(r"\s+", "", slot.session.title) in flat, slot.session.title


def test_agenda_speaks_the_delegations_language_without_lang(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Da Nang writes language = "vi" for its own delegation, event.language = "en" for the rest
    pages = {}
    for code in ("DN", "GC"):
        target = tmp_path / f"{code}.md"
        args = ["agenda", DANANG, "--delegation", code, "--format", "md", "-o", str(target)]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == ""
        pages[code] = target.read_text(encoding="utf-8")
    assert "tháng" in pages["DN"]  # CLDR's Vietnamese month words
    assert "tháng" not in pages["GC"]
    assert "Wednesday, 1 March 2023" in pages["GC"]


def test_agenda_text_to_a_file_reads_as_piped_output(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "agenda.txt"
    args = ["agenda", "examples/danang-partners-2023.toml", "--delegation", "PIT"]
    written = runner.invoke(cli, [*args, "-o", str(target)])
    printed = runner.invoke(cli, [*args, "--width", "80"])
    assert written.exit_code == printed.exit_code == 0
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert "\x1b" not in printed.stdout


MISUSES = [  # (argv, what the line must name): an option value, option or argument of each command
    (["plan", ICDD, "--bogus"], "--bogus"),
    (["check"], "FILE"),
    (["check", ICDD, "--format", "xml"], "'xml'"),
    (["agenda", ICDD, "--date", "2021-11-31"], "2021-11-31"),
    (["agenda", ICDD, "--width", "abc"], "--width"),
    (["agenda", ICDD, "--width", "5"], "at least 20"),
    (["agenda", ICDD, "--tz"], "--tz"),
    (["export", ICDD, "--formt", "json"], "did you mean '--format'"),
    (["zones", ICDD, "--date", "tomorrow"], "tomorrow"),
    (["slots", ICDD], "--duration"),
    (["slots", ICDD, "--duration", "1h", "--top", "many"], "--top"),
    (["schedule", ICDD], "--output"),
    (["schedule", ICDD, "-o", "x.toml", "--time-limit", "0"], "more than 0 seconds"),
    (["send"], "DIR"),
    (["nonsense"], "nonsense"),
    (["--bogus"], "--bogus"),
]


@pytest.mark.parametrize(("args", "named"), MISUSES)
def test_every_misused_option_is_one_vconf_line_naming_it(
    runner: CliRunner, args: list[str], named: str
) -> None:
    line = assert_one_line_error(run(runner, *args))
    assert line.startswith("vconf: ")
    assert named.casefold() in line.casefold()
    assert not any(click_word in line for click_word in ("Usage:", "Error:", "Try '"))
    assert line.endswith("--help`)")  # where to read how the command is used


@pytest.mark.parametrize(
    ("option", "given", "meant"),
    [("--delegation", "vn", "VN"), ("--delegation", "VNM", "VN"), ("--person", "li-we", "li-wei")],
)
def test_a_near_party_name_is_suggested(
    runner: CliRunner, option: str, given: str, meant: str
) -> None:
    line = assert_one_line_error(run(runner, "agenda", ICDD, option, given))
    assert line.endswith(f"did you mean {meant}?")


def test_a_zone_abbreviation_names_the_files_own_zones_first(runner: CliRunner) -> None:
    # ICT may mean Bangkok, Ho Chi Minh City, Phnom Penh or Vientiane; Da Nang's file has only
    # Ho Chi Minh City among them, so it comes first
    line = assert_one_line_error(run(runner, "agenda", DANANG, "--tz", "ICT"))
    assert "abbreviation" in line
    assert line.index("Asia/Ho_Chi_Minh") < line.index("Asia/Bangkok")


def test_the_readme_shows_a_real_run_with_every_mistake_at_once() -> None:
    """docs/readme_blocks.py regenerates the block: five mistakes, five lines, each its line."""
    blocks = readme_blocks()
    block = blocks.marked("errors", blocks.errors_block())
    assert block in (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    lines = [line for line in block.splitlines() if line.startswith("vconf: ")]
    places = [int(re.match(r"vconf: docs/mistakes\.toml:(\d+):\d+: ", line)[1]) for line in lines]
    assert len(places) == 5
    assert places == sorted(places)
    assert block.rstrip().endswith("$ echo $?\n2\n```\n<!-- errors:end -->")
