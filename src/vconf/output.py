"""Every file of an export (SPEC §5), the agenda pages shared with a second core.

The calendars come first, since the revision store records the invitations among them before
any file is written; the agenda pages and `interpretation.csv` follow. On a machine with two
cores a child process (`vconf.parallel`) starts on the agenda pages as soon as the timetable is
loaded, while this one plans the revision and builds the calendars. The pages go in parts, a
delegation's page with its people's, the largest first, to whichever process is free
(`parallel.Tickets`): each part's cells and times are worked out once, and the two processes
finish together however long the calendars take. A page rendered before the revision is known
waits for the foot of its printed pages, which names it (`agenda_files.Unsigned`); the child
receives it with the word that the store holds the record (`parallel.Handover`). Only then does
either process write temporary files (`files.stage_files`); this one renames them all
(`files.replace_staged`). Either way the files are the same, byte for byte.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from vconf.errors import VconfError
from vconf.export import build_ics_files
from vconf.export.interpretation import interpretation_files
from vconf.files import (
    Staged,
    prepare_state_dir,
    remove_temporary_files,
    replace_staged,
    stage_files,
)
from vconf.parallel import Forked, Handover, Tickets
from vconf.render.agenda_files import Page, Unsigned, agenda_pages, issue_of, render_unsigned
from vconf.render.page_style import Issue
from vconf.render.words import Memo
from vconf.revisions import Revision
from vconf.timetable import Timetable

# below this many rows of pages, a second process costs more than it saves
_FORK_ROWS = 20_000


class ExportFiles:
    """The files of one export into `directory`: the calendars by `build()`, the rest by
    `write()`. Made once DIR is locked, before the revision is planned.

    A context manager: leaving it before `write()` returned (an error while planning or
    recording, Ctrl-C) stops the child and removes the temporary files either process wrote.
    """

    def __init__(self, timetable: Timetable, directory: Path) -> None:
        self._timetable = timetable
        self._directory = directory
        pages = agenda_pages(timetable)
        self._pages = len(pages)
        self._parts = _parts(timetable, pages)
        # every party's calendar is written: the public one, each delegation's, each person's
        self._links = frozenset(page.calendar for page in pages)
        self.count = 0  # how many files in all, once `write()` ran
        self._parent = os.getpid()
        self._issue: Issue | None = None  # what each printed page's foot names, once known
        self._known = False
        self._calendars: dict[str, bytes] | None = None
        self._done = False
        self._sweep = False
        self._memos: dict[str, Memo] = {}  # each process's: a session's cells, by language
        self._tickets = Tickets(len(self._parts))
        self._recorded: Handover[Issue | None] = Handover()  # the record is made: its issue
        rows = sum(page.rows for page in pages)
        self._child = Forked(
            self._their_files, instead=self._left_files, worth_it=rows >= _FORK_ROWS
        )

    def __enter__(self) -> ExportFiles:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        self._child.cancel()
        self._tickets.close()
        self._recorded.close()
        if not self._done and self._directory.is_dir():
            remove_temporary_files(self._directory)  # under DIR's lock: only this run's

    def build(self, revision: Revision) -> dict[str, bytes]:
        """Return the revision's calendars as `{path: bytes}`, to be recorded, then written."""
        self._issue, self._known = issue_of(revision), True
        self._calendars = build_ics_files(self._timetable, revision)
        return self._calendars

    def _render(self, part: list[Page]) -> Unsigned:
        return render_unsigned(self._timetable, part, calendars=self._links, memos=self._memos)

    def _stage(self, pages: Unsigned) -> Staged:
        return stage_files(self._directory, pages.signed(self._issue), mark=False)

    def _staged_parts(self) -> Iterator[Staged]:
        """Render each part this process takes and write its temporary files, until none is
        left: a process slowed down by the file system takes fewer."""
        while (number := self._tickets.take()) is not None:
            yield self._stage(self._render(self._parts[number]))

    def _their_files(self) -> Staged:
        """The child's part (or, without a child, every part): the parts it takes, rendered at
        once, their temporary files written once the record is made (its word can come in the
        midst)."""
        child = os.getpid() != self._parent  # else no child was forked: it is all done here
        if child:
            self._recorded.in_child()
        waiting: list[Unsigned] = []  # rendered before the record was made
        staged: list[Staged] = []
        while (number := self._tickets.take()) is not None:
            if child and os.getppid() != self._parent:  # the run was killed: stop, unlock DIR
                raise RuntimeError("the export stopped")
            waiting.append(self._render(self._parts[number]))
            if self._known or self._recorded.arrived():
                staged.append(self._staged_waiting(waiting))
        if waiting:
            staged.append(self._staged_waiting(waiting))
        return _joined(staged)

    def _staged_waiting(self, waiting: list[Unsigned]) -> Staged:
        if not self._known:
            self._issue, self._known = self._recorded.receive(), True
        staged = []
        while waiting:  # one part at a time: its bytes, then the next's
            staged.append(self._stage(waiting.pop(0)))
        return _joined(staged)

    def _left_files(self) -> Staged:
        """What a child that failed left to do: every part this process did not take."""
        self._sweep = True  # temporary files it may have written are nobody's now
        mine = set(self._tickets.taken)
        staged = [
            self._stage(self._render(part))
            for number, part in enumerate(self._parts)
            if number not in mine
        ]
        return _joined(staged)

    def write(self) -> list[str]:
        """Write every file (once the store holds the record); return those that changed, as
        paths relative to DIR."""
        if self._calendars is None:
            raise VconfError("the calendars are written after build()")  # pragma: no cover
        prepare_state_dir(self._directory)  # DIR marked: the child's files are vconf's
        self._recorded.give(self._issue)
        tables = interpretation_files(self._timetable)
        staged = [stage_files(self._directory, {**self._calendars, **tables})]
        if self._child.forked:  # else the child's part, done here, takes every part
            staged += self._staged_parts()
        staged.append(self._child.result())
        self.count = len(self._calendars) + len(tables) + 2 * self._pages
        written = replace_staged(self._directory, staged)
        self._done = True
        if self._sweep:
            remove_temporary_files(self._directory)
        return written


def _parts(timetable: Timetable, pages: list[Page]) -> list[list[Page]]:
    """Return the pages in parts, the largest first: each delegation's page with its people's
    (one zone and language: their times and cells are worked out once), the programme, the
    people of no delegation."""
    parts: dict[str | None, list[Page]] = {}
    programme = []
    for page in pages:
        if page.public:
            programme.append(page)
            continue
        code = page.delegation
        if page.person is not None:
            code = timetable.people[page.person].delegation
        parts.setdefault(code, []).append(page)
    found = [*parts.values(), programme] if programme else list(parts.values())
    found.sort(key=lambda part: -sum(page.rows for page in part))
    while len(found) > Tickets.LIMIT:  # thousands of delegations: the smallest go together
        smallest = found.pop()
        found[-1] = found[-1] + smallest
    return found


def _joined(parts: list[Staged]) -> Staged:
    return Staged(
        tuple(item for part in parts for item in part.temporaries),
        frozenset(folder for part in parts for folder in part.fresh),
    )
