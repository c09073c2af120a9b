"""iMIP messages, the outbox decision and SMTP delivery, against a real aiosmtpd server."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from hypothesis import example, given
from hypothesis import strategies as st

from vconf.contentlines import fold, unfold
from vconf.errors import VconfError
from vconf.mail import message as message_module
from vconf.mail.content import read_invitation, uninvite
from vconf.mail.message import (
    Kind,
    Letter,
    Mail,
    Party,
    build_invitation_message,
    build_mail,
    message_as_eml,
    message_id,
    summary_text,
)
from vconf.mail.outbox import (
    MessageState,
    Outgoing,
    State,
    Version,
    draft_path,
    letter_for,
    plan_outbox,
)
from vconf.mail.smtp import (
    Credentials,
    Outcome,
    Server,
    Transport,
    read_credentials,
    read_server,
)

GOLDEN = Path(__file__).parent / "golden"
PANEL = (GOLDEN / "icdd-2021" / "export" / "invites" / "panel-3.ics").read_bytes()
ORGANIZER = Party("secretariat@kemlu.example", "ICDD 2021 Secretariat, Kemlu")
DATE = datetime(2021, 11, 1, 9, 30, tzinfo=timezone.utc)
TITLE = "Données numériques — 数据与外交"


def letter(
    ics: bytes = PANEL, *, to: str = "sarah.whitfield@fcdo.example", **changes: Any
) -> Letter:
    fields: dict[str, Any] = {
        "ics": ics,
        "recipient": Party(to, "Sarah Whitfield"),
        "organizer": ORGANIZER,
        "kind": Kind.NEW,
        "title": TITLE,
        "start_text": "Tue 16 Nov 2021 08:00 GMT",
        "summary": summary_text(
            title=TITLE,
            when_recipient="Tue 16 Nov 2021 08:00-09:30 (GMT, UTC+00:00)",
            when_event="Tue 16 Nov 2021 15:00-16:30 (WIB, UTC+07:00)",
            room="Panel room 3",
            link="https://meet.example/icdd-2021/room-3",
            others=("Ayu Kartika (ID)", "James Porter (AU)"),
        ),
        "date": DATE,
    }
    return Letter(**{**fields, **changes})


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def calendar_parts(message: EmailMessage) -> tuple[EmailMessage, EmailMessage, EmailMessage]:
    """Return the text/plain, text/calendar and attachment parts, checking the layout."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, calendar = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert calendar.get_content_type() == "text/calendar"
    assert attachment.get_content_type() == "application/ics"
    return plain, calendar, attachment  # type: ignore[return-value]


def calendar(attendees: tuple[str, ...], *, sequence: int, method: str = "REQUEST") -> bytes:
    """Return a small invitation as export writes one: one VEVENT, folded lines."""
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//vconf//vconf 0.1//EN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        "UID:panel.test@test.example",
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20260301T090000Z",
        "DTEND:20260301T100000Z",
        f"SEQUENCE:{sequence}",
        f"STATUS:{status}",
        "SUMMARY:Panel on the digital economy\\, with a title long enough to fold twice over",
        'ORGANIZER;CN="Secretariat, Test":mailto:secretariat@test.example',
        *(
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;"
            f'CN="Délégué {address.split("@")[0]}, Ministère":mailto:{address}'
            for address in attendees
        ),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(fold(line.encode()) for line in lines)


# ---- the message -------------------------------------------------------------------------------


def test_the_message_is_laid_out_as_google_calendar_sends_invitations() -> None:
    message = parsed(message_as_eml(build_invitation_message(letter())))
    plain, calendar, attachment = calendar_parts(message)
    assert calendar["Content-Type"].params == {"method": "REQUEST", "charset": "UTF-8"}
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_disposition() == "attachment"
    assert calendar.get_content_disposition() is None
    assert "Panel room 3" in plain.get_content()
    assert "Event time: Tue 16 Nov 2021 15:00-16:30 (WIB, UTC+07:00)" in plain.get_content()


def test_the_calendar_bytes_are_the_invitation_file_exactly() -> None:
    message = parsed(message_as_eml(build_invitation_message(letter())))
    _, calendar, attachment = calendar_parts(message)
    assert calendar.get_payload(decode=True) == PANEL
    assert attachment.get_payload(decode=True) == PANEL
    assert b"\r\n" in PANEL  # the CRLFs of the file survive too


def test_the_method_parameter_is_the_files_method() -> None:
    cancel = calendar(("a@x.example",), sequence=2, method="CANCEL")
    message = parsed(message_as_eml(build_invitation_message(letter(cancel, kind=Kind.CANCELLED))))
    _, part, _ = calendar_parts(message)
    parsed_calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == str(parsed_calendar["METHOD"]) == "CANCEL"
    assert message["Subject"].startswith("Cancelled: ")


def test_a_kind_the_method_contradicts_is_refused() -> None:
    with pytest.raises(VconfError, match="METHOD:CANCEL"):
        build_invitation_message(letter(kind=Kind.CANCELLED))
    cancel = calendar(("a@x.example",), sequence=1, method="CANCEL")
    with pytest.raises(VconfError, match="METHOD:REQUEST"):
        build_invitation_message(letter(cancel, kind=Kind.UPDATED))


def test_the_subject_carries_the_utf8_title_and_the_recipients_start() -> None:
    for kind, opening in ((Kind.NEW, "Invitation"), (Kind.UPDATED, "Updated invitation")):
        raw = message_as_eml(build_invitation_message(letter(kind=kind)))
        assert raw.isascii()  # RFC 2047 encoded words, not raw UTF-8 in the header
        subject = parsed(raw)["Subject"]
        assert subject == f"{opening}: {TITLE} — Tue 16 Nov 2021 08:00 GMT"


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120))
def test_any_title_comes_back_from_the_subject_as_written(title: str) -> None:
    raw = message_as_eml(build_invitation_message(letter(title=title)))
    subject = parsed(raw)["Subject"]
    assert subject == " ".join(f"Invitation: {title} — Tue 16 Nov 2021 08:00 GMT".split())


@example("Permanent Mission of the Lao People's Democratic Republic to the United Nations", "")
@example('Mission "permanente", Genève: délégation de la République démocratique', "t")
@example("Mission, (permanent) of the Lao People's Democratic Republic to the UN", "t")
@given(  # no control characters: `load` refuses them in names and titles before mail sees any
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=150),
)
def test_names_and_titles_come_back_as_written_within_76_octets_a_line(
    name: str, title: str
) -> None:
    mail = build_mail(letter(recipient=Party("a@x.example", name), title=title))
    head = mail.data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 76 for line in head.split(b"\r\n"))
    got = parsed(mail.data)
    assert got["To"].addresses[0].addr_spec == "a@x.example"
    clean = " ".join(name.split())
    raw_to = email.message_from_bytes(mail.data)["To"]
    if "=?" in raw_to:  # the RFC 2047 decoder: Python's address parser keeps spaces between words
        assert str(make_header(decode_header(raw_to))) == f"{clean} <a@x.example>"
    else:
        assert got["To"].addresses[0].display_name == clean
    assert got["Subject"] == " ".join(f"Invitation: {title} — Tue 16 Nov 2021 08:00 GMT".split())
    # the library finds nothing to refold: what it would write is what we wrote
    assert (
        message_as_eml(build_invitation_message(letter(title=title)))
        == build_mail(letter(title=title)).data
    )


@pytest.mark.parametrize(
    "name",
    [
        "0" + "\u0800" * 14 + " :",  # found by hypothesis: the library's folder lost the space
        "Lê Thị Thu Hằng, Vụ trưởng Vụ Lễ tân Nhà nước, Bộ Ngoại giao Việt Nam (Hà Nội)",
        "Đại sứ quán  Việt Nam :  tại  Jakarta",
        "数据与外交" * 12,
    ],
)
@pytest.mark.parametrize(
    "address", ["a@x.example", "protocol.office." + "x" * 40 + "@mofa.example"]
)
def test_a_name_that_needs_encoded_words_comes_back_whole_in_to_and_from(
    name: str, address: str
) -> None:
    mail = build_mail(letter(recipient=Party(address, name), organizer=Party(address, name)))
    head = mail.data.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 76 for line in head.split(b"\r\n"))
    raw = email.message_from_bytes(mail.data)
    clean = " ".join(name.split())
    for header in ("To", "From"):
        assert str(make_header(decode_header(raw[header]))) == f"{clean} <{address}>"
        assert parsed(mail.data)[header].addresses[0].addr_spec == address


def test_the_summary_arrives_as_written() -> None:
    mail = build_mail(letter(summary="Première ligne\n\nJoin: https://meet.example/x=1\n"))
    plain, _, _ = calendar_parts(parsed(mail.data))
    content = plain.get_content().replace("\r\n", "\n")  # the wire's line ends
    assert content == "Première ligne\n\nJoin: https://meet.example/x=1\n"
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"


def test_from_to_and_date_are_the_organizer_the_recipient_and_the_given_date() -> None:
    message = parsed(message_as_eml(build_invitation_message(letter())))
    assert message["From"].addresses[0].addr_spec == ORGANIZER.address
    assert message["From"].addresses[0].display_name == ORGANIZER.name
    assert message["To"].addresses[0].addr_spec == "sarah.whitfield@fcdo.example"
    assert message["Date"].datetime == DATE


def test_the_message_id_is_the_same_on_every_run_and_differs_by_version_and_recipient() -> None:
    built = parsed(message_as_eml(build_invitation_message(letter())))
    uid = "panel-3.icdd-2021@icdd.example"
    assert built["Message-ID"] == message_id(uid, 0, "Sarah.Whitfield@fcdo.example")
    assert built["Message-ID"].endswith("@icdd.example>")
    others = {message_id(uid, 1, "sarah.whitfield@fcdo.example"), message_id(uid, 0, "a@b.c")}
    assert built["Message-ID"] not in others
    assert len(others) == 2


def test_a_draft_is_byte_identical_when_built_again() -> None:
    assert message_as_eml(build_invitation_message(letter())) == message_as_eml(
        build_invitation_message(letter())
    )
    assert b"\r\n" in message_as_eml(build_invitation_message(letter()))


def test_an_address_that_needs_smtputf8_is_refused() -> None:
    with pytest.raises(VconfError, match="ASCII"):
        build_invitation_message(letter(to="délégué@x.example"))


# ---- the invitation's bytes -------------------------------------------------------------------


def test_reading_the_golden_invitation_finds_its_version_and_people() -> None:
    invitation = read_invitation(PANEL)
    assert (invitation.uid, invitation.sequence, invitation.method) == (
        "panel-3.icdd-2021@icdd.example",
        0,
        "REQUEST",
    )
    assert invitation.title == "Making sense of data and digital diplomacy"
    assert (invitation.location, invitation.url) == (
        "Panel room 3",
        "https://meet.example/icdd-2021/room-3",
    )
    assert invitation.organizer is not None
    assert invitation.organizer.address == "secretariat@kemlu.example"
    names = [attendee.name for attendee in invitation.attendees]
    assert "Ayu Kartika, Minister of State for the Digital Economy" in names
    assert len(invitation.attendees) == 8  # the interpreter too (NON-PARTICIPANT)


def test_an_uninvite_cancels_the_session_for_that_attendee_alone() -> None:
    invitation = read_invitation(PANEL)
    removed = invitation.attendees[1]
    cancel = uninvite(PANEL, removed)
    parsed_calendar = icalendar.Calendar.from_ical(cancel)
    event = next(iter(parsed_calendar.walk("VEVENT")))
    assert str(parsed_calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == invitation.uid
    assert int(event["SEQUENCE"]) == invitation.sequence
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{removed.address}"
    assert attendee.params["CN"] == removed.name
    assert "PARTSTAT" not in attendee.params
    assert "RSVP" not in attendee.params
    assert str(event["DESCRIPTION"]) == str(
        next(iter(icalendar.Calendar.from_ical(PANEL).walk("VEVENT")))["DESCRIPTION"]
    )


def test_an_uninvite_keeps_rfc5545_folding() -> None:
    cancel = uninvite(PANEL, read_invitation(PANEL).attendees[1])
    physical = cancel.split(b"\r\n")
    assert physical[-1] == b""
    assert all(len(line) <= 75 for line in physical)
    kept = ("ATTENDEE", "STATUS")
    expected = [
        "METHOD:CANCEL" if line == "METHOD:REQUEST" else line
        for line in unfold(PANEL)
        if not line.startswith(kept)
    ]
    assert [line for line in unfold(cancel) if not line.startswith(kept)] == expected


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_folding_keeps_each_line_within_75_octets_and_unfolds_to_the_same_text(value: str) -> None:
    line = "DESCRIPTION:" + value.replace("\\", "\\\\")
    folded = fold(line.encode())
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert unfold(folded) == [line]


# ---- the outbox --------------------------------------------------------------------------------

UID = "panel.test@test.example"


def states(
    sent: list[Outgoing], state: State = State.SENT, *, earlier: tuple[MessageState, ...] = ()
) -> tuple[MessageState, ...]:
    """Return the store's rows once `sent` went out with `state`."""
    return earlier + tuple(
        MessageState(message.uid, message.sequence, message.recipient, message.method, state)
        for message in sent
    )


def summary(plan: tuple[Outgoing, ...]) -> list[tuple[int, str, Kind]]:
    return [(message.sequence, message.recipient, message.kind) for message in plan]


def test_a_first_request_goes_to_every_attendee_as_a_new_invitation() -> None:
    versions = [Version("panel", calendar(("b@x.example", "a@x.example"), sequence=0))]
    assert summary(plan_outbox(versions, ())) == [
        (0, "a@x.example", Kind.NEW),
        (0, "b@x.example", Kind.NEW),
    ]


def test_a_version_already_sent_to_a_recipient_is_not_sent_again() -> None:
    versions = [Version("panel", calendar(("a@x.example", "b@x.example"), sequence=0))]
    first = list(plan_outbox(versions, ()))
    assert plan_outbox(versions, states(first[:1])) == (first[1],)
    assert plan_outbox(versions, states(first)) == ()


def test_a_changed_session_goes_as_an_update_to_those_who_had_it() -> None:
    v0 = Version("panel", calendar(("a@x.example",), sequence=0))
    v1 = Version("panel", calendar(("a@x.example", "c@x.example"), sequence=1))
    sent = states(list(plan_outbox([v0], ())))
    assert summary(plan_outbox([v0, v1], sent)) == [
        (1, "a@x.example", Kind.UPDATED),
        (1, "c@x.example", Kind.NEW),
    ]


def test_an_attendee_taken_off_a_session_that_goes_on_gets_a_cancel_for_them_alone() -> None:
    v0 = Version("panel", calendar(("a@x.example", "b@x.example"), sequence=0))
    v1 = Version("panel", calendar(("a@x.example",), sequence=1))
    plan = plan_outbox([v0, v1], states(list(plan_outbox([v0], ()))))
    assert summary(plan) == [(1, "a@x.example", Kind.UPDATED), (1, "b@x.example", Kind.CANCELLED)]
    cancel = icalendar.Calendar.from_ical(plan[1].ics)
    event = next(iter(cancel.walk("VEVENT")))
    assert (str(cancel["METHOD"]), int(event["SEQUENCE"])) == ("CANCEL", 1)
    assert str(event["ATTENDEE"]) == "mailto:b@x.example"
    assert event["ATTENDEE"].params["CN"] == "Délégué b, Ministère"
    assert plan[1].name == "Délégué b, Ministère"
    assert plan[0].ics == v1.ics


def test_an_uninvited_attendee_is_not_uninvited_again_and_comes_back_as_new() -> None:
    v0 = Version("panel", calendar(("a@x.example", "b@x.example"), sequence=0))
    v1 = Version("panel", calendar(("a@x.example",), sequence=1))
    v2 = Version("panel", calendar(("a@x.example",), sequence=2))
    v3 = Version("panel", calendar(("a@x.example", "b@x.example"), sequence=3))
    rows = states(list(plan_outbox([v0], ())))
    rows = states(list(plan_outbox([v0, v1], rows)), earlier=rows)
    assert summary(plan_outbox([v0, v1, v2], rows)) == [(2, "a@x.example", Kind.UPDATED)]
    assert summary(plan_outbox([v0, v1, v3], rows)) == [
        (3, "a@x.example", Kind.UPDATED),
        (3, "b@x.example", Kind.NEW),
    ]


def test_a_cancelled_session_goes_to_everyone_it_had_been_sent_to_only() -> None:
    v0 = Version("panel", calendar(("a@x.example", "b@x.example"), sequence=0))
    v1 = Version("panel", calendar(("a@x.example", "b@x.example", "c@x.example"), sequence=1))
    cancelled = Version("panel", calendar(("a@x.example",), sequence=2, method="CANCEL"))
    first = list(plan_outbox([v0], ()))
    rows = states(first[:1]) + states(first[1:], State.FAILED)
    plan = plan_outbox([v0, v1, cancelled], rows)
    assert summary(plan) == [(2, "a@x.example", Kind.CANCELLED)]
    assert plan[0].ics == cancelled.ics
    assert plan_outbox([Version("panel", cancelled.ics)], ()) == ()


def test_a_failed_message_is_retried_and_an_unknown_one_only_when_asked() -> None:
    versions = [Version("panel", calendar(("a@x.example", "b@x.example"), sequence=0))]
    first = list(plan_outbox(versions, ()))
    rows = states(first[:1], State.FAILED) + states(first[1:], State.UNKNOWN)
    assert plan_outbox(versions, rows) == (first[0],)
    assert plan_outbox(versions, rows, resend_unknown=True) == tuple(first)
    pending = states(first, State.PENDING)
    assert plan_outbox(versions, pending) == tuple(first)


def test_an_unknown_invitation_still_earns_its_cancel() -> None:
    v0 = Version("panel", calendar(("a@x.example",), sequence=0))
    cancelled = Version("panel", calendar((), sequence=1, method="CANCEL"))
    rows = states(list(plan_outbox([v0], ())), State.UNKNOWN)
    assert summary(plan_outbox([v0, cancelled], rows)) == [(1, "a@x.example", Kind.CANCELLED)]


def test_addresses_differing_only_in_case_are_one_recipient() -> None:
    v0 = Version("panel", calendar(("A@X.example",), sequence=0))
    v1 = Version("panel", calendar(("a@x.example",), sequence=1))
    rows = states(list(plan_outbox([v0], ())))
    assert summary(plan_outbox([v0, v1], rows)) == [(1, "a@x.example", Kind.UPDATED)]


def test_two_versions_with_one_sequence_are_refused() -> None:
    ics = calendar(("a@x.example",), sequence=0)
    with pytest.raises(VconfError, match="one SEQUENCE"):
        plan_outbox([Version("panel", ics), Version("panel", ics)], ())


def test_a_planned_message_becomes_a_letter_with_the_invitations_title() -> None:
    v0 = Version("panel", calendar(("a@x.example",), sequence=0))
    (planned,) = plan_outbox([v0], ())
    made = letter_for(planned, organizer=ORGANIZER, start_text="Sun 1 Mar 2026 10:00 CET",
                      summary="s\n", date=DATE)  # fmt: skip
    assert made.title == "Panel on the digital economy, with a title long enough to fold twice over"
    assert (made.recipient, made.kind, made.ics) == (
        Party("a@x.example", "Délégué a, Ministère"),
        Kind.NEW,
        v0.ics,
    )
    got = parsed(build_mail(made).data)
    assert got["Subject"] == f"Invitation: {made.title} — Sun 1 Mar 2026 10:00 CET"


def test_a_draft_path_is_a_safe_file_name_even_for_odd_addresses() -> None:
    assert (
        draft_path("panel-3", 2, "Sarah@FCDO.example") == "outbox/panel-3/2-sarah@fcdo.example.eml"
    )
    odd = draft_path("panel-3", 2, "a/../b:c@x.example")
    assert "/" not in odd.removeprefix("outbox/panel-3/")
    assert odd != draft_path("panel-3", 2, "a_.._b_c@x.example")


ADDRESSES = st.sampled_from([f"{name}@x.example" for name in "abcde"])


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Version], list[MessageState]]:
    """Return a session's issued versions and a store's states after random partial runs."""
    versions: list[Version] = []
    rows: list[MessageState] = []
    for sequence in range(draw(st.integers(1, 5))):
        method = draw(st.sampled_from(["REQUEST", "REQUEST", "CANCEL"]))
        attendees = tuple(sorted(draw(st.sets(ADDRESSES, max_size=4))))
        versions.append(Version("panel", calendar(attendees, sequence=sequence, method=method)))
        for _ in range(draw(st.integers(0, 2))):  # runs between two exports
            plan = plan_outbox(versions, rows, resend_unknown=draw(st.booleans()))
            outcomes = st.sampled_from([State.SENT, State.FAILED, State.UNKNOWN, State.PENDING])
            done = {row_key(row): row for row in rows}
            for message in plan:
                row = MessageState(
                    message.uid, message.sequence, message.recipient, message.method, draw(outcomes)
                )
                done[row_key(row)] = row
            rows = list(done.values())
    return versions, rows


def row_key(row: MessageState) -> tuple[str, int, str]:
    return (row.uid, row.sequence, row.recipient.lower())


@given(histories(), st.booleans())
def test_no_version_already_sent_to_a_recipient_is_ever_scheduled_again(
    history: tuple[list[Version], list[MessageState]], resend_unknown: bool
) -> None:
    versions, rows = history
    sent = {row_key(row) for row in rows if row.state is State.SENT}
    unknown = {row_key(row) for row in rows if row.state is State.UNKNOWN}
    plan = plan_outbox(versions, rows, resend_unknown=resend_unknown)
    keys = [message.key for message in plan]
    assert not sent & set(keys)
    assert resend_unknown or not unknown & set(keys)
    assert len(keys) == len(set(keys))
    latest = read_invitation(versions[-1].ics)
    assert all(message.sequence == latest.sequence for message in plan)


# ---- delivery, against a real SMTP server ------------------------------------------------------


class Collector:
    """An aiosmtpd handler keeping every envelope; refuses `refused`, may cut after DATA."""

    def __init__(self, *, refused: frozenset[str] = frozenset(), cut: frozenset[str] = frozenset()):
        self.envelopes: list[Any] = []
        self.sessions: set[int] = set()
        self.refused = refused
        self.cut = cut

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.sessions.add(id(session))
        if set(envelope.rcpt_tos) & self.cut:
            server.transport.abort()  # the server took the message; the client never hears so
        return "250 2.0.0 queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return a self-signed certificate for 127.0.0.1 and its key, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """Return a client context that trusts the test's certificate only."""
    return ssl.create_default_context(cafile=str(certificate[0]))


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"vconf", b"s3cret")
    return AuthResult(success=good, handled=False)


def serve(handler: Collector, **options: Any) -> Iterator[tuple[Collector, Server]]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    scheme = "smtps" if "ssl_context" in options else "smtp"
    try:
        yield handler, Server(scheme, "127.0.0.1", controller.port)
    finally:
        controller.stop()


@pytest.fixture
def plain_server() -> Iterator[tuple[Collector, Server]]:
    yield from serve(
        Collector(refused=frozenset({"nobody@x.example"}), cut=frozenset({"cut@x.example"}))
    )


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[Collector, Server]]:
    yield from serve(
        Collector(),
        tls_context=server_context(certificate),
        authenticator=authenticate,
        auth_require_tls=True,
    )


def messages(*recipients: str, sequence: int = 0) -> list[Mail]:
    ics = calendar(recipients, sequence=sequence)
    return [build_mail(letter(ics, to=address)) for address in recipients]


def received(envelope: Any) -> EmailMessage:
    data = envelope.original_content or envelope.content
    return parsed(data if isinstance(data, bytes) else data.encode())


def test_messages_go_over_one_connection_and_arrive_as_built(
    plain_server: tuple[Collector, Server],
) -> None:
    handler, server = plain_server
    recipients = ("a@x.example", "b@x.example", "c@x.example")
    built = messages(*recipients)
    with Transport(server) as transport:
        deliveries = [transport.send(message) for message in built]
    assert [delivery.outcome for delivery in deliveries] == [Outcome.SENT] * 3
    assert transport.connections == 1
    assert len(handler.sessions) == 1
    assert [envelope.rcpt_tos for envelope in handler.envelopes] == [[r] for r in recipients]
    for envelope, message, recipient in zip(handler.envelopes, built, recipients, strict=True):
        assert envelope.mail_from == ORGANIZER.address
        got = received(envelope)
        assert got["Message-ID"] == message.message_id == message_id(UID, 0, recipient)
        assert envelope.original_content == message.data  # dot-stuffing undone, nothing else
        assert got["Subject"] == f"Invitation: {TITLE} — Tue 16 Nov 2021 08:00 GMT"
        _, part, attachment = calendar_parts(got)
        ics = calendar(recipients, sequence=0)
        assert part.get_payload(decode=True) == attachment.get_payload(decode=True) == ics
        parsed_calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        assert part.get_param("method") == str(parsed_calendar["METHOD"]) == "REQUEST"


def test_a_refused_recipient_fails_and_the_others_are_sent(
    plain_server: tuple[Collector, Server],
) -> None:
    handler, server = plain_server
    with Transport(server) as transport:
        outcomes = [
            transport.send(m) for m in messages("a@x.example", "nobody@x.example", "b@x.example")
        ]
    assert [delivery.outcome for delivery in outcomes] == [
        Outcome.SENT,
        Outcome.FAILED,
        Outcome.SENT,
    ]
    assert "550" in outcomes[1].detail
    assert [envelope.rcpt_tos for envelope in handler.envelopes] == [
        ["a@x.example"],
        ["b@x.example"],
    ]
    assert transport.connections == 1


def test_a_connection_cut_after_the_content_leaves_the_message_unknown(
    plain_server: tuple[Collector, Server],
) -> None:
    handler, server = plain_server
    marks: list[str] = []
    with Transport(server, timeout=5) as transport:
        cut, after = messages("cut@x.example", "a@x.example")
        first = transport.send(cut, before_content=lambda: marks.append("unknown"))
        second = transport.send(after)
    assert first.outcome is Outcome.UNKNOWN
    assert marks == ["unknown"]
    assert second.outcome is Outcome.SENT  # on a new connection
    assert transport.connections == 2
    assert [envelope.rcpt_tos for envelope in handler.envelopes] == [
        ["cut@x.example"],
        ["a@x.example"],
    ]


def test_starttls_is_used_when_offered_and_the_login_goes_over_it(
    tls_server: tuple[Collector, Server], certificate: tuple[Path, Path]
) -> None:
    handler, server = tls_server
    credentials = Credentials("vconf", "s3cret")
    with Transport(
        server, credentials=credentials, context=client_context(certificate)
    ) as transport:
        delivery = transport.send(messages("a@x.example")[0])
    assert delivery.outcome is Outcome.SENT
    assert received(handler.envelopes[0])["To"].addresses[0].addr_spec == "a@x.example"


def test_a_wrong_password_is_a_refused_login(
    tls_server: tuple[Collector, Server], certificate: tuple[Path, Path]
) -> None:
    _, server = tls_server
    transport = Transport(
        server, credentials=Credentials("vconf", "wrong"), context=client_context(certificate)
    )
    with pytest.raises(VconfError, match="refuses the login: 535"):
        transport.open()


def test_an_untrusted_certificate_is_refused(tls_server: tuple[Collector, Server]) -> None:
    _, server = tls_server
    with pytest.raises(VconfError, match=r"cannot reach the mail server.*CERTIFICATE_VERIFY"):
        Transport(server, context=ssl.create_default_context()).open()


def test_a_password_is_never_sent_without_tls(plain_server: tuple[Collector, Server]) -> None:
    _, server = plain_server
    with pytest.raises(VconfError, match="never sends a password without"):
        Transport(server, credentials=Credentials("vconf", "s3cret")).open()


def test_smtps_speaks_tls_from_the_start(certificate: tuple[Path, Path]) -> None:
    for handler, server in serve(Collector(), ssl_context=server_context(certificate)):
        with Transport(server, context=client_context(certificate)) as transport:
            assert transport.send(messages("a@x.example")[0]).outcome is Outcome.SENT
        assert len(handler.envelopes) == 1


def test_a_server_that_cannot_be_reached_is_a_vconf_error() -> None:
    with pytest.raises(VconfError, match=r"cannot reach the mail server smtp://127\.0\.0\.1:\d+"):
        Transport(Server("smtp", "127.0.0.1", free_port()), timeout=2).open()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", Server("smtp", "mail.example", 2525)),
        ("smtps://mail.example", Server("smtps", "mail.example", 465)),
        ("smtp://[::1]:25", Server("smtp", "::1", 25)),
    ],
)
def test_a_server_url_is_read(url: str, expected: Server) -> None:
    assert read_server(url) == expected


@pytest.mark.parametrize(
    "url",
    ["http://mail.example", "smtp://", "smtp://mail.example:99999", "smtp://u:p@mail.example",
     "smtp://mail.example/path", "mail.example:25"],
)  # fmt: skip
def test_a_bad_server_url_is_refused_naming_it(url: str) -> None:
    with pytest.raises(VconfError, match="the SMTP URL " + repr(url).replace("[", r"\[")):
        read_server(url)


def test_credentials_come_from_the_environment_mapping() -> None:
    assert read_credentials({}) is None
    assert read_credentials({"VCONF_SMTP_USER": "u", "VCONF_SMTP_PASSWORD": "p"}) == Credentials(
        "u", "p"
    )
    with pytest.raises(VconfError, match="VCONF_SMTP_USER"):
        read_credentials({"VCONF_SMTP_PASSWORD": "p"})


def test_recipients_of_one_version_share_the_frame_but_get_their_own_to_and_message_id() -> None:
    first = parsed(build_mail(letter(to="a@x.example")).data)
    second = parsed(build_mail(letter(to="b@x.example")).data)
    assert [first["To"].addresses[0].addr_spec, second["To"].addresses[0].addr_spec] == [
        "a@x.example",
        "b@x.example",
    ]
    assert first["Message-ID"] != second["Message-ID"]
    assert calendar_parts(first)[1].get_payload(decode=True) == PANEL
    assert calendar_parts(second)[1].get_payload(decode=True) == PANEL


def whole_message(made: Letter) -> bytes:
    """Return the letter's message built and serialised whole by one `EmailMessage`."""
    invitation = read_invitation(made.ics)
    template = message_module._template(made.ics, made.organizer, made.date)
    identifier = message_id(invitation.uid, invitation.sequence, made.recipient.address)
    subject = message_module._subject(made.kind, made.title, made.start_text)
    boundary = message_module._free_boundary(template.boundary, made.summary)
    return message_module._whole(made, subject, identifier, boundary=boundary)


@example("Première ligne\n\nJoin: https://meet.example/x=1\n", "Réunion — été")
@example("a\rb\r\nc\x85d\u2028e  \n\tf=\n" + "x" * 200, "t")
@given(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
)
def test_the_shared_template_writes_what_email_message_writes_whole(
    summary: str, title: str
) -> None:
    made = letter(summary=summary, title=title)
    assert build_mail(made).data == whole_message(made)


@given(
    st.lists(st.from_regex(r"[a-z]{1,12}@[a-z]{1,8}\.example", fullmatch=True), max_size=6),
    st.integers(0, 40),
    st.sampled_from(Kind),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
    st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-5))])),
    st.from_regex(r"[a-z]{1,12}@[a-z]{1,8}\.example", fullmatch=True),
)
def test_each_versions_frame_writes_what_email_message_writes_whole(
    attendees: list[str],
    sequence: int,
    kind: Kind,
    name: str,
    date: datetime,
    to: str,
) -> None:
    # the frame is shared by organizer, date and method: each version's boundary and calendar
    # bytes, each message's headers and text go in; any of them may change
    method = "CANCEL" if kind is Kind.CANCELLED else "REQUEST"
    ics = calendar(tuple(attendees), sequence=sequence, method=method)
    made = letter(
        ics,
        to=to,
        kind=kind,
        organizer=Party(ORGANIZER.address, name),
        date=date,
        start_text=f"{date:%a %d %b %Y %H:%M}",
    )
    assert build_mail(made).data == whole_message(made)
    _, calendar_part, attachment = calendar_parts(parsed(build_mail(made).data))
    assert calendar_part.get_param("method") == method
    assert calendar_part.get_payload(decode=True) == attachment.get_payload(decode=True) == ics


@example("Invitation: Briefing: climate finance — Wed 11 Mar 2026 04:10 CET UTC+01:00", 74)
@example("数据与外交" * 30, 74)
@example("x" * 200, 20)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=200), st.integers(20, 100))
def test_the_subjects_one_pass_charset_encodes_as_the_librarys_utf8(text: str, width: int) -> None:
    from email.header import Header

    def encoded(charset: Any) -> str:
        words = Header(text, charset, maxlinelen=width, header_name="Subject")
        return words.encode(linesep="\r\n")

    assert encoded(message_module._UTF8) == encoded("utf-8")


@example("bench.example", "0123456789abcdef0123456789abcdef")
@example("x" * 70, "f" * 32)
@given(
    # a uid_domain is a domain name (load's `domain_value`): the standard library's parser
    # crashes on some other ASCII (`<…@[>`: AttributeError in _header_value_parser)
    st.from_regex(r"[A-Za-z0-9-]{1,30}(\.[A-Za-z0-9-]{1,30}){0,3}", fullmatch=True),
    st.from_regex(r"[0-9a-f]{32}", fullmatch=True),
)
def test_a_message_ids_header_folds_as_the_policy_folds_it_whole(domain: str, digits: str) -> None:
    identifier = f"<{digits}@{domain}>"
    assert message_module._folded_id(identifier) == message_module._folded("Message-ID", identifier)


@pytest.mark.parametrize(
    ("data", "wire"),
    [
        (b"a\r\nb\r\n", b"a\r\nb\r\n.\r\n"),
        (b".a\r\n.\r\nb.\r\n..c", b"..a\r\n..\r\n" + b"b.\r\n...c\r\n.\r\n"),
        (b"a\r\n.b\r\n", b"a\r\n..b\r\n.\r\n"),
    ],
)
def test_the_content_goes_dot_stuffed_and_ended(data: bytes, wire: bytes) -> None:
    from vconf.mail.smtp import _dot_stuffed

    assert _dot_stuffed(data) == wire
