"""An agenda as one standalone HTML page: a heading, then a table per day, fit for paper and phone.

Printed (SPEC §8): A4 pages whose margins carry the title, the export's revision and the page
number; each day is one table whose head (the day, then the column headings) repeats on every
page it runs over; no session row is split; every day shares one set of column widths. On a
narrow screen the tables become stacked blocks, each cell labelled. No script, no external
request: the stylesheet (`render/page_style.py`) is inline and the fonts are the reader's own.

Every piece of text goes through `html.escape` (`page_style.css_string` in the stylesheet); a
room URL becomes an `href` only when it is http(s). (Inside this module `import html` is the
standard library: imports are absolute.)
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from vconf.agenda import Agenda, AgendaDay, AgendaRow, Parallel
from vconf.language import Language, language_for
from vconf.model import Room
from vconf.render.page_style import HEADINGS, STYLE, Issue, css_string, foot_text, page_style
from vconf.render.words import (
    ARROW,
    MIDDLE_DOT,
    Memo,
    column_headings,
    delegation_names,
    headings_key,
    host_of,
    is_web_url,
    kind_name,
    languages_text,
    long_day,
    no_sessions_text,
    parallel_text,
    role_lines,
    room_of,
    row_times,
    session_marks,
    shift_text,
    times_notes_text,
    visibility_mark,
    zones_text,
)


def agenda_as_html(
    agenda: Agenda,
    *,
    memo: Memo | None = None,
    language: Language | None = None,
    issue: Issue | None = None,
    source: str | None = None,
    calendar: str | None = None,
) -> str:
    """Return the agenda as a complete HTML page ending with a newline.

    `memo` keeps each session's cells by id, for many agendas of one timetable in one language
    (`agenda_files`). The foot of each printed page names the export (`issue`), else says the
    page is a draft of the file `source`. `calendar` is the href of the party's .ics file, shown
    as "Add to calendar" beside the heading.
    """
    language = language or language_for("en")
    page = unsigned_html(agenda, memo=memo, language=language, calendar=calendar)
    return page.signed(foot_text(language, issue, source)).decode("utf-8")


@dataclass(frozen=True, slots=True)
class UnsignedPage:
    """An HTML page in UTF-8 but for what the foot of its printed pages says (`foot_text`):
    rendered before the export it belongs to is known, signed once it is (`agenda_files`)."""

    head: bytes
    tail: bytes

    def signed(self, foot: str) -> bytes:
        """Return the whole page, its printed foot saying `foot`."""
        return self.head + css_string(foot).encode("utf-8") + self.tail


def unsigned_html(
    agenda: Agenda, *, memo: Memo | None, language: Language, calendar: str | None
) -> UnsignedPage:
    """Return the page `agenda_as_html` makes, but for its printed foot's text."""
    title = html.escape(agenda.title)
    style_head, style_tail = page_style(agenda, language)
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(language.tag, quote=True)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{STYLE}\n{style_head}",
    ]
    tail = [
        f"{style_tail}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{title}</h1>",
        *_header_lines(agenda, language, calendar),
        "</header>",
        *_body(agenda, Memo() if memo is None else memo, language),
        "</body>",
        "</html>",
    ]
    return UnsignedPage("\n".join(head).encode("utf-8"), ("\n".join(tail) + "\n").encode("utf-8"))


def _header_lines(agenda: Agenda, language: Language, calendar: str | None) -> list[str]:
    """Return the lines under the title: the calendar link, the zones and the note on +1/-1."""
    lines = []
    if calendar is not None:
        link = html.escape(language.label("Add to calendar"))
        lines.append(
            f'<p class="calendar"><a href="{html.escape(calendar, quote=True)}">{link}</a></p>'
        )
    if agenda.days:
        lines.append(f'<p class="zones">{html.escape(zones_text(agenda, language))}</p>')
    lines += [
        f'<p class="note">{html.escape(note)}</p>' for note in times_notes_text(agenda, language)
    ]
    return lines


def _body(agenda: Agenda, memo: Memo, language: Language) -> list[str]:
    """Return the lines after the header: a table per day, then the rooms' full links."""
    if not agenda.days:
        return [f"<p>{html.escape(no_sessions_text(agenda, language))}</p>"]
    span = len(agenda.tz_names) + len(HEADINGS)
    colgroup = "<colgroup>" + "<col>" * span + "</colgroup>"  # widths: `page_style`
    rooms: set[str | None] = set()
    lines = []
    for day in agenda.days:
        day_row = f'<tr class="day"><th colspan="{span}">{html.escape(long_day(language, day.day))}'
        lines += [
            "<table>",
            colgroup,
            f"<thead>\n{day_row}</th></tr>",
            _column_row(agenda, day, language, memo),
            "</thead>",
            "<tbody>",
            *_day_rows(agenda, day, memo, language, span=span, rooms=rooms),
            "</tbody>",
            "</table>",
        ]
    return lines + _links(agenda, rooms, memo, language)


def _column_row(agenda: Agenda, day: AgendaDay, language: Language, memo: Memo) -> str:
    """Return a day's row of column headings, kept in `memo` (`words.headings_key`)."""
    key = headings_key(agenda, day, language)
    found = memo.html.get(key) if key is not None else None
    if found is None:
        headings = column_headings(agenda, day, language)
        zones = "".join(f'<th scope="col">{_zone_heading(heading)}</th>' for heading in headings)
        found = f'<tr class="columns">{zones}{_label_headings(language)}</tr>'
        if key is not None:
            memo.html[key] = found
    return found


@functools.cache
def _label_headings(language: Language) -> str:
    """Return the `<th>`s of the columns after the times, in one language."""
    return "".join(
        f'<th scope="col">{html.escape(language.label(heading))}</th>' for heading in HEADINGS
    )


@functools.lru_cache(maxsize=4096)  # thousands of days share a few dozen headings
def _zone_heading(heading: str) -> str:
    """Return `City of Pittsburgh · UTC-05:00 (EST)` escaped, no offset broken at its sign."""
    name, dot, offsets = heading.rpartition(MIDDLE_DOT)
    if not dot:
        return html.escape(heading)
    parts = (
        f'<span class="offset">{html.escape(part)}</span>'
        if "-" in part  # a line may break after a hyphen-minus, not after a plus
        else html.escape(part) + ("<wbr>" if part == "/" else "")
        for part in re.split("([ /])", offsets)
        if part
    )
    return f"{html.escape(name)}{dot}{''.join(parts)}"


def _day_rows(
    agenda: Agenda,
    day: AgendaDay,
    memo: Memo,
    language: Language,
    *,
    span: int,
    rooms: set[str | None],
) -> list[str]:
    """Return one day's rows: each session's, after the clock changes before it, and a line
    before each group of sessions that run in parallel; add the sessions' rooms to `rooms`."""
    rows: list[str] = []
    groups = day.groups if len(day.rows) > 1 else (Parallel(day.rows),)  # fast: one session
    for group in groups:
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
            rooms.add(row.slot.session.room)
    return rows


def _row(agenda: Agenda, row: AgendaRow, memo: Memo, language: Language) -> str:
    """Return one session's `<tr>`; the same in every agenda with the same zones (memo)."""
    key = (row.slot.id, agenda.tz_names)
    line = memo.html.get(key)
    if line is None:
        times = "".join(_time_cell(text) for text in row_times(memo, agenda, row, language))
        line = memo.html[key] = f"<tr>{times}{_session_cells(agenda, row, memo, language)}</tr>"
    return line


@functools.lru_cache(maxsize=1 << 14)  # 100,000 rows of a large event share a few thousand
def _time_cell(text: str) -> str:
    return f'<td class="time">{html.escape(text)}</td>'


def _session_cells(agenda: Agenda, row: AgendaRow, memo: Memo, language: Language) -> str:
    """Return the `<td>`s after the times; the same in every agenda of one language."""
    cells = memo.html.get(row.slot.id)
    if cells is None:
        session = row.slot.session
        people = "<br>".join(  # a line per role: speakers, moderators, attendees, interpreters
            html.escape(f"{label}: {', '.join(names)}")
            for label, names in role_lines(agenda.timetable, session, language)
        )
        delegations = html.escape(", ".join(delegation_names(agenda, row.slot)))
        cells = memo.html[row.slot.id] = (
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
    """Return the room as a link and its host when its URL is http(s), else its name and URL.

    The full address is in the list at the end of the page (`_links`), so a printed room column
    stays narrow.
    """
    room = room_of(agenda.timetable, row.slot.session)
    if room is None:
        return ""
    name = html.escape(room.name)
    if room.url is not None and is_web_url(room.url):
        link = f'<a href="{html.escape(room.url, quote=True)}">{name}</a>'
        host = host_of(room.url)
        return f'{link} <span class="host">{html.escape(host)}</span>' if host else link
    if room.url is not None:
        return f"{name} ({html.escape(room.url)})"
    return name


def _links(agenda: Agenda, ids: set[str | None], memo: Memo, language: Language) -> list[str]:
    """Return the section listing the page's rooms (`ids`) reached by a web link, by name, with
    their full addresses, or no line. Each room's item is kept in `memo`."""
    items = []
    for room_id in ids:
        if room_id is None:
            continue
        key = ("room", room_id)
        item = memo.html.get(key)
        if item is None:
            item = memo.html[key] = _link_item(agenda.timetable.rooms[room_id])
        if item:
            items.append((agenda.timetable.rooms[room_id].name, room_id, item))
    if not items:
        return []
    heading = html.escape(language.label("Rooms and links"))
    return [
        '<section class="links">',
        f"<h2>{heading}</h2>",
        "<ul>",
        *(item for *_, item in sorted(items)),
        "</ul>",
        "</section>",
    ]


def _link_item(room: Room) -> str:
    """Return a room's `<li>` with its full address, or '' when it has no web link."""
    if room.url is None or not is_web_url(room.url):
        return ""
    return (
        f'<li>{html.escape(room.name)}: <a href="{html.escape(room.url, quote=True)}">'
        f"{html.escape(room.url)}</a></li>"
    )
