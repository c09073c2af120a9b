"""The interpretation plan (SPEC §7): one row per session and interpreted language pair.

What a secretariat pastes into the platform's interpretation set-up: the floor language, each
target language, and the interpreters able to work that pair. `checks` finds the gaps and the
short teams on the same pairs; the CSV file (`export.interpretation`) and the JSON agenda show
the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from vconf.model import Person
from vconf.timetable import Slot, Timetable


@dataclass(frozen=True, slots=True)
class Channel:
    """One interpreted language of a session: from the floor language into `target`."""

    slot: Slot
    floor: str
    target: str
    interpreters: tuple[Person, ...]  # those whose `interprets` holds both, in the order written


def plans_interpretation(timetable: Timetable) -> bool:
    """Whether the file declares an interpreter: only then is interpretation planned and checked."""
    return any(person.interprets for person in timetable.people.values())


def session_channels(slot: Slot, timetable: Timetable) -> tuple[Channel, ...]:
    """Return a session's channels: its languages taken once each, the first the floor."""
    languages = tuple(dict.fromkeys(slot.session.languages))
    if len(languages) < 2:
        return ()
    floor = languages[0]
    people = [timetable.people[person_id] for person_id in slot.session.interpreters]
    return tuple(
        Channel(
            slot,
            floor,
            target,
            tuple(person for person in people if {floor, target} <= set(person.interprets)),
        )
        for target in languages[1:]
    )


def channels(timetable: Timetable) -> Iterator[Channel]:
    """Yield every channel of the timetable, sessions by start then id, targets as written.

    Nothing when the file declares no interpreter.
    """
    if not plans_interpretation(timetable):
        return
    for slot in timetable.slots:
        yield from session_channels(slot, timetable)
