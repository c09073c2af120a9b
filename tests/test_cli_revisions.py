"""Re-exporting with the CLI (SPEC §6): five edits in a row, byte-identical re-exports, dry runs,
runs killed at every step, two runs at once, and stores that are not what they should be.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result

from conftest import readme_blocks, script
from outputs import assert_whole, tree
from vconf.cli import cli
from vconf.revisions import LOCK_WAIT

ROOT = Path(__file__).parent.parent
DANANG = (ROOT / "examples" / "danang-partners-2023.toml").read_text(encoding="utf-8")
EPOCH = 1_700_000_000  # SOURCE_DATE_EPOCH of the first export; each later one an hour on
LABEL = re.compile(r"^(new|restored|changed|cancelled) +(\S.*)$")


def export(
    runner: CliRunner, source: Path, out: Path, hour: int, *options: str
) -> tuple[Result, list[str]]:
    """Run `vconf export` at EPOCH + `hour` hours; return the result and its change lines."""
    args = ["export", str(source), "-o", str(out), *options]
    result = runner.invoke(cli, args, env={"SOURCE_DATE_EPOCH": str(EPOCH + 3600 * hour)})
    assert result.exit_code == 0, (result.output, result.exception)
    return result, change_lines(result.stdout)


def words(stdout: str) -> str:
    """Return the output with its line wrapping undone."""
    return " ".join(stdout.split())


def change_lines(stdout: str) -> list[str]:
    """Return `kind text` per listed change, the wrapped lines joined."""
    lines: list[str] = []
    for line in stdout.splitlines():
        match = LABEL.match(line)
        if match:
            lines.append(f"{match[1]} {match[2]}")
        elif lines and line.startswith(" " * 10) and line.strip():
            lines[-1] += " " + line.strip()
    return lines


def stats(out: Path) -> dict[str, tuple[int, int]]:
    """Every path under DIR, store included, with its inode and mtime."""
    return {
        str(path.relative_to(out)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in sorted(out.rglob("*"))
    }


def vevents(data: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(data)
    return {str(event["UID"]).split(".")[0]: event for event in calendar.walk("VEVENT")}


def state(out: Path, session: str, path: str) -> tuple[str, str, int]:
    """Return (METHOD, STATUS, SEQUENCE) of a session in one file."""
    data = (out / path).read_bytes()
    event = vevents(data)[session]
    method = str(icalendar.Calendar.from_ical(data)["METHOD"])
    return method, str(event["STATUS"]), int(event["SEQUENCE"])


def sequences(out: Path) -> dict[tuple[str, str], int]:
    """Return the SEQUENCE of each (file, session) in DIR."""
    found = {}
    for path, data in tree(out).items():
        if path.endswith(".ics"):
            for session, event in vevents(data).items():
                found[(path, session)] = int(event["SEQUENCE"])
    return found


def without(text: str, session: str) -> str:
    start = text.index(f'[[sessions]]\nid = "{session}"')
    end = text.find("[[sessions]]", start + 1)
    return text[:start] + (text[end:] if end != -1 else "")


# ---- five edits in a row -----------------------------------------------------------------------

MOVE = DANANG.replace("start = 2023-03-15T20:00:00", "start = 2023-03-15T20:30:00")
ATLANTIC_MOVED = (  # what moved, then which session: its title and day
    "changed atlantic-2023-03: 20:00 → 20:30 UTC+07:00 · Smart-city data platforms: follow-up, "
    "Wed 15 Mar 2023"
)
RENAME = MOVE.replace(
    'title = "Heritage and culture exchange: Da Nang - Sakai"',
    'title = "Heritage exchange: Da Nang - Sakai"',
)
REROOM = RENAME.replace(
    'end = 2023-07-12T11:30:00            # `end` instead of `duration`\nroom = "dn-studio"',
    'end = 2023-07-12T11:30:00\nroom = "adl-hub"',
)
DROP = without(REROOM, "boras-2023-06")
EDITS = [
    (
        MOVE,
        [ATLANTIC_MOVED],
        ("atlantic-2023-03", "invites/atlantic-2023-03.ics", "REQUEST", "CONFIRMED", 1),
    ),
    (
        RENAME,
        [
            'changed sakai-2023-05: title "Heritage and culture exchange: Da Nang - Sakai" → '
            '"Heritage exchange: Da Nang - Sakai" · Wed 17 May 2023'
        ],
        ("sakai-2023-05", "people/yuki-nakamura.ics", "PUBLISH", "CONFIRMED", 1),
    ),
    (
        REROOM,
        [
            "changed singapore-2023-07: room dn-studio → adl-hub · Water management and flood "
            "control, Wed 12 Jul 2023"
        ],
        ("singapore-2023-07", "delegations/SIN.ics", "PUBLISH", "CONFIRMED", 1),
    ),
    (
        DROP,
        [
            "cancelled boras-2023-06: Textiles and the circular economy: Da Nang - Borås (was "
            "Tue 6 Jun 2023 14:00 UTC+07:00)"
        ],
        ("boras-2023-06", "invites/boras-2023-06.ics", "CANCEL", "CANCELLED", 1),
    ),
    (
        REROOM,
        [
            "restored boras-2023-06: Textiles and the circular economy: Da Nang - Borås "
            "(Tue 6 Jun 2023 14:00-15:00 UTC+07:00)"
        ],
        ("boras-2023-06", "invites/boras-2023-06.ics", "REQUEST", "CONFIRMED", 2),
    ),
]


def test_five_edits_in_a_row_each_print_their_change_and_issue_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    result, lines = export(runner, source, out, 0)
    assert "First export into" in result.stdout
    assert "18 sessions issued" in words(result.stdout)
    for hour, (text, expected, (session, path, method, status, sequence)) in enumerate(EDITS, 1):
        source.write_text(text, encoding="utf-8")
        result, lines = export(runner, source, out, hour)
        assert lines == expected, result.stdout
        assert state(out, session, path) == (method, status, sequence)
        changed = {line.split(":")[0].split()[1] for line in expected}
        for (file, other), number in sequences(out).items():
            if other not in changed and other != "atlantic-2023-03":
                assert number <= 1, (file, other)  # only what changed moved up
    boras = [path for path in tree(out) if path.startswith("people/karin")]
    assert state(out, "boras-2023-06", boras[0]) == ("PUBLISH", "CONFIRMED", 2)


def test_a_cancel_reaches_every_publish_file_that_held_the_session(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    holders = {path for (path, session) in sequences(out) if session == "boras-2023-06"}
    assert holders >= {
        "danang-partners-2023.ics",
        "delegations/BOR.ics",
        "people/karin-lindqvist.ics",
    }
    source.write_text(without(DANANG, "boras-2023-06"), encoding="utf-8")
    export(runner, source, out, 1)
    for path in holders:
        expected = "CANCEL" if path.startswith("invites/") else "PUBLISH"
        assert state(out, "boras-2023-06", path) == (expected, "CANCELLED", 1), path


# ---- byte-identical, dry runs, JSON ------------------------------------------------------------


def test_an_unchanged_re_export_rewrites_nothing_byte_for_byte(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    first, first_stats = tree(out), stats(out)
    result, lines = export(runner, source, out, 24)
    assert lines == []
    assert "No changes: 18 sessions unchanged." in words(result.stdout)
    assert f"Wrote no files to {out}: all {len(first)} were already up to date." in words(
        result.stdout
    )
    assert tree(out) == first
    outputs = {path: stat for path, stat in stats(out).items() if not path.startswith(".vconf")}
    assert outputs == {path: s for path, s in first_stats.items() if not path.startswith(".vconf")}


def test_a_dry_run_prints_the_changes_and_touches_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    before, before_tree = stats(out), tree(out)
    source.write_text(DROP, encoding="utf-8")
    for command in ("export", "plan"):
        args = [command, str(source), "-o", str(out), "--dry-run"]
        result = runner.invoke(cli, args, env={"SOURCE_DATE_EPOCH": str(EPOCH + 3600)})
        assert result.exit_code == 0, result.output
        assert "Dry run, nothing written." in result.stdout
        assert "cancelled boras-2023-06: Textiles" in change_lines(result.stdout)[-1]
        assert "Wrote" not in result.stdout
        assert stats(out) == before
        assert tree(out) == before_tree
    fresh = tmp_path / "never"
    result = runner.invoke(cli, ["export", str(source), "-o", str(fresh), "--dry-run"])
    assert (result.exit_code, fresh.exists()) == (0, False)
    assert "First export into" in result.stdout


def test_plan_prints_the_changes_after_the_agenda(runner: CliRunner, tmp_path: Path) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    source.write_text(MOVE, encoding="utf-8")
    result = runner.invoke(cli, ["plan", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert change_lines(result.stdout) == [ATLANTIC_MOVED]
    assert result.stdout.index("Changes since") < result.stdout.index("Wrote")


def test_export_json_lists_the_changes(runner: CliRunner, tmp_path: Path) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    source.write_text(DROP, encoding="utf-8")
    result, _ = export(runner, source, out, 1, "--format", "json")
    document = json.loads(result.stdout)
    assert (document["event"], document["dry_run"], document["unchanged"]) == (
        "danang-partners-2023",
        False,
        14,
    )
    assert [entry["id"] for entry in document["cancelled"]] == ["boras-2023-06"]
    assert sorted(entry["id"] for entry in document["changed"]) == [
        "atlantic-2023-03",
        "sakai-2023-05",
        "singapore-2023-07",
    ]


# ---- killed runs -------------------------------------------------------------------------------

STEPS = ("recording", "recorded", "temporaries", "first-renamed", "half-renamed", "written")


def run_vconf(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vconf", *args],
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], ...]:
    """The files of the first export and of an uninterrupted second one."""
    folder = tmp_path_factory.mktemp("reference")
    source, out, runner = folder / "event.toml", folder / "out", CliRunner()
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    first = tree(out)
    source.write_text(DROP, encoding="utf-8")
    export(runner, source, out, 1)
    return first, tree(out)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("step", STEPS)
def test_a_run_killed_at_any_step_leaves_whole_files_and_the_next_run_finishes_it(
    runner: CliRunner,
    tmp_path: Path,
    step: str,
    jobs: str,
    references: tuple[dict[str, bytes], ...],
) -> None:
    """Killed with one process or two (its child then stops: the next run takes the lock)."""
    first, second = references
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    source.write_text(DROP, encoding="utf-8")
    env = {"VCONF_FAULT": step, "SOURCE_DATE_EPOCH": str(EPOCH + 3600), "VCONF_JOBS": jobs}
    killed = run_vconf("export", str(source), "-o", str(out), env=env)
    assert killed.returncode == 137, killed.stderr
    assert_whole(out, first, second)
    result, _ = export(runner, source, out, 1)
    assert tree(out) == second  # the same SEQUENCEs and cancels as an uninterrupted run
    assert not list(out.rglob("*.tmp"))
    if step not in ("recording",):
        assert "The last export stopped before all its files were written" in words(result.stdout)


@pytest.mark.parametrize("step", ["recorded", "half-renamed"])
def test_after_a_kill_an_edited_plan_never_sends_a_sequence_backwards(
    runner: CliRunner, tmp_path: Path, step: str
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    source.write_text(DROP, encoding="utf-8")
    env = {"VCONF_FAULT": step, "SOURCE_DATE_EPOCH": str(EPOCH + 3600)}
    assert run_vconf("export", str(source), "-o", str(out), env=env).returncode == 137
    seen = sequences(out)
    source.write_text(REROOM, encoding="utf-8")  # boras-2023-06 is back
    result, lines = export(runner, source, out, 2)
    assert any(line.startswith("restored boras-2023-06") for line in lines), result.stdout
    after = sequences(out)
    for key, number in seen.items():
        assert after[key] >= number, key
    assert after[("invites/boras-2023-06.ics", "boras-2023-06")] == 2
    cancelled = [
        path for path, data in tree(out).items() if path.endswith(".ics") and b"CANCELLED" in data
    ]
    assert cancelled == []  # nothing else cancelled by mistake


def test_runs_killed_at_random_moments_leave_whole_files(runner: CliRunner, tmp_path: Path) -> None:
    text = _generator().generate(150, seed=7)
    source, out, reference = tmp_path / "event.toml", tmp_path / "out", tmp_path / "reference"
    source.write_text(text, encoding="utf-8")
    runner.invoke(cli, ["export", str(source), "-o", str(out)], env={"SOURCE_DATE_EPOCH": "0"})
    shutil.copytree(out, reference)
    old = tree(out)
    renamed = re.sub(
        r'organizer = \{ name = "[^"]*"', 'organizer = { name = "Renamed"', text, count=1
    )
    assert renamed != text  # every session changes: every calendar is rewritten
    source.write_text(renamed, encoding="utf-8")
    environment = {"SOURCE_DATE_EPOCH": "3600"}
    started = time.monotonic()
    assert run_vconf("export", str(source), "-o", str(reference), env=environment).returncode == 1
    duration = time.monotonic() - started
    new = tree(reference)
    for fraction in (0.6, 0.75, 0.9):
        process = subprocess.Popen(
            [sys.executable, "-m", "vconf", "export", str(source), "-o", str(out)],
            env={**os.environ, **environment},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert_whole(out, old, new)
        old = tree(out)  # a file now new stays new: files are only ever old or new
    runner.invoke(cli, ["export", str(source), "-o", str(out)], env=environment)
    assert tree(out) == new
    assert not list(out.rglob("*.tmp"))


def _generator() -> Any:
    return script("benchmarks/generate.py")


# ---- two runs at once --------------------------------------------------------------------------


def held_lock(out: Path) -> int:
    descriptor = os.open(out / ".vconf" / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def test_a_second_run_waits_briefly_then_stops_with_exit_2(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    before = tree(out)
    descriptor = held_lock(out)
    try:
        source.write_text(DROP, encoding="utf-8")
        started = time.monotonic()
        result = runner.invoke(cli, ["export", str(source), "-o", str(out)])
        waited = time.monotonic() - started
    finally:
        os.close(descriptor)
    assert result.exit_code == 2
    assert LOCK_WAIT <= waited < LOCK_WAIT + 3
    [line] = result.stderr.strip().splitlines()
    assert "another vconf run is writing into" in line
    assert "try again" in line
    assert tree(out) == before


def test_a_second_run_goes_ahead_when_the_first_finishes_in_time(
    runner: CliRunner, tmp_path: Path
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    descriptor = held_lock(out)
    threading.Timer(0.3, os.close, [descriptor]).start()
    source.write_text(MOVE, encoding="utf-8")
    _, lines = export(runner, source, out, 1)
    assert lines == [ATLANTIC_MOVED]


# ---- stores that are not what they should be ---------------------------------------------------


def newer_schema(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 99")
    connection.close()


def foreign(path: Path) -> None:
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.close()


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda path: path.write_bytes(os.urandom(4096)), "is damaged"),
        (lambda path: path.write_bytes(path.read_bytes()[:1500]), "is damaged"),
        (foreign, "is not a vconf revision store"),
        (newer_schema, "newer vconf"),
    ],
    ids=["garbage", "truncated", "foreign", "newer"],
)
def test_a_store_that_cannot_be_trusted_is_exit_2_naming_reset_state(
    runner: CliRunner, tmp_path: Path, spoil: Any, words: str
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    store = out / ".vconf" / "state.sqlite"
    spoil(store)
    spoiled = store.read_bytes()
    for extra in ((), ("--dry-run",)):
        result = runner.invoke(cli, ["export", str(source), "-o", str(out), *extra])
        assert result.exit_code == 2
        [line] = result.stderr.strip().splitlines()
        assert words in line
        assert "--reset-state" in line
        assert store.read_bytes() == spoiled  # never deleted or repaired silently
    result, _ = export(runner, source, out, 1, "--reset-state")
    assert "Started afresh" in result.stdout
    [backup] = (out / ".vconf").glob("state-*.sqlite")
    assert backup.read_bytes() == spoiled
    assert state(out, "boras-2023-06", "invites/boras-2023-06.ics")[2] >= 1  # above the files


def test_another_uid_domain_is_refused_as_a_new_calendar(runner: CliRunner, tmp_path: Path) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(DANANG, encoding="utf-8")
    export(runner, source, out, 0)
    source.write_text(
        DANANG.replace("[event]\n", '[event]\nuid_domain = "partners.example"\n'),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["export", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert "new calendar" in result.stderr
    assert "--reset-state" in result.stderr
    result, _ = export(runner, source, out, 1, "--reset-state")
    assert "This is a new calendar" in words(result.stdout)


def test_the_readme_shows_the_change_list_two_exports_print() -> None:
    """docs/readme_blocks.py runs the README's edits and exports; the README holds the result."""
    blocks = readme_blocks()
    block = blocks.changes_block()
    assert blocks.marked("changes", block) in (ROOT / "README.md").read_text(encoding="utf-8")
    lines = " ".join(block.split())
    for change in (
        "changed atlantic-2023-03: 20:00 → 20:30 UTC+07:00",
        "changed sakai-2023-05: people +le-trung-chinh",
        "changed singapore-2023-07: room dn-studio → adl-hub",
        "cancelled boras-2023-06:",
        "3 changed, 1 cancelled, 14 unchanged.",
    ):
        assert lines.count(change) == 2, change  # the dry run, then the export
    head = block.split("boras-2023-06.ics\n", 1)[1].split("```", 1)[0]
    calendar = icalendar.Calendar.from_ical(head + "END:VEVENT\nEND:VCALENDAR\n")
    [event] = calendar.walk("VEVENT")
    assert (str(calendar["METHOD"]), event["SEQUENCE"], str(event["STATUS"])) == (
        "CANCEL",
        1,
        "CANCELLED",
    )
