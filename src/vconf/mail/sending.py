"""`vconf send` (SPEC §9): plan the messages from the store, write the drafts, deliver them once.

The order of one delivery is what makes a kill at any moment safe: the message's row is
committed `unknown` once the server has accepted the recipient and before the content goes
(`Transport.send`'s hook), then `sent` or `failed`. A run killed in between leaves `unknown`,
which goes again only with `--resend-unknown`; nothing already `sent` is ever planned again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vconf.contentlines import unfold
from vconf.errors import VconfError
from vconf.files import fault_point, write_all
from vconf.mail.content import read_invitation, recipient_key
from vconf.mail.message import Kind, Letter, Mail, Party, build_mail, message_id, summary_text
from vconf.mail.outbox import (
    MessageState,
    Outgoing,
    State,
    Version,
    draft_path,
    letter_for,
    plan_outbox,
)
from vconf.mail.smtp import Transport
from vconf.revisions.messages import (
    IssuedVersion,
    MessageRow,
    quick_commits,
    read_messages,
    read_versions,
    set_message,
)
from vconf.timezones import (
    format_offset,
    offset_and_abbreviation,
    readable_abbreviation,
    utc_to_local,
    wall_to_utc,
)

if TYPE_CHECKING:
    from vconf.revisions import Store


@dataclass(frozen=True, slots=True)
class Planned:
    """One message this run sends (or, without --confirm, lists): its plan, letter and draft.

    The bytes are built when they are written or sent (`mail`), not kept: the 90,000 messages
    of a 20,000-session event are 1.2 GB.
    """

    outgoing: Outgoing
    letter: Letter
    message_id: str
    draft: str  # relative to DIR: outbox/<session id>/<SEQUENCE>-<recipient>.eml
    start_text: str

    def mail(self) -> Mail:
        """Return the message, built (the same bytes every time)."""
        return build_mail(self.letter)


class _Drafts(Mapping[str, bytes]):
    """The drafts by path; each message is built when its file is written, then let go."""

    def __init__(self, planned: Iterable[Planned]) -> None:
        self._planned = {item.draft: item for item in planned}

    def __getitem__(self, draft: str) -> bytes:
        return self._planned[draft].mail().data

    def __iter__(self) -> Iterator[str]:
        return iter(self._planned)

    def __len__(self) -> int:
        return len(self._planned)


@dataclass(frozen=True, slots=True)
class Result:
    """What became of one planned message: `listed` (no --confirm), sent, failed or unknown."""

    planned: Planned
    state: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SendReport:
    """A run of `vconf send`: where, whether it delivered, and each message's result."""

    directory: Path
    confirmed: bool
    results: tuple[Result, ...]

    @property
    def failed(self) -> int:
        """How many messages did not surely arrive (failed or unknown)."""
        return sum(result.state in ("failed", "unknown") for result in self.results)


def plan_send(store: Store, *, resend_unknown: bool = False) -> tuple[Planned, ...]:
    """Return the messages due, built: refuse a store that issued nothing, or no organizer email."""
    connection = _connection(store)
    versions = read_versions(connection)
    if not versions:
        raise VconfError("the directory holds no export with invitations: run `vconf export` first")
    organizer = _organizer(versions)
    states = [_state(row) for row in read_messages(connection)]
    due = plan_outbox(
        [Version(version.session_id, version.ics) for version in versions],
        states,
        resend_unknown=resend_unknown,
    )
    zones = _zones(versions)
    return tuple(_planned(message, organizer, zones) for message in due)


def write_drafts(directory: Path, planned: Iterable[Planned]) -> list[Path]:
    """Write each message as its `.eml` draft under DIR/outbox/, atomically; return the written.

    Not flushed to disk: a draft is for review and every dry run writes it again, while what
    must survive a power cut, the message states, is in the store. A flush costs a folder's
    fsync per session (20,000 at L, 1-2 ms each here) and a `sync()` of the whole machine.
    """
    return write_all(directory, _Drafts(planned), durable=False)


def deliver(
    store: Store,
    planned: Iterable[Planned],
    transport: Transport,
    *,
    now: Callable[[], datetime],
    advance: Callable[[], None] = lambda: None,
) -> tuple[Result, ...]:
    """Send each message over `transport`, recording its state around the content, never twice."""
    connection = _connection(store)
    results = []
    with quick_commits(connection):
        for item in planned:
            results.append(_send_one(connection, item, transport, now=now))
            advance()
    return tuple(results)


def _send_one(
    connection: Any,  # the store's sqlite3 connection
    item: Planned,
    transport: Transport,
    *,
    now: Callable[[], datetime],
) -> Result:
    """Send one message: `unknown` committed before the content goes, then what became of it."""

    def mark(state: str, detail: str = "") -> None:
        message = item.outgoing
        row = MessageRow(
            uid=message.uid,
            sequence=message.sequence,
            address=message.recipient,
            name=message.name,
            method=message.method,
            state=state,
            message_id=item.message_id,
            detail=detail,
        )
        set_message(connection, row, now=now())

    def before_content() -> None:
        fault_point("mail-accepted")
        mark("unknown", "the run stopped while the content was going")
        fault_point("mail-marked")

    delivery = transport.send(item.mail(), before_content=before_content)
    fault_point("mail-delivered")
    mark(delivery.outcome.value, delivery.detail)
    fault_point("mail-recorded")
    return Result(item, delivery.outcome.value, delivery.detail)


def _connection(store: Store) -> Any:
    """Return the store's open connection (a read-only snapshot has none to write with)."""
    if store.connection is None:
        raise RuntimeError("vconf send needs the store opened with open_store")
    return store.connection


def _state(row: MessageRow) -> MessageState:
    return MessageState(
        uid=row.uid,
        sequence=row.sequence,
        recipient=row.address,
        method=row.method,
        state=State(row.state),
        name=row.name,
    )


def _organizer(versions: tuple[IssuedVersion, ...]) -> Party:
    """Return the ORGANIZER of the latest version, refusing the default `noreply@` address."""
    latest = max(versions, key=lambda version: (version.uid, version.sequence))
    found = read_invitation(latest.ics).organizer
    domain = latest.uid.rsplit("@", 1)[-1]
    if found is None or recipient_key(found.address) == f"noreply@{domain.lower()}":
        raise VconfError(
            "the event declares no organizer email, and the invitations' From would be no one's "
            'mailbox: add [event] organizer = { name = "…", email = "…" } and export again'
        )
    return Party(found.address, found.name)


def _zones(versions: tuple[IssuedVersion, ...]) -> dict[str, str]:
    """Return each recipient's zone, the latest version that names them winning."""
    zones: dict[str, str] = {}
    for version in sorted(versions, key=lambda item: (item.uid, item.sequence)):
        for person in version.recipients:
            if person.tz_name:
                zones[recipient_key(person.address)] = person.tz_name
    return zones


def _planned(message: Outgoing, organizer: Party, zones: dict[str, str]) -> Planned:
    """Return one due message built, its texts in the recipient's zone and the event's."""
    facts = _event_facts(message.ics)
    zone = zones.get(recipient_key(message.recipient), facts.tz_name)
    start_text, summary = _texts(message.ics, zone, cancelled=message.kind is Kind.CANCELLED)
    letter = letter_for(
        message,
        organizer=organizer,
        start_text=start_text,
        summary=summary,
        date=facts.stamp,  # the version's DTSTAMP: a draft built again is the same bytes
    )
    return Planned(
        outgoing=message,
        letter=letter,
        message_id=message_id(message.uid, message.sequence, message.recipient),
        draft=draft_path(message.session_id, message.sequence, message.recipient),
        start_text=start_text,
    )


@lru_cache(maxsize=1024)  # the same for every recipient of a version in one zone
def _texts(ics: bytes, zone: str, *, cancelled: bool) -> tuple[str, str]:
    """Return the start as the subject says it and the text/plain summary, in `zone`."""
    facts = _event_facts(ics)
    invitation = read_invitation(ics)
    invited = tuple(attendee.name or attendee.address for attendee in invitation.attendees)
    summary = summary_text(
        title=invitation.title,
        when_recipient=_when(facts.start_utc, zone, with_end=facts.end_utc),
        when_event=_when(facts.start_utc, facts.tz_name, with_end=facts.end_utc),
        room=invitation.location,
        link=invitation.url,
        others=() if cancelled else invited,
    )
    return _when(facts.start_utc, zone, with_end=None), summary


@dataclass(frozen=True, slots=True)
class _Facts:
    start_utc: datetime
    end_utc: datetime
    tz_name: str
    stamp: datetime


@lru_cache(maxsize=256)  # one version goes to many recipients
def _event_facts(ics: bytes) -> _Facts:
    """Return the VEVENT's start, end, zone and DTSTAMP (the VTIMEZONE's DTSTARTs skipped)."""
    values: dict[str, tuple[str, str]] = {}
    in_event = False
    for line in unfold(ics):
        head, _, value = line.partition(":")
        name, _, params = head.partition(";")
        if line == "BEGIN:VEVENT":
            in_event = True
        elif in_event and name in ("DTSTART", "DTEND", "DTSTAMP") and name not in values:
            values[name] = (params, value)
    if "DTSTART" not in values or "DTSTAMP" not in values:
        raise VconfError("an invitation has no DTSTART or DTSTAMP in its VEVENT")
    start, tz_name = _instant(*values["DTSTART"])
    end = _instant(*values.get("DTEND", values["DTSTART"]))[0]
    return _Facts(start, end, tz_name, _instant(*values["DTSTAMP"])[0])


def _instant(params: str, value: str) -> tuple[datetime, str]:
    """Return a DATE-TIME value as a UTC instant, with the zone it was written in."""
    tz_name = "UTC"
    for param in params.split(";"):
        key, _, raw = param.partition("=")
        if key.upper() == "TZID":
            tz_name = raw.strip('"')
    wall = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    return wall_to_utc(wall, tz_name).utc, tz_name


@lru_cache(maxsize=65536)  # a few start times, a few zones, many messages
def _when(start: datetime, tz_name: str, *, with_end: datetime | None) -> str:
    """Return `Tue 16 Nov 2021 08:00 GMT`, or with the end `… 08:00-09:30 (GMT, UTC+00:00)`."""
    local = utc_to_local(start, tz_name)
    offset, abbreviation = offset_and_abbreviation(start, tz_name)
    day = local.strftime("%a %d %b %Y %H:%M")
    if with_end is None:
        return f"{day} {_label(abbreviation, offset)}"
    end = utc_to_local(with_end, tz_name).strftime("%H:%M")
    return f"{day}-{end} ({tz_name}, {_label(abbreviation, offset)})"


def _label(abbreviation: str, offset: timedelta) -> str:
    """Return `UTC+07:00`, with a trusted abbreviation (`WIB`) first; `PST` or `CST` is left
    out, as those name two offsets (the US and the Philippines, the US and China)."""
    utc, shown = f"UTC{format_offset(offset)}", readable_abbreviation(abbreviation)
    return f"{shown} {utc}" if shown and shown != "UTC" else utc
