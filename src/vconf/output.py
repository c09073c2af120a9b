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
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from vconf.export import build_ics_files
from vconf.export.interpretation import interpretation_files
from vconf.files import Staged, remove_temporary_files, replace_staged, stage_files
from vconf.parallel import Forked, Tickets
from vconf.render.agenda_files import Page, agenda_pages, issue_of, render_pages
from vconf.render.words import Memo
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
        self._issue = issue_of(revision)  # what each printed page's foot names
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
        self._sweep = False
        self._memos: dict[str, Memo] = {}  # each process's: a session's cells, by language
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
        return render_pages(
            self._timetable,
            pages,
            issue=self._issue,
            calendars=self._links,
            memos=self._memos,
        )

    def _stage(self, files: dict[str, bytes]) -> Staged:
        return stage_files(self._directory, files, mark=False)

    def _staged_batches(self) -> Iterator[Staged]:
        """Render each batch this process takes and write its temporary files, until none is
        left: a process slowed down by the file system takes fewer."""
        while (number := self._tickets.take()) is not None:
            yield self._stage(self._render(self._batches[number]))

    def _their_files(self) -> Staged:
        """The child's part (or, without a child, the rest): the fixed pages, then, once the
        record is made, their temporary files and the batches left."""
        files = self._render(self._fixed)
        if os.getpid() != self._parent:  # in the child: wait for the go, or for the parent's end
            os.close(self._went)
            if os.read(self._go, 1) != b"1":
                raise RuntimeError("the export stopped before recording")
        return _joined([self._stage(files), *self._staged_batches()])

    def _left_files(self) -> Staged:
        """What a child that failed left to do: every page but the batches this process took."""
        self._sweep = True  # temporary files it may have written are nobody's now
        mine = set(self._tickets.taken)
        left = [
            page
            for number, batch in enumerate(self._batches)
            if number not in mine
            for page in batch
        ]
        return self._stage(self._render([*self._fixed, *left]))

    def write(self) -> list[Path]:
        """Write every file (once the store holds the record); return those that changed."""
        os.write(self._went, b"1")
        tables = interpretation_files(self._timetable)
        staged = [stage_files(self._directory, {**self.calendars, **tables})]
        if self._child.forked:  # else the child's part, done here, takes every batch
            staged += self._staged_batches()
        staged.append(self._child.result())
        self.count = len(self.calendars) + len(tables) + 2 * self._pages
        written = replace_staged(self._directory, staged)
        self._done = True
        if self._sweep:
            remove_temporary_files(self._directory)
        return written


def _joined(parts: list[Staged]) -> Staged:
    return Staged(tuple(item for part in parts for item in part.temporaries))
