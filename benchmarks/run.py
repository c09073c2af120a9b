#!/usr/bin/env python3
"""Time vconf as whole processes and compare it with baselines (issue 6).

Usage::

    python benchmarks/run.py [--sizes S,M,L,XL] [--runs N] [--seed N]
                             [--rows commands,schedule,send]
                             [--no-write] [--strict] [--cache-dir DIR]

Every command is a fresh process started through the installed entry point:
the ``vconf`` script next to ``sys.executable`` (the same virtual environment),
else the first ``vconf`` on PATH. The machine is noisy, so each command runs
several times (default 5 for start-up, S and M; 3 for L and XL), the rounds are
interleaved (every command once per round) and the median is kept; the
baselines (``python -c pass``, parsing the file with ``tomllib``) are measured
in the same run. The table of ratios is printed and, unless ``--no-write``,
written with the absolute medians to ``benchmarks/RESULTS.md``.

The input files come from ``benchmarks/generate.py`` and are cached in
DIR (default: ``<tmp>/vconf-bench``) by size, seed and generator contents.

``--sizes S,M`` is the CI smoke run: the rows that the issue states on L are
computed on the largest size given below XL (here M), the scaling row compares
the two largest sizes given, and the peak RSS is taken on the largest size.

The schedule rows (issue 16) run ``vconf schedule`` once on the file
``schedule_bench.py --toml SIZE`` writes for the L-row size: at L, 40
unscheduled sessions, 20 delegations, 60 people over 3 days, to be proven
optimal (or within 1 %) in 30 s; the CI smoke run takes M (20 sessions).

The send rows (issue 15) run ``benchmarks/send_rate.py``: ``vconf send DIR`` (the review: every
message built and written as its ``.eml`` draft) on the export of the L-row size, and ``vconf
send DIR --confirm`` to an aiosmtpd server on 127.0.0.1 (one connection, reused; aiosmtpd is the
``test`` extra, run as a child process) on the export of the L-row size up to M: L's 90,000
messages would take minutes at the goal rate. Each is a fresh process timed whole; the rate is
messages (the drafts written) over the wall time, the best of ``--runs`` (default 1: a review of
L takes most of a minute). Goals: >= 2,000 and >= 200 messages per second.

Each export writes into a new temporary directory, and those directories are removed when the
run ends, not after each export (see ``_KEPT``: on ext4 without a journal, files created soon
after many deletions nearby cost many times more, which would time the previous run's cleanup).

``--rows`` runs only the named groups of rows: ``commands`` (the timed commands above and their
ratios), ``schedule``, ``send``; default all. With fewer than all, RESULTS.md is not written
(as with ``--no-write``), so that a partial run never replaces a whole one: ``--rows send
--sizes M`` times the send rows alone.

Exit status: 0 even when a goal is missed, unless ``--strict`` (then 1); 2 when
a command fails (a vconf exit status >= 2 or a crash; exit status 1, problems
found, is normal on these files, which contain clashes).

Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
GENERATOR = HERE / "generate.py"
SCHEDULE_BENCH = HERE / "schedule_bench.py"
SEND_RATE = HERE / "send_rate.py"
ROW_GROUPS = ("commands", "schedule", "send")
SCHEDULE_SECONDS, SCHEDULE_GAP = 30, 1.0  # issue 16: proven optimal or <= 1 % gap within 30 s
RESULTS = HERE / "RESULTS.md"
SIZE_ORDER = ("S", "M", "L", "XL")
SMALL_SIZES = ("S", "M")
DEFAULT_SEED = 2021
PACKAGES = ("vconf", "pytz", "rich", "tomli", "click")

TIMES = "\u00d7"  # multiplication sign
DIVIDE = "\u00f7"
AT_MOST = "\u2264"
AT_LEAST = "\u2265"
PER_SECOND = "/s"

PARSE_CODE = (
    "import sys\n"
    "try:\n"
    "    import tomllib\n"
    "except ImportError:  # Python 3.10\n"
    "    import tomli as tomllib\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    tomllib.load(f)\n"
)


class BenchmarkError(Exception):
    """A command failed (crash or exit status outside what is allowed)."""


@dataclass
class Bench:
    """One command to time: its argv, how often, and which exit statuses are normal."""

    key: str
    label: str
    argv: list[str]
    runs: int
    max_ok_status: int = 0
    fresh_dir: bool = False


@dataclass
class Measurement:
    """Wall times (seconds), peak RSS (bytes) and exit statuses of a bench's runs."""

    times: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median wall time."""
        return statistics.median(self.times)

    @property
    def peak_rss(self) -> int | None:
        """The largest peak RSS over the runs, or None where it cannot be measured."""
        return max(self.rss) if self.rss else None


@dataclass
class Row:
    """One line of the ratio table: a ratio of two medians, or a peak RSS."""

    label: str
    goal: float
    unit: str  # TIMES or "MB"
    stretch: float | None = None
    numerator: str | None = None
    denominator: str | None = None
    note: str = ""
    value: float | None = None
    at_least: bool = False  # the goal is a floor (a rate), not a ceiling

    @property
    def result(self) -> str:
        """PASS, PASS (stretch), MISS, or n/a when there is nothing to compare."""
        if self.value is None:
            return "n/a"
        if self.value < self.goal if self.at_least else self.value > self.goal:
            return "MISS"
        if self.stretch is not None and self.value <= self.stretch:
            return "PASS (stretch)"
        return "PASS"

    def goal_text(self) -> str:
        """The goal as printed, e.g. '<= 2.5x (stretch 2.0x)'."""
        if self.unit == PER_SECOND:
            return f"{AT_LEAST if self.at_least else AT_MOST} {self.goal:,.0f}{PER_SECOND}"
        unit = TIMES if self.unit == TIMES else " " + self.unit
        text = f"{AT_MOST} {self.goal:g}{unit}"
        if self.stretch is not None:
            text += f" (stretch {self.stretch:g}{unit})"
        return text

    def value_text(self) -> str:
        """The measured value as printed."""
        if self.value is None:
            return "n/a"
        if self.unit == TIMES:
            return f"{self.value:.2f}{TIMES}"
        if self.unit == PER_SECOND:
            return f"{self.value:,.0f}{PER_SECOND}"
        if self.unit in ("s", "%"):
            return f"{self.value:.1f} {self.unit}"
        return f"{self.value:.0f} {self.unit}"


@dataclass
class Plan:
    """Which sizes each row uses."""

    sizes: list[str]
    base: str  # the L
    scale_big: str | None  # the XL for the scaling row
    scale_small: str | None  # the L for the scaling row
    rss: str  # the XL for the peak RSS


# ---- inputs ---------------------------------------------------------------------------------


def load_generator() -> ModuleType:
    """Import benchmarks/generate.py from its path."""
    spec = importlib.util.spec_from_file_location("vconf_bench_generate", GENERATOR)
    if spec is None or spec.loader is None:
        raise BenchmarkError(f"cannot import {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def input_file(size: str, seed: int, cache_dir: Path) -> Path:
    """Return the generated file for (size, seed), generating it unless it is cached.

    generate.py runs in a child process: on Linux a child's peak RSS starts at its
    parent's, so this process must never hold a big file in memory.
    """
    digest = f"{zlib.crc32(GENERATOR.read_bytes()):08x}"  # zlib: hashlib costs 3 MB RSS
    path = cache_dir / f"{size}-seed{seed}-{digest}.toml"
    if path.exists():
        return path
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    started = time.perf_counter()
    command = [sys.executable, str(GENERATOR), size, "--seed", str(seed), "-o"]
    completed = subprocess.run([*command, str(partial)], capture_output=True, check=False)
    if completed.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BenchmarkError(f"generate.py {size}: {completed.stderr.decode(errors='replace')}")
    os.replace(partial, path)
    elapsed = time.perf_counter() - started
    progress(f"generated {size} ({path.stat().st_size / 1e6:.1f} MB) in {elapsed:.1f}s")
    return path


ERRORS_CODE = (  # a copy of the file with an unknown key in every session: one error each
    "import sys\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "text = text.replace('[[sessions]]\\n', '[[sessions]]\\nspeeker = 1\\n')\n"
    "open(sys.argv[2], 'w', encoding='utf-8').write(text)\n"
)


def errors_file(valid: Path) -> Path:
    """Return the copy of `valid` with one input error per session, made unless it exists.

    Written by a child process, like the inputs: this process never holds a big file.
    """
    path = valid.with_name(valid.stem + "-errors.toml")
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.part")
        command = [sys.executable, "-c", ERRORS_CODE, str(valid), str(partial)]
        completed = subprocess.run(command, capture_output=True, check=False)
        if completed.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BenchmarkError(f"errors file: {completed.stderr.decode(errors='replace')}")
        os.replace(partial, path)
    return path


# ---- running --------------------------------------------------------------------------------


def find_vconf() -> str | None:
    """The vconf entry point next to sys.executable, else the one on PATH."""
    bindir = Path(sys.executable).parent
    for name in ("vconf", "vconf.exe"):
        candidate = bindir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("vconf")


def progress(message: str) -> None:
    """Print a progress line to stderr."""
    print(f"run.py: {message}", file=sys.stderr, flush=True)


# Directories the exports wrote into, removed when the run ends, not after each export: on ext4
# without a journal (this machine's, and many VMs'), a file created within minutes of many
# deletions nearby costs up to 0.7 ms instead of 0.02 ms (the inode allocator steps over every
# recently deleted inode), so an export timed after the previous one's 35,000 files were
# removed would measure that, not vconf (2026-12-02: 22.9 s that way, 18.2 s without).
_KEPT: list[str] = []


@contextlib.contextmanager
def fresh_directory() -> Iterator[str]:
    """A new empty temporary directory, removed when the run ends (`remove_kept`)."""
    path = tempfile.mkdtemp(prefix="vconf-bench-export-")
    _KEPT.append(path)
    yield path


def remove_kept() -> None:
    """Remove the directories the exports wrote into."""
    while _KEPT:
        shutil.rmtree(_KEPT.pop(), ignore_errors=True)


def rss_bytes(maxrss: int) -> int:
    """Convert ru_maxrss to bytes (kilobytes on Linux, bytes on macOS)."""
    return maxrss if sys.platform == "darwin" else maxrss * 1024


def reset_peak_rss() -> None:
    """Reset this process's peak RSS to its current RSS (Linux >= 4.0; else a no-op).

    On Linux a child's ru_maxrss starts at the peak RSS of the parent it was forked
    from, so the runner keeps that floor as low as it can.
    """
    with contextlib.suppress(OSError), open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def run_once(argv: list[str]) -> tuple[float, int | None, int, bytes]:
    """Run argv once; return wall time, peak RSS (bytes), exit status and stderr."""
    reset_peak_rss()
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            rss: int | None = rss_bytes(usage.ru_maxrss)
        else:  # pragma: no cover - Windows
            process.wait()
            elapsed = time.perf_counter() - started
            rss = None
        err.seek(0)
        return elapsed, rss, process.returncode, err.read()


def run_bench(bench: Bench, measurement: Measurement) -> None:
    """Run a bench once (into a fresh directory if it needs one) and record the result."""
    with contextlib.ExitStack() as stack:
        argv = list(bench.argv)
        if bench.fresh_dir:
            argv.append(stack.enter_context(fresh_directory()))
        elapsed, rss, status, stderr = run_once(argv)
    if status < 0 or status > bench.max_ok_status:
        tail = stderr.decode("utf-8", "replace").strip()[-2000:]
        raise BenchmarkError(f"{bench.label}: exit status {status}\n  $ {' '.join(argv)}\n{tail}")
    measurement.times.append(elapsed)
    measurement.statuses.append(status)
    if rss is not None:
        measurement.rss.append(rss)


def run_all(benches: list[Bench]) -> dict[str, Measurement]:
    """Run the benches in interleaved rounds, each until it has its number of runs."""
    results = {bench.key: Measurement() for bench in benches}
    rounds = max(bench.runs for bench in benches)
    for round_number in range(1, rounds + 1):
        for bench in benches:
            if bench.runs >= round_number:
                run_bench(bench, results[bench.key])
                last = results[bench.key].times[-1]
                progress(f"round {round_number}/{rounds}: {bench.label}: {last:.3f}s")
    return results


# ---- what to run ----------------------------------------------------------------------------


def make_plan(sizes: list[str]) -> Plan:
    """Map the issue's L and XL onto the sizes given."""
    below_xl = [size for size in sizes if size != "XL"]
    base = below_xl[-1] if below_xl else sizes[-1]
    if len(sizes) >= 2:
        scale_small, scale_big = sizes[-2], sizes[-1]
    else:
        scale_small = scale_big = None
    return Plan(sizes, base, scale_big, scale_small, sizes[-1])


def runs_for(size: str | None, runs: int | None) -> int:
    """The number of runs: --runs, else 5 for start-up/S/M and 3 for L/XL."""
    if runs is not None:
        return runs
    return 5 if size is None or size in SMALL_SIZES else 3


def make_benches(plan: Plan, files: dict[str, Path], vconf: str, runs: int | None) -> list[Bench]:
    """The commands to time: baselines, start-up, and each vconf command on its size."""
    python = sys.executable
    benches = [
        Bench("pass", "python -c pass", [python, "-c", "pass"], runs_for(None, runs)),
        Bench("help", "vconf --help", [vconf, "--help"], runs_for(None, runs)),
    ]
    for size in plan.sizes:
        path, n = str(files[size]), runs_for(size, runs)
        benches.append(
            Bench(f"parse:{size}", f"parse {size} (tomllib)", [python, "-c", PARSE_CODE, path], n)
        )
        benches.append(Bench(f"check:{size}", f"vconf check {size}", [vconf, "check", path], n, 1))
    path, n = str(files[plan.base]), runs_for(plan.base, runs)
    base = plan.base
    benches += [
        Bench(
            f"check-json:{base}",
            f"vconf check --format json {base}",
            [vconf, "check", "--format", "json", path],
            n,
            1,
        ),
        Bench(f"agenda:{base}", f"vconf agenda {base} (piped)", [vconf, "agenda", path], n, 1),
        Bench(
            f"agenda-vi:{base}",
            f"vconf agenda {base} --lang vi (piped)",
            [vconf, "agenda", path, "--lang", "vi"],
            n,
            1,
        ),
        Bench(
            f"check-errors:{base}",
            f"vconf check {base}, an error in each session",
            [vconf, "check", str(errors_file(files[base]))],
            n,
            2,
        ),
        Bench(
            f"agenda-public:{base}",
            f"vconf agenda {base} --public (piped)",
            [vconf, "agenda", path, "--public"],
            n,
            1,
        ),
        Bench(
            f"export:{base}",
            f"vconf export {base} -o <fresh dir>",
            [vconf, "export", path, "-o"],
            n,
            1,
            fresh_dir=True,
        ),
    ]
    return benches


def make_rows(plan: Plan, sessions: dict[str, int]) -> list[Row]:
    """The ratio rows of the issue, on the sizes of the plan."""
    base = plan.base
    rows = [
        Row(
            f"vconf --help {DIVIDE} python -c pass", 5, TIMES, numerator="help", denominator="pass"
        ),
        Row(
            f"vconf check --format json {base} {DIVIDE} parse {base} (tomllib)",
            2.5,
            TIMES,
            stretch=2.0,
            numerator=f"check-json:{base}",
            denominator=f"parse:{base}",
        ),
    ]
    big, small = plan.scale_big, plan.scale_small
    if big is not None and small is not None:
        data = sessions[big] / sessions[small]
        note = "" if (big, small) == ("XL", "L") else f"goal 1.2 {TIMES} the data ratio {data:g}"
        rows.append(
            Row(
                f"vconf check {big} {DIVIDE} vconf check {small}",
                round(1.2 * data, 2),
                TIMES,
                numerator=f"check:{big}",
                denominator=f"check:{small}",
                note=note,
            )
        )
    else:
        rows.append(Row(f"vconf check XL {DIVIDE} vconf check L", 6, TIMES, note="needs two sizes"))
    rows += [
        Row(
            f"vconf agenda {base} (text, piped) {DIVIDE} vconf check {base}",
            2,
            TIMES,
            numerator=f"agenda:{base}",
            denominator=f"check:{base}",
        ),
        Row(
            f"vconf agenda {base} --lang vi {DIVIDE} vconf agenda {base}",
            1.3,
            TIMES,
            numerator=f"agenda-vi:{base}",
            denominator=f"agenda:{base}",
        ),
        Row(
            f"vconf check {base}, an error in each session (50 shown) {DIVIDE} vconf check {base}",
            1.0,
            TIMES,
            numerator=f"check-errors:{base}",
            denominator=f"check:{base}",
        ),
        Row(
            f"vconf agenda {base} --public {DIVIDE} vconf check {base}",
            2,
            TIMES,
            numerator=f"agenda-public:{base}",
            denominator=f"check:{base}",
        ),
        Row(
            f"vconf export {base} {DIVIDE} parse {base} (tomllib)",
            10,
            TIMES,
            stretch=5,
            numerator=f"export:{base}",
            denominator=f"parse:{base}",
        ),
        Row(f"peak RSS of vconf check {plan.rss}", 400, "MB", numerator=f"check:{plan.rss}"),
    ]
    return rows


def schedule_rows(size: str, seed: int, cache_dir: Path, vconf: str) -> list[Row]:
    """Run `vconf schedule` once on the schedule benchmark's file of `size`; return its rows.

    L is issue 16's instance (40 unscheduled sessions, 20 delegations, 60 people, 3 days); the
    CI smoke run gives M (20 sessions, 10 delegations). Exit 0 and a JSON report are required.
    """
    source = cache_dir / f"schedule-{size}-seed{seed}.toml"
    cache_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(SCHEDULE_BENCH), "--toml", size, "--seed", str(seed)]
    made = subprocess.run([*command, "-o", str(source)], capture_output=True, check=False)
    if made.returncode != 0:
        raise BenchmarkError(f"schedule_bench.py --toml {size}: {made.stderr.decode()}")
    with tempfile.TemporaryDirectory() as scratch:
        argv = [vconf, "schedule", str(source), "-o", str(Path(scratch) / "out.toml")]
        argv += ["--format", "json", "--time-limit", str(SCHEDULE_SECONDS)]
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise BenchmarkError(f"vconf schedule {size}: exit status {done.returncode}\n{tail}")
    import json  # only here: the other rows never need it

    found = json.loads(done.stdout)
    cost, bound = found["minutes_outside_hours"], found["bound"]
    gap = 0.0 if found["optimal"] or not cost else 100 * (cost - bound) / cost
    label = f"vconf schedule {size} ({len(found['placements'])} sessions)"
    proof = "proven optimal" if found["optimal"] else f"{cost} min, bound {bound}"
    return [
        Row(f"{label}: seconds", SCHEDULE_SECONDS, "s", value=elapsed, note=proof),
        Row(f"{label}: gap to the proven bound", SCHEDULE_GAP, "%", value=gap),
    ]


def load_send_rate() -> ModuleType:
    """Import benchmarks/send_rate.py from its path."""
    spec = importlib.util.spec_from_file_location("vconf_bench_send_rate", SEND_RATE)
    if spec is None or spec.loader is None:
        raise BenchmarkError(f"cannot import {SEND_RATE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def send_rows(
    plan: Plan, files: dict[str, Path], args: argparse.Namespace, vconf: str
) -> list[Row]:
    """Time `vconf send` (review) on the L-row size and `--confirm` to aiosmtpd on it up to M."""
    send_rate = load_send_rate()
    confirm = plan.base if plan.base in SMALL_SIZES else "M"
    progress(f"send rows: review on {plan.base}, --confirm on {confirm}")
    try:
        rates = send_rate.measure(
            plan.base,
            vconf=vconf,
            seed=args.seed,
            runs=args.runs or 1,
            confirm_size=confirm,
            cache_dir=args.cache_dir,
            sources=files,
        )
    except send_rate.SendBenchError as error:
        raise BenchmarkError(str(error)) from error
    labels = {
        "review": "vconf send {size} (review, drafts)",
        "confirm": "vconf send {size} --confirm to aiosmtpd",
    }
    rows = []
    for rate in rates:
        note = f"{rate.messages:,} messages in {rate.seconds:.1f} s"
        if rate.peak_rss:
            note += f", peak RSS {rate.peak_rss / 1e6:,.0f} MB"
        if rate.phase == "confirm" and rate.size != plan.base:
            note += f" ({plan.base}'s would take minutes)"
        rows.append(
            Row(
                labels[rate.phase].format(size=rate.size),
                send_rate.GOALS[rate.phase],
                PER_SECOND,
                note=note,
                value=rate.per_second,
                at_least=True,
            )
        )
    return rows


def fill_rows(rows: list[Row], results: dict[str, Measurement]) -> None:
    """Compute each row's value from the measurements."""
    for row in rows:
        if row.numerator is None:
            continue
        if row.unit == TIMES and row.denominator is not None:
            row.value = results[row.numerator].median / results[row.denominator].median
        else:
            peak = results[row.numerator].peak_rss
            row.value = None if peak is None else peak / 1e6
            if peak is None:
                row.note = "not measurable on this platform"


# ---- profiles of the misses ----------------------------------------------------------------


def profile_text(stats_file: str) -> str:
    """The top 15 vconf functions by cumulative time and the top 15 of all by own time."""
    import io
    import pstats

    buffer = io.StringIO()
    stats = pstats.Stats(stats_file, stream=buffer)
    stats.sort_stats("cumulative").print_stats(r"/vconf/", 15)
    stats.sort_stats("tottime").print_stats(15)
    lines = []
    for line in buffer.getvalue().splitlines():
        if not line.strip() or stats_file in line or "List reduced" in line:
            continue
        # keep the last directory: /venv/lib/.../pytz/tzinfo.py:196 -> pytz/tzinfo.py:196
        lines.append(re.sub(r"(?<=\s)/\S*/(?=[^/\s]+/[^/\s]+:\d+\()", "", line).rstrip())
    return "\n".join(lines)


def profile_bench(bench: Bench) -> str:
    """Run a vconf bench once under cProfile (`python -m cProfile -m vconf ...`)."""
    with tempfile.TemporaryDirectory(prefix="vconf-bench-profile-") as tmp:
        stats_file = os.path.join(tmp, "profile.out")
        with contextlib.ExitStack() as stack:
            tail = bench.argv[1:]
            if bench.fresh_dir:
                tail.append(stack.enter_context(fresh_directory()))
            command = [sys.executable, "-m", "cProfile", "-o", stats_file, "-m", "vconf", *tail]
            _, _, status, stderr = run_once(command)
        if status < 0 or status > bench.max_ok_status or not os.path.exists(stats_file):
            tail_text = stderr.decode("utf-8", "replace").strip()[-2000:]
            raise BenchmarkError(f"profiling {bench.label}: exit status {status}\n{tail_text}")
        return profile_text(stats_file)


def profile_misses(rows: list[Row], benches: list[Bench]) -> str:
    """A cProfile top 15 of the vconf command of every missed goal, as Markdown."""
    by_key = {bench.key: bench for bench in benches}
    sections = []
    for row in rows:
        if row.result != "MISS" or row.numerator is None:
            continue
        bench = by_key[row.numerator]
        progress(f"profiling {bench.label} (missed: {row.label})")
        sections.append(
            f"### {row.label}: {row.value_text()}\n\n"
            f"`python -m cProfile -m vconf {' '.join(bench.argv[1:])}`\n\n"
            f"```\n{profile_bench(bench)}\n```"
        )
    return "\n\n".join(sections)


# ---- reporting ------------------------------------------------------------------------------


def markdown_table(header: list[str], lines: list[list[str]], right: set[int]) -> str:
    """A Markdown table with aligned columns (right-aligned where asked)."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines, strict=True)]

    def render(cells: list[str]) -> str:
        padded = [
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [("-" * (w - 1) + ":") if i in right else "-" * w for i, w in enumerate(widths)]
    return "\n".join([render(header), render(rule), *(render(line) for line in lines)])


def ratio_table(rows: list[Row]) -> str:
    """The table of ratios and goals."""
    lines = [[row.label, row.value_text(), row.goal_text(), row.result, row.note] for row in rows]
    return markdown_table(["Ratio", "Measured", "Goal", "Result", "Note"], lines, {1})


def seconds(value: float) -> str:
    """A duration in seconds with three decimals."""
    return f"{value:.3f}"


def absolute_table(benches: list[Bench], results: dict[str, Measurement]) -> str:
    """Medians, extremes, peak RSS and exit statuses of every command."""
    lines = []
    for bench in benches:
        m = results[bench.key]
        peak = m.peak_rss
        lines.append(
            [
                bench.label,
                seconds(m.median),
                seconds(min(m.times)),
                seconds(max(m.times)),
                str(len(m.times)),
                "n/a" if peak is None else f"{peak / 1e6:.0f}",
                ",".join(str(s) for s in sorted(set(m.statuses))),
            ]
        )
    header = ["Command", "Median s", "Min s", "Max s", "Runs", "Peak RSS MB", "Exit"]
    return markdown_table(header, lines, {1, 2, 3, 4, 5})


def scaling_table(
    plan: Plan, results: dict[str, Measurement], sessions: dict[str, int], files: dict[str, Path]
) -> str:
    """Per size: sessions, file size, parse and check medians, and their ratio."""
    lines = []
    for size in plan.sizes:
        parse, check = results[f"parse:{size}"].median, results[f"check:{size}"].median
        lines.append(
            [
                size,
                f"{sessions[size]:,}",
                f"{files[size].stat().st_size / 1e6:.2f}",
                seconds(parse),
                seconds(check),
                f"{check / parse:.2f}{TIMES}",
            ]
        )
    header = ["Size", "Sessions", "File MB", "parse s", "check s", f"check {DIVIDE} parse"]
    return markdown_table(header, lines, {1, 2, 3, 4, 5})


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else platform.processor()."""
    with contextlib.suppress(OSError):
        for line in (
            Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
        ):
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Hardware", "cpu model"):
                return value.strip()
    return platform.processor() or platform.machine() or "unknown"


def cpu_count() -> int:
    """The CPUs this process may use (what nproc prints)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def package_versions() -> str:
    """Installed versions of vconf and its dependencies."""
    from importlib import metadata  # imported late: it is big, and see reset_peak_rss

    parts = []
    for name in PACKAGES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} not installed")
    return ", ".join(parts)


def sizes_line(plan: Plan) -> str:
    """Which sizes stand in for the issue's L and XL."""
    scaling = (
        f"{plan.scale_big} {DIVIDE} {plan.scale_small}" if plan.scale_big else "n/a (one size)"
    )
    return (
        f"Sizes: {','.join(plan.sizes)}; L-rows on {plan.base}, scaling {scaling}, "
        f"peak RSS on {plan.rss}"
    )


def results_markdown(plan: Plan, context: dict[str, str], tables: dict[str, str]) -> str:
    """The text of RESULTS.md."""
    lines = [
        "# vconf benchmark results",
        "",
        f"Written by `python benchmarks/run.py` ({context['command']}) on {context['date']}.",
        "",
        f"- Machine: {cpu_count()} CPUs (nproc), {cpu_model()}, "
        f"{platform.system()} {platform.release()}",
        f"- Python: {platform.python_version()} ({platform.python_implementation()}), "
        f"`{sys.executable}`",
        f"- Packages: {package_versions()}",
        f"- vconf entry point: `{context['vconf']}`",
        f"- Inputs: `benchmarks/generate.py`, seed {context['seed']}: {context['inputs']}",
        f"- {sizes_line(plan)}",
        "- Wall time of whole processes, median of the runs (rounds interleaved, baselines "
        "in the same run); peak RSS is the largest over the runs (`wait4`) and includes a "
        "floor of the runner's own RSS (Linux starts a child's peak at its parent's), "
        "about what the `python -c pass` row shows. vconf exits 1 on these files (they "
        "contain clashes): that is expected.",
        "",
        "## Ratios",
        "",
        tables["ratios"],
        "",
        "## Absolute medians",
        "",
        tables["absolute"],
        "",
        "## check against parse, per size",
        "",
        tables["scaling"],
        "",
    ]
    if tables.get("profiles"):
        lines += [
            "## Profiles of the missed goals",
            "",
            "One run under cProfile each (slower than the timed runs): the vconf functions by "
            "cumulative time, then all functions by own time.",
            "",
            tables["profiles"],
            "",
        ]
    return "\n".join(lines)


# ---- main -----------------------------------------------------------------------------------


def parse_sizes(value: str) -> list[str]:
    """Parse --sizes: a comma-separated subset of S,M,L,XL, returned in size order."""
    return _subset(value, value.upper(), SIZE_ORDER, "sizes")


def parse_groups(value: str) -> list[str]:
    """Parse --rows: a comma-separated subset of the row groups, returned in their order."""
    return _subset(value, value.lower(), ROW_GROUPS, "rows")


def _subset(value: str, folded: str, order: Sequence[str], what: str) -> list[str]:
    """Return the comma-separated names of `folded` (`value` in one case) in `order`; refuse
    none or an unknown one."""
    chosen = {part.strip() for part in folded.split(",") if part.strip()}
    if not chosen or chosen - set(order):
        raise argparse.ArgumentTypeError(
            f"{what} must be a comma-separated subset of {','.join(order)}, got {value!r}"
        )
    return [name for name in order if name in chosen]


def positive(value: str) -> int:
    """Parse a positive integer option."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description="Time vconf against baselines (issue 6).")
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(SIZE_ORDER),
        help="comma-separated sizes (default S,M,L,XL; CI: S,M)",
    )
    parser.add_argument(
        "--runs",
        type=positive,
        default=None,
        help="runs per command (default 5 for start-up/S/M, 3 for L/XL)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--rows",
        type=parse_groups,
        default=list(ROW_GROUPS),
        help=f"comma-separated groups of rows to run (default {','.join(ROW_GROUPS)}); "
        "fewer than all implies --no-write",
    )
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    parser.add_argument(
        "--no-profile", action="store_true", help="do not profile the commands of missed goals"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "vconf-bench",
        help="where generated inputs are cached (default <tmp>/vconf-bench)",
    )
    return parser.parse_args(argv)


def prepare_inputs(
    sizes: list[str], seed: int, cache_dir: Path
) -> tuple[dict[str, Path], dict[str, int]]:
    """Generate (or reuse) the input file of each size; return paths and session counts."""
    generator = load_generator()
    sessions = {size: int(generator.SIZES[size]) for size in sizes}
    files = {size: input_file(size, seed, cache_dir) for size in sizes}
    return files, sessions


def report(rows: list[Row], plan: Plan, absolute: str) -> None:
    """Print the sizes used, the ratio table and the absolute medians."""
    print(sizes_line(plan))
    print()
    print(ratio_table(rows))
    print()
    print(absolute)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring for the exit status."""
    try:
        return _run(argv)
    finally:
        remove_kept()


def _run(argv: list[str] | None) -> int:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="replace")
    args = parse_args(argv)
    vconf = find_vconf()
    if vconf is None:
        print(
            "run.py: no `vconf` next to the Python or on PATH; install the package", file=sys.stderr
        )
        return 2
    plan = make_plan(args.sizes)
    commands = "commands" in args.rows
    benches: list[Bench] = []
    results: dict[str, Measurement] = {}
    rows: list[Row] = []
    try:
        needed = plan.sizes if commands else [plan.base]
        files, sessions = prepare_inputs(needed, args.seed, args.cache_dir)
        if commands:
            benches = make_benches(plan, files, vconf, args.runs)
            results = run_all(benches)
            rows = make_rows(plan, sessions)
            fill_rows(rows, results)
        if "schedule" in args.rows:
            rows += schedule_rows(plan.base, args.seed, args.cache_dir, vconf)
        if "send" in args.rows:
            rows += send_rows(plan, files, args, vconf)
    except BenchmarkError as error:
        print(f"run.py: command failed: {error}", file=sys.stderr)
        return 2
    tables = {
        "ratios": ratio_table(rows),
        "absolute": absolute_table(benches, results),
        "scaling": scaling_table(plan, results, sessions, files) if commands else "",
    }
    report(rows, plan, tables["absolute"])
    if not args.no_profile:
        try:
            tables["profiles"] = profile_misses(rows, benches)
        except BenchmarkError as error:
            print(f"run.py: {error}", file=sys.stderr)
            return 2
        if tables["profiles"]:
            print(f"\n{tables['profiles']}")
    if not args.no_write and args.rows == list(ROW_GROUPS):
        write_results(plan, args, vconf, files, sessions, tables)
    missed = [row for row in rows if row.result == "MISS"]
    return 1 if args.strict and missed else 0


def write_results(
    plan: Plan,
    args: argparse.Namespace,
    vconf: str,
    files: dict[str, Path],
    sessions: dict[str, int],
    tables: dict[str, str],
) -> None:
    """Write benchmarks/RESULTS.md."""
    inputs = ", ".join(
        f"{size} {sessions[size]:,} sessions ({files[size].stat().st_size / 1e6:.1f} MB)"
        for size in plan.sizes
    )
    runs = f"--runs {args.runs}" if args.runs else "5 runs start-up/S/M, 3 runs L/XL"
    context = {
        "command": f"--sizes {','.join(plan.sizes)}, {runs}",
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "vconf": vconf,
        "seed": str(args.seed),
        "inputs": inputs,
    }
    RESULTS.write_text(results_markdown(plan, context, tables), encoding="utf-8")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
