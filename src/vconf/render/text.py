"""Problems, agendas and written files as rich renderables for an 80-column terminal.

The two long outputs (problems and agenda days) are laid out here and handed to rich as plain
segments: a rich `Table` costs about a millisecond a row and a `console.print` a tenth of one,
which is a minute for 60,000 problems. So rows are wrapped with `textwrap` (rich's own wrapping
for text with wide characters), a day is one renderable, and problems come 200 to a renderable.
No line ends in spaces and no user text is read as markup. Colour comes only from styles: the
cli's Console drops them when stdout is piped.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from vconf.agenda import Agenda, AgendaDay, AgendaRow
from vconf.checks import Problem, Severity
from vconf.render.changes import (
    change_text,
    changes_heading,
    changes_notes,
    changes_tally,
    listed_changes,
)
from vconf.render.words import (
    RESTRICTED,
    SESSION_HEADING,
    counted_noun,
    day_heading,
    kind_label,
    no_sessions_line,
    people_labels,
    room_of,
    span_text,
    times_notes,
    zone_headings,
)
from vconf.revisions import ChangeKind, Revision
from vconf.timetable import Timetable

_SEVERITY_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}
_INDENT = max(len(severity.value) for severity in Severity) + 1
_PROBLEMS_PER_BLOCK = 200
_GAP = "   "  # between the columns of an agenda day
_NARROWEST = 20  # columns of wrapped text, however narrow the console

# the first folder of a written path, and what its files are, singular and plural
_FILE_KINDS = {
    "": ("public calendar", "public calendars"),
    "delegations": ("delegation calendar", "delegation calendars"),
    "people": ("person calendar", "person calendars"),
    "invites": ("invitation", "invitations"),
    "agendas": ("agenda page", "agenda pages"),
    "other": ("other file", "other files"),
}


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """Text wrapped on its own lines in one style."""

    text: str
    style: str = ""


# ---- problems ----------------------------------------------------------------------------------


def problems_as_text(problems: list[Problem], timetable: Timetable) -> Iterator[RenderableType]:
    """Yield the problems (severity, kind · subject, message), 200 a time, then a summary line."""
    for first in range(0, len(problems), _PROBLEMS_PER_BLOCK):
        yield _ProblemBlock(problems[first : first + _PROBLEMS_PER_BLOCK])
    yield _problem_summary(problems, len(timetable.slots))


@dataclass(frozen=True, slots=True)
class _ProblemBlock:
    """Problems as `severity kind · subject` over the message, hanging under the severity."""

    problems: Sequence[Problem]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - _INDENT, _NARROWEST)
        for problem in self.problems:
            label = problem.severity.value.ljust(_INDENT)
            label_style = console.get_style(_SEVERITY_STYLES[problem.severity])
            heading = _Paragraph(f"{problem.kind.value} · {problem.subject}", "bold")
            message = _Paragraph(problem.message)
            lines = _wrapped(console, [heading, message], width)
            yield from _line([(label, label_style), *lines[0]])
            for line in lines[1:]:
                yield from _line([(" " * _INDENT, None), *line])


def _problem_summary(problems: list[Problem], session_count: int) -> RenderableType:
    """Return `1 error, 2 warnings in 7 sessions`, or a friendly line when there are none."""
    sessions = counted_noun(session_count, "session")
    if not problems:
        return _words(f"No problems found in {sessions}.", "green")
    errors = sum(1 for problem in problems if problem.is_error)
    line = (
        f"{counted_noun(errors, 'error')}, "
        f"{counted_noun(len(problems) - errors, 'warning')} in {sessions}"
    )
    return _words(line, "bold red" if errors else "yellow")


# ---- agenda ------------------------------------------------------------------------------------


def agenda_as_text(agenda: Agenda) -> Iterator[RenderableType]:
    """Yield the title, then one block per day: its date, a time column per zone, the sessions."""
    yield _words(agenda.title, "bold")
    if not agenda.days:
        yield _words(no_sessions_line(agenda))
        return
    for note in times_notes(agenda):
        yield _words(note, "dim")
    for day in agenda.days:
        rows = [_row(agenda, row) for row in day.rows]
        yield _DayTable(day_heading(day.day), _columns(agenda, day), rows)


def _columns(agenda: Agenda, day: AgendaDay) -> list[list[str]]:
    """Return each time column's heading lines; past two zones the abbreviation goes below."""
    stacked = len(agenda.tz_names) > 2  # leaves the session column room at 80 columns
    headings = zone_headings(agenda, day)
    return [
        heading.replace(" (", "\n(").split("\n") if stacked else [heading] for heading in headings
    ]


def _row(agenda: Agenda, row: AgendaRow) -> tuple[list[str], list[_Paragraph]]:
    """Return a row's times, one per zone, and its session paragraphs."""
    return [span_text(span) for span in row.spans], _session_paragraphs(agenda, row)


def _session_paragraphs(agenda: Agenda, row: AgendaRow) -> list[_Paragraph]:
    """Return the title (marked when restricted), then kind · room and URL, then the people."""
    session = row.slot.session
    title = f"{session.title} [{RESTRICTED}]" if session.is_restricted else session.title
    paragraphs = [_Paragraph(title, "bold")]
    room = room_of(agenda.timetable, session)
    where = [room.name, room.url or ""] if room is not None else []
    details = " · ".join(part for part in (kind_label(session), " ".join(where).strip()) if part)
    if details:
        paragraphs.append(_Paragraph(details))
    people = people_labels(agenda.timetable, row.slot)
    if people:
        paragraphs.append(_Paragraph("; ".join(people), "dim"))
    return paragraphs


@dataclass(frozen=True, slots=True)
class _DayTable:
    """One day: a blank line, its date, then a column per zone and the wrapped session column."""

    heading: str
    columns: list[list[str]]
    rows: list[tuple[list[str], list[_Paragraph]]]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self._widths()
        times_width = sum(width + len(_GAP) for width in widths)
        session_width = max(options.max_width - times_width, _NARROWEST)
        rows = [(times, _wrapped(console, cell, session_width)) for times, cell in self.rows]
        bold = console.get_style("bold")
        yield Segment.line()
        yield from _line([(self.heading, bold)])
        yield from self._head(widths, bold)
        yield Segment("─" * (times_width + session_width) + "\n")  # the same width every day
        for times, lines in rows:
            yield from _line([(_join_cells(times, widths), None), *lines[0]])
            for line in lines[1:]:
                yield from _line([(" " * times_width, None), *line])

    def _widths(self) -> list[int]:
        """Return each time column's width: its widest heading line or time."""
        widths = [max(cell_len(line) for line in lines) for lines in self.columns]
        for times, _ in self.rows:
            widths = [max(width, cell_len(time)) for width, time in zip(widths, times, strict=True)]
        return widths

    def _head(self, widths: list[int], bold: Style) -> Iterator[Segment]:
        """Yield the heading lines, `Session` on the last one."""
        height = max(len(lines) for lines in self.columns)
        for index in range(height):
            cells = [lines[index] if index < len(lines) else "" for lines in self.columns]
            last = SESSION_HEADING if index == height - 1 else ""
            yield from _line([(_join_cells(cells, widths) + last, bold)])


def _join_cells(cells: list[str], widths: list[int]) -> str:
    """Return the cells padded to their widths, each followed by the gap."""
    return "".join(
        cell + " " * (width - cell_len(cell)) + _GAP
        for cell, width in zip(cells, widths, strict=True)
    )


# ---- changes since the last export -------------------------------------------------------------

_CHANGE_STYLES = {
    ChangeKind.NEW: "green",
    ChangeKind.RESTORED: "green",
    ChangeKind.CHANGED: "yellow",
    ChangeKind.CANCELLED: "red",
}
_CHANGE_INDENT = max(len(kind.value) for kind in _CHANGE_STYLES) + 1


def changes_as_text(
    revision: Revision, timetable: Timetable, *, directory: str, dry_run: bool = False
) -> Iterator[RenderableType]:
    """Yield what an export changed (SPEC §6): a heading, notes, one line per session, a tally.

    Each line is `kind  id: what changed`, wrapped under the id; unchanged sessions are only
    counted, and a first export or a reset only counts its new sessions.
    """
    yield _words(changes_heading(revision, directory=directory, dry_run=dry_run), "bold")
    for note in changes_notes(revision, dry_run=dry_run):
        yield _words(note, "dim")
    listed = listed_changes(revision)
    if listed:
        rows = tuple((change.kind, change_text(change, timetable)) for change in listed)
        yield _ChangeBlock(rows)
    if not revision.is_first_export and revision.reset is None:
        yield _words(changes_tally(revision))


@dataclass(frozen=True, slots=True)
class _ChangeBlock:
    """Changes as `kind` then the words, hanging under the words."""

    rows: tuple[tuple[ChangeKind, str], ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - _CHANGE_INDENT, _NARROWEST)
        for kind, text in self.rows:
            label = (kind.value.ljust(_CHANGE_INDENT), console.get_style(_CHANGE_STYLES[kind]))
            lines = _wrapped(console, [_Paragraph(text)], width)
            yield from _line([label, *lines[0]])
            for line in lines[1:]:
                yield from _line([(" " * _CHANGE_INDENT, None), *line])


# ---- written files -----------------------------------------------------------------------------


def written_as_text(
    directory: str, relative_paths: list[str], *, unchanged: int = 0
) -> RenderableType:
    """Return `Wrote 12 files to DIR (1 public calendar, 3 delegation calendars, …).`

    `unchanged` counts the files that already held the same bytes and were left alone; the
    line then says so, so that after a re-export the officer knows what actually changed.
    """
    if not relative_paths:
        if unchanged == 1:
            return _words(f"Wrote no files to {directory}: its 1 file was already up to date.")
        if unchanged:
            return _words(
                f"Wrote no files to {directory}: all {unchanged} were already up to date."
            )
        return _words(f"Wrote no files to {directory}.")
    kinds = Counter(_file_kind(path) for path in relative_paths)
    parts = [counted_noun(kinds[kind], *_FILE_KINDS[kind]) for kind in _FILE_KINDS if kinds[kind]]
    files = counted_noun(len(relative_paths), "file")
    others = "other was" if unchanged == 1 else "others were"
    rest = f"; {unchanged} {others} already up to date" if unchanged else ""
    return _words(f"Wrote {files} to {directory} ({', '.join(parts)}){rest}.")


def _file_kind(path: str) -> str:
    """Return the key of `_FILE_KINDS` for a relative path: its first folder, '' or 'other'."""
    folder, _, name = path.replace("\\", "/").rpartition("/")
    if not folder:
        return "" if name.endswith(".ics") else "other"
    first = folder.split("/", 1)[0]
    return first if first in _FILE_KINDS else "other"


# ---- lines -------------------------------------------------------------------------------------


def _words(text: str, style: str = "") -> RenderableType:
    """Return user text as a paragraph wrapped at the console width (never read as markup)."""
    return _Paragraphs((_Paragraph(text, style),))


@dataclass(frozen=True, slots=True)
class _Paragraphs:
    """Paragraphs wrapped at the console width, without trailing spaces."""

    paragraphs: tuple[_Paragraph, ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in _wrapped(console, self.paragraphs, options.max_width):
            yield from _line(line)


_Piece = tuple[str, Style | None]


def _wrapped(console: Console, paragraphs: Sequence[_Paragraph], width: int) -> list[list[_Piece]]:
    """Return the paragraphs' lines at `width`, each a list of (text, style); at least one."""
    lines: list[list[_Piece]] = []
    for paragraph in paragraphs:
        style = console.get_style(paragraph.style) if paragraph.style else None
        lines += [[(text, style)] for text in _wrap(console, paragraph.text, width)]
    return lines or [[]]


def _wrap(console: Console, text: str, width: int) -> list[str]:
    """Return the lines of `text` at `width` cells; rich wraps text with wide characters."""
    if text.isascii() or all(cell_len(character) == 1 for character in text):  # textwrap is exact
        return _wrapper(width).wrap(text) or [""]
    return [line.plain.rstrip() for line in Text(text).wrap(console, width)] or [""]


@lru_cache(maxsize=16)
def _wrapper(width: int) -> textwrap.TextWrapper:
    """Return a wrapper that folds long words (URLs) but keeps hyphenated names whole."""
    return textwrap.TextWrapper(width=width, break_on_hyphens=False)


def _line(pieces: list[_Piece]) -> Iterator[Segment]:
    """Yield one line's segments without its trailing spaces, then the newline."""
    while pieces and not pieces[-1][0].rstrip():
        pieces = pieces[:-1]
    for index, (text, style) in enumerate(pieces):
        last = index == len(pieces) - 1
        yield Segment(text.rstrip() if last else text, style)
    yield Segment.line()
