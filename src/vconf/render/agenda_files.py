"""The agenda pages as Markdown and HTML files: per delegation, the programme, per person."""

from __future__ import annotations

from vconf.agenda import build_agenda
from vconf.files import (
    agenda_html_path,
    agenda_markdown_path,
    person_agenda_path,
    programme_path,
)
from vconf.render.html import agenda_as_html
from vconf.render.markdown import agenda_as_markdown
from vconf.timetable import Timetable


def agenda_files(timetable: Timetable) -> dict[str, bytes]:
    """Return the agenda pages as `{path: UTF-8 bytes}` (SPEC §5 and §8), by path.

    - `agendas/<CODE>.md|.html`: each delegation's agenda in its zone, then the event zone; it
      holds the delegation's own restricted sessions and no one else's;
    - `programme.md|.html`: the public programme in the event zone, nothing restricted;
    - `agendas/people/<id>.md|.html`: each person's agenda in their delegation's zone (else
      the event zone), then the event zone: the minister's folder.
    """
    event_tz = timetable.conference.event.tz_name
    files: dict[str, bytes] = {}
    html_memo: dict[str, str] = {}  # a session's cells are the same in every agenda page
    markdown_memo: dict[str, str] = {}

    def add(paths: tuple[str, str], agenda_html: str, agenda_markdown: str) -> None:
        files[paths[0]] = agenda_html.encode("utf-8")
        files[paths[1]] = agenda_markdown.encode("utf-8")

    for code in sorted(timetable.delegations):
        agenda = build_agenda(timetable, delegation=code, tz_names=(event_tz,))
        add(
            (agenda_html_path(code), agenda_markdown_path(code)),
            agenda_as_html(agenda, memo=html_memo),
            agenda_as_markdown(agenda, memo=markdown_memo),
        )
    programme = build_agenda(timetable, public=True)
    add(
        (programme_path("html"), programme_path("md")),
        agenda_as_html(programme),
        agenda_as_markdown(programme),
    )
    for person in sorted(timetable.people):
        agenda = build_agenda(timetable, person=person, tz_names=(event_tz,))
        add(
            (person_agenda_path(person, "html"), person_agenda_path(person, "md")),
            agenda_as_html(agenda, memo=html_memo),
            agenda_as_markdown(agenda, memo=markdown_memo),
        )
    return files
