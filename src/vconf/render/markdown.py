"""An agenda as a Markdown document: a heading, then a table per day."""

from __future__ import annotations

import re

from vconf.agenda import Agenda, AgendaDay, AgendaRow
from vconf.render.words import (
    PEOPLE_HEADING,
    RESTRICTED,
    ROOM_HEADING,
    SESSION_HEADING,
    day_heading,
    is_web_url,
    kind_label,
    no_sessions_line,
    people_labels,
    room_of,
    span_text,
    times_notes,
    zone_headings,
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


def agenda_as_markdown(agenda: Agenda, *, memo: dict[str, str] | None = None) -> str:
    """Return the agenda as Markdown: title, a note on times, then a table per day.

    `memo` keeps each session's cells by id, for many agendas of one timetable (`agenda_files`).
    """
    memo = {} if memo is None else memo
    lines = [f"# {escape(agenda.title)}"]
    if not agenda.days:
        lines += ["", escape(no_sessions_line(agenda))]
    lines += ["\n" + escape(note) for note in times_notes(agenda)]
    for day in agenda.days:
        lines += ["", f"## {day_heading(day.day)}", "", *_day_table(agenda, day, memo)]
    return "\n".join(lines) + "\n"


def _day_table(agenda: Agenda, day: AgendaDay, memo: dict[str, str]) -> list[str]:
    """Return the lines of one day's table: a time column per zone, session, room, people."""
    headings = [*zone_headings(agenda, day), SESSION_HEADING, ROOM_HEADING, PEOPLE_HEADING]
    lines = [_table_row([escape(heading) for heading in headings])]
    lines.append(_table_row(["---"] * len(headings)))
    for row in day.rows:
        times = [escape(span_text(span)) for span in row.spans]
        lines.append(_table_row([*times, _session_cells(agenda, row, memo)]))
    return lines


def _session_cells(agenda: Agenda, row: AgendaRow, memo: dict[str, str]) -> str:
    """Return the session, room and people cells of a row, joined; the same in every agenda."""
    cells = memo.get(row.slot.id)
    if cells is None:
        people = "; ".join(escape(label) for label in people_labels(agenda.timetable, row.slot))
        cells = memo[row.slot.id] = f"{_session_cell(row)} | {_room_cell(agenda, row)} | {people}"
    return cells


def _session_cell(row: AgendaRow) -> str:
    """Return `**Title** · panel · *restricted*`."""
    session = row.slot.session
    parts = [f"**{escape(session.title)}**"]
    if kind_label(session):
        parts.append(escape(kind_label(session)))
    if session.is_restricted:
        parts.append(f"*{RESTRICTED}*")
    return " · ".join(parts)


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
