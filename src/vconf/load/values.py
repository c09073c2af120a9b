"""The value readers: one TOML value in, the model's value out, or a VconfError saying why."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, TypeVar

from vconf.errors import VconfError
from vconf.model import WEEKDAYS, Hours, Kind, Visibility
from vconf.timezones import check_zone_name

T = TypeVar("T")

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DURATION = re.compile(r"(?:(\d{1,4})h)?(?:(\d{1,5})m)?")
_HOURS = re.compile(r"(\d{2}):(\d{2})-(\d{2}):(\d{2})")
_EMAIL = re.compile(r"[^@\s<>\"]+@[A-Za-z0-9.-]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"]+")
_DOMAIN = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
FIRST_YEAR, LAST_YEAR = 1900, 2999
# Zone abbreviations people write for a zone, and the IANA zones each may mean (most used first);
# those that are zone names themselves (EST, CET, ...: fixed offsets or one rule) are accepted.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ICT": ("Asia/Bangkok", "Asia/Ho_Chi_Minh", "Asia/Phnom_Penh", "Asia/Vientiane"),
    "WIB": ("Asia/Jakarta", "Asia/Pontianak"),
    "WITA": ("Asia/Makassar",),
    "WIT": ("Asia/Jayapura",),
    "SGT": ("Asia/Singapore",),
    "MYT": ("Asia/Kuala_Lumpur",),
    "PHT": ("Asia/Manila",),
    "PHST": ("Asia/Manila",),
    "HKT": ("Asia/Hong_Kong",),
    "JST": ("Asia/Tokyo",),
    "KST": ("Asia/Seoul",),
    "IST": ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"),
    "PKT": ("Asia/Karachi",),
    "NPT": ("Asia/Kathmandu",),
    "GST": ("Asia/Dubai",),
    "MSK": ("Europe/Moscow",),
    "CEST": ("Europe/Berlin", "Europe/Paris", "Europe/Brussels"),
    "EEST": ("Europe/Athens", "Europe/Helsinki", "Europe/Bucharest"),
    "WEST": ("Europe/Lisbon", "Atlantic/Canary"),
    "BST": ("Europe/London",),
    "EDT": ("America/New_York", "America/Toronto"),
    "CDT": ("America/Chicago", "America/Mexico_City"),
    "CST": ("America/Chicago", "Asia/Shanghai", "America/Havana"),
    "MDT": ("America/Denver", "America/Edmonton"),
    "PST": ("America/Los_Angeles", "America/Vancouver"),
    "PDT": ("America/Los_Angeles", "America/Vancouver"),
    "AKST": ("America/Anchorage",),
    "AST": ("America/Halifax", "Asia/Riyadh", "America/Puerto_Rico"),
    "BRT": ("America/Sao_Paulo",),
    "ART": ("America/Argentina/Buenos_Aires",),
    "AEST": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane"),
    "AEDT": ("Australia/Sydney", "Australia/Melbourne"),
    "ACST": ("Australia/Adelaide", "Australia/Darwin"),
    "AWST": ("Australia/Perth",),
    "NZST": ("Pacific/Auckland",),
    "NZDT": ("Pacific/Auckland",),
    "SAST": ("Africa/Johannesburg",),
    "EAT": ("Africa/Nairobi", "Africa/Addis_Ababa"),
    "WAT": ("Africa/Lagos", "Africa/Kinshasa"),
    "CAT": ("Africa/Maputo", "Africa/Harare"),
}
MAX_TEXT = 100_000
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NUMBERS = {
    **{name.lower(): number for number, name in enumerate(WEEKDAYS)},
    **{name: number for number, name in enumerate(_FULL_DAY_NAMES)},
}


def _string(value: Any, expected: str = "a string") -> str:
    if not isinstance(value, str):
        raise VconfError(f"expected {expected}, got {describe(value)}")
    if len(value) > MAX_TEXT:
        raise VconfError(f"expected at most {MAX_TEXT} characters, got {len(value)}")
    return value


def line_value(value: Any) -> str:
    """Return one non-empty line of text, stripped."""
    text = _string(value, "a string").strip()
    if not text:
        raise VconfError("expected a non-empty string")
    if _CONTROL.search(text):
        raise VconfError("expected one line of text without control characters")
    return text


def text_value(value: Any) -> str:
    """Return text that may hold newlines and tabs, but no other control character."""
    text = _string(value, "a string")
    if _CONTROL_MULTILINE.search(text):
        raise VconfError("expected text without control characters (newlines and tabs are fine)")
    return text


def id_value(value: Any) -> str:
    """Return an id (SPEC §1: safe as a file name)."""
    return check_id(_string(value, "an id (letters, digits, '.', '_', '-')"))


def check_id(text: str) -> str:
    """Return `text` if it is an id; raise otherwise."""
    if not ID_PATTERN.fullmatch(text) or len(text) > 200:
        raise VconfError(
            f"expected an id of letters, digits, '.', '_' and '-' starting with a letter or digit, "
            f"got {describe(text)}"
        )
    return text


def _code_or_star(value: Any) -> str:
    if value == "*":
        return "*"
    return id_value(value)


def zone_value(value: Any, *, preferred: Collection[str] = ()) -> str:
    """Return an IANA zone name, with suggestions when it is none.

    An abbreviation (`ICT`, `WIB`, `PST`) names the zones it may mean, those in `preferred` (the
    file's own zones) first.
    """
    text = _string(value, "an IANA time zone name like 'Asia/Jakarta'")
    try:
        return check_zone_name(text)
    except VconfError as error:
        meant = _ABBREVIATIONS.get(text.strip().upper())
        if meant is None:
            raise
        ordered = sorted(meant, key=lambda name: (name not in preferred, meant.index(name)))
        raise VconfError(
            f"unknown time zone {text!r}: {text.strip()} is an abbreviation, not a zone; did you "
            f"mean {' or '.join(repr(name) for name in ordered[:3])}?"
        ) from error


def zone_reader(preferred: Collection[str]) -> Callable[[Any], str]:
    """Return `zone_value` that suggests the zones in `preferred` first."""
    return lambda value: zone_value(value, preferred=preferred)


def email_value(value: Any) -> str:
    """Return an email address, stripped."""
    text = _string(value, "an email address").strip()
    if not _EMAIL.fullmatch(text):
        raise VconfError(f"expected an email address like name@example.org, got {describe(text)}")
    return text


def url_value(value: Any) -> str:
    """Return a URL, stripped."""
    text = _string(value, "a URL").strip()
    if not _URL.fullmatch(text):
        raise VconfError(f"expected a URL like https://meet.example/room, got {describe(text)}")
    return text


def domain_value(value: Any) -> str:
    """Return a domain name, stripped."""
    text = _string(value, "a domain name").strip()
    if not _DOMAIN.fullmatch(text) or len(text) > 253:
        raise VconfError(f"expected a domain name like example.org, got {describe(text)}")
    return text


def date_value(value: Any) -> date:
    """Return a TOML local date within the years vconf accepts."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise VconfError(f"expected a date like 2021-11-16 (no quotes), got {describe(value)}")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise VconfError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {value.year}")
    return value


def datetime_value(value: Any) -> datetime:
    """Return a date-time to the second: naive for a local wall time, else aware in UTC."""
    if not isinstance(value, datetime):
        raise VconfError(
            f"expected a date-time like 2021-11-16T14:00:00 (no quotes), got {describe(value)}"
        )
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise VconfError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {value.year}")
    moment: datetime = value.replace(microsecond=0)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc)


def duration_value(value: Any, *, allow_zero: bool = False) -> timedelta:
    """Return a positive duration written `"45m"`, `"1h30m"` or as minutes (`90`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    elif (
        isinstance(value, str)
        and (match := _DURATION.fullmatch(value.strip()))
        and any(match.groups())
    ):
        minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    else:
        raise VconfError(f'expected a duration like "45m", "1h30m" or 90, got {describe(value)}')
    if minutes < 0 or (minutes == 0 and not allow_zero) or minutes > 60 * 24 * 366:
        raise VconfError(f"expected a positive duration of at most a year, got {describe(value)}")
    return timedelta(minutes=minutes)


def buffer_value(value: Any) -> timedelta:
    """Return a duration that may be zero (the event's buffer between sessions)."""
    return duration_value(value, allow_zero=True)


def hours_value(value: Any) -> Hours:
    """Return a local window written `"08:00-21:00"`; its end may be 24:00."""
    text = _string(value, 'hours like "08:00-21:00"')
    match = _HOURS.fullmatch(text.strip())
    if match:
        start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
        start, end = start_h * 60 + start_m, end_h * 60 + end_m
        if (
            start_h < 24
            and end_h <= 24
            and start_m < 60
            and end_m < 60
            and end <= 1440
            and start < end
        ):
            return Hours(start, end)
    raise VconfError(
        'expected hours like "08:00-21:00" (end may be 24:00, after the start), '
        f"got {describe(text)}"
    )


def weekend_value(value: Any) -> tuple[int, ...]:
    """Return the weekday numbers (Monday is 0) of a list of day names, sorted."""
    names = list_of(lambda item: _string(item, "a day name"))(value)
    days = []
    for index, name in enumerate(names, start=1):
        key = name.strip().lower()
        if key not in _DAY_NUMBERS:
            raise VconfError(
                f"expected a day name ({', '.join(WEEKDAYS)}), got {describe(name)}"
            ).within(f"[{index}]")
        days.append(_DAY_NUMBERS[key])
    return tuple(sorted(set(days)))


def enum_value(enum_type: type[Any]) -> Callable[[Any], Any]:
    """Return a reader of one of the values of `enum_type`."""
    members = {member.value: member for member in enum_type}

    def read(value: Any) -> Any:
        member = members.get(value) if isinstance(value, str) else None
        if member is None:
            raise VconfError(f"expected one of {', '.join(members)}, got {describe(value)}")
        return member

    return read


def list_of(read: Callable[[Any], T]) -> Callable[[Any], tuple[T, ...]]:
    """Return a reader of an array whose items `read` reads; an item's error names its index."""

    def read_list(value: Any) -> tuple[T, ...]:
        if not isinstance(value, list):
            raise VconfError(f"expected an array, got {describe(value)}")
        items = []
        for index, item in enumerate(value, start=1):
            try:
                items.append(read(item))
            except VconfError as error:
                error.within(f"[{index}]")
                raise
        return tuple(items)

    return read_list


def describe(value: Any) -> str:
    """Describe a TOML value for a message, without Python reprs of containers."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    if isinstance(value, time):
        return f"the time {value.isoformat()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return "a value of another type"


def read_duration(text: str) -> timedelta:
    """Return a duration written as on the command line (`"1h30m"`, `"90m"`, `"90"`)."""
    value: Any = int(text) if text.strip().isdigit() else text
    return duration_value(value)


dates_value = list_of(date_value)


def within_value(value: Any) -> tuple[date, date]:
    """Return a session's `within = [FIRST, LAST]` days (SPEC §10), first on or before last."""
    days = dates_value(value)
    if len(days) != 2:
        raise VconfError(f"expected two dates [FIRST, LAST], got {len(days)}")
    if days[1] < days[0]:
        raise VconfError(f"expected a last day on or after {days[0]}, got {days[1]}")
    return days[0], days[1]


ids_value = list_of(id_value)


def count_value(value: Any) -> int:
    """Return an integer of at least 1 (a delegation's `size`, an account's `concurrent`)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise VconfError(f"expected an integer of at least 1, got {describe(value)}")
    if value < 1:
        raise VconfError(f"expected an integer of at least 1, got {value}")
    return value


def interprets_value(value: Any) -> tuple[str, ...]:
    """Return an interpreter's languages: two or more distinct codes, as written."""
    languages = ids_value(value)
    if len(set(languages)) != len(languages):
        raise VconfError(f"expected distinct language codes, got {', '.join(languages)}")
    if len(languages) < 2:
        raise VconfError(f"expected two or more language codes, got {len(languages)}")
    return languages


codes_value = list_of(_code_or_star)
kind_value = enum_value(Kind)
visibility_value = enum_value(Visibility)
