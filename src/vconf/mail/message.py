"""iMIP messages (RFC 6047) laid out as Google Calendar sends them, and their `.eml` drafts."""

from __future__ import annotations

import base64
import email
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import base64mime, policy, quoprimime
from email.message import EmailMessage
from email.utils import format_datetime
from enum import Enum

from vconf.errors import VconfError
from vconf.mail.content import read_invitation, recipient_key

_WORD_OCTETS = 39  # of UTF-8 a word: 52 of base64 + 12 of =?utf-8?b??=, "Subject: " + one <= 76
_LINE_OCTETS = 76  # a line holding encoded words (RFC 2047 §2), within RFC 5322 78
_QUOTED_OCTETS = 60  # a longer quoted name could not be folded within the line
_ATOMS = re.compile(r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]+( [A-Za-z0-9!#$%&'*+/^_`{|}~-]+)*")
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


@dataclass(frozen=True, slots=True)
class Mail:
    """One message ready to go: its envelope addresses, its Message-ID and its bytes."""

    sender: str
    recipient: str
    message_id: str
    data: bytes


def build_mail(letter: Letter) -> Mail:
    """Return the message: mixed(alternative(text/plain, text/calendar), invite.ics attachment).

    The calendar part and the attachment carry `letter.ics` byte for byte (base64, so no line
    ending or octet is touched on the way); its `method` parameter is the file's METHOD. Written
    line by line with the library's encoders (RFC 2047 words, quoted-printable, base64), not
    through `EmailMessage`, whose header objects cost ~2 ms a message: ten times the budget.
    """
    invitation = read_invitation(letter.ics)
    method = _checked_method(invitation.method, letter.kind)
    identifier = message_id(invitation.uid, invitation.sequence, letter.recipient.address)
    subject = f"{_SUBJECTS[letter.kind.value]}: {letter.title} — {letter.start_text}"
    text = _quoted_printable(letter.summary)
    boundary = _boundary(identifier, text)
    head = [
        _header("From", _address(letter.organizer)),
        _header("To", _address(letter.recipient)),
        _header("Subject", _words(subject)),
        _header("Date", [format_datetime(_aware(letter.date))]),
        _header("Message-ID", [identifier]),
        b"MIME-Version: 1.0\r\n",
        _header("Content-Type", ["multipart/mixed;", f'boundary="mixed-{boundary}"']),
    ]
    calendar = _base64(letter.ics)
    body = [
        *head,
        b"\r\n",
        *_opening("mixed", boundary),
        _header("Content-Type", ["multipart/alternative;", f'boundary="alt-{boundary}"']),
        b"\r\n",
        *_opening("alt", boundary),
        b'Content-Type: text/plain; charset="UTF-8"\r\n',
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
        text,
        *_opening("alt", boundary),
        f'Content-Type: text/calendar; charset="UTF-8"; method={method}\r\n'.encode(),
        b"Content-Transfer-Encoding: base64\r\n\r\n",
        calendar,
        f"\r\n--alt-{boundary}--\r\n".encode(),
        *_opening("mixed", boundary),
        b'Content-Type: application/ics; name="invite.ics"\r\n',
        b'Content-Disposition: attachment; filename="invite.ics"\r\n',
        b"Content-Transfer-Encoding: base64\r\n\r\n",
        calendar,
        f"\r\n--mixed-{boundary}--\r\n".encode(),
    ]
    return Mail(
        sender=letter.organizer.address,
        recipient=letter.recipient.address,
        message_id=identifier,
        data=b"".join(body),
    )


def build_invitation_message(letter: Letter) -> EmailMessage:
    """Return the message of `build_mail` as an `EmailMessage` (policy SMTP), for inspection."""
    message = email.message_from_bytes(build_mail(letter).data, policy=policy.SMTP)
    assert isinstance(message, EmailMessage)  # what policy SMTP's factory makes
    return message


def message_id(uid: str, sequence: int, recipient: str) -> str:
    """Return the Message-ID of a version sent to a recipient, the same on every run.

    The address is compared case-blind, as mail systems do, so `A@x` and `a@x` share one id.
    """
    key = "\0".join((uid, str(sequence), recipient_key(recipient)))
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = uid.rsplit("@", 1)[1] if "@" in uid else "vconf.invalid"
    return f"<{digest}@{domain}>"


def message_as_eml(message: EmailMessage | Mail) -> bytes:
    """Return the message as an RFC 5322 `.eml` file (CRLF line ends), as it goes on the wire."""
    if isinstance(message, Mail):
        return message.data
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


def _checked_method(method: str, kind: Kind) -> str:
    """Return the file's METHOD, refusing one the message kind contradicts."""
    expected = "CANCEL" if kind is Kind.CANCELLED else "REQUEST"
    if method != expected:
        raise VconfError(f"a {kind.value} message needs METHOD:{expected}, the file has {method}")
    return method


def _address(party: Party) -> list[str]:
    """Return a header's address as words: the display name (quoted or encoded), then `<a@b>`."""
    if (
        not party.address.isascii()
        or "@" not in party.address
        or any(char in party.address for char in '<>" \t\r\n')
    ):
        raise VconfError(f"cannot mail {party.address!r}: only ASCII name@domain addresses")
    name = " ".join(party.name.split())
    if not name:
        return [party.address]
    if name.isascii() and _ATOMS.fullmatch(name):
        return [*name.split(" "), f"<{party.address}>"]
    if name.isascii() and len(name) <= _QUOTED_OCTETS and "=?" not in name:
        return [quote_name(name), f"<{party.address}>"]
    return [*_encoded_words(name), f"<{party.address}>"]  # folds where a quoted string cannot


def quote_name(name: str) -> str:
    """Return an ASCII display name as a quoted string."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _words(text: str) -> list[str]:
    """Return unstructured header text as words, all RFC 2047 encoded when any is not ASCII."""
    text = " ".join(text.split())  # one line, whatever the title held
    if text.isascii() and "=?" not in text:
        return text.split(" ")
    return _encoded_words(text)


def _encoded_words(text: str) -> list[str]:
    """Return `text` as base64 encoded words of whole characters, each within 75 octets.

    A word ends after a space where one is near, so that a reader that keeps the space between
    two encoded words (against RFC 2047 §6.2, as Python's address parser does) shows two spaces
    rather than a word cut in two.
    """
    chunks: list[str] = []
    chunk, size = "", 0
    for char in text:
        width = len(char.encode())
        if size + width > _WORD_OCTETS:
            cut = chunk.rfind(" ") + 1 or len(chunk)
            chunks.append(chunk[:cut])
            chunk = chunk[cut:]
            size = len(chunk.encode())
        chunk += char
        size += width
    chunks.append(chunk)
    return [base64mime.header_encode(chunk.encode(), "utf-8") for chunk in chunks]


def _header(name: str, words: list[str]) -> bytes:
    """Return a header line, folded between words so that lines stay within 78 octets."""
    lines, line = [], f"{name}:"
    for word in words:
        if len(line) + 1 + len(word) > _LINE_OCTETS and line != f"{name}:":
            lines.append(line)
            line = ""
        line += f" {word}"
    lines.append(line)
    return "\r\n".join(lines).encode("ascii") + b"\r\n"


def _opening(kind: str, boundary: str) -> list[bytes]:
    """Return the delimiter that opens a part (RFC 2046 §5.1.1)."""
    return [f"\r\n--{kind}-{boundary}\r\n".encode()]


def _quoted_printable(text: str) -> bytes:
    """Return the summary as quoted-printable UTF-8 with CRLF line ends, the last one kept."""
    lines = "\r\n".join(text.splitlines()) + "\r\n"
    latin = lines.encode("utf-8").decode("latin-1")  # the encoder escapes octets, not characters
    encoded = quoprimime.body_encode(latin, maxlinelen=76, eol="\r\n")
    return encoded.encode("ascii")


def _base64(data: bytes) -> bytes:
    """Return data as base64 lines of 76 characters with CRLF line ends, no final CRLF."""
    return base64.encodebytes(data).replace(b"\n", b"\r\n").rstrip(b"\r\n")


def _boundary(identifier: str, text: bytes) -> str:
    """Return a boundary fixed by the Message-ID (a draft is reproducible), absent from the text.

    The calendar parts are base64, which has no `-`; only the summary could hold the boundary.
    """
    boundary = identifier[1:33]
    while boundary.encode() in text:
        boundary += "x"
    return boundary


def _aware(date: datetime) -> datetime:
    """Return `date`, refusing a naive one (a Date header needs its offset)."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise VconfError("a message date needs a time zone")
    return date
