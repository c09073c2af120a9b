"""The stylesheet of an HTML agenda page: A4 print, page margins, column widths, phone layout.

The rules every page shares (`STYLE`), then each page's own (`page_style`): what the margins of
its printed pages say (its title; the revision it belongs to, or that it is a draft; `page 2 of
3`), one set of column widths for all its days, and the labels of its cells on a phone. Every
text goes into CSS through `css_string`, which can end neither the string nor the `<style>`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from vconf.agenda import Agenda
from vconf.language import Language
from vconf.render.words import column_name

HEADINGS = ("Session", "Room", "People", "Delegations", "Languages")
# The share of the page each column after the times gets, in that order; the time columns get
# _TIME_WIDTH percent each. The same for every day of a document, so no width jumps.
_WEIGHTS = (29, 16, 23, 17, 15)
_TIME_WIDTH = 12
# The columns labelled on a phone, by their index in HEADINGS: a title and a people list
# ("Speakers: …") say what they are.
_PHONE_LABELLED = (1, 3, 4)

STYLE = """\
:root { color-scheme: light; }
body { font-family: system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #111;
       background: #fff; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.4; }
header { display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .3rem; flex: 1 1 auto; }
header p { margin: .2rem 0; flex-basis: 100%; }
header p.calendar { flex-basis: auto; }
.note, .kind, .host { color: #555; }
.host { font-size: .85em; display: block; }
.description { margin: .2rem 0 0; }
.error { color: #b00; font-weight: bold; } .warning { color: #850; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin-top: 1.5rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .4rem; overflow-wrap: break-word;
         border-bottom: 1px solid #ccc; }
tr.day th { font-size: 1.15rem; padding: .3rem 0; border-bottom: 2px solid #111; }
tr.columns th { font-size: .9em; border-bottom: 1px solid #111; }
tr.parallel th, tr.shift td { font-weight: normal; background: #eef; }
td.time { font-variant-numeric: tabular-nums; }
.offset { white-space: nowrap; }
.restricted { border: 1px solid #a0a; border-radius: .2rem; padding: 0 .2rem; color: #a0a;
              font-size: .85em; }
.links ul { padding-left: 1.2rem; } .links li { overflow-wrap: anywhere; }
@page { size: A4; margin: 16mm 12mm 16mm;
  @top-left { font: 8pt system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #333; }
  @bottom-left { font: 8pt system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #333; }
  @bottom-right { font: 8pt system-ui, "DejaVu Sans", "Noto Sans", sans-serif; color: #333; } }
@media print {
  body { margin: 0; padding: 0; max-width: none; font-size: 9pt; color: #000; }
  a { color: inherit; text-decoration: none; }
  h1 { font-size: 14pt; }
  header p.calendar { display: none; }
  table { margin-top: 4mm; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  tr.day th { font-size: 11pt; border-bottom-color: #000; }
  tr.columns th { border-bottom-color: #000; }
  th, td { padding: 1.2mm 1.2mm; border-bottom-color: #999; }
  td, tr.columns th { font-size: 8.5pt; }
  tr.parallel th, tr.shift td { background: none; font-style: italic; }
  .note, .kind, .host { color: #333; }
  .restricted { color: #000; border-color: #000; }
  .error, .warning { color: #000; }
  .links { break-inside: avoid; }
}
@media screen and (max-width: 600px) {
  body { margin: 1rem auto; }
  table, thead, tbody, tr, th, td { display: block; width: auto; }
  colgroup, tr.columns { display: none; }
  tbody tr { padding: .5rem 0; border-bottom: 1px solid #ccc; }
  tbody th, tbody td { border: 0; padding: .1rem 0; }
  td.time { display: inline-block; margin-right: 1rem; font-weight: bold; }
  tbody td:not([colspan])::before { display: block; font-size: .8em; color: #555; }
  td.time::before { display: inline; margin-right: .4em; font-weight: normal; }
}"""
_CSS_UNSAFE = re.compile(r'[\\"<>&\x00-\x1f\x7f\u2028\u2029]')


@dataclass(frozen=True, slots=True)
class Issue:
    """The export a page belongs to, as its printed foot says: a revision and when it was issued.

    `revision` is a short id of what was issued (`agenda_files.issue_of`); `issued` the aware UTC
    instant its newest session stamp was issued, None when it issued no session.
    """

    revision: str
    issued: datetime | None


def page_style(agenda: Agenda, language: Language) -> tuple[str, str]:
    """Return this page's own rules, but for its printed foot's text, which goes between the two
    parts as a `css_string` (`foot_text`): what its printed margins say, its columns' widths and
    its cells' phone labels."""
    first = column_name(agenda, 0, language) if len(agenda.tz_names) > 1 else ""
    before, after = _shared_style(language, agenda.tz_names, first)
    return f"@page {{ @top-left {{ content: {css_string(agenda.title)}; }} }}\n{before}", after


@functools.lru_cache(maxsize=256)
def _shared_style(language: Language, tz_names: tuple[str, ...], first: str) -> tuple[str, str]:
    """Return the page rules many pages share, before and after the foot's text: the foot, the
    widths and the phone labels.

    `first` names the first time column when there are several (a delegation's name).
    """
    pages = [
        f"counter({'page' if part == '{n}' else 'pages'})" if part in ("{n}", "{m}") else
        css_string(part)
        for part in re.split(r"(\{[nm]\})", language.label("page {n} of {m}"))
        if part
    ]  # fmt: skip
    rules = [
        "; }",
        f"  @bottom-right {{ content: {' '.join(pages)}; }} }}",
        _column_widths(len(tz_names)),
        "@media screen and (max-width: 600px) {",
        *_phone_labels(language, tz_names, first),
        "}",
    ]
    return "@page { @bottom-left { content: ", "\n".join(rules)


@functools.cache
def _column_widths(zones: int) -> str:
    """Return the widths every day's table shares: a time column per zone, then the rest.

    One rule for the whole page, so a column is as wide on every day (`table-layout: fixed`).
    """
    rest = 100 - _TIME_WIDTH * zones
    widths = [_TIME_WIDTH] * zones + [rest * weight / sum(_WEIGHTS) for weight in _WEIGHTS]
    return " ".join(
        f"col:nth-child({column}) {{ width: {width:.1f}%; }}"
        for column, width in enumerate(widths, start=1)
    )


def foot_text(language: Language, issue: Issue | None, source: str | None) -> str:
    """Return what the foot of each printed page says: the revision and when, or that it is a draft.

    The time is the revision's own, never the time of writing: an unchanged plan exported again
    gives the same bytes.
    """
    if issue is not None and issue.issued is not None:
        issued = issue.issued.astimezone(timezone.utc)
        minute = issued.replace(second=0, microsecond=0)  # the minute is precise enough
        when = f"{language.long_date(issued.date())} {language.clock(minute)} UTC"
        return language.label(
            "As of revision {rev}, exported {date}", rev=issue.revision, date=when
        )
    if issue is not None:
        return language.label("As of revision {rev}", rev=issue.revision)
    if source:
        return language.label("Draft from {file}, not an exported revision", file=source)
    return language.label("Draft, not an exported revision")


def _phone_labels(language: Language, tz_names: tuple[str, ...], first: str) -> list[str]:
    """Return the rules that label a session's cells when its row is a stacked block.

    The time columns are labelled only when there are several: the first by `first`, the others
    by their city.
    """
    labels: list[tuple[int, str]] = []
    if len(tz_names) > 1:
        labels = [(0, first)]
        labels += [(column, language.zone_name(tz)) for column, tz in enumerate(tz_names) if column]
    labels += [
        (len(tz_names) + index, language.label(HEADINGS[index])) for index in _PHONE_LABELLED
    ]
    return [
        f"  tbody td:not([colspan]):nth-child({column + 1})::before "
        f"{{ content: {css_string(label)}; }}"
        for column, label in labels
    ]


def css_string(text: str) -> str:
    """Return text as a double-quoted CSS string that cannot end the string, rule or `<style>`."""
    return '"' + _CSS_UNSAFE.sub(lambda match: f"\\{ord(match.group()):x} ", text) + '"'
