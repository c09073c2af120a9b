"""vconf.output: an export's files, the pages shared between two processes."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vconf.export import build_ics_files
from vconf.files import Staged, remove_temporary_files, stage_files
from vconf.load import read_conference
from vconf.output import ExportFiles, _parts
from vconf.parallel import Tickets
from vconf.render.agenda_files import Unsigned, agenda_files, agenda_pages
from vconf.revisions import Revision, open_store, plan_revision
from vconf.timetable import Timetable, build_timetable

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _revision(timetable: Timetable, directory: Path) -> Revision:
    with open_store(directory) as store:
        return plan_revision(
            store.contents,
            timetable,
            now=datetime(2021, 11, 1, tzinfo=timezone.utc),
            directory=directory,
            reset=False,
            interrupted=False,
        )


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("example", sorted(path.stem for path in EXAMPLES.glob("*.toml")))
def test_the_files_are_the_calendars_the_pages_and_the_csv_whatever_the_processes(
    example: str, jobs: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VCONF_JOBS", jobs)
    timetable = build_timetable(read_conference(EXAMPLES / f"{example}.toml"))
    revision = _revision(timetable, tmp_path)
    calendars = build_ics_files(timetable, revision)
    pages = agenda_files(timetable, revision=revision, calendars=frozenset(calendars))
    out = tmp_path / "out"
    with ExportFiles(timetable, out) as files:
        assert files.build(revision) == calendars
        written = files.write()
    on_disk = {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in out.rglob("*")
        if path.is_file() and ".vconf" not in path.parts
    }
    assert {name: on_disk[name] for name in pages} == pages
    assert {name: on_disk[name] for name in calendars} == calendars
    assert set(on_disk) - set(pages) - set(calendars) <= {"interpretation.csv"}
    assert written == sorted(on_disk, key=lambda name: tuple(name.split("/")))
    assert files.count == len(on_disk)
    assert not list(out.rglob("*.tmp"))
    # every party's calendar, linked from its page, is among the calendars written
    assert {page.calendar for page in agenda_pages(timetable)} <= calendars.keys()


@pytest.fixture
def forked_icdd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Timetable, Revision]:
    """ICDD 2021's timetable and first revision, with a child forked for any export."""
    monkeypatch.setenv("VCONF_JOBS", "2")
    timetable = build_timetable(read_conference(EXAMPLES / "icdd-2021.toml"))
    return timetable, _revision(timetable, tmp_path)


def test_a_child_that_dies_midway_leaves_its_pages_to_this_process(
    forked_icdd: tuple[Timetable, Revision], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child takes two parts of the pages and dies: every page is still written."""
    timetable, revision = forked_icdd
    expected = agenda_files(
        timetable, revision=revision, calendars=frozenset(build_ics_files(timetable, revision))
    )
    parent = os.getpid()
    their_files = ExportFiles._their_files

    def dying(self: ExportFiles) -> object:
        if os.getpid() != parent:
            self._tickets.take()
            self._tickets.take()
            os._exit(9)
        return their_files(self)

    monkeypatch.setattr(ExportFiles, "_their_files", dying)
    out = tmp_path / "out"
    with ExportFiles(timetable, out) as files:
        assert files._child.forked
        files.build(revision)
        files.write()
    for name, data in expected.items():
        assert (out / name).read_bytes() == data, name
    assert not list(out.rglob("*.tmp"))


def test_leaving_before_write_removes_what_was_staged(
    forked_icdd: tuple[Timetable, Revision], tmp_path: Path
) -> None:
    timetable, revision = forked_icdd
    out = tmp_path / "out"

    def interrupted() -> None:
        with ExportFiles(timetable, out) as files:
            files.build(revision)
            stage_files(out, {"programme.md": b"half"})
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert not list(out.rglob("*.tmp"))
    assert not (out / "programme.md").exists()


def test_the_pages_go_in_parts_a_delegation_with_its_people_largest_first() -> None:
    timetable = build_timetable(read_conference(EXAMPLES / "icdd-2021.toml"))
    pages = agenda_pages(timetable)
    parts = _parts(timetable, pages)
    assert sorted(page.paths for part in parts for page in part) == sorted(
        page.paths for page in pages
    )
    sizes = [sum(page.rows for page in part) for part in parts]
    assert sizes == sorted(sizes, reverse=True)
    for part in parts:
        owners = {
            page.delegation if page.person is None else timetable.people[page.person].delegation
            for page in part
            if not page.public
        }
        assert len(owners) <= 1  # one delegation's pages, or the programme alone
        assert not any(page.public for page in part) or len(part) == 1


def test_thousands_of_parts_are_merged_below_the_tickets_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    timetable = build_timetable(read_conference(EXAMPLES / "icdd-2021.toml"))
    pages = agenda_pages(timetable)
    monkeypatch.setattr(Tickets, "LIMIT", 3)
    parts = _parts(timetable, pages)
    assert len(parts) == 3
    assert sorted(page.paths for part in parts for page in part) == sorted(
        page.paths for page in pages
    )


def test_the_child_writes_nothing_before_the_record_is_made(
    forked_icdd: tuple[Timetable, Revision], tmp_path: Path
) -> None:
    """It renders at once, but its temporary files wait for `write()` (revisions.md)."""
    timetable, revision = forked_icdd
    out = tmp_path / "out"
    with ExportFiles(timetable, out) as files:
        assert files._child.forked
        time.sleep(0.5)  # the child has rendered ICDD's pages by now, and waits
        assert not out.exists() or not list(out.rglob("*"))
        files.build(revision)
        assert not out.exists() or not list(out.rglob("*"))
        written = files.write()
    assert "programme.html" in written
    assert "agendas/people/retno-marsudi.html" in written


def test_a_child_that_dies_after_writing_leaves_no_temporary_file(
    forked_icdd: tuple[Timetable, Revision], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its temporary files are written, not renamed: this process writes its pages again and
    sweeps the ones it left."""
    timetable, revision = forked_icdd
    expected = agenda_files(
        timetable, revision=revision, calendars=frozenset(build_ics_files(timetable, revision))
    )
    parent = os.getpid()
    staged_waiting = ExportFiles._staged_waiting
    left: list[int] = []

    def dying(self: ExportFiles, waiting: list[Unsigned]) -> Staged:
        done = staged_waiting(self, waiting)
        if os.getpid() != parent and done.temporaries:
            os._exit(9)
        return done

    def swept(directory: Path) -> int:
        left.append(len(list(directory.rglob("*.tmp"))))
        return remove_temporary_files(directory)

    monkeypatch.setattr(ExportFiles, "_staged_waiting", dying)
    monkeypatch.setattr("vconf.output.remove_temporary_files", swept)
    out = tmp_path / "out"
    with ExportFiles(timetable, out) as files:
        files.build(revision)
        files.write()
    assert len(left) == 1  # once, after the renames
    assert left[0] > 0  # the child's
    for name, data in expected.items():
        assert (out / name).read_bytes() == data, name
    assert not list(out.rglob("*.tmp"))
