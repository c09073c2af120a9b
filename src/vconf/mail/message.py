"""iMIP messages (RFC 6047) laid out as Google Calendar sends them, and their `.eml` drafts."""

from __future__ import annotations

import email
import hashlib
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email import base64mime, policy, quoprimime
from email.charset import Charset
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import Enum
from functools import lru_cache
from itertools import accumulate

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


@dataclass(frozen=True, slots=True)
class Mail:
    """One message ready to go: its envelope addresses, its Message-ID and its bytes."""

    sender: str
    recipient: str
    message_id: str
    data: bytes


def build_mail(letter: Letter) -> Mail:
    """Return the message: mixed(alternative(text/plain, text/calendar), invite.ics attachment).

    Built with `EmailMessage` (policy SMTP). The calendar part and the attachment carry
    `letter.ics` byte for byte (base64, so no line ending or octet is touched on the way); its
    `method` parameter is the file's METHOD. Everything but the headers and bodies that differ
    between messages is the same for every message from one organizer, date and method, so that
    frame is built by `EmailMessage` and serialised once (`_frame`); each version fills in its
    boundary and its calendar bytes, base64 by `email.base64mime` as `set_content` encodes them
    (`_template`), and each message its To, Message-ID and Subject, folded by the policy, and its
    summary, encoded by the quoted-printable encoder `set_content` uses. A summary that would hold
    the version's boundary gets a whole message of its own (`_whole`).
    """
    invitation = read_invitation(letter.ics)
    _checked_method(invitation.method, letter.kind)
    identifier = message_id(invitation.uid, invitation.sequence, letter.recipient.address)
    template = _template(letter.ics, letter.organizer, letter.date)
    subject = _subject(letter.kind, letter.title, letter.start_text)
    if template.boundary in letter.summary:
        boundary = _free_boundary(template.boundary, letter.summary)
        data = _whole(letter, subject, identifier, boundary=boundary)
    else:
        data = b"".join(
            (template.start, _to_line(letter.recipient), _folded_id(identifier),
             _subject_line(subject), template.middle, _text_body(letter.summary), template.end)
        )  # fmt: skip
    return Mail(
        sender=letter.organizer.address,
        recipient=letter.recipient.address,
        message_id=identifier,
        data=data,
    )


def build_invitation_message(letter: Letter) -> EmailMessage:
    """Return the message of `build_mail` as an `EmailMessage` (policy SMTP), for inspection."""
    message = email.message_from_bytes(build_mail(letter).data, policy=policy.SMTP)
    assert isinstance(message, EmailMessage)  # what policy SMTP's factory makes
    return message


_MAX_LINE = 76  # within RFC 5322 78, as RFC 2047 §2 asks
_SMTP = policy.SMTP.clone(max_line_length=_MAX_LINE)
_SLOT = "VCONF-SUMMARY-SLOT"  # the frame's text body, replaced by each recipient's summary
_ICS_SLOT = b"VCONF-CALENDAR-SLOT"  # the frame's calendar bytes, replaced by each version's
_BOUNDARY_SLOT = b"vconfboundaryslot000000000000000"  # as long as a version's boundary


def _folded(name: str, value: str) -> bytes:
    """Return one header as policy SMTP writes it: parsed, RFC 2047 encoded, folded."""
    return _SMTP.fold_binary(name, _SMTP.header_factory(name, value))


@lru_cache(maxsize=65536)  # a recipient gets a message for each of their sessions
def _to_line(recipient: Party) -> bytes:
    address, words = _address(recipient), _encoded_mailbox("To", recipient)
    return _folded("To", address) if words is None else _SMTP.fold_binary("To", words)


def _set_mailbox(message: EmailMessage, header: str, party: Party) -> None:
    """Set From or To: parsed and folded by the policy, or, for a name that needs RFC 2047
    words, the words of `_encoded_mailbox` set raw."""
    address, words = _address(party), _encoded_mailbox(header, party)
    if words is None:
        message[header] = address
    else:
        message.set_raw(header, words)


def _encoded_mailbox(header: str, party: Party) -> str | None:
    """Return `=?utf-8?…?= <address>` when the display name is not ASCII, else None.

    The words are `Header`'s, as for the Subject, cut inside the name's text: the policy's own
    folder cuts between words and drops a space that falls there (CPython 3.11: hypothesis found
    a name of fourteen U+0800 then ` :` that came back without its space). The address goes on
    the last line, or on a line of its own if it does not fit.
    """
    name = " ".join(party.name.split())
    if name.isascii():
        return None
    words = Header(name, _UTF8, maxlinelen=74, header_name=header).encode(linesep="\r\n")
    last = words.rsplit("\r\n", 1)[-1]
    width = len(last) + (0 if "\r\n" in words else len(header) + 2)
    glue = " " if width + len(party.address) + 3 <= _MAX_LINE else "\r\n "
    return f"{words}{glue}<{party.address}>"


def _folded_id(identifier: str) -> bytes:
    """Return the Message-ID header as the policy folds it.

    Every id is `<32 hex digits@domain>` (`message_id`), and digits fold as any other digits of
    that length: the header is folded once per domain around a slot of 32 zeros, then each id's
    digits go in; an id of another shape, or a header long enough to fold, is folded whole.
    """
    digits, at, domain = identifier[1:-1].partition("@")
    if len(digits) != 32 or not at or identifier[0] + identifier[-1] != "<>":
        return _folded("Message-ID", identifier)
    before, after = _id_frame(domain)
    if not before:
        return _folded("Message-ID", identifier)
    return b"".join((before, digits.encode("ascii"), after))


@lru_cache(maxsize=256)  # one domain per event
def _id_frame(domain: str) -> tuple[bytes, bytes]:
    """Return the Message-ID header of `domain` cut around its digits, or empty when it folds."""
    line = _folded("Message-ID", f"<{_ID_SLOT}@{domain}>")
    before, slot, after = line.partition(_ID_SLOT.encode("ascii"))
    if not slot or line.count(b"\r\n") != 1 or _ID_SLOT.encode("ascii") in after:
        return b"", b""
    return before, after


_ID_SLOT = "0" * 32


@dataclass(frozen=True, slots=True)
class _Frame:
    """The message of one organizer, date and method, cut where each version's and each
    message's own bytes go: the boundaries, the calendar bytes (twice), the headers, the text.
    """

    start: bytes  # up to and with From
    middle: bytes  # Date to the text part's blank line, boundary slots in it
    end: tuple[bytes, bytes, bytes]  # around the two calendar slots, boundary slots in them


@lru_cache(maxsize=16)  # one export has one organizer and one date
def _frame(organizer: Party, date: datetime, method: str) -> _Frame:
    """Return the message built by `EmailMessage` around slots, serialised and cut at them."""
    boundary = _BOUNDARY_SLOT.decode("ascii")
    message = _message(_ICS_SLOT, method, organizer, None, _SLOT, date, boundary=boundary)
    data = message.as_bytes(policy=_SMTP)
    cut = data.index(b"\r\nDate:") + 2  # after From
    slot = data.index(_text_body(_SLOT))
    rest = data[slot + len(_text_body(_SLOT)) :]
    end = rest.split(_base64_body(_ICS_SLOT))
    slots = [part.count(_BOUNDARY_SLOT) for part in (data[:cut], data[cut:slot], rest)]
    if len(end) != 3 or slots != [0, 4, 4]:  # the header and two delimiters of each multipart
        raise AssertionError("the message frame is not laid out as expected")
    return _Frame(data[:cut], data[cut:slot], (end[0], end[1], end[2]))


@dataclass(frozen=True, slots=True)
class _Template:
    """One version's message, cut where To, Message-ID, Subject and the text go."""

    start: bytes  # up to and with From
    middle: bytes  # Date to the text part's blank line
    end: bytes  # the rest: the calendar part and the attachment
    boundary: str


@lru_cache(maxsize=64)  # one version goes to many recipients
def _template(ics: bytes, organizer: Party, date: datetime) -> _Template:
    """Return the message of one version with no Subject, To or Message-ID and a slot for the text.

    The boundaries are fixed by the version, so that a draft built again is the same bytes;
    base64 has no `-`, so only a summary could hold one (`build_mail` sees to that).
    """
    frame = _frame(organizer, _aware(date), read_invitation(ics).method)
    seed = hashlib.sha256(b"\0".join([ics, organizer.address.encode(), date.isoformat().encode()]))
    boundary = seed.hexdigest()[:32]
    mark = boundary.encode("ascii")
    body = _base64_body(ics)
    first, second, third = (part.replace(_BOUNDARY_SLOT, mark) for part in frame.end)
    return _Template(
        frame.start,
        frame.middle.replace(_BOUNDARY_SLOT, mark),
        b"".join((first, body, second, body, third)),
        boundary,
    )


def _base64_body(ics: bytes) -> bytes:
    """Return the calendar bytes as `set_content` encodes them and the generator writes them:
    base64 lines of 57 octets (`max_line_length // 4 * 3`), CRLF line ends."""
    return base64mime.body_encode(ics, _MAX_LINE, "\r\n").encode("ascii")


def _whole(letter: Letter, subject: str, identifier: str, *, boundary: str) -> bytes:
    """Return the message built and serialised whole by `EmailMessage`."""
    message = _message(
        letter.ics,
        read_invitation(letter.ics).method,
        letter.organizer,
        subject,
        letter.summary,
        letter.date,
        boundary=boundary,
        to=(letter.recipient, identifier),
    )
    return message.as_bytes(policy=_SMTP)


def _message(
    ics: bytes,
    method: str,
    organizer: Party,
    subject: str | None,
    summary: str,
    date: datetime,
    *,
    boundary: str,
    to: tuple[Party, str] | None = None,
) -> EmailMessage:
    """Return the message as `EmailMessage`; without `to` (To, Message-ID) and without Subject
    when it is None."""
    message = EmailMessage(policy=_SMTP)
    _set_mailbox(message, "From", organizer)
    if to is not None:
        _set_mailbox(message, "To", to[0])
        message["Message-ID"] = to[1]
    if subject is not None:
        message.set_raw("Subject", _subject_words(subject))
    message["Date"] = format_datetime(_aware(date))
    message.set_content(_crlf(summary), cte="quoted-printable")
    message.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "UTF-8"},
    )
    message.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        filename="invite.ics",
        params={"name": "invite.ics"},
    )
    message.set_boundary(f"mixed-{boundary}")
    alternative = message.get_payload(0)
    assert isinstance(alternative, EmailMessage)
    alternative.set_boundary(f"alt-{boundary}")
    return message


def _subject(kind: Kind, title: str, start_text: str) -> str:
    return f"{_SUBJECTS[kind.value]}: {title} — {start_text}"


def _subject_words(subject: str) -> str:
    """Return the Subject as RFC 2047 words by `Header`, to be set raw.

    Its lines are one octet short of 76, which it overruns by one; set raw, as the policy's own
    folder drops the space between two encoded words (CPython 3.11), which a reader then joins.
    """
    words = Header(" ".join(subject.split()), _UTF8, maxlinelen=74, header_name="Subject")
    return words.encode(linesep="\r\n")


class _Utf8(Charset):
    """UTF-8 as `Header` encodes it, the shorter of base64 and quoted-printable, with each
    encoded line found by a search instead of an encoding of every prefix.

    `Charset.header_encode_lines` encodes the line so far again after each character to learn
    whether it still fits: quadratic in the line, and most of a message's time. The length of an
    encoded line is the library's `header_length`: for quoted-printable a sum over the octets,
    for base64 4 per 3 octets or part of 3, so at most `maxlen // 4 * 3` octets fit. Over running
    sums of those per character, the first that does not fit is a bisection; as the library does,
    a line after a cut takes its first character unmeasured, and the first line may hold none
    (None). The encoded words are the library's `header_encode`. Tested equal to
    `Charset("utf-8")`.
    """

    def __init__(self) -> None:
        super().__init__("utf-8")

    def header_encode_lines(self, string: str, maxlengths: Iterator[int]) -> list[str | None]:
        codec = self.output_codec or "us-ascii"
        sums = list(accumulate(map(_qp_length, string)))  # the sum is the whole's length
        qp = (sums[-1] if sums else 0) <= base64mime.header_length(string.encode(codec))
        encode = quoprimime.header_encode if qp else base64mime.header_encode
        extra = len(self.get_output_charset() or codec) + _RFC2047_CHROME
        if not qp:
            sums = list(accumulate(map(_octets, string)))
        lines: list[str | None] = []
        start = 0
        while True:
            maxlen = next(maxlengths) - extra
            budget = maxlen if qp else maxlen // 4 * 3
            base = sums[start - 1] if start else 0
            first = start + 1 if lines else 0  # after a cut: its first character, unmeasured
            stop = bisect_right(sums, base + budget, first)  # the first that does not fit
            if stop >= len(string):
                break
            if stop == 0:
                lines.append(None)  # nothing fits on the first line
            else:
                lines.append(encode(string[start:stop].encode(codec), charset=codec))
            start = stop
        lines.append(encode(string[start:].encode(codec), charset=codec))
        return lines


@lru_cache(maxsize=4096)
def _qp_length(character: str) -> int:
    """Return the length of one character's octets in a quoted-printable encoded word."""
    return quoprimime.header_length(character.encode("utf-8"))


@lru_cache(maxsize=4096)
def _octets(character: str) -> int:
    return len(character.encode("utf-8"))


_RFC2047_CHROME = 7  # =?, ?q?, ?= around an encoded word (email.charset.RFC2047_CHROME_LEN)
_UTF8 = _Utf8()


@lru_cache(maxsize=1024)  # one subject for every recipient of a version in one zone
def _subject_line(subject: str) -> bytes:
    """Return the Subject header as the generator writes a raw one (policy SMTP)."""
    return _SMTP.fold_binary("Subject", _subject_words(subject))


def _crlf(summary: str) -> str:
    return "\r\n".join(summary.splitlines()) + "\r\n"


@lru_cache(maxsize=1024)  # one summary for every recipient of a version in one zone
def _text_body(summary: str) -> bytes:
    """Return the text part's body as `set_content(..., cte="quoted-printable")` and the
    generator write it: UTF-8, quoted-printable by `email.quoprimime`, CRLF line ends."""
    octets = b"\n".join(_crlf(summary).encode("utf-8").splitlines()) + b"\n"
    encoded = quoprimime.body_encode(octets.decode("latin-1"), _MAX_LINE)
    return "\r\n".join(_LINE_ENDS.split(encoded)).encode("ascii")


_LINE_ENDS = re.compile(r"\r\n|\r|\n")


def _free_boundary(boundary: str, summary: str) -> str:
    """Return the boundary grown until the summary does not hold it."""
    while boundary in summary:
        boundary += "x"
    return boundary


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
    """Return the text/plain summary: title, both local times, room and link, who is invited.

    The same for every recipient in one zone, so that their messages share one frame.
    """
    lines = [title, "", f"When: {when_recipient}"]
    if when_event != when_recipient:
        lines.append(f"Event time: {when_event}")
    if room:
        lines.append(f"Where: {room}")
    if link:
        lines.append(f"Join: {link}")
    if others:
        lines += ["", "Invited:", *(f"- {other}" for other in others)]
    return "\n".join(lines) + "\n"


def _checked_method(method: str, kind: Kind) -> str:
    """Return the file's METHOD, refusing one the message kind contradicts."""
    expected = "CANCEL" if kind is Kind.CANCELLED else "REQUEST"
    if method != expected:
        raise VconfError(f"a {kind.value} message needs METHOD:{expected}, the file has {method}")
    return method


def _address(party: Party) -> str:
    """Return a header's address, refusing one that would need SMTPUTF8 or breaks a header."""
    if (
        not party.address.isascii()
        or "@" not in party.address
        or any(char in party.address for char in '<>" \t\r\n')
    ):
        raise VconfError(f"cannot mail {party.address!r}: only ASCII name@domain addresses")
    name = " ".join(party.name.split())
    return str(Address(display_name=name, addr_spec=party.address)) if name else party.address


def _aware(date: datetime) -> datetime:
    """Return `date`, refusing a naive one (a Date header needs its offset)."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise VconfError("a message date needs a time zone")
    return date
