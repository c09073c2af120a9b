"""iMIP messages (RFC 6047) laid out as Google Calendar sends them, and their `.eml` drafts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import Enum

from vconf.errors import VconfError
from vconf.mail.content import read_invitation, recipient_key

_SUBJECTS = {"new": "Invitation", "updated": "Updated invitation", "cancelled": "Cancelled"}


class Kind(Enum):
    """What a message tells its recipient: a first invitation, a change, or a cancellation."""

    NEW = "new"
    UPDATED = "updated"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Party:
    """A mailbox: its address and the display name shown beside it."""

    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Letter:
    """Everything one iMIP message needs, every text already in the recipient's frame.

    `start_text` is the session's start as the subject shows it (the recipient's delegation
    zone); `summary` is the whole text/plain part (see `summary_text`); `date` is the Date header,
    passed in so that the same run of the same store builds the same bytes.
    """

    ics: bytes
    recipient: Party
    organizer: Party
    kind: Kind
    title: str
    start_text: str
    summary: str
    date: datetime


def build_invitation_message(letter: Letter) -> EmailMessage:
    """Return the message: mixed(alternative(text/plain, text/calendar), invite.ics attachment).

    The calendar part and the attachment carry `letter.ics` byte for byte (base64, so no line
    ending or octet is touched on the way); its `method` parameter is the file's METHOD.
    """
    invitation = read_invitation(letter.ics)
    method = _checked_method(invitation.method, letter.kind)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = _address(letter.organizer)
    message["To"] = _address(letter.recipient)
    _set_subject(message, f"{_SUBJECTS[letter.kind.value]}: {letter.title} — {letter.start_text}")
    message["Date"] = format_datetime(_aware(letter.date))
    message["Message-ID"] = message_id(
        invitation.uid, invitation.sequence, letter.recipient.address
    )
    message["MIME-Version"] = "1.0"
    boundary = message_id(invitation.uid, invitation.sequence, letter.recipient.address)[1:33]
    message.make_mixed(boundary=f"mixed-{boundary}")  # fixed, so a draft is reproducible
    message.attach(_alternative(letter, method, boundary=f"alternative-{boundary}"))
    message.attach(_part(letter.ics, "application", "ics", filename="invite.ics"))
    return message


def message_id(uid: str, sequence: int, recipient: str) -> str:
    """Return the Message-ID of a version sent to a recipient, the same on every run.

    The address is compared case-blind, as mail systems do, so `A@x` and `a@x` share one id.
    """
    key = "\0".join((uid, str(sequence), recipient_key(recipient)))
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = uid.rsplit("@", 1)[1] if "@" in uid else "vconf.invalid"
    return f"<{digest}@{domain}>"


def message_as_eml(message: EmailMessage) -> bytes:
    """Return the message as an RFC 5322 `.eml` file (CRLF line ends), as it goes on the wire."""
    return message.as_bytes(policy=policy.SMTP)


def summary_text(
    *,
    title: str,
    when_recipient: str,
    when_event: str,
    room: str = "",
    link: str = "",
    others: tuple[str, ...] = (),
) -> str:
    """Return the text/plain summary: title, both local times, room and link, who else comes."""
    lines = [title, "", f"When: {when_recipient}"]
    if when_event != when_recipient:
        lines.append(f"Event time: {when_event}")
    if room:
        lines.append(f"Where: {room}")
    if link:
        lines.append(f"Join: {link}")
    if others:
        lines += ["", "Who else:", *(f"- {other}" for other in others)]
    return "\n".join(lines) + "\n"


def _set_subject(message: EmailMessage, subject: str) -> None:
    """Set the Subject, in RFC 2047 encoded words when it is not ASCII.

    Encoded by the legacy `Header`, not the policy's folder: that one drops the space between
    two encoded words it folds apart (`— 数据` comes back `—数据`), CPython 3.11 and 3.12.
    """
    subject = " ".join(subject.split())  # one line, whatever the title held
    if subject.isascii():
        message["Subject"] = subject
        return
    encoded = Header(subject, "utf-8", header_name="Subject").encode("\r\n")
    message.set_raw("Subject", encoded)


def _checked_method(method: str, kind: Kind) -> str:
    """Return the file's METHOD, refusing one the message kind contradicts."""
    expected = "CANCEL" if kind is Kind.CANCELLED else "REQUEST"
    if method != expected:
        raise VconfError(f"a {kind.value} message needs METHOD:{expected}, the file has {method}")
    return method


def _alternative(letter: Letter, method: str, *, boundary: str) -> EmailMessage:
    """Return the multipart/alternative: the summary, then the invitation itself."""
    alternative = EmailMessage(policy=policy.SMTP)
    alternative.make_alternative(boundary=boundary)
    text = EmailMessage(policy=policy.SMTP)
    # quoted-printable: a relay without 8BITMIME passes it untouched
    text.set_content(letter.summary, subtype="plain", charset="utf-8", cte="quoted-printable")
    del text["MIME-Version"]
    alternative.attach(text)
    alternative.attach(_part(letter.ics, "text", "calendar", method=method))
    return alternative


def _part(
    ics: bytes, maintype: str, subtype: str, *, method: str = "", filename: str = ""
) -> EmailMessage:
    """Return a part holding the .ics bytes in base64, parameters in Google's order."""
    part = EmailMessage(policy=policy.SMTP)
    params = {"method": method} if method else {}
    if filename:
        params["name"] = filename
    part.set_content(
        ics,
        maintype=maintype,
        subtype=subtype,
        cte="base64",
        params=params,
        filename=filename or None,
        disposition="attachment" if filename else None,
    )
    if maintype == "text":
        part.set_param("charset", "UTF-8")
    del part["MIME-Version"]
    return part


def _address(party: Party) -> Address:
    """Return a header address, refusing one that would need SMTPUTF8."""
    if not party.address.isascii() or "@" not in party.address:
        raise VconfError(f"cannot mail {party.address!r}: only ASCII name@domain addresses")
    username, domain = party.address.rsplit("@", 1)
    return Address(display_name=party.name, username=username, domain=domain)


def _aware(date: datetime) -> datetime:
    """Return `date`, refusing a naive one (a Date header needs its offset)."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise VconfError("a message date needs a time zone")
    return date
