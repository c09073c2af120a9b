"""Each delegation's agenda as Markdown and HTML files, in its own local time."""

from __future__ import annotations

from vconf.agenda import build_agenda
from vconf.files import agenda_html_path, agenda_markdown_path
from vconf.render.html import agenda_as_html
from vconf.render.markdown import agenda_as_markdown
from vconf.timetable import Timetable


def agenda_files(timetable: Timetable) -> dict[str, bytes]:
    """Return `{agendas/<CODE>.md|.html: UTF-8 bytes}` for every declared delegation, by path.

    Each agenda is in the delegation's zone, with the event zone as a second column when it is
    another zone; it holds the delegation's own restricted sessions and no one else's.
    """
    event_tz = timetable.conference.event.tz_name
    files: dict[str, bytes] = {}
    html_memo: dict[str, str] = {}  # a session's cells are the same in every delegation's file
    markdown_memo: dict[str, str] = {}
    for code in sorted(timetable.delegations):
        own_tz = timetable.delegations[code].tz_name
        zones = (own_tz,) if own_tz == event_tz else (own_tz, event_tz)
        agenda = build_agenda(timetable, delegation=code, tz_names=zones)
        html_text = agenda_as_html(agenda, memo=html_memo)
        markdown_text = agenda_as_markdown(agenda, memo=markdown_memo)
        files[agenda_html_path(code)] = html_text.encode("utf-8")
        files[agenda_markdown_path(code)] = markdown_text.encode("utf-8")
    return files
