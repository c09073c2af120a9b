"""vconf.output: an export's files, the pages shared between two processes."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from vconf.export import build_ics_files
from vconf.files import stage_files
from vconf.load import read_conference
from vconf.output import ExportFiles
from vconf.render.agenda_files import agenda_files, agenda_pages
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
