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

from vconf.agenda import Agenda, AgendaRow
from vconf.checks import Problem, Severity
from vconf.language import Language, language_for
from vconf.render.changes import (
    change_text,
    changes_heading,
    changes_notes,
    changes_tally,
    listed_changes,
)
from vconf.render.words import (
    ARROW,
    MIDDLE_DOT,
    column_headings,
    column_name,
    counted_noun,
    delegation_codes,
    first_paragraph,
    kind_name,
    languages_text,
    local_span_text,
    local_times_text,
    long_day,
    no_sessions_text,
    parallel_text,
    role_lines,
    room_of,
    session_marks,
    shift_text,
    times_notes_text,
    visibility_mark,
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
    "programme": ("programme page", "programme pages"),
    "other": ("other file", "other files"),
}


@dataclass(frozen=True, slots=True)
class _Paragraph:
    """Text wrapped on its own lines in one style."""

    text: str
    style: str = ""
    link: bool = False  # a URL: never broken across lines
    grouped: bool = False  # `a b · c d`: a line breaks between the groups where each fits


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


def agenda_as_plain_text(
    agenda: Agenda, *, language: Language | None = None, width: int = 80
) -> str:
    """Return the text agenda as it reads piped (no colour codes), `width` columns wide."""
    import io

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, highlight=False, emoji=False, color_system=None)
    for renderable in agenda_as_text(agenda, language=language):
        console.print(renderable)
    return buffer.getvalue()


def agenda_as_text(
    agenda: Agenda, *, language: Language | None = None, local_times: bool = False
) -> Iterator[RenderableType]:
    """Yield the title, then one block per day: its date, a time column per zone, the sessions.

    `local_times` adds, under each session, its delegations' local times grouped by offset
    (`plan`'s organiser view). Nothing is ever cropped: see `_DayTable`.
    """
    language = language or language_for("en")
    yield _words(agenda.title, "bold")
    if not agenda.days:
        yield _words(no_sessions_text(agenda, language))
        return
    for note in times_notes_text(agenda, language):
        yield _words(note)
    names = tuple(column_name(agenda, column, language) for column in range(len(agenda.tz_names)))
    for day in agenda.days:
        entries: list[_Entry] = []
        for group in day.groups:
            if len(group.rows) > 1:
                entries.append(
                    _Entry((), [_Paragraph(parallel_text(group, language), "bold cyan")])
                )
            for row in group.rows:
                for shift in row.shifts:
                    shifted = _Paragraph(f"{ARROW} {shift_text(shift, agenda, language)}", "cyan")
                    entries.append(_Entry((), [shifted], banner=True))
                times = tuple(local_span_text(span, language) for span in row.spans)
                entries.append(
                    _Entry(times, _session_paragraphs(agenda, row, language, local_times))
                )
        headings = column_headings(agenda, day, language)
        yield _DayTable(
            long_day(language, day.day), headings, names, entries, language.label("Session")
        )


def _session_paragraphs(
    agenda: Agenda, row: AgendaRow, language: Language, local_times: bool
) -> list[_Paragraph]:
    """Return a session's lines: title, marks, kind · room, link, people, delegations, more."""
    timetable, session = agenda.timetable, row.slot.session
    paragraphs = [_Paragraph(session.title, "bold")]
    if visibility_mark(session, language):
        paragraphs.append(_Paragraph(f"[{visibility_mark(session, language)}]", "bold magenta"))
    for is_error, text in session_marks(row, agenda, language):
        paragraphs.append(_Paragraph(text, "bold red" if is_error else "yellow"))
    room = room_of(timetable, session)
    details = MIDDLE_DOT.join(
        part for part in (kind_name(session, language), room.name if room else "") if part
    )
    if details:
        paragraphs.append(_Paragraph(details))
    if room is not None and room.url:
        paragraphs.append(_Paragraph(room.url, link=True))
    for label, names in role_lines(timetable, session, language):
        paragraphs.append(_Paragraph(f"{label}: {', '.join(names)}"))
    codes = delegation_codes(agenda, row.slot)
    if codes:
        paragraphs.append(_Paragraph(f"{language.label('Delegations')}: {', '.join(codes)}"))
    if session.languages:
        languages = languages_text(session, language)
        paragraphs.append(_Paragraph(f"{language.label('Languages')}: {languages}"))
    if session.description.strip():
        paragraphs.append(_Paragraph(first_paragraph(session.description), "italic"))
    if local_times and row.slot.delegations:
        paragraphs.append(_Paragraph(local_times_text(agenda, row.slot, language), grouped=True))
    return paragraphs


@dataclass(frozen=True, slots=True)
class _Entry:
    """A row of a day: its times (none for a group's or a clock change's line) and its text.

    A `banner` starts at the left edge and takes the whole width.
    """

    times: tuple[str, ...]
    paragraphs: list[_Paragraph]
    banner: bool = False


_SESSION_MIN = 30  # the session column never gets narrower: time columns stack first
_HEADING_MIN = 16  # a time column may widen to this for its heading
_SESSION_WIDE = 44  # headings stay on one line when the session column keeps this much


@dataclass(frozen=True, slots=True)
class _DayTable:
    """One day: a blank line, its date, the column headings, a rule, then the entries.

    Three layouts, the first that leaves the session column `_SESSION_MIN` cells: a column per
    zone; every zone's time stacked in one column, each named (`02:00-02:45 New York`); and,
    narrower still, the times over the session's lines. Text wraps at word boundaries; a link
    that does not fit its column moves left, on a line of its own, rather than break.
    """

    heading: str
    headings: list[str]
    names: tuple[str, ...]
    entries: list[_Entry]
    session_heading: str

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        bold = console.get_style("bold")
        yield Segment.line()
        yield from _line([(self.heading, bold)])
        widths = self._widths(_HEADING_MIN)
        whole = self._widths(max(map(cell_len, self.headings)))  # headings on one line
        if width - sum(column + len(_GAP) for column in whole) >= _SESSION_WIDE:
            widths = whole
        side = sum(column + len(_GAP) for column in widths)
        if width - side >= _SESSION_MIN:
            yield from self._columns(console, width, widths, bold)
            return
        stacked = max(
            (cell_len(time) + 1 + cell_len(name) for entry in self.entries if entry.times
             for time, name in zip(entry.times, self.names, strict=True)),
            default=0,
        )  # fmt: skip
        for heading in self.headings:
            for text in _wrap(console, heading, width):
                yield from _line([(text, bold)])
        yield Segment("\u2500" * width + "\n")
        indent = stacked + len(_GAP) if width - stacked - len(_GAP) >= _SESSION_MIN else 0
        for index, entry in enumerate(self.entries):
            if index and not entry.banner:
                yield Segment.line()
            times = [f"{time} {name}" for time, name in zip(entry.times, self.names, strict=False)]
            if indent == 0:  # narrow: the times over the text
                for time in times:
                    yield from _line([(time, None)])
                yield from self._text(console, entry, width, 2 if times else 0)
            else:
                yield from self._text(console, entry, width, indent, times)

    def _widths(self, heading_width: int) -> list[int]:
        """Return each time column's width: its widest time, or its heading's (up to a width)."""
        widths = []
        for heading in self.headings:
            longest_word = max(cell_len(word) for word in heading.split())
            widths.append(max(longest_word, min(cell_len(heading), heading_width)))
        for entry in self.entries:
            for column, time in enumerate(entry.times):
                widths[column] = max(widths[column], cell_len(time))
        return widths

    def _columns(
        self, console: Console, width: int, widths: list[int], bold: Style
    ) -> Iterator[Segment]:
        """Yield the day with one time column per zone."""
        cells = [
            _wrap(console, heading, column)
            for heading, column in zip(self.headings, widths, strict=True)
        ]
        height = max(len(lines) for lines in cells)
        indent = sum(column + len(_GAP) for column in widths)
        for index in range(height):
            parts = [lines[index] if index < len(lines) else "" for lines in cells]
            last = self.session_heading if index == height - 1 else ""
            yield from _line([(_join_cells(parts, widths) + last, bold)])
        yield Segment("\u2500" * width + "\n")
        for index, entry in enumerate(self.entries):
            if index and not entry.banner:
                yield Segment.line()
            times = [_join_cells(list(entry.times), widths)] if entry.times else []
            yield from self._text(console, entry, width, indent, times)

    def _text(
        self,
        console: Console,
        entry: _Entry,
        width: int,
        indent: int,
        times: Sequence[str] = (),
    ) -> Iterator[Segment]:
        """Yield an entry's lines: its text at `indent`, the times down the left edge."""
        if entry.banner:
            indent = 0
        lines = _laid_out(console, entry.paragraphs, width, indent)
        for index in range(max(len(lines), len(times))):
            left = times[index] if index < len(times) else ""
            shift, pieces = lines[index] if index < len(lines) else (indent, [])
            if shift < indent and left:  # a link moved left: give it a line of its own
                yield from _line([(left, None)])
                left = ""
            pad = " " * max(shift - cell_len(left), 0)
            yield from _line([(left + pad, None), *pieces])


def _laid_out(
    console: Console, paragraphs: Sequence[_Paragraph], width: int, indent: int
) -> list[tuple[int, list[_Piece]]]:
    """Return (indent, pieces) per line: text wrapped in `width - indent`, links kept whole."""
    room = max(width - indent, 1)
    lines: list[tuple[int, list[_Piece]]] = []
    for paragraph in paragraphs:
        style = console.get_style(paragraph.style) if paragraph.style else None
        if paragraph.link:
            size = cell_len(paragraph.text)
            lines.append(
                (indent if size <= room else max(width - size, 0), [(paragraph.text, style)])
            )
            continue
        wrap = _wrap_groups if paragraph.grouped else _wrap
        lines += [(indent, [(text, style)]) for text in wrap(console, paragraph.text, room)]
    return lines


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
        if name.startswith("programme."):
            return "programme"
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
    if len(text) <= width and text.isascii() and "\n" not in text:  # the common, fast case
        return [text.rstrip()] if text.strip() else [""]
    if text.isascii() or _one_cell_each(text):  # textwrap is exact
        return _wrapper(width).wrap(text) or [""]
    return [line.plain.rstrip() for line in Text(text).wrap(console, width)] or [""]


_ONE_CELL = set(map(chr, range(0x20, 0x7F)))  # characters met that take one cell, growing


def _one_cell_each(text: str) -> bool:
    """Return whether each character of `text` takes one cell (Vietnamese `ệ` does, `数` two).

    A set of the characters already measured answers most texts at once: measuring each
    character of each line with `cell_len` was a fifth of a Vietnamese agenda's time.
    """
    if _ONE_CELL.issuperset(text):
        return True
    for character in set(text).difference(_ONE_CELL):
        if cell_len(character) != 1:
            return False
        _ONE_CELL.add(character)
    return True


def _wrap_groups(console: Console, text: str, width: int) -> list[str]:
    """Return the lines of `a b · c d · e`, breaking between groups; a group too wide is wrapped.

    `02:00 New York · 16:00 Seoul` never ends a line with `16:00` and starts the next one with
    `Seoul`: a line holds whole groups, joined by the middle dot, as many as fit.
    """
    lines: list[str] = []
    for group in text.split(MIDDLE_DOT):
        joined = f"{lines[-1]}{MIDDLE_DOT}{group}" if lines else group
        if lines and cell_len(joined) <= width:
            lines[-1] = joined
        elif cell_len(group) <= width:
            lines.append(group)
        else:
            lines += _wrap(console, group, width)
    return lines or [""]


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
