"""The reader's language: dates, times, zone names and agenda labels, from CLDR and gettext.

The only Babel user (ARCHITECTURE §7). `language_for(code)` checks a language code once and
returns a `Language`, whose methods say a date, a time or a zone the way CLDR writes it in that
language, and whose `label`/`plural` give the agenda's words from the gettext catalogs shipped in
`vconf/locale/` (docs/translating.md). vconf speaks en, fr, id and vi; any other CLDR language
gets its own dates, times and names with English labels.

Three choices hold in every language, so agendas in two languages line up:
- **Bare `en` is international English**: CLDR's `en_GB` patterns (`Tuesday, 16 November 2021`,
  day before month); write `en-US` for American dates.
- **A 24-hour clock with two-digit hours** (`09:00`): CLDR's `Hm`/`Hms` skeleton of the language
  with the hour widened to `HH`, as TR35 widens a matched pattern to the requested skeleton
  `HHmm` (Babel does not: Vietnamese `Hm` is `H:mm`, while its time ranges read `09:00`).
  Indonesian keeps CLDR's dot (`14.00`).
- **The UTC offset is written by vconf** (`UTC+07:00`, ASCII digits and signs), never CLDR's
  localised GMT format, so a heading's offset reads the same in every language.

Nothing is imported at import time but the standard library: Babel (~40 ms) is loaded on the
first date or name formatted, and a catalog on its first label. Every formatted value is cached
per (language, value), so a 20,000-session agenda formats each distinct day and time once.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING

from vconf.errors import VconfError

if TYPE_CHECKING:
    from babel import Locale

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "vconf"
SHIPPED = ("en", "fr", "id", "vi")
"""The languages whose labels are translated; `en` is the msgids themselves."""

EN_DASH = "\u2013"
_CLDR_FOR = {"en": "en_GB"}  # bare `en`: international English (day before month, 24-hour)
_CODE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_UNKNOWN = (
    f"unknown language; vconf speaks {', '.join(SHIPPED)}; "
    "other CLDR codes (de, ja, pt-BR, ...) get their dates with English labels"
)


def N_(msgid: str) -> str:
    """Return `msgid` unchanged: marks a label for `pybabel extract` (gettext's no-op marker)."""
    return msgid


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Return the pair unchanged: marks a plural label for `pybabel extract`."""
    return singular, plural


# The agenda's vocabulary: every msgid `label` accepts. A renderer needing a new word adds it
# here, then runs the translator workflow (docs/translating.md); tests/test_language.py fails
# until the template and every catalog have it.
LABELS = (
    # Titles and headings.
    N_("Programme"),
    N_("Public programme"),
    N_("Agenda"),
    N_("Session"),
    N_("Sessions"),
    N_("Room"),
    N_("Time"),
    N_("Date"),
    N_("People"),
    N_("Kind"),
    N_("Link"),
    N_("Description"),
    N_("Languages"),
    N_("Interpretation"),
    N_("Delegation"),
    N_("Delegations"),
    N_("Host"),
    N_("Time zone"),
    N_("Local time"),
    N_("Problems"),
    N_("Revision"),
    # Roles of a person in a session.
    # TRANSLATORS: this and the next three follow a person's name: "Lan Pham (VN, speaker)".
    N_("speaker"),
    N_("moderator"),
    N_("attendee"),
    N_("interpreter"),
    N_("Speakers"),
    N_("Moderators"),
    N_("Attendees"),
    N_("Interpreters"),
    # Marks beside a session.
    # TRANSLATORS: this and the next two mark who may see a session; lowercase.
    N_("public"),
    N_("restricted"),
    N_("closed"),
    # TRANSLATORS: the title shown in the public programme instead of a closed session's own.
    N_("Closed meeting"),
    N_("problem"),
    # Kinds of session.
    # TRANSLATORS: this and the next six are kinds of session, lowercase, beside its title.
    N_("plenary"),
    N_("panel"),
    N_("roundtable"),
    N_("bilateral"),
    N_("side event"),
    N_("break"),
    N_("other"),
    # Sentences.
    # TRANSLATORS: {zone} is a zone heading such as "Jakarta (UTC+07:00)".
    N_("All times in {zone}"),
    # TRANSLATORS: {zone} is a city such as "Jakarta"; +1/-1 are written as is.
    N_("Dates are in {zone} time; +1/-1 marks a time on the next/previous date."),
    # TRANSLATORS: {party} is a delegation "Viet Nam (VN)" or a person's name.
    N_("No sessions for {party}."),
    N_("No sessions in this event."),
    # TRANSLATORS: the foot of each printed page; {n} and {m} are page numbers.
    N_("page {n} of {m}"),
    # TRANSLATORS: the foot of each printed page; {rev} is a number, {date} a long date.
    N_("As of revision {rev}, exported {date}"),
    # TRANSLATORS: a day heading repeated at the top of the next printed page.
    N_("{day} (continued)"),
    # TRANSLATORS: the foot of each printed page when the plan has no session yet.
    N_("As of revision {rev}"),
    # TRANSLATORS: the foot of each printed page of `vconf agenda`; {file} is the plan's file name.
    N_("Draft from {file}, not an exported revision"),
    N_("Draft, not an exported revision"),
    # TRANSLATORS: follows "All times in {zone}; " at the top of an agenda with two time columns.
    N_("second column: {zone}"),
    # TRANSLATORS: follows "All times in {zone}; "; {zones} is a list of zone headings.
    N_("next columns: {zones}"),
    # TRANSLATORS: the heading of the list of online rooms and their full web addresses.
    N_("Rooms and links"),
    N_("Add to calendar"),
    N_("Join online"),
    # TRANSLATORS: beside a problem of a session: "outside-hours: 02:00 for US"; {party} is a
    # delegation code.
    N_("{time} for {party}"),
    # TRANSLATORS: a clock change between two sessions; {zone} is a city or delegation,
    # {now} and {was} UTC offsets such as "UTC+09:30".
    N_("{zone} is now {now}, was {was}"),
    # TRANSLATORS: a clock change; {zone} and {other} are cities or delegations.
    N_("{zone} now keeps the time of {other}"),
    # TRANSLATORS: a clock change; {now} and {was} are lengths such as "2 h 30".
    N_("{zone} is now {now} ahead of {other}, was {was}"),
    # TRANSLATORS: a clock change; {now} and {was} are lengths such as "2 h 30".
    N_("{zone} is now {now} behind {other}, was {was}"),
)
PLURALS = (
    N_plural("{n} session in parallel", "{n} sessions in parallel"),
    N_plural("{n} session", "{n} sessions"),
    N_plural("{n} problem", "{n} problems"),
    N_plural("{n} day", "{n} days"),
    N_plural("{n} delegation", "{n} delegations"),
)
_KNOWN_PLURALS = frozenset(PLURALS)


@dataclass(frozen=True, slots=True)
class Language:
    """A checked language: how its dates, times and zones read, and its agenda labels."""

    tag: str  # BCP 47, for HTML's `lang`: "vi", "pt-BR"
    cldr: str  # the CLDR locale behind dates and names: "vi", "pt_BR"; "en_GB" for en
    catalog: str  # the labels' language: one of SHIPPED ("en": the msgids)

    def day_heading(self, day: date) -> str:
        """Return CLDR's full date: `Tuesday, 16 November 2021`, `Thứ Ba, 16 tháng 11, 2021`."""
        return _full_date(self.cldr, _as_date(day))

    def short_day(self, day: date) -> str:
        """Return CLDR's `MMMEd`: `Tue 16 Nov`, `Thứ 3, 16 thg 11`, `mar. 16 nov.`."""
        return _short_date(self.cldr, _as_date(day))

    def long_date(self, day: date) -> str:
        """Return CLDR's long date: `16 November 2021`, `16 tháng 11, 2021`."""
        return _long_date(self.cldr, _as_date(day))

    def clock(self, moment: clock_time | datetime, *, midnight_as_24: bool = False) -> str:
        """Return `14:00` (id `14.00`), with seconds only when not zero.

        `midnight_as_24` writes a midnight as `24:00`: the end of a session that runs to the
        next midnight (SPEC §2), through CLDR's `k` (1-24) hour field.
        """
        return _clock(self.cldr, moment.hour, moment.minute, moment.second, midnight_as_24)

    def clock_range(self, start: str, end: str) -> str:
        """Return two `clock` texts (marks such as `+1` included) joined as CLDR joins `Hm`.

        An en dash in en, vi and id (`14:00-15:30`), between thin spaces in fr: the separator
        of CLDR's `format_interval`, so a plain range equals Babel's.
        """
        return f"{start}{_range_separator(self.cldr)}{end}"

    def weekday_name(self, weekday: int, *, short: bool = False) -> str:
        """Return the stand-alone weekday name (0 is Monday): `Tuesday`/`Tue`, `Thứ Ba`/`Thứ 3`."""
        return _weekday_name(self.cldr, weekday, short)

    def month_name(self, month: int, *, short: bool = False) -> str:
        """Return the stand-alone month name (1 is January): `November`/`Nov`, `novembre`."""
        return _month_name(self.cldr, month, short)

    def zone_name(self, tz_name: str) -> str:
        """Return CLDR's exemplar city of a zone: `Ho Chi Minh City`, `TP Hồ Chí Minh`, `UTC`."""
        return _zone_name(self.cldr, tz_name)

    def zone_heading(self, tz_name: str, offsets: Iterable[timedelta] = ()) -> str:
        """Return `Ho Chi Minh City (UTC+07:00)`, `New York (UTC-05:00/UTC-04:00)` or `UTC`.

        `offsets` are those the zone has on the heading's day, first seen first (repeats are
        dropped); none gives the city alone. UTC itself needs no offset.
        """
        return _zone_heading(self.cldr, tz_name, tuple(dict.fromkeys(offsets)))

    def language_name(self, code: str) -> str:
        """Return a language's name in this language (`vi`: `Vietnamese`, `Tiếng Việt`), or `code`.

        A code CLDR does not know is shown as written.
        """
        return _language_name(self.cldr, code)

    def number(self, value: int) -> str:
        """Return an integer with CLDR's grouping: `20,000`, vi `20.000`, fr `20 000`."""
        return _number(self.cldr, value)

    def label(self, msgid: str, **values: object) -> str:
        """Return a label of `LABELS` in this language, its `{fields}` filled from `values`.

        Without values the translation is returned as is, placeholders included (a stylesheet
        splits `page {n} of {m}` around CSS counters). A msgid outside `LABELS` is a bug.
        """
        text = _labels(self.catalog).get(msgid)
        if text is None:
            raise ValueError(f"{msgid!r} is not in language.LABELS")
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, count: int, **values: object) -> str:
        """Return the form of a pair of `PLURALS` for `count`, `{n}` being `count` as a number.

        `{n} sessions in parallel` gives `3 séances en parallèle` and `3 phiên họp song song`.
        """
        if (singular, plural) not in _KNOWN_PLURALS:
            raise ValueError(f"{(singular, plural)!r} is not in language.PLURALS")
        text = _translations(self.catalog).ngettext(singular, plural, count)
        return text.format(n=self.number(count), **values)


@functools.cache
def language_for(code: str) -> Language:
    """Return the `Language` of a BCP 47 / CLDR code (`vi`, `fr-CA`, `pt_BR`), checked.

    An unknown or malformed code is a VconfError (`xx: unknown language; ...`) that the caller
    places (`--lang xx: ...`, or the TOML key that names it).
    """
    well_formed = _CODE.fullmatch(code) and re.split("[-_]", code)[0].lower() != "und"
    locale = _parse_locale(code) if well_formed else None
    if locale is None:
        raise VconfError(f"{code or repr(code)}: {_UNKNOWN}")
    name = str(locale)
    return Language(
        tag=_bcp47(locale),
        cldr=_CLDR_FOR.get(name, name),
        catalog=locale.language if locale.language in SHIPPED else "en",
    )


def utc_offset(offset: timedelta) -> str:
    """Return `UTC+07:00`, `UTC-05:00`, `UTC+05:45` or `UTC+00:00`; seconds only when not zero.

    Written by vconf, not CLDR: the same unambiguous label in every language.
    """
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def _parse_locale(code: str) -> Locale | None:
    """Return Babel's locale for a well-formed code, or None when CLDR has no such language."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _bcp47(locale: Locale) -> str:
    """Return `pt-BR`, `zh-Hant-TW`, `vi` from a Babel locale."""
    return "-".join(part for part in (locale.language, locale.script, locale.territory) if part)


def _as_date(day: date) -> date:
    """Return the date of a date or of a (local) datetime, so each day is cached once."""
    return day.date() if isinstance(day, datetime) else day


@functools.cache
def _locale(cldr: str) -> Locale:
    """Return Babel's locale by its CLDR name (loaded once)."""
    from babel import Locale

    return Locale.parse(cldr)


@functools.cache
def _full_date(cldr: str, day: date) -> str:
    from babel.dates import format_date

    return format_date(day, format="full", locale=_locale(cldr))


@functools.cache
def _long_date(cldr: str, day: date) -> str:
    from babel.dates import format_date

    return format_date(day, format="long", locale=_locale(cldr))


@functools.cache
def _short_date(cldr: str, day: date) -> str:
    from babel.dates import format_date

    return format_date(day, format=_skeleton(cldr, "MMMEd"), locale=_locale(cldr))


@functools.cache
def _clock(cldr: str, hour: int, minute: int, second: int, midnight_as_24: bool) -> str:
    from babel.dates import format_time

    pattern = _skeleton(cldr, "Hms" if second else "Hm")
    pattern = _in_pattern(pattern, r"(?<!H)H(?!H)", "HH")  # two-digit hours (module docstring)
    if midnight_as_24:
        pattern = _in_pattern(pattern, "HH", "kk")  # CLDR's k counts hours 1-24: 00:00 is 24:00
    return format_time(clock_time(hour, minute, second), format=pattern, locale=_locale(cldr))


def _skeleton(cldr: str, skeleton: str) -> str:
    """Return the locale's own pattern for a CLDR skeleton, exactly (no fuzzy match).

    Every CLDR locale inherits `MMMEd`, `Hm` and `Hms` from root; tests check the shipped ones.
    """
    return str(_locale(cldr).datetime_skeletons[skeleton].pattern)


def _in_pattern(pattern: str, field: str, replacement: str) -> str:
    """Return a CLDR pattern with `field` (a regex) replaced outside its quoted literals."""
    parts = re.split(r"('[^']*')", pattern)
    return "".join(
        part if index % 2 else re.sub(field, replacement, part) for index, part in enumerate(parts)
    )


@functools.cache
def _range_separator(cldr: str) -> str:
    """Return what CLDR's `Hm` interval puts between two times, else its fallback's `{0}…{1}`."""
    from babel.dates import format_interval

    start, end = clock_time(9, 0), clock_time(15, 30)
    joined = format_interval(start, end, "Hm", locale=_locale(cldr))
    first, last = _clock(cldr, 9, 0, 0, False), _clock(cldr, 15, 30, 0, False)
    if joined.startswith(first) and joined.endswith(last) and len(joined) > len(first + last):
        return joined[len(first) : len(joined) - len(last)]
    fallback = str(_locale(cldr).interval_formats.get(None) or "")  # root's: "{0} \u2013 {1}"
    return fallback.partition("{0}")[2].partition("{1}")[0] or EN_DASH


@functools.cache
def _weekday_name(cldr: str, weekday: int, short: bool) -> str:
    width = "abbreviated" if short else "wide"
    return str(_locale(cldr).days["stand-alone"][width][weekday])


@functools.cache
def _month_name(cldr: str, month: int, short: bool) -> str:
    width = "abbreviated" if short else "wide"
    return str(_locale(cldr).months["stand-alone"][width][month])


@functools.cache
def _zone_name(cldr: str, tz_name: str) -> str:
    from babel.dates import get_timezone, get_timezone_location

    zone = get_timezone(tz_name)
    return str(get_timezone_location(zone, locale=_locale(cldr), return_city=True))


@functools.cache
def _zone_heading(cldr: str, tz_name: str, offsets: tuple[timedelta, ...]) -> str:
    city = _zone_name(cldr, tz_name)
    if not offsets or city == "UTC":
        return city
    return f"{city} ({'/'.join(dict.fromkeys(utc_offset(offset) for offset in offsets))})"


@functools.cache
def _language_name(cldr: str, code: str) -> str:
    name = _locale(cldr).languages.get(code.replace("-", "_"))  # also "Brazilian Portuguese"
    if name is None and _CODE.fullmatch(code):
        named = _parse_locale(code)
        name = named.get_display_name(_locale(cldr)) if named is not None else None
    return str(name) if name else code


@functools.cache
def _number(cldr: str, value: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(cldr))


@functools.cache
def _labels(catalog: str) -> dict[str, str]:
    """Return every label of `LABELS` in a shipped language, looked up once."""
    translations = _translations(catalog)
    return {msgid: translations.gettext(msgid) for msgid in LABELS}


@functools.cache
def _translations(catalog: str) -> gettext.NullTranslations:
    """Return the compiled catalog of a shipped language (English: the msgids themselves)."""
    if catalog == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[catalog])
