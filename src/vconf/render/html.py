"""An agenda as one standalone HTML page: a heading, then a table per day, readable on paper.

Every piece of text goes through `html.escape`; a room URL becomes an `href` only when it is
http(s). (Inside this module `import html` is the standard library: imports are absolute.)
"""

from __future__ import annotations

import html

from vconf.agenda import Agenda, AgendaDay, AgendaRow
from vconf.language import Language, language_for
from vconf.render.words import (
    ARROW,
    column_headings,
    delegation_names,
    is_web_url,
    kind_name,
    languages_text,
    local_span_text,
    long_day,
    no_sessions_text,
    parallel_text,
    people_text,
    room_of,
    session_marks,
    shift_text,
    times_notes_text,
    visibility_mark,
)

_HEADINGS = ("Session", "Room", "People", "Delegations", "Languages")

_STYLE = """\
body { font-family: system-ui, sans-serif; color: #111; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
.note, .kind { color: #555; }
.description { margin: .2rem 0 0; }
.error { color: #b00; font-weight: bold; } .warning { color: #850; }
tr.parallel th, tr.shift td { text-align: left; font-weight: normal; background: #eef; }
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


def agenda_as_html(
    agenda: Agenda, *, memo: dict[str, str] | None = None, language: Language | None = None
) -> str:
    """Return the agenda as a complete HTML page ending with a newline.

    `memo` keeps each session's cells by id, for many agendas of one timetable (`agenda_files`).
    """
    language = language or language_for("en")
    title = html.escape(agenda.title)
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(language.tag, quote=True)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        *_body(agenda, {} if memo is None else memo, language),
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def _body(agenda: Agenda, memo: dict[str, str], language: Language) -> list[str]:
    """Return the lines under the title: a note, then a section per day."""
    if not agenda.days:
        return [f"<p>{html.escape(no_sessions_text(agenda, language))}</p>"]
    notes = times_notes_text(agenda, language)
    lines = [f'<p class="note">{html.escape(note)}</p>' for note in notes]
    for day in agenda.days:
        lines += _day_section(agenda, day, memo, language)
    return lines


def _day_section(
    agenda: Agenda, day: AgendaDay, memo: dict[str, str], language: Language
) -> list[str]:
    """Return one day's heading and table: a time column per zone, then the session's cells."""
    labels = [language.label(heading) for heading in _HEADINGS]
    headings = [*column_headings(agenda, day, language), *labels]
    head = "".join(f'<th scope="col">{html.escape(heading)}</th>' for heading in headings)
    rows: list[str] = []
    span = len(headings)
    for group in day.groups:
        if len(group.rows) > 1:
            text = html.escape(parallel_text(group, language))
            rows.append(
                f'<tr class="parallel"><th colspan="{span}" scope="rowgroup">{text}</th></tr>'
            )
        for row in group.rows:
            for shift in row.shifts:
                text = html.escape(f"{ARROW} {shift_text(shift, agenda, language)}")
                rows.append(f'<tr class="shift"><td colspan="{span}">{text}</td></tr>')
            rows.append(_row(agenda, row, memo, language))
    return [
        "<section>",
        f"<h2>{html.escape(long_day(language, day.day))}</h2>",
        "<table>",
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _row(agenda: Agenda, row: AgendaRow, memo: dict[str, str], language: Language) -> str:
    """Return one session's `<tr>`; the same in every agenda with the same zones (memo)."""
    key = f"{row.slot.id}\n{' '.join(agenda.tz_names)}"
    line = memo.get(key)
    if line is None:
        times = "".join(
            f'<td class="time">{html.escape(local_span_text(span, language))}</td>'
            for span in row.spans
        )
        line = memo[key] = f"<tr>{times}{_session_cells(agenda, row, memo, language)}</tr>"
    return line


def _session_cells(agenda: Agenda, row: AgendaRow, memo: dict[str, str], language: Language) -> str:
    """Return the `<td>`s after the times; the same in every agenda of one language."""
    cells = memo.get(row.slot.id)
    if cells is None:
        session = row.slot.session
        people = html.escape(people_text(agenda.timetable, session, language))
        delegations = html.escape(", ".join(delegation_names(agenda, row.slot)))
        cells = memo[row.slot.id] = (
            f"<td>{_session_cell(agenda, row, language)}</td><td>{_room_cell(agenda, row)}</td>"
            f'<td class="people">{people}</td><td>{delegations}</td>'
            f"<td>{html.escape(languages_text(session, language))}</td>"
        )
    return cells


def _session_cell(agenda: Agenda, row: AgendaRow, language: Language) -> str:
    """Return the title in bold, the kind, the marks, then the description."""
    session = row.slot.session
    cell = f"<strong>{html.escape(session.title)}</strong>"
    if kind_name(session, language):
        cell += f' <span class="kind">· {html.escape(kind_name(session, language))}</span>'
    mark = visibility_mark(session, language)
    if mark:
        cell += f' <span class="restricted">{html.escape(mark)}</span>'
    for is_error, text in session_marks(row, agenda, language):
        kind = "error" if is_error else "warning"
        cell += f' <span class="{kind}">{html.escape(text)}</span>'
    if session.description.strip():
        cell += f'<p class="description">{html.escape(session.description.strip())}</p>'
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
