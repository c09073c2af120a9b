"""An agenda as a Markdown document: a heading, then a table per day."""

from __future__ import annotations

import functools
import re

from vconf.agenda import Agenda, AgendaDay, AgendaRow
from vconf.language import Language, language_for
from vconf.render.words import (
    ARROW,
    MIDDLE_DOT,
    Memo,
    column_headings,
    delegation_names,
    headings_key,
    is_web_url,
    kind_name,
    languages_text,
    long_day,
    no_sessions_text,
    parallel_text,
    room_of,
    row_times,
    session_marks,
    session_people,
    shift_text,
    times_notes_text,
    visibility_mark,
)

# Characters that start emphasis, code, links, raw HTML, math or strikethrough, or end a table
# cell, get a backslash (CommonMark §2.4 allows one before any ASCII punctuation); line breaks
# become spaces. One `str.translate` pass: escaping is the hot loop of a 20,000-row agenda.
_ESCAPES = str.maketrans(
    {character: "\\" + character for character in "\\`*_[]<>|~#$"}
    | dict.fromkeys("\r\n\u2028\u2029", " ")
)
# an `&` that would start an entity reference (`&amp;`, `&#38;`)
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# in a link destination a backslash escapes and a pipe ends the table cell, even inside `<>`
_URL_CODES = (("\\", "%5C"), ("|", "%7C"), ("<", "%3C"), (">", "%3E"), (" ", "%20"), ("\n", "%0A"))
_HEADINGS = ("Session", "Room", "People", "Delegations", "Languages")


def agenda_as_markdown(
    agenda: Agenda, *, memo: Memo | None = None, language: Language | None = None
) -> str:
    """Return the agenda as Markdown: title, a note on times, then a table per day.

    `memo` keeps each session's cells by id, for many agendas of one timetable (`agenda_files`).
    """
    language = language or language_for("en")
    memo = Memo() if memo is None else memo
    lines = [f"# {escape(agenda.title)}"]
    if not agenda.days:
        lines += ["", escape(no_sessions_text(agenda, language))]
    lines += ["\n" + escape(note) for note in times_notes_text(agenda, language)]
    for day in agenda.days:
        heading = long_day(language, day.day)
        lines += ["", f"## {escape(heading)}", "", *_day_table(agenda, day, memo, language)]
    return "\n".join(lines) + "\n"


def _day_table(agenda: Agenda, day: AgendaDay, memo: Memo, language: Language) -> list[str]:
    """Return the lines of one day's table: a time column per zone, then the session's cells."""
    lines = [_head(agenda, day, memo, language)]
    blank = [""] * len(agenda.tz_names)
    rest = [""] * (len(_HEADINGS) - 1)
    for group in day.groups:
        if len(group.rows) > 1:
            lines.append(
                _table_row([*blank, f"**{escape(parallel_text(group, language))}**", *rest])
            )
        for row in group.rows:
            for shift in row.shifts:
                note = escape(f"{ARROW} {shift_text(shift, agenda, language)}")
                lines.append(_table_row([*blank, f"*{note}*", *rest]))
            lines.append(_row_line(agenda, row, memo, language))
    return lines


def _head(agenda: Agenda, day: AgendaDay, memo: Memo, language: Language) -> str:
    """Return a day's heading row and rule, kept in `memo` (`words.headings_key`)."""
    key = headings_key(agenda, day, language)
    found = memo.markdown.get(key) if key is not None else None
    if found is None:
        labels = [language.label(heading) for heading in _HEADINGS]
        headings = [*column_headings(agenda, day, language), *labels]
        found = _table_row([escape(heading) for heading in headings])
        found += "\n" + _table_row(["---"] * len(headings))
        if key is not None:
            memo.markdown[key] = found
    return found


def _row_line(agenda: Agenda, row: AgendaRow, memo: Memo, language: Language) -> str:
    """Return a session's table row; the same in every agenda with the same zones (memo)."""
    key = (row.slot.id, agenda.tz_names)
    line = memo.markdown.get(key)
    if line is None:
        times = [_time_text(text) for text in row_times(memo, agenda, row, language)]
        line = memo.markdown[key] = _table_row(
            [*times, _session_cells(agenda, row, memo, language)]
        )
    return line


@functools.lru_cache(maxsize=1 << 14)  # 100,000 rows of a large event share a few thousand
def _time_text(text: str) -> str:
    return escape(text)


def _session_cells(agenda: Agenda, row: AgendaRow, memo: Memo, language: Language) -> str:
    """Return the cells after the times, joined; the same in every agenda of one language."""
    cells = memo.markdown.get(row.slot.id)
    if cells is None:
        session = row.slot.session
        cells = memo.markdown[row.slot.id] = " | ".join(
            (
                _session_cell(agenda, row, language),
                _room_cell(agenda, row),
                escape(session_people(memo, agenda, session, language)),
                escape(", ".join(delegation_names(agenda, row.slot))),
                escape(languages_text(session, language)),
            )
        )
    return cells


def _session_cell(agenda: Agenda, row: AgendaRow, language: Language) -> str:
    """Return `**Title** · panel · *[restricted]* · ⚠ kind: subject · description`."""
    session = row.slot.session
    parts = [f"**{escape(session.title)}**"]
    if kind_name(session, language):
        parts.append(escape(kind_name(session, language)))
    if visibility_mark(session, language):
        parts.append(f"*{escape(visibility_mark(session, language))}*")  # as before: *restricted*
    parts += [f"**{escape(text)}**" for _, text in session_marks(row, agenda, language)]
    if session.description.strip():
        parts.append(escape(" ".join(session.description.split())))
    return MIDDLE_DOT.join(parts)


def _room_cell(agenda: Agenda, row: AgendaRow) -> str:
    """Return the room as a link when its URL is http(s), else its name and URL as text."""
    room = room_of(agenda.timetable, row.slot.session)
    if room is None:
        return ""
    if room.url is not None and is_web_url(room.url):
        return f"[{escape(room.name)}](<{link_target(room.url)}>)"
    if room.url is not None:
        return f"{escape(room.name)} ({escape(room.url)})"
    return escape(room.name)


def _table_row(cells: list[str]) -> str:
    """Return `| a | b |`; an empty cell stays a cell."""
    return "| " + " | ".join(cells) + " |"


def escape(text: str) -> str:
    """Return text that Markdown shows as written, on one line, safe inside a table cell."""
    escaped = text.translate(_ESCAPES)
    return _ENTITY.sub(r"\\&", escaped) if "&" in escaped else escaped


def link_target(url: str) -> str:
    """Return a URL safe between `<` and `>` in a table cell, its breaking characters encoded."""
    for character, code in _URL_CODES:
        url = url.replace(character, code)
    return url
