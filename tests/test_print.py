"""The agenda pages printed as a protocol officer prints them, read back from the PDF (SPEC §8).

Headless Chromium prints the exported pages, WeasyPrint `vconf agenda --format pdf`; poppler's
pdfinfo and pdftotext read each PDF back: A4 pages, each with a day heading (from Babel's own
`format_date`, not vconf's) and its page number, every session title whole on one page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.dates import format_date
from click.testing import CliRunner

from vconf.agenda import Agenda, build_agenda
from vconf.cli import cli
from vconf.language import language_for
from vconf.load import read_conference
from vconf.timetable import Timetable, build_timetable

CHROMIUM = Path("/usr/bin/chromium")
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# the examples that plan (the ministerial roundtables must be scheduled first)
PLANNED = ("danang-partners-2023", "icdd-2021", "itu-digital-world-2020")
POPPLER = pytest.mark.skipif(
    not (shutil.which("pdfinfo") and shutil.which("pdftotext")),
    reason="needs poppler-utils (pdfinfo, pdftotext)",
)
NEEDS_CHROMIUM = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@dataclass(frozen=True)
class Printed:
    """A PDF read back: its pages' text (in drawing order: a cell's lines together) and its
    page size in points."""

    pages: tuple[str, ...]
    size: tuple[float, float]


def read_pdf(pdf: Path) -> Printed:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout)
    assert found, info.stdout
    text = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = tuple(page for page in text.split("\f") if page.strip())
    count = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert len(pages) == count
    return Printed(pages, (float(found.group(1)), float(found.group(2))))


def chromium_pdf(page: Path, out: Path, profile: Path) -> Path:
    """Print one page as a reader would, with Chromium's own header and footer off."""
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={profile}", "--no-pdf-header-footer",
         f"--print-to-pdf={out}", page.as_uri()],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return out


def flat(text: str) -> str:
    """Return text without white space: a title wraps in its cell, after a space or a hyphen."""
    return re.sub(r"\s+", "", text)


def cldr_day_heading(code: str, day: object) -> str:
    """Return Babel's full date in a language (bare `en` is international English, en_GB)."""
    return str(format_date(day, format="full", locale={"en": "en_GB"}.get(code, code)))


def assert_prints_the_agenda(printed: Printed, agenda: Agenda, code: str) -> None:
    """A4; each page with a day heading and `page n of m`; each title whole on one page."""
    width, height = printed.size
    assert (round(width), round(height)) == (595, 842), printed.size  # A4, not Letter
    language = language_for(code)
    headings = [flat(cldr_day_heading(code, day.day)) for day in agenda.days]
    rooms = flat(language.label("Rooms and links"))
    total = len(printed.pages)
    for number, page in enumerate(printed.pages, start=1):
        words = flat(page)
        assert flat(language.label("page {n} of {m}", n=number, m=total)) in words, page
        has_day = any(heading in words for heading in headings)
        # the list of room links may end the document on a page of its own, without a day
        only_links = number == total and rooms in words and not has_day
        assert has_day or only_links, f"page {number} has no day heading:\n{page}"
    for day, heading in zip(agenda.days, headings, strict=True):
        assert any(heading in flat(page) for page in printed.pages), heading
        for row in day.rows:
            title = flat(row.slot.session.title)
            assert any(title in flat(page) for page in printed.pages), (
                f"{row.slot.session.title!r} is cut or missing"
            )


def with_language(example: str, code: str, tmp_path: Path) -> Path:
    """Return a copy of an example whose event is in `code` (a delegation's own stays)."""
    source = (EXAMPLES / f"{example}.toml").read_text(encoding="utf-8")
    head, _, rest = source.partition("[event]\n")
    table, _, after = rest.partition("\n[")
    table = "\n".join(line for line in table.split("\n") if not line.startswith("language ="))
    marked = f'{head}[event]\nlanguage = "{code}"\n{table}\n[{after}'  # the event's own replaced
    assert marked != source
    path = tmp_path / f"{example}.toml"
    path.write_text(marked, encoding="utf-8")
    return path


def export(path: Path, out: Path) -> Timetable:
    """Export a plan (`--force`: ICDD has an error on purpose) and return its timetable."""
    result = CliRunner().invoke(cli, ["plan", str(path), "-o", str(out), "--force"])
    assert (out / "programme.html").exists(), result.output
    return build_timetable(read_conference(str(path)))


def pages_to_print(example: str, timetable: Timetable) -> Iterator[tuple[str, Agenda]]:
    """Yield the exported pages a person prints: the programme and one delegation's agenda."""
    event_tz = timetable.conference.event.tz_name
    yield "programme.html", build_agenda(timetable, public=True)
    code = {"danang-partners-2023": "DN", "icdd-2021": "VN"}.get(example, "US")
    yield f"agendas/{code}.html", build_agenda(timetable, delegation=code, tz_names=(event_tz,))


CASES = [(example, code) for example in PLANNED for code in ("en", "vi")]
CASES += [("icdd-2021", "id"), ("icdd-2021", "fr")]


@POPPLER
@NEEDS_CHROMIUM
@pytest.mark.parametrize(("example", "code"), CASES)
def test_chromium_prints_the_exported_pages_on_a4(example: str, code: str, tmp_path: Path) -> None:
    timetable = export(with_language(example, code, tmp_path), tmp_path / "out")
    pages = list(pages_to_print(example, timetable))
    if code != "en":  # the programme is enough in English; each language prints both pages
        pages = pages[:1] if example != "danang-partners-2023" else pages
    else:
        pages = pages[1:]
    for name, agenda in pages:
        own = agenda.delegation  # a delegation page speaks its own language when it has one
        language = (own and timetable.delegations[own].language) or code
        html = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert f'<html lang="{language}">' in html
        pdf = chromium_pdf(tmp_path / "out" / name, tmp_path / "page.pdf", tmp_path / "profile")
        assert_prints_the_agenda(read_pdf(pdf), agenda, language)


@POPPLER
@NEEDS_CHROMIUM
def test_da_nangs_own_page_has_vietnamese_day_headings(tmp_path: Path) -> None:
    timetable = export(EXAMPLES / "danang-partners-2023.toml", tmp_path / "out")
    page = tmp_path / "out" / "agendas" / "DN.html"
    pdf = chromium_pdf(page, tmp_path / "dn.pdf", tmp_path / "profile")
    printed = read_pdf(pdf)
    first = "\n".join(printed.pages)
    heading = cldr_day_heading("vi", build_agenda(timetable, delegation="DN").days[0].day)
    assert heading.startswith("Thứ ")  # "Thứ Tư, 15 tháng 2, 2023"
    assert "tháng" in heading
    assert heading in first
    assert flat("Thời gian tính theo giờ TP Hồ Chí Minh (UTC+07:00)") in flat(first)
    # the foot: the revision and the time it was issued, never the words of a draft
    assert "Theo bản sửa đổi" in first
    assert "Bản nháp" not in first
    assert "trang 1/" in first


@POPPLER
@pytest.mark.parametrize(
    ("example", "options", "code"),
    [
        ("danang-partners-2023", ["--delegation", "DN"], "vi"),  # the delegation's language
        ("icdd-2021", ["--public", "--lang", "id"], "id"),
        ("itu-digital-world-2020", ["--delegation", "CH", "--lang", "fr"], "fr"),
    ],
)
def test_weasyprint_prints_the_agenda_on_a4(
    example: str, options: list[str], code: str, tmp_path: Path
) -> None:
    pytest.importorskip("weasyprint")
    path = EXAMPLES / f"{example}.toml"
    out = tmp_path / "agenda.pdf"
    result = CliRunner().invoke(
        cli, ["agenda", str(path), *options, "--format", "pdf", "-o", str(out)]
    )
    assert result.exit_code in (0, 1), result.output  # ICDD has its problems, the PDF is written
    timetable = build_timetable(read_conference(str(path)))
    party = {"delegation": options[1]} if options[0] == "--delegation" else {"public": True}
    agenda = build_agenda(timetable, **party)  # type: ignore[arg-type]
    printed = read_pdf(out)
    assert_prints_the_agenda(printed, agenda, code)
    draft = language_for(code).label("Draft from {file}, not an exported revision", file=path.name)
    assert flat(draft) in flat(printed.pages[0])  # not exported: the foot says so, no clock
