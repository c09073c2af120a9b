"""What to send: one message per (invitation version, recipient), never one already sent.

Pure: the store gives the issued versions and the recorded message states, this module answers
with the messages still to go. Only each session's latest version goes out; a version superseded
before it was sent is never sent (its successor says everything it said).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from vconf.errors import VconfError
from vconf.mail.content import Attendee, Invitation, read_invitation, recipient_key, uninvite
from vconf.mail.message import Kind, Letter, Party

_HELD = ("sent", "unknown")  # states after which the recipient may hold the session
_UNSAFE = re.compile(r"[^a-z0-9@._+-]")


class State(Enum):
    """A message's state in the store (SPEC §9)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Version:
    """One issued invitation version: its session and the `invites/<id>.ics` bytes of it."""

    session_id: str
    ics: bytes


@dataclass(frozen=True, slots=True)
class MessageState:
    """The recorded state of the message of one version (UID, SEQUENCE) to one recipient.

    `method` says what that message was (REQUEST or CANCEL): an uninvite shares its SEQUENCE
    with the REQUEST the others got.
    """

    uid: str
    sequence: int
    recipient: str
    method: str
    state: State
    name: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: which version, to whom, saying what, with which calendar bytes."""

    session_id: str
    uid: str
    sequence: int
    recipient: str
    name: str
    kind: Kind
    ics: bytes

    @property
    def method(self) -> str:
        """Return the iTIP method the message carries."""
        return "CANCEL" if self.kind is Kind.CANCELLED else "REQUEST"

    @property
    def key(self) -> tuple[str, int, str]:
        """Return the (UID, SEQUENCE, recipient) its state is kept under."""
        return (self.uid, self.sequence, recipient_key(self.recipient))


def plan_outbox(
    versions: Iterable[Version],
    states: Iterable[MessageState],
    *,
    resend_unknown: bool = False,
) -> tuple[Outgoing, ...]:
    """Return the messages to send, ordered by session, version and recipient.

    A message already `sent` never goes again; an `unknown` one only with `resend_unknown`; a
    `pending` or `failed` one goes (again).
    """
    sessions = _sessions(versions)
    by_uid: dict[str, list[MessageState]] = {}
    for state in states:
        by_uid.setdefault(state.uid, []).append(state)
    outgoing: list[Outgoing] = []
    for uid, issued in sessions.items():
        recorded = by_uid.get(uid, [])
        done = {
            recipient_key(state.recipient): state.state
            for state in recorded
            if state.sequence == issued[-1][1].sequence
        }
        for message in _targets(issued, recorded):
            if _is_due(done.get(recipient_key(message.recipient)), resend_unknown=resend_unknown):
                outgoing.append(message)
    return tuple(sorted(outgoing, key=lambda message: (message.session_id, *message.key)))


def letter_for(
    message: Outgoing,
    *,
    organizer: Party,
    start_text: str,
    summary: str,
    date: datetime,
    title: str | None = None,
) -> Letter:
    """Return the letter of a planned message; the title defaults to the invitation's SUMMARY.

    The caller brings what needs the recipient's zone (`start_text`, `summary`), the Date, and
    the organizer (From): `vconf send` refuses an event without an organizer email (SPEC §9).
    """
    return Letter(
        ics=message.ics,
        recipient=Party(message.recipient, message.name),
        organizer=organizer,
        kind=message.kind,
        title=read_invitation(message.ics).title if title is None else title,
        start_text=start_text,
        summary=summary,
        date=date,
    )


def draft_path(session_id: str, sequence: int, recipient: str) -> str:
    """Return where the review draft of a message goes: `outbox/<session>/<SEQ>-<recipient>.eml`.

    An address may hold characters no file name should (`/`, `:`); those become `_` and a short
    hash of the address keeps two such addresses apart.
    """
    key = recipient_key(recipient)
    safe = _UNSAFE.sub("_", key)
    if safe != key:
        safe += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"outbox/{session_id}/{sequence}-{safe}.eml"


def _sessions(versions: Iterable[Version]) -> dict[str, list[tuple[Version, Invitation]]]:
    """Return each UID's versions with what they say, by SEQUENCE; refuse a SEQUENCE twice."""
    sessions: dict[str, list[tuple[Version, Invitation]]] = {}
    for version in versions:
        invitation = read_invitation(version.ics)
        sessions.setdefault(invitation.uid, []).append((version, invitation))
    for uid, issued in sessions.items():
        issued.sort(key=lambda pair: pair[1].sequence)
        sequences = [invitation.sequence for _, invitation in issued]
        if len(set(sequences)) != len(sequences):
            raise VconfError(f"the store holds two invitations {uid} with one SEQUENCE")
    return sessions


def _targets(
    issued: list[tuple[Version, Invitation]], recorded: list[MessageState]
) -> list[Outgoing]:
    """Return every message the latest version calls for, sent or not."""
    version, latest = issued[-1]
    holders = _holders(issued, recorded)
    if latest.method == "CANCEL":
        return [
            _outgoing(version, latest, attendee, Kind.CANCELLED, version.ics)
            for attendee in holders.values()
        ]
    if latest.method != "REQUEST":
        raise VconfError(f"invitation {latest.uid} has METHOD:{latest.method}, not REQUEST/CANCEL")
    messages = []
    invited = _unique(latest.attendees)
    for key, attendee in invited.items():
        kind = Kind.UPDATED if key in holders else Kind.NEW
        messages.append(_outgoing(version, latest, attendee, kind, version.ics))
    for key, attendee in holders.items():
        if key not in invited:  # taken off a session that goes on: RFC 5546's uninvite
            ics = uninvite(version.ics, attendee)
            messages.append(_outgoing(version, latest, attendee, Kind.CANCELLED, ics))
    return messages


def _holders(
    issued: list[tuple[Version, Invitation]], recorded: list[MessageState]
) -> dict[str, Attendee]:
    """Return who may hold the session before its latest version: the last thing they were
    sent (or may have been) was a REQUEST. Each comes with the ATTENDEE line they got.
    """
    latest = issued[-1][1].sequence
    attendees = {invitation.sequence: _unique(invitation.attendees) for _, invitation in issued}
    last: dict[str, MessageState] = {}
    for state in recorded:
        if state.sequence >= latest or state.state.value not in _HELD:
            continue
        key = recipient_key(state.recipient)
        if key not in last or state.sequence > last[key].sequence:
            last[key] = state
    holders = {}
    for key, state in sorted(last.items()):
        if state.method == "REQUEST":
            fallback = Attendee(state.recipient, state.name, f"ATTENDEE:mailto:{state.recipient}")
            holders[key] = attendees.get(state.sequence, {}).get(key, fallback)
    return holders


def _unique(attendees: tuple[Attendee, ...]) -> dict[str, Attendee]:
    """Return attendees by mailbox, the first line of each kept."""
    unique: dict[str, Attendee] = {}
    for attendee in attendees:
        unique.setdefault(recipient_key(attendee.address), attendee)
    return unique


def _outgoing(
    version: Version, invitation: Invitation, attendee: Attendee, kind: Kind, ics: bytes
) -> Outgoing:
    return Outgoing(
        session_id=version.session_id,
        uid=invitation.uid,
        sequence=invitation.sequence,
        recipient=attendee.address,
        name=attendee.name,
        kind=kind,
        ics=ics,
    )


def _is_due(state: State | None, *, resend_unknown: bool) -> bool:
    """Return whether a message in `state` goes on this run."""
    if state is State.SENT:
        return False
    return state is not State.UNKNOWN or resend_unknown
