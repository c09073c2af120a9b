"""The agenda pages as Markdown and HTML files: per delegation, the programme, per person.

Each page is in its reader's language (SPEC §8): a delegation's in the delegation's `language`,
a person's in their delegation's, the programme in the event's; else English.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from vconf.agenda import build_agenda
from vconf.errors import VconfError
from vconf.files import (
    agenda_html_path,
    agenda_markdown_path,
    delegation_calendar_path,
    person_agenda_path,
    person_calendar_path,
    programme_path,
    public_calendar_path,
)
from vconf.language import Language, language_for
from vconf.render.html import UnsignedPage, unsigned_html
from vconf.render.markdown import agenda_as_markdown
from vconf.render.page_style import Issue, foot_text
from vconf.render.words import Memo
from vconf.revisions import ChangeKind, Revision
from vconf.timetable import Timetable, slots_for
from vconf.timezones import utc_text


@dataclass(frozen=True, slots=True)
class Page:
    """One party's agenda, to be written as Markdown and HTML: whose, where, in which language.

    `rows` is how many sessions it shows: what rendering it costs.
    """

    paths: tuple[str, str]  # the HTML page, the Markdown page
    calendar: str  # the party's .ics file, linked from the HTML page
    language: Language
    rows: int
    delegation: str | None = None
    person: str | None = None
    public: bool = False


def agenda_files(
    timetable: Timetable, *, revision: Revision | None = None, calendars: Collection[str] = ()
) -> dict[str, bytes]:
    """Return the agenda pages as `{path: UTF-8 bytes}` (SPEC §5 and §8), by path.

    - `agendas/<CODE>.md|.html`: each delegation's agenda in its zone, then the event zone; it
      holds the delegation's own restricted sessions and no one else's;
    - `programme.md|.html`: the public programme in the event zone, nothing restricted;
    - `agendas/people/<id>.md|.html`: each person's agenda in their delegation's zone (else
      the event zone), then the event zone: the minister's folder.

    `revision` is the export the pages belong to, named in each printed page's foot (without
    it the pages say they are a draft); an HTML page links its party's calendar file when
    `calendars` (the paths written beside it) holds it.
    """
    issue = issue_of(revision) if revision is not None else None
    return render_pages(timetable, agenda_pages(timetable), issue=issue, calendars=calendars)


def agenda_pages(timetable: Timetable) -> list[Page]:
    """Return every agenda page of the event (`agenda_files`): delegations, programme, people."""
    event = timetable.conference.event
    pages = [
        Page(
            (agenda_html_path(code), agenda_markdown_path(code)),
            delegation_calendar_path(code),
            _language_of(timetable, code),
            len(slots_for(timetable, delegation=code)),
            delegation=code,
        )
        for code in sorted(timetable.delegations)
    ]
    pages.append(
        Page(
            (programme_path("html"), programme_path("md")),
            public_calendar_path(event.id),
            _language_of(timetable, None),
            len(timetable.slots),
            public=True,
        )
    )
    pages += [
        Page(
            (person_agenda_path(person, "html"), person_agenda_path(person, "md")),
            person_calendar_path(person),
            _language_of(timetable, timetable.people[person].delegation),
            len(slots_for(timetable, person=person)),
            person=person,
        )
        for person in sorted(timetable.people)
    ]
    return pages


def render_pages(
    timetable: Timetable,
    pages: Iterable[Page],
    *,
    issue: Issue | None = None,
    calendars: Collection[str] = (),
    memos: dict[str, Memo] | None = None,
) -> dict[str, bytes]:
    """Return the pages' Markdown and HTML as `{path: UTF-8 bytes}` (`agenda_files`).

    `issue` (`issue_of(revision)`) is named in each printed page's foot; `memos` keeps each
    language's `Memo` for the next call (pages rendered in batches).
    """
    return render_unsigned(timetable, pages, calendars=calendars, memos=memos).signed(issue)


@dataclass(frozen=True, slots=True)
class Unsigned:
    """Pages rendered before the export they belong to is known: the Markdown pages whole, the
    HTML pages but for the foot of their printed pages, which names it (`signed`)."""

    markdown: dict[str, bytes]
    html: dict[str, tuple[UnsignedPage, Language]]

    def signed(self, issue: Issue | None) -> dict[str, bytes]:
        """Return every page as `{path: UTF-8 bytes}`, each HTML page's foot naming `issue`."""
        feet: dict[Language, str] = {}  # what the foot says, in each page's language
        files: dict[str, bytes] = {}
        for path, (page, language) in self.html.items():
            if language not in feet:
                feet[language] = foot_text(language, issue, None)
            files[path] = page.signed(feet[language])
        files.update(self.markdown)
        return files


def render_unsigned(
    timetable: Timetable,
    pages: Iterable[Page],
    *,
    calendars: Collection[str] = (),
    memos: dict[str, Memo] | None = None,
) -> Unsigned:
    """Return the pages as `render_pages` does, but for their printed foot (`Unsigned`)."""
    event = timetable.conference.event
    markdown: dict[str, bytes] = {}
    html: dict[str, tuple[UnsignedPage, Language]] = {}
    # a session's cells are the same in every agenda page of one language
    memos = {} if memos is None else memos
    for page in pages:
        agenda = build_agenda(
            timetable,
            delegation=page.delegation,
            person=page.person,
            public=page.public,
            tz_names=() if page.public else (event.tz_name,),
        )
        # a closed session's block in the programme is not its cells
        memo = Memo() if page.public else memos.setdefault(page.language.tag, Memo())
        link = posixpath.relpath(page.calendar, posixpath.dirname(page.paths[0]) or ".")
        html[page.paths[0]] = (
            unsigned_html(
                agenda,
                memo=memo,
                language=page.language,
                calendar=link if page.calendar in calendars else None,
            ),
            page.language,
        )
        text = agenda_as_markdown(agenda, memo=memo, language=page.language)
        markdown[page.paths[1]] = text.encode("utf-8")
    return Unsigned(markdown, html)


def issue_of(revision: Revision) -> Issue:
    """Return what a revision's pages say of it: a short id of its stamps and the newest one.

    Both come from what DIR holds (each active session's SEQUENCE and DTSTAMP, and each
    cancelled copy's), never from the time of the run: an unchanged plan exported again, or a
    run finishing one that was stopped, keeps its stamps, so its pages keep their bytes.
    """
    # a cancel is counted by its cancelled copies (tombstones), which later runs keep, and not
    # by its change, which only the run that cancels lists
    active = [change for change in revision.changes if change.kind is not ChangeKind.CANCELLED]
    stamps = [
        f"{change.session_id} {change.stamp.sequence} {utc_text(change.stamp.dtstamp)}"
        for change in active
    ] + [
        f"{tombstone.path} {tombstone.session_id} {tombstone.stamp.sequence} "
        f"{utc_text(tombstone.stamp.dtstamp)}"
        for tombstone in revision.tombstones
    ]
    digest = hashlib.sha256("\n".join(sorted(stamps)).encode("utf-8")).hexdigest()
    moments = [change.stamp.dtstamp for change in active]
    moments += [tombstone.stamp.dtstamp for tombstone in revision.tombstones]
    return Issue(revision=digest[:8], issued=max(moments, default=None))


def _language_of(timetable: Timetable, code: str | None) -> Language:
    """Return the language of a delegation's pages (the event's for None; SPEC §8)."""
    own = timetable.delegations[code].language if code is not None else None
    tag = own or timetable.conference.event.language or "en"
    try:
        return language_for(tag)
    except VconfError as error:
        raise error.within(
            *(("delegations", code) if own is not None and code is not None else ("event",)),
            "language",
        ) from None
