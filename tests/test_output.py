"""vconf.output: an export's files, the pages shared between two processes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from vconf.export import build_ics_files
from vconf.load import read_conference
from vconf.output import ExportFiles
from vconf.render.agenda_files import agenda_files, agenda_pages, split_pages
from vconf.revisions import open_store, plan_revision
from vconf.timetable import build_timetable

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _revision(timetable, directory: Path):  # type: ignore[no-untyped-def]
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
    with ExportFiles(timetable, revision) as files:
        assert files.calendars == calendars
        rest = files.rest()
    assert {name: rest[name] for name in pages} == pages
    assert sorted(set(rest) - set(pages)) == ["interpretation.csv"] or set(rest) == set(pages)
    assert files.count == len(calendars) + len(rest)
    # every party's calendar, linked from its page, is among the calendars written
    assert {page.calendar for page in agenda_pages(timetable)} <= calendars.keys()


def test_split_pages_cuts_the_list_where_the_first_part_reaches_its_rows() -> None:
    timetable = build_timetable(read_conference(EXAMPLES / "itu-digital-world-2020.toml"))
    pages = agenda_pages(timetable)
    total = sum(page.rows for page in pages)
    for rows in (0, 1, total // 3, total // 2, total, total + 1):
        first, second = split_pages(pages, rows)
        assert first + second == pages
        counted = sum(page.rows for page in first)
        assert counted >= min(rows, total)
        if first:
            assert counted - first[-1].rows < rows  # the last page was still needed
