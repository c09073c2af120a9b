"""An agenda as one standalone HTML page: a heading, then a table per day, fit for paper and phone.

Printed (SPEC §8): A4 pages whose margins carry the title, the export's revision and the page
number; each day is one table whose head (the day, then the column headings) repeats on every
page it runs over; no session row is split; every day shares one set of column widths. On a
narrow screen the tables become stacked blocks, each cell labelled. No script, no external
request: the stylesheet is inline and the fonts are the reader's own.

Every piece of text goes through `html.escape` (and `_css_string` inside the stylesheet); a room
URL becomes an `href` only when it is http(s). (Inside this module `import html` is the standard
library: imports are absolute.)
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from vconf.agenda import Agenda, AgendaDay, AgendaRow, Parallel
from vconf.language import Language, language_for
from vconf.model import Room
from vconf.render.words import (
    ARROW,
    MIDDLE_DOT,
    column_headings,
    column_name,
    delegation_names,
    host_of,
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
    zones_text,
)

_HEADINGS = ("Session", "Room", "People", "Delegations", "Languages")
# The share of the page each column after the times gets, in that order; the time columns get
# _TIME_WIDTH percent each. The same for every day of a document, so no width jumps.
_WEIGHTS = (29, 16, 23, 17, 15)
_TIME_WIDTH = 12
# The columns labelled on a phone, by their index in _HEADINGS: a title and a people list
# ("Speakers: …") say what they are.
_PHONE_LABELLED = (1, 3, 4)

_STYLE = """\
:root { color-scheme: light; }
body { font-family: system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #111;
       background: #fff; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
header { display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; flex: 1 1 auto; }
header p { margin: .2rem 0; flex-basis: 100%; }
header p.calendar { flex-basis: auto; }
.note, .kind, .host { color: #555; }
.host { font-size: .85em; display: block; }
.description { margin: .2rem 0 0; }
.error { color: #b00; font-weight: bold; } .warning { color: #850; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: 1.5rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; overflow-wrap: break-word;
         border-bottom: 1px solid #ccc; }
tr.day th { font-size: 1.15rem; padding: .3rem 0; border-bottom: 2px solid #111; }
tr.columns th { font-size: .9em; border-bottom: 1px solid #111; }
tr.parallel th, tr.shift td { font-weight: normal; background: #eef; }
td.time { font-variant-numeric: tabular-nums; }
.offset { white-space: nowrap; }
.restricted { border: 1px solid #a0a; border-radius: .2rem; padding: 0 .2rem; color: #a0a;
              font-size: .85em; }
.links ul { padding-left: 1.2rem; } .links li { overflow-wrap: anywhere; }
@page { size: A4; margin: 16mm 12mm 16mm;
  @top-left { font: 8pt system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #333; }
  @bottom-left { font: 8pt system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #333; }
  @bottom-right { font: 8pt system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #333; } }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 9pt; color: #000; }
  a { color: inherit; text-decoration: none; }
  h1 { font-size: 14pt; }
  header p.calendar { display: none; }
  table { margin-top: 4mm; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  tr.day th { font-size: 11pt; border-bottom-color: #000; }
  tr.columns th { border-bottom-color: #000; }
  th, td { padding: 1.2mm 1.2mm; border-bottom-color: #999; }
  td, tr.columns th { font-size: 8.5pt; }
  tr.parallel th, tr.shift td { background: none; font-style: italic; }
  .note, .kind, .host { color: #333; }
  .restricted { color: #000; border-color: #000; }
  .error, .warning { color: #000; }
  .links { break-inside: avoid; }
}
@media screen and (max-width: 600px) {
  body { margin: 1rem auto; }
  table, thead, tbody, tr, th, td { display: block; width: auto; }
  colgroup, tr.columns { display: none; }
  tbody tr { padding: .5rem 0; border-bottom: 1px solid #ccc; }
  tbody th, tbody td { border: 0; padding: .1rem 0; }
  td.time { display: inline-block; margin-right: 1rem; font-weight: bold; }
  tbody td:not([colspan])::before { display: block; font-size: .8em; color: #555; }
  td.time::before { display: inline; margin-right: .4em; font-weight: normal; }
}"""
_CSS_UNSAFE = re.compile(r'[\\"<>&\x00-\x1f\x7f\u2028\u2029]')


@dataclass(frozen=True, slots=True)
class Issue:
    """The export a page belongs to, as its printed foot says: a revision and when it was issued.

    `revision` is a short id of what was issued (`agenda_files.issue_of`); `issued` the aware UTC
    instant its newest session stamp was issued, None when it issued no session.
    """

    revision: str
    issued: datetime | None


def agenda_as_html(
    agenda: Agenda,
    *,
    memo: dict[str, str] | None = None,
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
    title = html.escape(agenda.title)
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(language.tag, quote=True)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_STYLE}\n{_page_style(agenda, language, issue, source)}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{title}</h1>",
        *_header_lines(agenda, language, calendar),
        "</header>",
        *_body(agenda, {} if memo is None else memo, language),
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"


def _page_style(agenda: Agenda, language: Language, issue: Issue | None, source: str | None) -> str:
    """Return this page's own rules: what its printed margins say, its columns' widths and its
    cells' phone labels."""
    first = column_name(agenda, 0, language) if len(agenda.tz_names) > 1 else ""
    return f"@page {{ @top-left {{ content: {_css_string(agenda.title)}; }} }}\n" + _shared_style(
        language, issue, source, agenda.tz_names, first
    )


@functools.lru_cache(maxsize=256)
def _shared_style(
    language: Language,
    issue: Issue | None,
    source: str | None,
    tz_names: tuple[str, ...],
    first: str,
) -> str:
    """Return the page rules many pages share: the foot, the widths and the phone labels.

    `first` names the first time column when there are several (a delegation's name).
    """
    pages = [
        f"counter({'page' if part == '{n}' else 'pages'})" if part in ("{n}", "{m}") else
        _css_string(part)
        for part in re.split(r"(\{[nm]\})", language.label("page {n} of {m}"))
        if part
    ]  # fmt: skip
    rules = [
        f"@page {{ @bottom-left {{ content: {_css_string(foot_text(language, issue, source))}; }}",
        f"  @bottom-right {{ content: {' '.join(pages)}; }} }}",
        _column_widths(len(tz_names)),
        "@media screen and (max-width: 600px) {",
        *_phone_labels(language, tz_names, first),
        "}",
    ]
    return "\n".join(rules)


@functools.cache
def _column_widths(zones: int) -> str:
    """Return the widths every day's table shares: a time column per zone, then the rest.

    One rule for the whole page, so a column is as wide on every day (`table-layout: fixed`).
    """
    rest = 100 - _TIME_WIDTH * zones
    widths = [_TIME_WIDTH] * zones + [rest * weight / sum(_WEIGHTS) for weight in _WEIGHTS]
    return " ".join(
        f"col:nth-child({column}) {{ width: {width:.1f}%; }}"
        for column, width in enumerate(widths, start=1)
    )


def foot_text(language: Language, issue: Issue | None, source: str | None) -> str:
    """Return what the foot of each printed page says: the revision and when, or that it is a draft.

    The time is the revision's own, never the time of writing: an unchanged plan exported again
    gives the same bytes.
    """
    if issue is not None and issue.issued is not None:
        issued = issue.issued.astimezone(timezone.utc)
        minute = issued.replace(second=0, microsecond=0)  # the minute is precise enough
        when = f"{language.long_date(issued.date())} {language.clock(minute)} UTC"
        return language.label(
            "As of revision {rev}, exported {date}", rev=issue.revision, date=when
        )
    if issue is not None:
        return language.label("As of revision {rev}", rev=issue.revision)
    if source:
        return language.label("Draft from {file}, not an exported revision", file=source)
    return language.label("Draft, not an exported revision")


def _phone_labels(language: Language, tz_names: tuple[str, ...], first: str) -> list[str]:
    """Return the rules that label a session's cells when its row is a stacked block.

    The time columns are labelled only when there are several: the first by `first`, the others
    by their city.
    """
    labels: list[tuple[int, str]] = []
    if len(tz_names) > 1:
        labels = [(0, first)]
        labels += [(column, language.zone_name(tz)) for column, tz in enumerate(tz_names) if column]
    labels += [
        (len(tz_names) + index, language.label(_HEADINGS[index])) for index in _PHONE_LABELLED
    ]
    return [
        f"  tbody td:not([colspan]):nth-child({column + 1})::before "
        f"{{ content: {_css_string(label)}; }}"
        for column, label in labels
    ]


def _css_string(text: str) -> str:
    """Return text as a double-quoted CSS string that cannot end the string, rule or `<style>`."""
    return '"' + _CSS_UNSAFE.sub(lambda match: f"\\{ord(match.group()):x} ", text) + '"'


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


def _body(agenda: Agenda, memo: dict[str, str], language: Language) -> list[str]:
    """Return the lines after the header: a table per day, then the rooms' full links."""
    if not agenda.days:
        return [f"<p>{html.escape(no_sessions_text(agenda, language))}</p>"]
    zones = " ".join(agenda.tz_names)
    span = len(agenda.tz_names) + len(_HEADINGS)
    colgroup = "<colgroup>" + "<col>" * span + "</colgroup>"  # widths: `_page_style`
    heads: dict[tuple[object, ...], str] = {}  # the column headings of each set of offsets
    rooms: set[str | None] = set()
    lines = []
    for day in agenda.days:
        day_row = f'<tr class="day"><th colspan="{span}">{html.escape(long_day(language, day.day))}'
        lines += [
            "<table>",
            colgroup,
            f"<thead>\n{day_row}</th></tr>",
            _column_row(agenda, day, language, heads),
            "</thead>",
            "<tbody>",
            *_day_rows(agenda, day, memo, language, zones=zones, span=span, rooms=rooms),
            "</tbody>",
            "</table>",
        ]
    return lines + _links(agenda, rooms, memo, language)


def _column_row(
    agenda: Agenda, day: AgendaDay, language: Language, heads: dict[tuple[object, ...], str]
) -> str:
    """Return a day's row of column headings; `heads` keeps them by the day's pytz tzinfos.

    A pytz tzinfo stands for one offset and abbreviation, which are all a heading shows of a
    day (`column_headings`), so days with the same tzinfos share one row; a zoneinfo time
    (after 2037) is not keyed.
    """
    tzinfos = tuple(
        {moment.tzinfo: None for row in day.rows for span in row.spans
         for moment in (span.start, span.end)}
    )  # fmt: skip
    keyed = all(hasattr(tzinfo, "localize") for tzinfo in tzinfos)
    found = heads.get(tzinfos) if keyed else None
    if found is None:
        headings = column_headings(agenda, day, language)
        zones = "".join(f'<th scope="col">{_zone_heading(heading)}</th>' for heading in headings)
        found = f'<tr class="columns">{zones}{_label_headings(language)}</tr>'
        if keyed:
            heads[tzinfos] = found
    return found


@functools.cache
def _label_headings(language: Language) -> str:
    """Return the `<th>`s of the columns after the times, in one language."""
    return "".join(
        f'<th scope="col">{html.escape(language.label(heading))}</th>' for heading in _HEADINGS
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
    memo: dict[str, str],
    language: Language,
    *,
    zones: str,
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
            rows.append(_row(agenda, row, memo, language, zones))
            rooms.add(row.slot.session.room)
    return rows


def _row(
    agenda: Agenda, row: AgendaRow, memo: dict[str, str], language: Language, zones: str
) -> str:
    """Return one session's `<tr>`; the same in every agenda with the same zones (memo)."""
    key = f"{row.slot.id}\n{zones}"
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


def _links(
    agenda: Agenda, ids: set[str | None], memo: dict[str, str], language: Language
) -> list[str]:
    """Return the list of the page's online rooms (`ids`) with their full addresses, or none.

    Kept in `memo` by the set of rooms: pages of one event share a handful of lists.
    """
    key = "\0rooms " + " ".join(sorted(room for room in ids if room is not None))
    found = memo.get(key)
    if found is None:
        rooms = [agenda.timetable.rooms[room] for room in ids if room is not None]
        found = memo[key] = "\n".join(_links_lines(rooms, language))
    return [found] if found else []


def _links_lines(rooms: list[Room], language: Language) -> list[str]:
    """Return the section listing the rooms reached by a web link, by name, or no line."""
    items = [
        f'<li>{html.escape(room.name)}: <a href="{html.escape(room.url, quote=True)}">'
        f"{html.escape(room.url)}</a></li>"
        for room in sorted(rooms, key=lambda room: (room.name, room.id))
        if room.url is not None and is_web_url(room.url)
    ]
    if not items:
        return []
    heading = html.escape(language.label("Rooms and links"))
    return ['<section class="links">', f"<h2>{heading}</h2>", "<ul>", *items, "</ul>", "</section>"]
