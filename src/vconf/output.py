"""Every file of an export (SPEC §5), the agenda pages shared with a second core.

The calendars come first, since the revision store records the invitations among them before
any file is written; the agenda pages and `interpretation.csv` follow. On a machine with two
cores a child process (`vconf.parallel`) renders the delegations' pages and the programme
meanwhile; the people's pages, in small batches, go to whichever process is free first
(`parallel.Tickets`), so that the two finish together however long the calendars take to
write. Once the store holds the record, each process writes its files to temporary files
(`files.stage_files`) and this one renames them all (`files.replace_staged`). Either way the
files are the same, byte for byte.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from vconf.export import build_ics_files
from vconf.export.interpretation import interpretation_files
from vconf.files import Staged, remove_temporary_files, replace_staged, stage_files
from vconf.parallel import Forked, Tickets
from vconf.render.agenda_files import Page, agenda_pages, render_pages
from vconf.revisions import Revision
from vconf.timetable import Timetable

# below this many rows of pages, a second process costs more than it saves
_FORK_ROWS = 20_000
_BATCHES = 256  # the people's pages are shared in at most this many batches


class ExportFiles:
    """The files of one export into `directory`: `calendars` at once, the rest by `write()`.

    A context manager: leaving it before `write()` returned (an error while recording, Ctrl-C)
    stops the child and removes the temporary files either process wrote.
    """

    def __init__(self, timetable: Timetable, revision: Revision, directory: Path) -> None:
        self._timetable = timetable
        self._revision = revision
        self._directory = directory
        pages = agenda_pages(timetable)
        self._pages = len(pages)
        # the child's own: the delegations' pages (one memo of cells) and the programme
        self._fixed = [page for page in pages if page.person is None]
        people = [page for page in pages if page.person is not None]
        size = -(-len(people) // _BATCHES) or 1
        self._batches = [people[start : start + size] for start in range(0, len(people), size)]
        # every party's calendar is written: the public one, each delegation's, each person's
        self._links = frozenset(page.calendar for page in pages)
        self.count = 0  # how many files in all, once `write()` ran
        self._parent = os.getpid()
        self._tickets = Tickets(len(self._batches))
        self._go, self._went = os.pipe()  # one byte: the record is made, write your files
        self._done = False
        rows = sum(page.rows for page in pages)
        self._child = Forked(
            self._their_files, instead=self._left_files, worth_it=rows >= _FORK_ROWS
        )
        try:
            self.calendars = build_ics_files(timetable, revision)
        except BaseException:
            self._stop()
            raise

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        self._child.cancel()
        self._tickets.close()
        for descriptor in (self._go, self._went):
            with contextlib.suppress(OSError):
                os.close(descriptor)
        self._go = self._went = -1
        if not self._done and self._directory.is_dir():
            remove_temporary_files(self._directory)  # under DIR's lock: only this run's

    def _render(self, pages: Iterable[Page]) -> dict[str, bytes]:
        """Render `pages`, taking each from the iterable only when the one before is done."""
        return render_pages(self._timetable, pages, revision=self._revision, calendars=self._links)

    def _taken_pages(self) -> Iterator[Page]:
        """Yield the pages of each batch this process takes, until none is left; a batch is
        taken when the pages before it are rendered (a lazy iterable: `_render`)."""
        while (number := self._tickets.take()) is not None:
            yield from self._batches[number]

    def _their_files(self) -> Staged:
        """The child's part (or, without a child, the rest): the fixed pages, then batches
        while any is left; once the record is made, their temporary files."""
        files = self._render(itertools.chain(self._fixed, self._taken_pages()))
        if os.getpid() != self._parent:  # in the child: wait for the go, or for the parent's end
            os.close(self._went)
            if os.read(self._go, 1) != b"1":
                raise RuntimeError("the export stopped before recording")
        return stage_files(self._directory, files, mark=False)

    def _left_files(self) -> Staged:
        """What a child that failed left to do: every page but the batches this process took."""
        mine = set(self._tickets.taken)
        left = [
            page
            for number, batch in enumerate(self._batches)
            if number not in mine
            for page in batch
        ]
        return stage_files(self._directory, self._render([*self._fixed, *left]), mark=False)

    def write(self) -> list[Path]:
        """Write every file (once the store holds the record); return those that changed."""
        os.write(self._went, b"1")
        staged = [stage_files(self._directory, self.calendars)]
        tables = interpretation_files(self._timetable)
        files = dict(tables)
        if self._child.forked:  # else the child's part, done here, takes every batch
            files.update(self._render(self._taken_pages()))
        staged.append(stage_files(self._directory, files, mark=False))
        staged.append(self._child.result())
        self.count = len(self.calendars) + len(tables) + 2 * self._pages
        written = replace_staged(self._directory, staged)
        self._done = True
        return written
