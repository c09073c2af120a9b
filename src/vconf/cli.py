"""The only click user: parse the command line, call the domain, print once, pick the exit code.

Imports stay lazy: `vconf --help` and `vconf check --format json` must not pay for rich,
icalendar or the renderers, so each command imports what it uses inside its body, and
`_RENDERERS` names each renderer by module and function, imported once chosen.

Each command returns what its exit code depends on (`Findings`, or None when it only answered a
question); `VconfGroup.invoke` is the one place that turns that into the exit code and the note
on stderr.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar

import click

from vconf.errors import VconfError

if TYPE_CHECKING:
    from rich.console import Console

    from vconf.checks import Problem
    from vconf.language import Language
    from vconf.mail.sending import Planned, Result
    from vconf.revisions import Revision, Store
    from vconf.revisions.messages import Recipient
    from vconf.timetable import Timetable

EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT = 0, 1, 2
_LISTED = 30

# Each command's renderer per --format choice, as `module:function` in vconf.render; the first
# choice is the default. Imported only once chosen: `check --format json` never loads rich.
_RENDERERS: dict[str, dict[str, str]] = {
    "check": {"text": "text:problems_as_text", "json": "json:problems_as_json"},
    "agenda": {
        "text": "text:agenda_as_text",
        "json": "json:agenda_as_json",
        "md": "markdown:agenda_as_markdown",
        "html": "html:agenda_as_html",
        "pdf": "pdf:agenda_as_pdf",
    },
    "zones": {"text": "planning:zone_grid_as_text", "json": "json:zone_grid_as_json"},
    "slots": {"text": "planning:proposals_as_text", "json": "json:proposals_as_json"},
    "schedule": {"text": "schedule:schedule_as_text", "json": "schedule:schedule_as_json"},
    "send": {"text": "sending:send_as_text", "json": "sending:send_as_json"},
}


class Findings(NamedTuple):  # not a dataclass: `vconf --help` would import dataclasses (~1 ms)
    """The problems a command found, which pick its exit code (SPEC §3).

    `note_file` is FILE when the command's output did not show them: a note on stderr then says
    how many errors FILE holds and how to see them.
    """

    problems: tuple[Problem, ...]
    note_file: str | None = None


class VconfGroup(click.Group):
    """The one catch point and the one exit: a VconfError becomes one line on stderr and exit 2,
    a command's `Findings` the exit code 0 or 1.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse vconf's own options; a misused one is one line and exit 2, as everywhere."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            _misused(error)

    def invoke(self, ctx: click.Context) -> NoReturn:
        """Run the command, then exit with the code its findings ask for (0 for None)."""
        try:
            findings = super().invoke(ctx)
        except click.UsageError as error:  # a command's option or argument, parsed in there
            _misused(error)
        except VconfError as error:
            for line in error.lines:
                click.echo(f"vconf: {line}", err=True)
            ctx.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            click.echo("vconf: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            _quiet_broken_pipe()
        ctx.exit(_finish(findings))


def _misused(error: click.UsageError) -> NoReturn:
    """Say what was misused in vconf's one-line style (not click's Usage/Error block); exit 2.

    `vconf: --date: expected a date like 2021-11-16 (year-month-day), got '2021-11-31' (see
    `vconf agenda --help`)`.
    """
    if (
        isinstance(error, click.BadParameter)
        and not isinstance(error, click.MissingParameter)
        and error.param is not None
    ):
        hint = " / ".join(error.param.opts) or "value"
        text = f"{hint}: {error.message}"
    else:
        text = error.format_message()
    sentences = " ".join(text.split()).rstrip(".").split(". ")  # click's: "No such option."
    text = "; ".join(sentence[:1].lower() + sentence[1:] for sentence in sentences)
    where = error.ctx.command_path if error.ctx is not None else "vconf"
    click.echo(f"vconf: {text} (see `{where} --help`)", err=True)
    sys.exit(EXIT_INPUT)


def _at_least(value: int | None, minimum: int, unit: str) -> int | None:
    """Return an option's number, or say (click's BadParameter) that it is below `minimum`."""
    if value is not None and value < minimum:
        raise click.BadParameter(f"expected at least {minimum} {unit}, got {value}")
    return value


def _above_zero(value: float, unit: str) -> float:
    """Return an option's number, or say (click's BadParameter) that it is not above zero."""
    if not value > 0:
        raise click.BadParameter(f"expected more than 0 {unit}, got {value:g}")
    return value


def _finish(findings: Findings | None) -> int:
    """Return the exit code: 1 when error-severity problems were found, else 0.

    The errors are noted on stderr when the command's output did not show them.
    """
    if findings is None:
        return EXIT_OK  # a question answered (zones, slots), whatever the file holds (SPEC §3)
    errors = sum(problem.is_error for problem in findings.problems)
    if errors and findings.note_file is not None:
        file = findings.note_file
        click.echo(f"vconf: {errors} error(s) in {file}; see `vconf check {file}`", err=True)
    return EXIT_PROBLEMS if errors else EXIT_OK


def _quiet_broken_pipe() -> NoReturn:
    """Stop quietly when the reader of stdout went away (`vconf agenda X | head`)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_OK)


@click.group(cls=VconfGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vconf")
def cli() -> None:
    """Plan a virtual or hybrid diplomatic meeting across time zones.

    Reads one TOML file describing the event (delegations, people, rooms, sessions), resolves
    every time across the delegations' zones, finds clashes, prints agendas and writes
    calendars.

    \b
    Start with (an example that plans cleanly, exit 0):
      vconf agenda examples/danang-partners-2023.toml
      vconf plan examples/danang-partners-2023.toml -o out/danang

    Exit codes: 0 done, no error; 1 error-severity problems found; 2 the input could not be
    read or the command was misused. `zones` and `slots` exit 0 once they answered;
    `schedule` exits 0 placed, 1 when no placement exists.
    """


def main() -> None:
    """Entry point of the `vconf` console script."""
    cli(prog_name="vconf")


# ---- shared steps ------------------------------------------------------------------------------


def _load(path: str, *, note_unscheduled: bool = True) -> Timetable:
    from vconf.load import read_conference
    from vconf.timetable import build_timetable

    # Reading makes every object the timetable keeps and no cycle: a collection meanwhile would
    # only walk them again and again, more often the larger the file (check of 100,000 sessions:
    # load and timetable 12.1 s -> 8.8 s CPU, where 20,000 sessions gain nothing measurable).
    gc.disable()
    try:
        timetable = build_timetable(read_conference(path))
    finally:
        gc.enable()
    if note_unscheduled and timetable.unscheduled:
        click.echo(f"vconf: {_unscheduled_note(len(timetable.unscheduled))}", err=True)
    # The timetable lives until exit: keep the collector from walking its objects again and again
    # while the checks and exports allocate (checks and export of 20,000 sessions: 3-4% less time).
    gc.freeze()
    return timetable


def _unscheduled_note(count: int) -> str:
    """Return the one line saying that sessions without a start are left out (SPEC §10)."""
    sessions = "1 session is" if count == 1 else f"{count} sessions are"
    return f"{sessions} not scheduled yet and left out: run vconf schedule"


def _console(*, width: int | None = None) -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, emoji=False, width=width)


def _print_all(console: Console, renderables: Iterable[Any]) -> None:
    """Print each renderable as laid out, never cropped: vconf's renderables fit the width they
    are given, and rich's cropping pass measured every segment again (a fifth of a Vietnamese
    agenda's time, whose lines miss rich's one-cell fast path); a line that did not fit would
    lose characters to it."""
    for renderable in renderables:
        console.print(renderable, crop=False)


def _renderer(command: str, output_format: str) -> Callable[..., Any]:
    """Return the renderer `_RENDERERS` names for `vconf COMMAND --format FORMAT`."""
    from importlib import import_module

    module, _, name = _RENDERERS[command][output_format].partition(":")
    renderer: Callable[..., Any] = getattr(import_module(f"vconf.render.{module}"), name)
    return renderer


def _show(output: str | bytes | Iterable[Any]) -> None:
    """Print a renderer's output once: a document as it is, renderables through rich."""
    if isinstance(output, (str, bytes)):
        click.echo(output, nl=False)
    else:
        _print_all(_console(), output)


_Decorated = TypeVar("_Decorated", bound=Callable[..., Any])


def _format_option(
    choices: Iterable[str], *, help_text: str = "Output format."
) -> Callable[[_Decorated], _Decorated]:
    """Return the `--format` option of a command: one of `choices`, the first by default."""
    listed = tuple(choices)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(listed),
        default=listed[0],
        show_default=True,
        help=help_text,
    )


def _now() -> datetime:
    """Now in UTC, whole seconds; SOURCE_DATE_EPOCH pins it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def _listing(values: Iterable[str]) -> str:
    values = sorted(values)
    shown = ", ".join(values[:_LISTED])
    more = f" and {len(values) - _LISTED} more" if len(values) > _LISTED else ""
    return f"{shown}{more}" if values else "none"


def _check_party(
    timetable: Timetable, path: str, delegation: str | None, person: str | None
) -> None:
    """Misuse (exit 2) when --delegation or --person names nothing in the file."""
    if delegation is not None and delegation not in timetable.delegations:
        raise VconfError(
            f"--delegation {delegation}: {path} has no such delegation; "
            f"{_did_you_mean(delegation, timetable.delegations)}"
        )
    if person is not None and person not in timetable.people:
        raise VconfError(
            f"--person {person}: {path} has no such person; "
            f"{_did_you_mean(person, timetable.people)}"
        )


def _did_you_mean(given: str, known: Iterable[str]) -> str:
    """Return `did you mean VN?` for a near name (case first, then spelling), else the list."""
    from difflib import get_close_matches

    names = sorted(known)
    same_case = [name for name in names if name.casefold() == given.casefold()]
    folded = {name.casefold(): name for name in names}
    close = same_case or [
        folded[name] for name in get_close_matches(given.casefold(), folded, n=1, cutoff=0.75)
    ]
    if close:
        return f"did you mean {close[0]}?"
    return f"it has {_listing(names)}"


@contextmanager
def _about(file: str) -> Iterator[None]:
    """Name FILE in any VconfError raised inside the block that names no file yet."""
    try:
        yield
    except VconfError as error:
        error.file = error.file or file
        raise


def _check_zones(tz_names: Iterable[str], timetable: Timetable) -> tuple[str, ...]:
    """Return each `--tz` as an IANA name; an abbreviation (`ICT`) names the zones it may mean,
    the file's own zones first."""
    from vconf.errors import inside
    from vconf.load import zone_value

    event = timetable.conference.event
    own = {event.tz_name, *(d.tz_name for d in timetable.delegations.values())}
    checked = []
    for tz_name in tz_names:
        with inside(f"--tz {tz_name}"):
            checked.append(zone_value(tz_name, preferred=own))
    return tuple(checked)


def _output_dir(timetable: Timetable, output: str | None) -> str:
    """Return DIR: `-o` as given (`--output=~/x` reaches us unexpanded), else the default."""
    if output is None:
        return os.path.join("vconf-out", timetable.conference.event.id)
    return os.path.expanduser(output)


def _write(
    console: Console,
    timetable: Timetable,
    output: str | None,
    *,
    dry_run: bool = False,
    reset_state: bool = False,
    as_json: bool = False,
    meanwhile: Callable[[], object] = lambda: None,
) -> None:
    """Issue the files into DIR after the revisions store (SPEC §6), or only say what would
    change (`dry_run`); print the change list as text or JSON, then what was written.

    `meanwhile` runs once the store is open (DIR locked, but for a dry run), while a second
    process may be rendering the agenda pages: work the caller needs afterwards (`export` finds
    the problems there).
    """
    from vconf.files import prepare_output_dir
    from vconf.output import ExportFiles
    from vconf.render.changes import changes_as_json
    from vconf.render.text import changes_as_text, written_as_text
    from vconf.revisions import issue_revision, open_store, plan_revision, read_store

    directory = _output_dir(timetable, output)
    target = prepare_output_dir(directory)
    opened = read_store if dry_run else open_store
    written: list[str] = []
    count = 0
    with opened(target, reset=reset_state) as store:  # the lock is held until the end

        def planned() -> Revision:
            return plan_revision(
                store.contents,
                timetable,
                now=_now(),
                directory=store.directory,
                reset=store.reset,
                interrupted=store.removed_temporary_files > 0,
            )

        if dry_run:
            meanwhile()
            revision = planned()
        else:  # a second process may start on the agenda pages while this one plans
            with ExportFiles(timetable, store.directory) as files:
                meanwhile()
                revision = planned()
                calendars = files.build(revision)
                recipients = _recipients(timetable, revision)
                written = issue_revision(
                    store, revision, calendars, recipients=recipients, write=files.write
                )
                count = files.count
    if as_json:
        document = changes_as_json(revision, timetable, directory=directory, dry_run=dry_run)
        click.echo(document, nl=False)
        return
    _print_all(console, changes_as_text(revision, timetable, directory=directory, dry_run=dry_run))
    if not dry_run:
        console.print(written_as_text(directory, written, unchanged=count - len(written)))


def _recipients(timetable: Timetable, revision: Revision) -> dict[str, tuple[Recipient, ...]]:
    """Return each invited session's invitees with their zones, for the store (`vconf send`)."""
    from vconf.invitations import invitations, recipient_zones
    from vconf.revisions.messages import Recipient

    zones = recipient_zones(timetable)
    event_zone = timetable.conference.event.tz_name
    found: dict[str, tuple[Recipient, ...]] = {}
    people = dict(invitations(timetable))
    for tombstone in revision.tombstones:
        if tombstone.attendees and tombstone.session_id not in people:
            people[tombstone.session_id] = tombstone.attendees
    for session_id, attendees in people.items():
        found[session_id] = tuple(
            Recipient(item.email, item.name, zones.get(item.email.lower(), event_zone))
            for item in attendees
        )
    return found


_DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="Print what would change since the last export; write nothing."
)
_RESET_STATE = click.option(
    "--reset-state",
    is_flag=True,
    help="Start DIR's revision state afresh; the old DIR/.vconf/state.sqlite is kept as a backup.",
)


if TYPE_CHECKING:
    _DateType = click.ParamType[date]  # generic in the click the project checks with
else:
    _DateType = click.ParamType  # not subscriptable before click 8.2


class _Day(_DateType):
    """A calendar date written as in the TOML file: 2021-11-16."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"expected a date like 2021-11-16 (year-month-day), got {value!r}", param, ctx
            )


_DAY = _Day()


# ---- commands ----------------------------------------------------------------------------------


@cli.command("plan", short_help="Check, print the agenda and write every calendar.")
@click.argument("file")
@click.option(
    "-o", "--output", metavar="DIR", help="Where to write (default vconf-out/<event id>)."
)
@click.option("--force", is_flag=True, help="Write the files even with error-severity problems.")
@_DRY_RUN
@_RESET_STATE
def plan_command(
    file: str, output: str | None, force: bool, dry_run: bool, reset_state: bool
) -> Findings:
    """Check FILE, print the problems and the agenda, and write every calendar.

    With error-severity problems (a clash, a time that does not exist) nothing is written
    unless --force is given; the exit code is 1 either way. Then it prints what changed since
    the last export into DIR: new, changed, cancelled and unchanged sessions (--dry-run: what
    would change, writing nothing).

    \b
    Examples:
      vconf plan examples/danang-partners-2023.toml
      vconf plan examples/icdd-2021.toml -o out/icdd --force
      vconf plan examples/danang-partners-2023.toml --dry-run
    """
    from vconf.agenda import build_agenda
    from vconf.checks import find_problems
    from vconf.files import prepare_output_dir
    from vconf.render.text import agenda_as_text, problems_as_text
    from vconf.render.words import problem_marks

    timetable = _load(file)
    prepare_output_dir(_output_dir(timetable, output))  # refuse a wrong DIR before the work
    problems = find_problems(timetable)
    console = _console()
    _print_all(console, problems_as_text(problems, timetable))
    console.print()
    agenda = build_agenda(timetable, marks=problem_marks(timetable, problems))
    _print_all(console, agenda_as_text(agenda, local_times=True))
    console.print()
    if any(problem.is_error for problem in problems) and not force and not dry_run:
        console.print("Nothing written: fix the errors above, or use --force to write anyway.")
    else:
        _write(console, timetable, output, dry_run=dry_run, reset_state=reset_state)
    return Findings(tuple(problems))


@cli.command("check", short_help="Only the problems: clashes, DST, hours, days.")
@click.argument("file")
@_format_option(_RENDERERS["check"])
def check_command(file: str, output_format: str) -> Findings:
    """Print only the problems of FILE: clashes, DST gaps and folds, hours, days.

    \b
    Examples:
      vconf check examples/icdd-2021.toml
      vconf check examples/icdd-2021.toml --format json
    """
    from vconf.checks import find_problems

    timetable = _load(file, note_unscheduled=False)  # check lists them as problems
    problems = find_problems(timetable)
    gc.freeze()  # the problems too live until exit (100,000 sessions: 320,000 of them)
    _show(_renderer("check", output_format)(problems, timetable))
    return Findings(tuple(problems))


@cli.command("agenda", short_help="The agenda, with a time column per zone.")
@click.argument("file")
@click.option(
    "--tz",
    "tz_names",
    multiple=True,
    metavar="ZONE",
    help="Add a time column in ZONE after the party's own (repeatable).",
)
@click.option("--delegation", metavar="CODE", help="Only this delegation's sessions.")
@click.option("--person", metavar="ID", help="Only this person's sessions.")
@click.option("--public", is_flag=True, help="Only the public sessions: the programme to publish.")
@click.option(
    "--date", "dates", type=_DAY, multiple=True, metavar="DATE",
    help="Only the sessions on DATE, in the first column's zone (repeatable).",
)  # fmt: skip
@click.option("--lang", metavar="LANG", help="Language of dates and labels (en, fr, id, vi).")
@click.option(
    "--width", type=int, callback=lambda _c, _p, v: _at_least(v, 20, "columns"), metavar="N",
    help="Text width (default: the terminal's, or COLUMNS).",
)  # fmt: skip
@click.option(
    "-o", "--output", metavar="FILE",
    help="Write the agenda to FILE (atomically) instead of printing it; needed for pdf.",
)  # fmt: skip
@_format_option(_RENDERERS["agenda"])
def agenda_command(
    file: str,
    tz_names: tuple[str, ...],
    delegation: str | None,
    person: str | None,
    public: bool,
    dates: tuple[date, ...],
    lang: str | None,
    width: int | None,
    output: str | None,
    output_format: str,
) -> Findings:
    """Print the agenda of FILE, day by day, with a time column per zone.

    Without --delegation or --person it is the organiser's view (restricted sessions listed
    and marked). The first column is the party's own zone (the delegation's, or the person's
    delegation's, else the event zone); each --tz adds a column after it. Each session shows
    its people by role, its delegations (host first), languages and a mark per problem.

    \b
    Examples:
      vconf agenda examples/icdd-2021.toml --tz America/New_York --tz Asia/Tokyo
      vconf agenda examples/danang-partners-2023.toml --delegation PIT --tz Asia/Ho_Chi_Minh
      vconf agenda examples/icdd-2021.toml --public --date 2021-11-16 --format md
      vconf agenda examples/danang-partners-2023.toml --delegation DN --format pdf -o dn.pdf
    """
    from vconf.agenda import build_agenda
    from vconf.checks import find_problems
    from vconf.render.words import problem_marks

    if output_format == "pdf" and output is None:
        raise VconfError("--format pdf needs -o FILE: a PDF is not for the terminal")
    if lang is not None:
        _language(lang)  # an unknown code is misuse before the file is read
    timetable = _load(file)
    _check_party(timetable, file, delegation, person)
    language = _language(lang or _party_language(timetable, delegation, person))
    zones = _check_zones(tz_names, timetable)
    problems = find_problems(timetable)
    agenda = build_agenda(
        timetable,
        delegation=delegation,
        person=person,
        tz_names=zones,
        public=public,
        dates=dates,
        marks=problem_marks(timetable, problems),
    )
    renderer = _renderer("agenda", output_format)
    if output_format in ("html", "pdf"):  # a page's printed foot says it is a draft of FILE
        from functools import partial

        renderer = partial(renderer, source=os.path.basename(file))
    if output is not None:
        _write_agenda(output, renderer, agenda, output_format, language)
    elif output_format == "json":
        _show(renderer(agenda))
    elif output_format == "text":
        _print_all(_console(width=width), renderer(agenda, language=language))
    else:
        _show(renderer(agenda, language=language))
    return Findings(tuple(problems), note_file=file)


def _write_agenda(
    output: str, renderer: Any, agenda: Any, output_format: str, language: Language
) -> None:
    """Write the agenda in its format to OUTPUT atomically (text as it reads when piped)."""
    from pathlib import Path

    from vconf.files import write_file

    if output_format == "json":
        document: str | bytes = renderer(agenda)
    elif output_format == "text":
        from vconf.render.text import agenda_as_plain_text

        document = agenda_as_plain_text(agenda, language=language)
    else:
        document = renderer(agenda, language=language)
    data = document.encode("utf-8") if isinstance(document, str) else document
    write_file(Path(os.path.expanduser(output)), data)


def _party_language(timetable: Timetable, delegation: str | None, person: str | None) -> str:
    """Return the party's language (SPEC §8): the delegation's, else the event's, else `en`."""
    code = delegation
    if code is None and person is not None:
        code = timetable.people[person].delegation
    own = timetable.delegations[code].language if code is not None else None
    return own or timetable.conference.event.language or "en"


def _language(code: str | None) -> Language:
    """Return the language of `--lang CODE` (English without it); an unknown code is misuse."""
    from vconf.errors import inside
    from vconf.language import language_for

    with inside(f"--lang {code}"):
        return language_for(code or "en")


@cli.command("export", short_help="Write the calendars and agenda pages.")
@click.argument("file")
@click.option(
    "-o", "--output", metavar="DIR", help="Where to write (default vconf-out/<event id>)."
)
@_DRY_RUN
@_RESET_STATE
@_format_option(("text", "json"), help_text="Format of the change list.")
def export_command(
    file: str, output: str | None, dry_run: bool, reset_state: bool, output_format: str
) -> Findings:
    """Write the calendars (.ics) and agendas of FILE into DIR.

    Writes DIR/<event id>.ics (public sessions), delegations/<CODE>.ics, people/<ID>.ics,
    invites/<session id>.ics, the public programme programme.md/.html, and the agendas
    agendas/<CODE>.md/.html and agendas/people/<ID>.md/.html. DIR must be new, empty, or one
    vconf wrote before. Files are written even with error-severity problems (exit 1).

    Exporting again into DIR issues what changed since: a changed session with SEQUENCE + 1,
    a dropped one as cancelled (METHOD:CANCEL), an unchanged one byte for byte as before; it
    prints the change list (--dry-run: prints it and writes nothing).

    \b
    Examples:
      vconf export examples/itu-digital-world-2020.toml -o out/itu
      vconf export examples/itu-digital-world-2020.toml -o out/itu --dry-run --format json
    """
    from vconf.checks import find_problems

    timetable = _load(file)
    problems: list[Problem] = []
    _write(
        _console(),
        timetable,
        output,
        dry_run=dry_run,
        reset_state=reset_state,
        as_json=output_format == "json",
        meanwhile=lambda: problems.extend(find_problems(timetable)),
    )
    return Findings(tuple(problems), note_file=file)


@cli.command("zones", short_help="Delegations side by side: offsets, hours, clocks.")
@click.argument("file")
@click.option(
    "--date", "day", type=_DAY, metavar="DATE",
    help="The day to show (default the event's first day).",
)  # fmt: skip
@_format_option(_RENDERERS["zones"])
def zones_command(file: str, day: date | None, output_format: str) -> None:
    """Show the delegations of FILE side by side: offsets, hours, clock changes.

    The text output is an hour grid: one row a delegation, one column an hour of the event
    zone, marking working hours, night and non-working days.

    \b
    Examples:
      vconf zones examples/danang-partners-2023.toml --date 2023-03-15
      vconf zones examples/icdd-2021.toml --format json
    """
    from vconf.planning import build_zone_grid

    timetable = _load(file)
    with _about(file):
        grid = build_zone_grid(timetable, day=day)
    _show(_renderer("zones", output_format)(grid))


@cli.command("send", short_help="Email the invitations export issued into DIR, once each.")
@click.argument("directory", metavar="DIR")
@click.option("--confirm", is_flag=True, help="Deliver; without it, list and write drafts only.")
@click.option("--smtp", metavar="URL", help="smtp://host:port or smtps://host:port (VCONF_SMTP).")
@click.option(
    "--resend-unknown", is_flag=True, help="Send again the messages a cut left `unknown`."
)
@_format_option(_RENDERERS["send"])
def send_command(
    directory: str, confirm: bool, smtp: str | None, resend_unknown: bool, output_format: str
) -> None:
    """Send the invitations and updates that export/plan issued into DIR, by email (iMIP).

    Without --confirm nothing is sent: it lists each message and writes it as
    DIR/outbox/<session>/<SEQUENCE>-<recipient>.eml for review. A message sent is never sent
    again. Credentials come from VCONF_SMTP_USER and VCONF_SMTP_PASSWORD only.

    Exit codes: 0 all sent (or listed); 1 some failed; 2 misuse, no export in DIR, a server
    that cannot be reached or refuses the login, or no organizer email.

    \b
    Examples:
      vconf send vconf-out/danang-partners-2023
      vconf send vconf-out/danang-partners-2023 --confirm --smtp smtp://relay.example:587
    """
    from pathlib import Path

    from vconf.mail.sending import Result, SendReport, plan_send, write_drafts
    from vconf.revisions import open_store

    target = Path(directory)
    if not (target / ".vconf" / "state.sqlite").is_file():
        raise VconfError(f"{directory} holds no export: run `vconf export FILE -o {directory}`")
    url = smtp or os.environ.get("VCONF_SMTP", "")
    if confirm and not url:
        raise VconfError("--confirm needs a mail server: --smtp URL or VCONF_SMTP")
    with open_store(target) as store:
        planned = plan_send(store, resend_unknown=resend_unknown)
        if not confirm:
            write_drafts(target, planned)
            results = tuple(Result(item, "listed") for item in planned)
        else:
            results = _deliver_all(store, planned, url)
    report = SendReport(target, confirm, results)
    _show(_renderer("send", output_format)(report))
    if report.failed:
        click.get_current_context().exit(EXIT_PROBLEMS)


def _deliver_all(store: Store, planned: tuple[Planned, ...], url: str) -> tuple[Result, ...]:
    """Deliver over one connection, a progress bar on stderr only when it is a terminal."""
    from vconf.mail.sending import deliver
    from vconf.mail.smtp import Transport, read_credentials, read_server

    server = read_server(url)
    credentials = read_credentials(os.environ)
    if not planned:
        return ()
    with Transport(server, credentials=credentials) as transport:
        if not sys.stderr.isatty():
            return deliver(store, planned, transport, now=_now)
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("Sending", total=len(planned))
            return deliver(
                store, planned, transport, now=_now, advance=lambda: progress.advance(task)
            )


@cli.command("slots", short_help="Propose start times for a new session.")
@click.argument("file")
@click.option("--duration", required=True, metavar="D", help='Length of the new session ("1h30m").')
@click.option(
    "--delegation", "codes", multiple=True, metavar="CODE",
    help="Who must attend (repeatable; default all).",
)  # fmt: skip
@click.option("--from", "first", type=_DAY, metavar="DATE", help="First day to search.")
@click.option("--to", "last", type=_DAY, metavar="DATE", help="Last day to search.")
@click.option("--top", default=10, show_default=True, metavar="N", help="How many proposals.")
@_format_option(_RENDERERS["slots"])
def slots_command(
    file: str,
    duration: str,
    codes: tuple[str, ...],
    first: date | None,
    last: date | None,
    top: int,
    output_format: str,
) -> None:
    """Propose start times in FILE's days for a new session of length D, best first.

    Best means: most delegations inside their hours on a working day, then fewest minutes
    outside hours, then fewest overlaps with sessions of those delegations, then earliest; one
    proposal per window, each in every named delegation's local time.

    \b
    Examples:
      vconf slots examples/itu-digital-world-2020.toml --duration 1h --delegation US --delegation VN
      vconf slots examples/danang-partners-2023.toml --duration 90m --from 2023-11-01
    """
    from vconf.errors import inside
    from vconf.load import read_duration
    from vconf.planning import propose_slots

    timetable = _load(file)
    for code in codes:
        _check_party(timetable, file, code, None)
    with inside(f"--duration {duration}"):
        length = read_duration(duration)
    with _about(file):
        proposals = propose_slots(
            timetable,
            duration=length,
            delegations=codes,
            start=first,
            end=last,
            top=top,
        )
    _show(_renderer("slots", output_format)(proposals, timetable))


@cli.command("schedule", short_help="Place every session without a start; write a copy.")
@click.argument("file")
@click.option("-o", "--output", required=True, metavar="OUT.toml", help="The copy to write.")
@click.option(
    "--time-limit", type=float, callback=lambda _c, _p, v: _above_zero(v, "seconds"),
    default=30.0,
    show_default=True, metavar="S", help="Seconds the solver may search.",
)  # fmt: skip
@_format_option(_RENDERERS["schedule"])
def schedule_command(file: str, output: str, time_limit: float, output_format: str) -> None:
    """Give every session of FILE without a start the start with the fewest minutes outside
    hours, and write FILE with those starts added to OUT.toml (FILE is never touched).

    Needs OR-Tools (pip install 'vconf[solve]'). Exit codes: 0 placed; 1 no placement exists
    (`cannot place <session>: <why>` on stderr, nothing written); 2 input error or misuse.

    \b
    Examples:
      vconf schedule examples/itu-ministerial-roundtables-2020.toml -o placed.toml
      vconf schedule event.toml -o placed.toml --format json --time-limit 60
    """
    from pathlib import Path

    from vconf.files import write_file
    from vconf.scheduling.schedule import schedule

    if _same_file(file, output):
        raise VconfError(f"-o {output}: OUT must not be FILE; FILE is never touched")
    timetable = _load(file, note_unscheduled=False)
    with _about(file):
        text = Path(file).read_bytes().decode("utf-8-sig")  # read as the loader just did
    found = schedule(timetable, text, time_limit=time_limit)
    if found.cannot:
        click.echo(f"cannot place {found.cannot}", err=True)
        click.get_current_context().exit(EXIT_PROBLEMS)
    write_file(Path(output), found.text.encode("utf-8"))
    _show(_renderer("schedule", output_format)(found, output))


def _same_file(file: str, output: str) -> bool:
    """Whether OUT names FILE: the same path once resolved, or the same file on disk."""
    from pathlib import Path

    if Path(file).resolve() == Path(output).resolve():
        return True
    try:
        return os.path.samefile(file, output)
    except OSError:
        return False  # OUT does not exist yet (or FILE does not: reading it will say so)
