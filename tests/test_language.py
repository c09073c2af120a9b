"""The reader's language: CLDR dates, times and zones, gettext labels, and the catalogs' upkeep."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from babel import Locale
from babel.dates import format_interval
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from vconf.errors import VconfError
from vconf.language import LABELS, LOCALE_DIR, PLURALS, SHIPPED, language_for, utc_offset

ROOT = Path(__file__).parent.parent
TRANSLATED = [code for code in SHIPPED if code != "en"]
TUESDAY = date(2021, 11, 16)
SKELETONS = ("MMMEd", "Hm", "Hms")  # every skeleton language.py formats with


def catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / "vconf.po"


def messages(of: Catalog) -> dict[object, object]:
    """Return {msgid: msgstr}, plural ids and strings as tuples (read_mo gives lists)."""
    return {_tuple(message.id): _tuple(message.string) for message in of if message.id}


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


# Choosing a language.


@pytest.mark.parametrize(
    ("code", "tag", "cldr", "labels"),
    [
        ("en", "en", "en_GB", "en"),
        ("vi", "vi", "vi", "vi"),
        ("fr", "fr", "fr", "fr"),
        ("id", "id", "id", "id"),
        ("fr-CA", "fr-CA", "fr_CA", "fr"),
        ("vi_VN", "vi-VN", "vi_VN", "vi"),
        ("en-US", "en-US", "en_US", "en"),
        ("pt-BR", "pt-BR", "pt_BR", "en"),
        ("de", "de", "de", "en"),
        ("zh-Hant-TW", "zh-Hant-TW", "zh_Hant_TW", "en"),
    ],
)
def test_a_code_names_its_cldr_data_and_its_labels(
    code: str, tag: str, cldr: str, labels: str
) -> None:
    language = language_for(code)
    assert (language.tag, language.cldr, language.catalog) == (tag, cldr, labels)


@pytest.mark.parametrize("code", ["xx", "qq-ZZ", "und", "root", "C", "de.UTF-8", "../fr", "", "e"])
def test_an_unknown_language_is_one_line_naming_the_known_ones(code: str) -> None:
    with pytest.raises(VconfError) as caught:
        language_for(code)
    message = str(caught.value)
    assert message.startswith(
        f"{code or repr(code)}: unknown language; vconf speaks en, fr, id, vi"
    )
    assert "\n" not in message


def test_another_cldr_language_gets_its_dates_and_english_labels() -> None:
    german = language_for("de")
    assert german.day_heading(TUESDAY) == "Dienstag, 16. November 2021"
    assert german.label("Closed meeting") == "Closed meeting"


# The CLDR patterns used exist, exactly, in every shipped language.


@pytest.mark.parametrize("code", SHIPPED)
def test_each_skeleton_used_is_the_languages_own(code: str) -> None:
    locale = Locale.parse(language_for(code).cldr)
    for skeleton in SKELETONS:
        assert skeleton in locale.datetime_skeletons, skeleton  # no fuzzy match behind it
    assert {"full", "long"} <= set(locale.date_formats)
    assert {"H", "m"} <= set(locale.interval_formats["Hm"])


@pytest.mark.parametrize("code", SHIPPED)
def test_a_day_heading_is_the_full_date_with_every_part(code: str) -> None:
    language = language_for(code)
    locale = Locale.parse(language.cldr)
    heading = language.day_heading(TUESDAY)
    assert locale.days["format"]["wide"][1] in heading  # Tuesday
    assert "16" in heading
    assert "2021" in heading
    assert locale.months["format"]["wide"][11] in heading or "11" in heading


@pytest.mark.parametrize(
    ("code", "heading", "short", "long"),
    [
        ("en", "Tuesday, 16 November 2021", "Tue 16 Nov", "16 November 2021"),
        ("vi", "Thứ Ba, 16 tháng 11, 2021", "Thứ 3, 16 thg 11", "16 tháng 11, 2021"),
        ("fr", "mardi 16 novembre 2021", "mar. 16 nov.", "16 novembre 2021"),
        ("id", "Selasa, 16 November 2021", "Sel, 16 Nov", "16 November 2021"),
    ],
)
def test_days_read_as_cldr_writes_them(code: str, heading: str, short: str, long: str) -> None:
    language = language_for(code)
    assert language.day_heading(TUESDAY) == heading
    assert language.short_day(TUESDAY) == short
    assert language.long_date(TUESDAY) == long


def test_a_local_datetime_is_headed_by_its_own_date() -> None:
    late = datetime(2021, 11, 16, 23, 30, tzinfo=timezone(timedelta(hours=7)))
    assert language_for("en").day_heading(late) == "Tuesday, 16 November 2021"


@pytest.mark.parametrize(
    ("code", "separator"), [("en", ":"), ("vi", ":"), ("fr", ":"), ("id", ".")]
)
def test_every_language_reads_a_24_hour_clock_with_two_digit_hours(
    code: str, separator: str
) -> None:
    language = language_for(code)
    for hour in range(24):
        assert language.clock(time(hour, 5)) == f"{hour:02d}{separator}05"
    assert language.clock(time(9, 5, 30)) == f"09{separator}05{separator}30"
    assert language.clock(time(0, 0), midnight_as_24=True) == f"24{separator}00"
    assert language.clock(datetime(2021, 11, 16, 14, 0)) == f"14{separator}00"


@pytest.mark.parametrize("code", SHIPPED)
def test_a_time_range_is_cldrs_interval(code: str) -> None:
    language = language_for(code)
    pairs = [(time(9, 0), time(10, 30)), (time(14, 0), time(14, 45)), (time(0, 5), time(23, 59))]
    for start, end in pairs:
        joined = language.clock_range(language.clock(start), language.clock(end))
        assert joined == format_interval(start, end, "Hm", locale=language.cldr)


def test_a_range_keeps_the_marks_it_is_given() -> None:
    en, fr = language_for("en"), language_for("fr")
    assert en.clock_range("23:00", "00:30 +1") == "23:00\u201300:30 +1"
    assert fr.clock_range("23:00", "24:00") == "23:00\u2009\u2013\u200924:00"


@pytest.mark.parametrize(
    ("code", "tuesday", "tue", "november", "nov"),
    [
        ("en", "Tuesday", "Tue", "November", "Nov"),
        ("vi", "Thứ Ba", "Thứ 3", "Tháng 11", "Tháng 11"),
        ("fr", "mardi", "mar.", "novembre", "nov."),
        ("id", "Selasa", "Sel", "November", "Nov"),
    ],
)
def test_weekday_and_month_names(
    code: str, tuesday: str, tue: str, november: str, nov: str
) -> None:
    language = language_for(code)
    assert (language.weekday_name(1), language.weekday_name(1, short=True)) == (tuesday, tue)
    assert (language.month_name(11), language.month_name(11, short=True)) == (november, nov)
    assert len({language.weekday_name(day) for day in range(7)}) == 7
    assert len({language.month_name(month) for month in range(1, 13)}) == 12


# Zones.


@pytest.mark.parametrize(
    ("code", "city"),
    [("en", "Ho Chi Minh City"), ("vi", "TP Hồ Chí Minh"),
     ("fr", "Hô-Chi-Minh-Ville"), ("id", "Ho Chi Minh")],
)  # fmt: skip
def test_a_zone_is_named_by_its_city_in_the_language(code: str, city: str) -> None:
    language = language_for(code)
    assert language.zone_name("Asia/Ho_Chi_Minh") == city
    assert language.zone_name("Asia/Saigon") == city  # the old name of the same zone
    heading = language.zone_heading("Asia/Ho_Chi_Minh", [timedelta(hours=7)] * 3)
    assert heading == f"{city} (UTC+07:00)"


def test_a_zone_heading_shows_each_offset_of_the_day_once() -> None:
    en = language_for("en")
    offsets = [timedelta(hours=-5), timedelta(hours=-4), timedelta(hours=-5)]
    assert en.zone_heading("America/New_York", offsets) == "New York (UTC-05:00/UTC-04:00)"
    assert en.zone_heading("America/New_York") == "New York"
    assert en.zone_heading("UTC", [timedelta(0)]) == "UTC"
    assert en.zone_heading("Etc/GMT+5", [timedelta(hours=-5)]) == "GMT+5 (UTC-05:00)"


@pytest.mark.parametrize(
    ("offset", "label"),
    [
        (timedelta(hours=7), "UTC+07:00"),
        (timedelta(hours=-3, minutes=-30), "UTC-03:30"),
        (timedelta(hours=5, minutes=45), "UTC+05:45"),
        (timedelta(hours=13, minutes=45), "UTC+13:45"),
        (timedelta(0), "UTC+00:00"),
        (timedelta(minutes=-17, seconds=-30), "UTC-00:17:30"),
    ],
)
def test_an_offset_is_written_the_same_in_every_language(offset: timedelta, label: str) -> None:
    assert utc_offset(offset) == label


@given(st.integers(min_value=-14 * 3600, max_value=14 * 3600))
def test_an_offset_label_reads_back_to_its_offset(seconds: int) -> None:
    label = utc_offset(timedelta(seconds=seconds))
    match = re.fullmatch(r"UTC([+-])(\d\d):(\d\d)(?::(\d\d))?", label)
    assert match is not None
    sign, hours, minutes, rest = match.groups()
    total = int(hours) * 3600 + int(minutes) * 60 + int(rest or 0)
    assert (-total if sign == "-" else total) == seconds


# Names and numbers.


@pytest.mark.parametrize(
    ("code", "vietnamese", "french"),
    [("en", "Vietnamese", "French"), ("vi", "Tiếng Việt", "Tiếng Pháp"),
     ("fr", "vietnamien", "français"), ("id", "Vietnam", "Prancis")],
)  # fmt: skip
def test_interpretation_languages_are_named_in_the_readers_language(
    code: str, vietnamese: str, french: str
) -> None:
    language = language_for(code)
    assert (language.language_name("vi"), language.language_name("fr")) == (vietnamese, french)
    assert language.language_name("xx-unknown") == "xx-unknown"


def test_numbers_are_grouped_as_the_language_groups_them() -> None:
    assert [language_for(code).number(20000) for code in SHIPPED] == [
        "20,000",
        "20\u202f000",
        "20.000",
        "20.000",
    ]


# Labels.


@pytest.mark.parametrize(
    ("code", "closed", "room", "all_times"),
    [
        ("en", "Closed meeting", "Room", "All times in Jakarta (UTC+07:00)"),
        ("vi", "Họp kín", "Phòng họp", "Thời gian tính theo giờ Jakarta (UTC+07:00)"),
        ("fr", "Séance à huis clos", "Salle",
         "Toutes les heures sont indiquées en heure de Jakarta (UTC+07:00)"),
        ("id", "Rapat tertutup", "Ruang", "Semua waktu menurut zona waktu Jakarta (UTC+07:00)"),
    ],
)  # fmt: skip
def test_labels_come_from_the_compiled_catalog(
    code: str, closed: str, room: str, all_times: str
) -> None:
    language = language_for(code)
    assert language.label("Closed meeting") == closed
    assert language.label("Room") == room
    zone = language.zone_heading("Asia/Jakarta", [timedelta(hours=7)])
    assert language.label("All times in {zone}", zone=zone) == all_times


def test_a_label_without_values_keeps_its_placeholders() -> None:
    assert language_for("fr").label("page {n} of {m}") == "page {n} sur {m}"
    assert language_for("vi").label("page {n} of {m}", n=2, m=5) == "trang 2/5"


def test_a_label_outside_the_vocabulary_is_a_bug() -> None:
    with pytest.raises(ValueError, match=r"not in language\.LABELS"):
        language_for("vi").label("Romo")
    with pytest.raises(ValueError, match=r"not in language\.PLURALS"):
        language_for("vi").plural("{n} room", "{n} rooms", 2)


@pytest.mark.parametrize(
    ("code", "count", "text"),
    [
        ("en", 1, "1 session in parallel"),
        ("en", 3, "3 sessions in parallel"),
        ("fr", 0, "0 séance en parallèle"),
        ("fr", 1, "1 séance en parallèle"),
        ("fr", 2, "2 séances en parallèle"),
        ("fr", 1_000_000, "1\u202f000\u202f000 de séances en parallèle"),
        ("vi", 1, "1 phiên họp song song"),
        ("vi", 20000, "20.000 phiên họp song song"),
        ("id", 3, "3 sesi paralel"),
    ],
)
def test_plurals_follow_each_languages_rule(code: str, count: int, text: str) -> None:
    language = language_for(code)
    assert language.plural("{n} session in parallel", "{n} sessions in parallel", count) == text


# The catalogs' upkeep (docs/translating.md).


def test_the_template_holds_exactly_what_pybabel_extracts() -> None:
    with (ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    keywords = {**DEFAULT_KEYWORDS, "N_plural": (1, 2), "label": None, "plural": (1, 2)}
    extracted = {
        message[2]
        for message in extract_from_dir(
            str(ROOT / "src" / "vconf"), method_map, options_map, keywords=keywords
        )
    }
    template = set(messages(catalog(LOCALE_DIR / "vconf.pot")))
    assert template == extracted
    assert template == set(LABELS) | set(PLURALS)


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalog_translates_every_message_keeping_its_placeholders(code: str) -> None:
    translations = catalog(po_path(code))
    template = catalog(LOCALE_DIR / "vconf.pot")
    assert set(messages(translations)) == set(messages(template))
    assert translations.plural_forms == get_plural(code).plural_forms  # Babel's, as pybabel init
    for message in translations:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (translations.num_plurals if isinstance(message.id, tuple) else 1)
        for string in strings:
            assert string, message.id
            assert fields(string) == fields(ids[-1]), (message.id, string)


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_mo_is_the_po_compiled(code: str, tmp_path: Path) -> None:
    fresh = tmp_path / "vconf.mo"
    with fresh.open("wb") as file:
        write_mo(file, catalog(po_path(code)))
    committed = po_path(code).with_suffix(".mo")
    with committed.open("rb") as file:
        shipped = read_mo(file)
    with fresh.open("rb") as file:
        compiled = read_mo(file)
    assert messages(shipped) == messages(compiled)
    assert shipped.plural_forms == compiled.plural_forms


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_shipped_languages_are_the_catalogs_on_disk(code: str) -> None:
    on_disk = {path.parent.parent.name for path in LOCALE_DIR.glob("*/LC_MESSAGES/vconf.mo")}
    assert on_disk == set(TRANSLATED)
    assert code in SHIPPED


def test_pyproject_ships_the_compiled_catalogs() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locale/*/LC_MESSAGES/*.mo"' in text
    assert '"babel>=2.12"' in text


# Cost.


def test_importing_the_cli_and_language_loads_neither_babel_nor_weasyprint() -> None:
    code = (
        "import sys, vconf.cli, vconf.language, vconf.render.pdf;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('babel', 'weasyprint')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env()
    )
    assert done.stdout.strip() == "[]"


def test_vconf_help_imports_no_babel() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vconf", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "vconf.cli" in imported
    assert not {name for name in imported if name.split(".")[0] == "babel"}


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}
