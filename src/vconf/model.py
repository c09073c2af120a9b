"""The event as written in the TOML file: frozen records, nothing computed."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta


class Kind(enum.Enum):
    """What sort of session it is (SPEC §1)."""

    PLENARY = "plenary"
    PANEL = "panel"
    ROUNDTABLE = "roundtable"
    BILATERAL = "bilateral"
    SIDE_EVENT = "side-event"
    BREAK = "break"
    OTHER = "other"


class Visibility(enum.Enum):
    """Who may see a session: everyone, or only its own parties."""

    PUBLIC = "public"
    RESTRICTED = "restricted"
    CLOSED = "closed"  # restricted, but everyone else sees a busy block (SPEC §7)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class Hours:
    """An acceptable local window, in minutes after midnight; `end` may be 1440 (24:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return (
            f"{self.start // 60:02d}:{self.start % 60:02d}-{self.end // 60:02d}:{self.end % 60:02d}"
        )


@dataclass(frozen=True, slots=True)
class Contact:
    """A name and an optional email address (the organizer)."""

    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """The `[event]` table."""

    id: str
    name: str
    tz_name: str
    start: date | None = None
    end: date | None = None
    organizer: Contact | None = None
    uid_domain: str = "vconf.invalid"
    hours: Hours = Hours(7 * 60, 22 * 60)
    buffer: timedelta = timedelta(0)
    host: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Delegation:
    """One `[delegations.CODE]` table; `weekend` holds weekday numbers (Monday is 0)."""

    code: str
    name: str
    tz_name: str
    hours: Hours
    weekend: tuple[int, ...] = (5, 6)
    holidays: tuple[date, ...] = ()
    email: str | None = None
    size: int | None = None  # at most this many of its sessions at once (None: no limit)
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """One `[people.ID]` table."""

    id: str
    name: str
    delegation: str | None = None
    email: str | None = None
    interprets: tuple[str, ...] = ()  # an interpreter between these languages (SPEC §7)


@dataclass(frozen=True, slots=True)
class Account:
    """One `[accounts.ID]` table: a platform licence that hosts `concurrent` meetings at once."""

    id: str
    name: str
    concurrent: int = 1


@dataclass(frozen=True, slots=True)
class Room:
    """One `[rooms.ID]` table: a virtual room."""

    id: str
    name: str
    url: str | None = None
    account: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """One `[[sessions]]` table as written.

    `start` and `end` are naive for local wall times (read in `tz_name`) and aware for TOML offset
    date-times. Exactly one of `end` and `duration` is set. `number` counts sessions from 1 in
    file order. A session without `start` is unscheduled (SPEC §10): it has a `duration`, and
    `within` (first and last day in the event zone; None for the event's days) says where
    `vconf schedule` may place it.
    """

    id: str
    title: str
    start: datetime | None
    tz_name: str
    number: int = 0
    end: datetime | None = None
    duration: timedelta | None = None
    kind: Kind = Kind.OTHER
    room: str | None = None
    delegations: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    moderators: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    interpreters: tuple[str, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    description: str = ""
    within: tuple[date, date] | None = None

    @property
    def is_restricted(self) -> bool:
        """Whether only the session's own parties may see it in full (closed sessions too)."""
        return self.visibility is not Visibility.PUBLIC

    @property
    def is_closed(self) -> bool:
        """Whether non-parties see a busy block in its place (SPEC §7)."""
        return self.visibility is Visibility.CLOSED


@dataclass(frozen=True, slots=True)
class Conference:
    """The whole file: the event and everything it declares, in file order."""

    event: Event
    delegations: tuple[Delegation, ...] = ()
    people: tuple[Person, ...] = ()
    rooms: tuple[Room, ...] = ()
    sessions: tuple[Session, ...] = ()
    accounts: tuple[Account, ...] = ()
