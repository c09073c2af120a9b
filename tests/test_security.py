"""A restricted or closed session never reaches anyone outside it, in any file or format.

A closed session leaves only its busy block in the public calendar: its times, nothing else.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from vconf.agenda import build_agenda
from vconf.export import build_ics_files
from vconf.language import language_for
from vconf.model import Conference, Delegation, Event, Hours, Person, Room, Session, Visibility
from vconf.render.agenda_files import agenda_files
from vconf.render.html import agenda_as_html
from vconf.render.json import agenda_as_json
from vconf.render.markdown import agenda_as_markdown
from vconf.render.text import agenda_as_text
from vconf.revisions import Contents, plan_revision
from vconf.timetable import Slot, Timetable, build_timetable

NOW = datetime(2024, 5, 1, tzinfo=timezone.utc)
CODES = ("AA", "BB", "CC", "DD")
ZONES = ("Asia/Jakarta", "America/New_York", "Europe/Berlin", "Australia/Adelaide")
SHARED_PEOPLE = tuple(f"shared{number}" for number in range(4))


@st.composite
def conferences(draw: st.DrawFn) -> Conference:
    """Events whose restricted sessions use their own marked title, room and people."""
    delegations = tuple(
        Delegation(
            code, f"Delegation {code}", zone, Hours(0, 1440), email=f"{code.lower()}@x.example"
        )
        for code, zone in zip(CODES, ZONES, strict=True)
    )
    people = [
        Person(pid, f"Person {pid}", draw(st.sampled_from(CODES)), f"{pid}@x.example")
        for pid in SHARED_PEOPLE
    ]
    rooms = [Room("public-room", "Public room", "https://meet.example/public")]
    sessions = []
    for number in range(1, draw(st.integers(1, 8)) + 1):
        visibility = draw(st.sampled_from(tuple(Visibility)))
        restricted = visibility is not Visibility.PUBLIC
        prefix = {"public": "open", "restricted": "secret", "closed": "closed"}[visibility.value]
        session_id = f"{prefix}{number}"
        if restricted:
            own = f"secretperson{number}"
            people.append(
                Person(
                    own, f"Secret Person {number}", draw(st.sampled_from(CODES)), f"{own}@x.example"
                )
            )
            rooms.append(
                Room(
                    f"secretroom{number}",
                    f"Secret room {number}",
                    f"https://meet.example/secretroom{number}",
                )
            )
            speakers = (own,)
            room = f"secretroom{number}"
        else:
            speakers = tuple(sorted(draw(st.sets(st.sampled_from(SHARED_PEOPLE), max_size=2))))
            room = "public-room"
        sessions.append(
            Session(
                id=session_id,
                title=f"Title of {session_id}",
                description=f"Description of {session_id}",
                start=datetime(2024, 5, 6, 8) + timedelta(hours=2 * number),
                tz_name="Asia/Jakarta",
                number=number,
                duration=timedelta(hours=1),
                room=room,
                delegations=tuple(sorted(draw(st.sets(st.sampled_from(CODES), max_size=2)))),
                speakers=speakers,
                visibility=visibility,
            )
        )
    event = Event("leaks", "Leak test", "Asia/Jakarta")
    return Conference(event, delegations, tuple(people), tuple(rooms), tuple(sessions))


def secrets_of(timetable: Timetable) -> dict[str, tuple[set[str], list[str]]]:
    """For each restricted session: the parties allowed to see it, and the strings it must hide."""
    found = {}
    for slot in timetable.slots:
        session = slot.session
        if not session.is_restricted:
            continue
        number = session.id.removeprefix("secret").removeprefix("closed")
        allowed = {f"delegations/{code}" for code in slot.delegations}
        allowed |= {f"people/{pid}" for pid in slot.people}
        # a closed session's block has its id in its own UID (SPEC §7): the session's UID is hidden
        uid = (
            f"{session.id}.{timetable.conference.event.id}@"
            if session.is_closed
            else f"{session.id}."
        )
        marks = [uid, f"Title of {session.id}", f"Description of {session.id}",
                 f"Secret room {number}", f"Secret Person {number}",
                 f"secretroom{number}"]  # fmt: skip
        found[session.id] = (allowed, marks)
    return found


def party_of(path: str) -> str:
    """`delegations/AA.ics` -> `delegations/AA`; `agendas/AA.md` -> `delegations/AA`;
    `agendas/people/p.html` -> `people/p`; `programme.md` -> `programme` (nobody's: public).
    """
    stem = path.rsplit(".", 1)[0]
    if stem.startswith("agendas/people/"):
        return stem.removeprefix("agendas/")
    return stem.replace("agendas/", "delegations/")


@given(conferences())
def test_no_restricted_session_reaches_a_file_of_anyone_outside_it(conference: Conference) -> None:
    timetable = build_timetable(conference)
    files = build_ics_files(
        timetable, plan_revision(Contents(), timetable, now=NOW)
    ) | agenda_files(timetable)
    assert "programme.html" in files
    assert "programme.md" in files
    people_pages = {
        f"agendas/people/{pid}.{ext}" for pid in timetable.people for ext in ("md", "html")
    }
    assert people_pages <= files.keys()
    for session_id, (allowed, marks) in secrets_of(timetable).items():
        for path, data in files.items():
            text = data.decode("utf-8").replace("\r\n ", "")
            if path == f"invites/{session_id}.ics" or party_of(path) in allowed:
                continue
            for mark in marks:
                assert mark not in text, f"{mark!r} of {session_id} leaked into {path}"


@given(conferences())
def test_no_restricted_session_reaches_another_partys_agenda_in_any_format(
    conference: Conference,
) -> None:
    from rich.console import Console

    timetable = build_timetable(conference)
    secrets = secrets_of(timetable)
    parties = [("delegation", code) for code in CODES] + [
        ("person", p.id) for p in conference.people
    ]
    for kind, party in parties:
        options = {kind: party}
        agenda = build_agenda(timetable, **options)  # type: ignore[arg-type]
        console = Console(width=80, color_system=None, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        for renderable in agenda_as_text(agenda):
            console.print(renderable)
        outputs = [
            agenda_as_json(agenda),
            agenda_as_markdown(agenda),
            agenda_as_html(agenda),
            console.export_text(),
        ]
        console.file.close()
        key = f"{'delegations' if kind == 'delegation' else 'people'}/{party}"
        for session_id, (allowed, marks) in secrets.items():
            if key in allowed:
                continue
            for output in outputs:
                for mark in marks:
                    assert mark not in output, f"{mark!r} of {session_id} leaked to {key}"


BLOCK_PROPERTIES = {
    "UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY", "CLASS", "TRANSP",
    "ORGANIZER",  # the event's, not the session's: RFC 5546 wants one in every PUBLISH VEVENT
}  # fmt: skip


@given(conferences())
def test_the_public_calendar_holds_each_closed_session_as_a_bare_busy_block(
    conference: Conference,
) -> None:
    timetable = build_timetable(conference)
    files = build_ics_files(timetable, plan_revision(Contents(), timetable, now=NOW))
    calendar = icalendar.Calendar.from_ical(files["leaks.ics"])
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    closed = [slot for slot in timetable.slots if slot.session.is_closed]
    for slot in closed:
        block = events[f"{slot.id}.closed.leaks@vconf.invalid"]
        assert set(block) == BLOCK_PROPERTIES
        assert (str(block["SUMMARY"]), str(block["CLASS"]), str(block["TRANSP"])) == (
            "Closed meeting",
            "CONFIDENTIAL",
            "OPAQUE",
        )
        assert str(block["ORGANIZER"]) == "mailto:noreply@vconf.invalid"
        assert block.decoded("DTSTART") == slot.start_utc
        assert block.decoded("DTEND") == slot.end_utc
        assert f"{slot.id}.leaks@vconf.invalid" not in events  # the full event stays private
    for party in slot_parties(closed):
        party_events = icalendar.Calendar.from_ical(files[f"{party}.ics"]).walk("VEVENT")
        assert not any(".closed." in str(event["UID"]) for event in party_events)


def slot_parties(slots: list[Slot]) -> set[str]:
    """The calendar files of the parties of the slots: they see the full event, not the block."""
    parties = {f"delegations/{code}" for slot in slots for code in slot.delegations}
    return parties | {f"people/{pid}" for slot in slots for pid in slot.people}


@settings(max_examples=8, deadline=None)  # a PDF takes WeasyPrint a few tenths of a second
@given(conferences(), st.sampled_from(("en", "vi", "fr", "id")))
def test_no_restricted_session_reaches_the_programme_page_or_its_pdf(
    conference: Conference, code: str
) -> None:
    """The programme's HTML, in any language, and the text of its printed PDF hold nothing of
    a restricted or closed session but a closed one's busy block."""
    timetable = build_timetable(conference)
    programme = build_agenda(timetable, public=True)
    page = agenda_as_html(programme, language=language_for(code))
    outputs = [page, agenda_files(timetable)["programme.html"].decode("utf-8")]
    if importlib.util.find_spec("weasyprint") is not None and shutil.which("pdftotext"):
        from vconf.render.pdf import html_as_pdf

        with tempfile.TemporaryDirectory() as scratch:
            pdf = Path(scratch) / "programme.pdf"
            pdf.write_bytes(html_as_pdf(page))
            done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
            outputs.append(done.stdout.decode("utf-8"))
    for session_id, (_, marks) in secrets_of(timetable).items():
        for output in outputs:
            for mark in marks:
                assert mark not in output, f"{mark!r} of {session_id} leaked to the programme"
