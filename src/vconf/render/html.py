"""An agenda as one standalone HTML page: a heading, then a table per day, readable on paper.

Every piece of text goes through `html.escape`; a room URL becomes an `href` only when it is
http(s). (Inside this module `import html` is the standard library: imports are absolute.)
"""

from __future__ import annotations

import html

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

_STYLE = """\
body { font-family: system-ui, sans-serif; color: #111; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
.note, .kind, .people { color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid #ccc; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.restricted { border: 1px solid #a0a; border-radius: .2rem; padding: 0 .2rem; color: #a0a;
              font-size: .85em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " <" attr(href) ">"; font-size: .85em; }
  h2 { break-after: avoid; } tr { break-inside: avoid; }
}"""


def agenda_as_html(agenda: Agenda, *, memo: dict[str, str] | None = None) -> str:
    """Return the agenda as a complete HTML page ending with a newline.

    `memo` keeps each session's cells by id, for many agendas of one timetable (`agenda_files`).
    """
    title = html.escape(agenda.title)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        *_body(agenda, {} if memo is None else memo),
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def _body(agenda: Agenda, memo: dict[str, str]) -> list[str]:
    """Return the lines under the title: a note, then a section per day."""
    if not agenda.days:
        return [f"<p>{html.escape(no_sessions_line(agenda))}</p>"]
    lines = [f'<p class="note">{html.escape(note)}</p>' for note in times_notes(agenda)]
    for day in agenda.days:
        lines += _day_section(agenda, day, memo)
    return lines


def _day_section(agenda: Agenda, day: AgendaDay, memo: dict[str, str]) -> list[str]:
    """Return one day's heading and table: a time column per zone, session, room, people."""
    headings = [*zone_headings(agenda, day), SESSION_HEADING, ROOM_HEADING, PEOPLE_HEADING]
    head = "".join(f'<th scope="col">{html.escape(heading)}</th>' for heading in headings)
    return [
        "<section>",
        f"<h2>{html.escape(day_heading(day.day))}</h2>",
        "<table>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *(_row(agenda, row, memo) for row in day.rows),
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _row(agenda: Agenda, row: AgendaRow, memo: dict[str, str]) -> str:
    """Return one session's `<tr>`."""
    times = "".join(f'<td class="time">{html.escape(span_text(span))}</td>' for span in row.spans)
    return f"<tr>{times}{_session_cells(agenda, row, memo)}</tr>"


def _session_cells(agenda: Agenda, row: AgendaRow, memo: dict[str, str]) -> str:
    """Return the session, room and people `<td>`s of a row; the same in every agenda."""
    cells = memo.get(row.slot.id)
    if cells is None:
        people = "; ".join(
            html.escape(label) for label in people_labels(agenda.timetable, row.slot)
        )
        cells = memo[row.slot.id] = (
            f"<td>{_session_cell(row)}</td><td>{_room_cell(agenda, row)}</td>"
            f'<td class="people">{people}</td>'
        )
    return cells


def _session_cell(row: AgendaRow) -> str:
    """Return the title in bold, the kind, and the restricted marker."""
    session = row.slot.session
    cell = f"<strong>{html.escape(session.title)}</strong>"
    if kind_label(session):
        cell += f' <span class="kind">· {html.escape(kind_label(session))}</span>'
    if session.is_restricted:
        cell += f' <span class="restricted">{RESTRICTED}</span>'
    return cell


def _room_cell(agenda: Agenda, row: AgendaRow) -> str:
    """Return the room as a link when its URL is http(s), else its name and URL as text."""
    room = room_of(agenda.timetable, row.slot.session)
    if room is None:
        return ""
    name = html.escape(room.name)
    if room.url is not None and is_web_url(room.url):
        return f'<a href="{html.escape(room.url, quote=True)}">{name}</a>'
    if room.url is not None:
        return f"{name} ({html.escape(room.url)})"
    return name
