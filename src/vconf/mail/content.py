"""Content lines of an invitation: read what a message needs, derive an uninvite, refold.

The invitation bytes come from `export`; this module reads them back only as far as iMIP needs
(METHOD, UID, SEQUENCE, SUMMARY, ORGANIZER, ATTENDEE) and never re-serialises a line it does not
edit, so the bytes sent are the bytes written.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vconf.contentlines import fold, param_text, unescape_text, unfold
from vconf.errors import VconfError

_READ = ("METHOD", "UID", "SEQUENCE", "SUMMARY", "LOCATION", "URL")
_DROPPED_ON_CANCEL = ("PARTSTAT", "RSVP")  # a CANCEL asks for no reply (RFC 5546 §3.2.5)
_WANTED = frozenset((*_READ, "ATTENDEE", "ORGANIZER"))


@dataclass(frozen=True, slots=True)
class Attendee:
    """One ATTENDEE of an invitation: its address, its CN and the whole unfolded line."""

    address: str
    name: str
    line: str


@dataclass(frozen=True, slots=True)
class Invitation:
    """What a message needs from one invitation file: its version, method, title and people."""

    uid: str
    sequence: int
    method: str
    title: str
    organizer: Attendee | None
    attendees: tuple[Attendee, ...]
    location: str = ""
    url: str = ""


def recipient_key(address: str) -> str:
    """Return the form of an address that identifies a mailbox: `A@x` and `a@x` are one."""
    return address.strip().lower()


@lru_cache(maxsize=65536)  # one version goes to many recipients, read when planned and built
def read_invitation(ics: bytes) -> Invitation:
    """Return the iMIP facts of an invitation file; refuse one that is not a single-event iTIP."""
    lines = unfold(ics)
    fields: dict[str, str] = {}
    attendees: list[Attendee] = []
    organizer = None
    for line in lines:
        if line.split(";", 1)[0].split(":", 1)[0].upper() not in _WANTED:
            continue  # most lines, not split: a name holds no quote, `;` or `:`
        name, params, value = _split(line)
        if name == "ATTENDEE":
            attendees.append(_attendee(line, (name, params, value)))
        elif name == "ORGANIZER":
            organizer = _attendee(line, (name, params, value))
        elif name in _READ and name not in fields:  # the VEVENT's, the first of each
            fields[name] = value
    missing = [name for name in ("METHOD", "UID", "SEQUENCE") if name not in fields]
    if missing:
        raise VconfError(f"the invitation has no {', '.join(missing)} line")
    if not fields["SEQUENCE"].isdigit():
        raise VconfError(f"the invitation's SEQUENCE is not a number: {fields['SEQUENCE']!r}")
    return Invitation(
        uid=fields["UID"],
        sequence=int(fields["SEQUENCE"]),
        method=fields["METHOD"].upper(),
        title=unescape_text(fields.get("SUMMARY", "")),
        organizer=organizer,
        attendees=tuple(attendees),
        location=unescape_text(fields.get("LOCATION", "")),
        url=fields.get("URL", ""),
    )


def uninvite(request: bytes, attendee: Attendee) -> bytes:
    """Return the METHOD:CANCEL that takes `attendee` off a session that goes on (RFC 5546 §2.1.5).

    Everything comes from `request`, the session's current REQUEST (same UID, its SEQUENCE and
    DTSTAMP), except that the method becomes CANCEL, the status CANCELLED, and the one ATTENDEE is
    `attendee` (its line as last sent to them, without PARTSTAT/RSVP: nothing to answer).
    """
    edited: list[str] = []
    in_event = False
    for line in unfold(request):
        name = _split(line)[0]
        if name == "METHOD":
            line = "METHOD:CANCEL"
        elif line.upper() == "BEGIN:VEVENT":
            in_event = True
        elif in_event and name == "STATUS":
            continue  # written once, just before END:VEVENT
        elif in_event and name == "ATTENDEE":
            continue
        elif line.upper() == "END:VEVENT":
            edited += [_without_params(attendee.line, _DROPPED_ON_CANCEL), "STATUS:CANCELLED"]
            in_event = False
        edited.append(line)
    return b"".join(fold(line.encode()) for line in edited)


def _split(line: str) -> tuple[str, list[str], str]:
    """Return a content line's name (upper case), its raw parameters and its value.

    Double quotes protect `;`, `:` and `,` inside a parameter value (RFC 5545 §3.1).
    """
    pieces: list[str] = []
    start, quoted = 0, False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in ";:":
            pieces.append(line[start:index])
            start = index + 1
            if char == ":":
                return pieces[0].upper(), pieces[1:], line[start:]
    return line.upper(), [], ""


def _attendee(line: str, split: tuple[str, list[str], str] | None = None) -> Attendee:
    """Return the address and CN of an ATTENDEE or ORGANIZER line (`split`: as `_split` has it)."""
    _, params, value = split or _split(line)
    address = value[7:] if value[:7].lower() == "mailto:" else value
    name = ""
    for param in params:
        key, _, raw = param.partition("=")
        if key.upper() == "CN":
            name = param_text(raw)
    return Attendee(address=address, name=name, line=line)


def _without_params(line: str, dropped: tuple[str, ...]) -> str:
    """Return a content line without the named parameters, everything else as written."""
    name_part, params, value = _split(line)
    kept = [param for param in params if param.partition("=")[0].upper() not in dropped]
    head = line[: len(name_part)]  # the name as written
    return ";".join([head, *kept]) + ":" + value
