"""The output directory under stress, through the CLI: no mistake or interruption loses a file.

Read-only and missing permissions, a DIR that is a file, symbolic links inside DIR pointing out
of it (placed before or during a run), `-o ~` and `-o /`, a full disk, and Ctrl-C: each ends
with exit 2 (130 for Ctrl-C) and one line, nothing outside DIR is touched, every file in DIR is
whole (the old version or the new one), and the next run finishes the job (issue 7, item 4).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner, Result

from conftest import script
from outputs import assert_whole, tree
from vconf.cli import cli

ROOT = Path(__file__).parent.parent
EPOCH = 1_700_000_000  # SOURCE_DATE_EPOCH of the first export; the second is an hour later


def _permissions_apply() -> bool:
    """Whether a folder without write permission refuses this process (not root, or root
    without CAP_DAC_OVERRIDE, e.g. under `setpriv --bounding-set -dac_override`).
    """
    with tempfile.TemporaryDirectory() as name:
        locked = Path(name, "locked")
        locked.mkdir(mode=0o555)
        try:
            (locked / "probe").touch()
        except PermissionError:
            return True
        finally:
            locked.chmod(0o755)
    return False


PERMISSIONS_APPLY = _permissions_apply()
PERMISSIONS_REASON = (
    "file permissions are not enforced for this process (root, or CAP_DAC_OVERRIDE), and vconf "
    "offers no fault point for a refused permission (VCONF_FAULT only ends the process): run as "
    "a normal user, or as root under `setpriv --bounding-set -dac_override,-dac_read_search`"
)

EVENT = """\
[event]
id = "fs-2024"
name = "File system test"
timezone = "Asia/Jakarta"
start = 2024-05-06
end = 2024-05-07
organizer = { name = "Secretariat", email = "secretariat@fs.example" }

[delegations.VN]
name = "Viet Nam"
timezone = "Asia/Ho_Chi_Minh"
email = "vn@fs.example"

[delegations.US]
name = "United States"
timezone = "America/New_York"
hours = "00:00-24:00"

[people.son]
name = "Son"
delegation = "VN"
email = "son@fs.example"

[people.ann]
name = "Ann"
delegation = "US"

[rooms.main]
name = "Plenary hall"
url = "https://meet.example/main"

[[sessions]]
id = "opening"
title = "Opening"
kind = "plenary"
start = 2024-05-06T09:00:00
duration = "1h"
room = "main"
delegations = ["*"]
speakers = ["son"]

[[sessions]]
id = "bilateral"
title = "Bilateral VN-US"
start = 2024-05-06T11:00:00
duration = "45m"
speakers = ["son", "ann"]
visibility = "restricted"

[[sessions]]
id = "closing"
title = "Closing"
start = 2024-05-07T16:00:00
duration = "30m"
room = "main"
attendees = ["ann"]
"""
# the second export: a title changed and a session dropped (a cancel), so files change
EDITED = EVENT.replace('title = "Opening"', 'title = "Opening, revised"').split(
    '[[sessions]]\nid = "closing"'
)[0]


# ---- helpers ------------------------------------------------------------------------------------


def export(source: Path, out: Path | str, epoch: int, *options: str) -> Result:
    """Run `vconf export` in process, "now" pinned to `epoch`."""
    return CliRunner().invoke(
        cli,
        ["export", str(source), "-o", str(out), *options],
        env={"SOURCE_DATE_EPOCH": str(epoch)},
    )


def snapshot(path: Path) -> dict[str, tuple[bytes, int] | str]:
    """What a place outside DIR holds: each entry's bytes and mtime (or its link target)."""
    entries = [path] if not path.is_dir() else [path, *sorted(path.rglob("*"))]
    taken: dict[str, tuple[bytes, int] | str] = {}
    for entry in entries:
        name = entry.relative_to(path.parent).as_posix()
        if entry.is_symlink():
            taken[name] = os.readlink(entry)
        elif entry.is_file():
            taken[name] = (entry.read_bytes(), entry.stat().st_mtime_ns)
        else:
            taken[name] = f"folder {entry.stat().st_mtime_ns}"
    return taken


def one_line_error(result: Result) -> str:
    """The one stderr line of an exit 2, with no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("vconf: ")
    return lines[0]


def temporaries(out: Path) -> list[Path]:
    return [path for path in out.rglob("*") if path.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], ...]:
    """The files of a first export of EVENT, and of EDITED exported over it an hour later."""
    folder = tmp_path_factory.mktemp("reference")
    source, out = folder / "event.toml", folder / "out"
    source.write_text(EVENT, encoding="utf-8")
    assert export(source, out, EPOCH).exit_code == 0
    first = tree(out)
    source.write_text(EDITED, encoding="utf-8")
    assert export(source, out, EPOCH + 3600).exit_code == 0
    second = tree(out)
    assert first != second
    return first, second


@pytest.fixture
def exported(tmp_path: Path) -> tuple[Path, Path]:
    """A DIR holding the first export of EVENT, and the source file, now EDITED."""
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(EVENT, encoding="utf-8")
    assert export(source, out, EPOCH).exit_code == 0
    source.write_text(EDITED, encoding="utf-8")
    return source, out


# ---- permissions and a DIR that is not a folder -------------------------------------------------


@pytest.mark.skipif(not PERMISSIONS_APPLY, reason=PERMISSIONS_REASON)
def test_a_read_only_output_directory_is_exit_2_and_every_file_stays_as_it_was(
    exported: tuple[Path, Path], references: tuple[dict[str, bytes], ...]
) -> None:
    source, out = exported
    folders = [out, *(path for path in out.iterdir() if path.is_dir() and path.name != ".vconf")]
    for folder in folders:
        folder.chmod(0o555)
    try:
        line = one_line_error(export(source, out, EPOCH + 3600))
        assert tree(out) == references[0]
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert "Permission denied" in line
    assert not temporaries(out)
    assert export(source, out, EPOCH + 3600).exit_code == 0
    assert tree(out) == references[1]


@pytest.mark.skipif(not PERMISSIONS_APPLY, reason=PERMISSIONS_REASON)
def test_a_new_output_directory_under_a_read_only_folder_is_exit_2(tmp_path: Path) -> None:
    source, parent = tmp_path / "event.toml", tmp_path / "locked"
    source.write_text(EVENT, encoding="utf-8")
    parent.mkdir(mode=0o555)
    try:
        line = one_line_error(export(source, parent / "out", EPOCH))
    finally:
        parent.chmod(0o755)
    assert str(parent / "out") in line
    assert list(parent.iterdir()) == []


@pytest.mark.parametrize("command", ["export", "plan"])
def test_a_directory_replaced_by_a_file_is_exit_2_and_the_file_is_untouched(
    exported: tuple[Path, Path], command: str
) -> None:
    source, out = exported
    shutil.rmtree(out)
    out.write_bytes(b"years of work")
    before = snapshot(out)
    args = [command, str(source), "-o", str(out), *(["--force"] if command == "plan" else [])]
    result = CliRunner().invoke(cli, args)
    line = one_line_error(result)
    assert str(out) in line
    assert "not a directory" in line
    assert snapshot(out) == before


def test_a_folder_inside_dir_replaced_by_a_file_is_exit_2_and_the_rest_stays_whole(
    exported: tuple[Path, Path], references: tuple[dict[str, bytes], ...]
) -> None:
    source, out = exported
    shutil.rmtree(out / "delegations")
    (out / "delegations").write_bytes(b"notes")
    before = snapshot(out / "delegations")
    line = one_line_error(export(source, out, EPOCH + 3600))
    assert str(out / "delegations") in line
    assert snapshot(out / "delegations") == before
    assert_whole(out, *references, besides=("delegations",))
    assert not temporaries(out)


# ---- symbolic links inside DIR ------------------------------------------------------------------

# what a link inside DIR may replace: output folders, output files, vconf's own state
LINKED = (
    "delegations",
    "people",
    "invites",
    "agendas",
    "fs-2024.ics",
    "delegations/VN.ics",
    "people/son.ics",
    "agendas/VN.html",
    ".vconf",
    ".vconf/state.sqlite",
    ".vconf/lock",
    ".vconf/state.sqlite-journal",
)


def link_out(out: Path, name: str, elsewhere: Path) -> Path:
    """Replace DIR/name by a link to a copy of it outside DIR (a new file if there is none)."""
    inside, outside = out / name, elsewhere / name.replace("/", "_")
    elsewhere.mkdir(exist_ok=True)
    if inside.is_dir():
        shutil.copytree(inside, outside)
        shutil.rmtree(inside)
    elif inside.exists():
        shutil.copy2(inside, outside)
        inside.unlink()
    else:
        outside.write_bytes(b"precious, not vconf's")
    inside.symlink_to(outside, target_is_directory=outside.is_dir())
    return outside


@pytest.mark.parametrize("command", ["export", "plan"])
@pytest.mark.parametrize("name", LINKED)
def test_a_link_inside_dir_pointing_out_is_exit_2_and_its_target_is_untouched(
    exported: tuple[Path, Path],
    references: tuple[dict[str, bytes], ...],
    tmp_path: Path,
    name: str,
    command: str,
) -> None:
    source, out = exported
    outside = link_out(out, name, tmp_path / "elsewhere")
    before = snapshot(tmp_path / "elsewhere")
    args = [command, str(source), "-o", str(out), *(["--force"] if command == "plan" else [])]
    result = CliRunner().invoke(cli, args, env={"SOURCE_DATE_EPOCH": str(EPOCH + 3600)})
    one_line_error(result)
    assert snapshot(tmp_path / "elsewhere") == before, outside
    assert (out / name).is_symlink()  # refused, not replaced
    assert_whole(out, *references)


def test_a_link_swapped_in_during_a_run_is_not_followed(
    exported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between writing the temporary files and renaming them, DIR/people becomes a link out."""
    source, out = exported
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "son.ics").write_bytes(b"precious")
    before = snapshot(elsewhere)
    real_replace = os.replace
    swapped: list[str] = []

    def replace(*args: Any, **kwargs: Any) -> None:
        if not swapped:
            (out / "people").rename(out / "people-moved")
            (out / "people").symlink_to(elsewhere, target_is_directory=True)
            swapped.append("people")
        real_replace(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        result = export(source, out, EPOCH + 3600)
    assert swapped, "vconf renamed no file: the hook never ran"
    assert result.exit_code in (0, 2), (result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert snapshot(elsewhere) == before


def test_a_link_vconf_does_not_write_is_left_alone_and_not_followed(
    exported: tuple[Path, Path], tmp_path: Path
) -> None:
    """A stray link in DIR (even to a folder holding a temporary-looking file) is not walked."""
    source, out = exported
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".son.ics.0123abcd.tmp").write_bytes(b"looks like vconf's, is not")
    (out / "notes").symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(elsewhere)
    result = export(source, out, EPOCH + 3600)
    assert result.exit_code == 0, result.stderr
    assert snapshot(elsewhere) == before


def test_dir_itself_may_be_a_link_the_user_chose(tmp_path: Path) -> None:
    source, real = tmp_path / "event.toml", tmp_path / "real"
    source.write_text(EVENT, encoding="utf-8")
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    assert export(source, tmp_path / "out", EPOCH).exit_code == 0
    assert (real / "fs-2024.ics").is_file()


# ---- -o ~ and -o / ------------------------------------------------------------------------------


class WroteInto(BaseException):
    """vconf created or replaced something where it must not (a BaseException: not caught)."""


def _target(path: Any, dir_fd: int | None) -> Path:
    if dir_fd is None:
        return Path(os.path.abspath(os.fsdecode(path)))
    return Path(os.readlink(f"/proc/self/fd/{dir_fd}"), os.fsdecode(path))


@contextlib.contextmanager
def forbidding_writes_in(protected: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test at once if anything is created or renamed directly inside `protected`.

    A guard for `-o /` when the tests run as root: if the DIR check ever broke, the test fails
    before vconf writes a byte into the real root directory.
    """
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs /proc/self/fd to see where a relative write goes")
    real_open, real_mkdir, real_replace = os.open, os.mkdir, os.replace

    def check(path: Any, dir_fd: int | None) -> None:
        target = _target(path, dir_fd)
        if target.parent == protected and target != protected:
            raise WroteInto(str(target))

    def guarded_open(path: Any, flags: int, *args: Any, dir_fd: int | None = None) -> int:
        if flags & (os.O_CREAT | os.O_WRONLY | os.O_RDWR):
            check(path, dir_fd)
        return real_open(path, flags, *args, dir_fd=dir_fd)

    def guarded_mkdir(path: Any, *args: Any, dir_fd: int | None = None) -> None:
        check(path, dir_fd)
        real_mkdir(path, *args, dir_fd=dir_fd)

    def guarded_replace(
        source: Any, target: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None
    ) -> None:
        check(target, dst_dir_fd)
        real_replace(source, target, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", guarded_open)
        patch.setattr(os, "mkdir", guarded_mkdir)
        patch.setattr(os, "replace", guarded_replace)
        # vconf checks that os.open takes dir_fd
        patch.setattr(os, "supports_dir_fd", {*os.supports_dir_fd, guarded_open, guarded_mkdir})
        yield


@pytest.mark.parametrize("command", ["export", "plan"])
def test_dash_o_root_is_exit_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    source = tmp_path / "event.toml"
    source.write_text(EVENT, encoding="utf-8")
    before = sorted(os.listdir("/"))
    args = [command, str(source), "-o", "/", *(["--force"] if command == "plan" else [])]
    with forbidding_writes_in(Path("/"), monkeypatch):
        result = CliRunner().invoke(cli, args)
    assert "refusing to write into /" in one_line_error(result)
    assert sorted(os.listdir("/")) == before


@pytest.mark.parametrize("command", ["export", "plan"])
@pytest.mark.parametrize("spelling", ["expanded by the shell", "as typed: ~"])
def test_dash_o_home_is_exit_2_and_touches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str, command: str
) -> None:
    """`-o ~` is the user's home (the shell expands it; `--output=~` arrives as typed)."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    (home / "thesis.docx").write_bytes(b"years of work")
    source = work / "event.toml"
    source.write_text(EVENT, encoding="utf-8")
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    before, work_before = snapshot(home), sorted(os.listdir(work))
    output = str(home) if spelling.startswith("expanded") else "~"
    args = [command, str(source), f"--output={output}", *(["--force"] if command == "plan" else [])]
    result = CliRunner().invoke(cli, args)
    assert "refusing to write into" in one_line_error(result), result.stdout
    assert snapshot(home) == before
    assert sorted(os.listdir(work)) == work_before  # no folder named "~" either


# ---- a full disk --------------------------------------------------------------------------------


class Fault:
    """Make the `at`-th call of an `os` function on a file under DIR fail with `error`."""

    def __init__(self, function: str, error: int, out: Path, at: int = 0):
        self.function, self.error, self.out, self.at = function, error, out, at
        self.calls = 0

    def concerns(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        if self.function == "write":  # a write into a file under DIR (not a terminal, not SQLite)
            return os.readlink(f"/proc/self/fd/{args[0]}").startswith(str(self.out))
        if self.function == "open":  # creating a temporary file
            return bool(args[1] & os.O_CREAT and args[1] & os.O_EXCL)
        return True  # replace: renaming a temporary file over its target

    @contextlib.contextmanager
    def installed(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        real: Callable[..., Any] = getattr(os, self.function)

        def faulty(*args: Any, **kwargs: Any) -> Any:
            if self.concerns(args, kwargs):
                self.calls += 1
                if self.calls == self.at:
                    raise OSError(self.error, os.strerror(self.error))
            return real(*args, **kwargs)

        with monkeypatch.context() as patch:
            patch.setattr(os, self.function, faulty)
            if real in os.supports_dir_fd:  # vconf checks that os.open takes dir_fd
                patch.setattr(os, "supports_dir_fd", {*os.supports_dir_fd, faulty})
            yield


FAULTS = [
    ("write", errno.ENOSPC),
    ("write", errno.EDQUOT),
    ("open", errno.ENOSPC),
    ("open", errno.EROFS),
    ("replace", errno.EIO),
]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
@pytest.mark.parametrize("which", ["first", "middle", "last"])
@pytest.mark.parametrize(("function", "error"), FAULTS)
def test_a_full_disk_is_exit_2_leaves_every_file_whole_and_the_next_run_finishes(
    exported: tuple[Path, Path],
    references: tuple[dict[str, bytes], ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    function: str,
    error: int,
    which: str,
) -> None:
    source, out = exported
    trial = tmp_path / "trial"
    shutil.copytree(out, trial, symlinks=True)
    counter = Fault(function, error, trial)
    with counter.installed(monkeypatch):
        assert export(source, trial, EPOCH + 3600).exit_code == 0
    assert counter.calls > 0, f"os.{function} is not how vconf writes any more"
    at = {"first": 1, "middle": (counter.calls + 1) // 2, "last": counter.calls}[which]
    fault = Fault(function, error, out, at)
    with fault.installed(monkeypatch):
        result = export(source, out, EPOCH + 3600)
    line = one_line_error(result)
    assert os.strerror(error) in line
    assert str(out) in line
    assert_whole(out, *references)
    assert not temporaries(out)
    again = export(source, out, EPOCH + 3600)
    assert again.exit_code == 0, again.stderr
    assert tree(out) == references[1]  # the same SEQUENCEs and cancels as a run never stopped
    assert not temporaries(out)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_a_full_disk_on_the_first_export_is_exit_2_and_the_next_run_writes_everything(
    tmp_path: Path, references: tuple[dict[str, bytes], ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, out = tmp_path / "event.toml", tmp_path / "out"
    source.write_text(EVENT, encoding="utf-8")
    with Fault("write", errno.ENOSPC, out, at=3).installed(monkeypatch):
        one_line_error(export(source, out, EPOCH))
    assert tree(out) == {}
    assert export(source, out, EPOCH).exit_code == 0
    assert tree(out) == references[0]
    assert not temporaries(out)


# ---- Ctrl-C -------------------------------------------------------------------------------------


def _generated(sessions: int) -> str:
    text: str = script("benchmarks/generate.py").generate(sessions)
    return text


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A generated event of 2,000 sessions, edited so that every calendar changes: its two
    sources, the files of each export, a DIR holding the first, and how long the second takes
    as a process.
    """
    folder = tmp_path_factory.mktemp("large")
    text = _generated(2000)
    edited = text.replace('title = "', 'title = "Revised: ')
    assert edited != text
    first, second = folder / "first.toml", folder / "second.toml"
    first.write_text(text, encoding="utf-8")
    second.write_text(edited, encoding="utf-8")
    out = folder / "out"
    assert export(first, out, EPOCH).exit_code in (0, 1)
    old = tree(out)
    reference = folder / "reference"
    shutil.copytree(out, reference, symlinks=True)
    started = time.monotonic()
    finished = run_export(second, reference, EPOCH + 3600)
    assert finished.returncode in (0, 1), finished.stderr
    return {
        "source": second,
        "dir": out,
        "old": old,
        "new": tree(reference),
        "seconds": time.monotonic() - started,
    }


def run_export(source: Path, out: Path, epoch: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "vconf", "export", str(source), "-o", str(out)],
        capture_output=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("fraction", [0.45, 0.6, 0.7, 0.85])
def test_ctrl_c_during_export_is_exit_130_with_every_file_whole(
    large: dict[str, Any], tmp_path: Path, fraction: float
) -> None:
    """SIGINT at a share of an export's run time: exit 130 (or done), old-or-new files, and the
    next run writes exactly what an uninterrupted run writes.
    """
    out = tmp_path / "out"
    shutil.copytree(large["dir"], out, symlinks=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "vconf", "export", str(large["source"]), "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH + 3600)},
    )
    time.sleep(large["seconds"] * fraction)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode in (130, 0, 1), stderr.decode(errors="replace")
    assert b"Traceback" not in stderr
    if process.returncode == 130:
        assert stderr.decode().splitlines()[-1] == "vconf: interrupted"
    assert_whole_quickly(out, large["old"], large["new"])
    again = export(large["source"], out, EPOCH + 3600)
    assert again.exit_code in (0, 1), again.stderr
    assert tree(out) == large["new"]
    assert not temporaries(out)


def assert_whole_quickly(out: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """`assert_whole` for thousands of files: compare bytes; parse a few with icalendar."""
    present = tree(out)
    for name, data in present.items():
        if not name.endswith(".tmp"):
            assert data in (old.get(name), new.get(name)), name
    for name in sorted(name for name in present if name.endswith(".ics"))[::250]:
        icalendar.Calendar.from_ical(present[name])
