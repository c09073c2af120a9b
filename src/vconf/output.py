"""Every file of an export (SPEC §5), the agenda pages shared with a second core.

The calendars come first, since the revision store records the invitations among them before
any file is written; the agenda pages and `interpretation.csv` follow. On a machine with two
cores a child process (`vconf.parallel`) renders the first pages (the delegations', the
programme, the first people's) meanwhile: they hold about half of the work, counted in rows,
the calendars and the store's record counted in with this process's half. Either way the
files are the same, byte for byte.
"""

from __future__ import annotations

from vconf.export import build_ics_files
from vconf.export.interpretation import interpretation_files
from vconf.parallel import Forked
from vconf.render.agenda_files import agenda_pages, render_pages, split_pages
from vconf.revisions import Revision
from vconf.timetable import Timetable

# what the calendars and the store's record of one session cost, in agenda rows
_CALENDAR_ROWS = 3
# below this many rows of pages, a second process costs more than it saves
_FORK_ROWS = 20_000


class ExportFiles:
    """The files of one export: `calendars` at once, then `rest()` (pages and CSV).

    A context manager: leaving it before `rest()` (an error while recording) stops the child.
    """

    def __init__(self, timetable: Timetable, revision: Revision) -> None:
        self._timetable = timetable
        self._revision = revision
        pages = agenda_pages(timetable)
        rows = sum(page.rows for page in pages)
        share = (rows + _CALENDAR_ROWS * len(timetable.slots)) // 2
        theirs, self._pages = split_pages(pages, share)
        # every party's calendar is written: the public one, each delegation's, each person's
        self.count = 0  # how many files in all, once `rest()` ran
        self._links = frozenset(page.calendar for page in pages)
        self._child = Forked(
            lambda: render_pages(timetable, theirs, revision=revision, calendars=self._links),
            worth_it=rows >= _FORK_ROWS,
        )
        try:
            self.calendars = build_ics_files(timetable, revision)
        except BaseException:
            self._child.cancel()
            raise

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._child.cancel()

    def rest(self) -> dict[str, bytes]:
        """Return the agenda pages and the interpretation CSV, waiting for the child's pages."""
        timetable = self._timetable
        files = render_pages(timetable, self._pages, revision=self._revision, calendars=self._links)
        files.update(interpretation_files(timetable))
        files.update(self._child.result())
        self.count = len(self.calendars) + len(files)
        return files

    def all(self) -> dict[str, bytes]:
        """Return every file: the calendars and the rest."""
        return {**self.calendars, **self.rest()}
