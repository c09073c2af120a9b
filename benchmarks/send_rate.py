#!/usr/bin/env python3
"""Messages per second of the whole `vconf send` command (issue 15): review and --confirm.

Usage::

    python benchmarks/send_rate.py [SIZE] [--seed N] [--runs N] [--confirm-size SIZE]
                                   [--cache-dir DIR] [--vconf PATH]

The event of SIZE (default M) comes from `benchmarks/generate.py`; `vconf export` writes it into
a scratch directory once (not timed). Then, each a fresh process timed by the wall clock:

- the review, `vconf send DIR`: it builds every message and writes its `.eml` draft under
  DIR/outbox/; DIR/outbox/ is removed before each run;
- the delivery, `vconf send DIR --confirm`, to an aiosmtpd server on 127.0.0.1 (its `Sink`
  handler, in its own process: `python -m aiosmtpd`), over one connection; the store is put back
  as export left it before each run, so every run delivers every message, and each must exit 0.

The rate is the number of messages (the drafts the review wrote) over the run's wall time,
start-up included; the best of `--runs` is kept (the machine is noisy), with its peak RSS
(`wait4`, Linux and macOS). The delivery runs on
`--confirm-size` (default: SIZE), so that a run on L can deliver M's invitations, L's taking
minutes at the goal rate. Goals: review >= 2,000 messages/s, --confirm >= 200 messages/s.
`measure()` is what `benchmarks/run.py` calls. Standard library only (aiosmtpd, the `test`
extra, runs as a child process).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOALS = {"review": 2000.0, "confirm": 200.0}  # messages per second (issue 15)
STATE = Path(".vconf") / "state.sqlite"


class SendBenchError(Exception):
    """A command failed, or the SMTP server would not start."""


@dataclass(frozen=True, slots=True)
class Rate:
    """How many messages one phase handled in its best run, and whether it met its goal."""

    phase: str  # "review" or "confirm"
    size: str
    messages: int
    seconds: float
    peak_rss: int | None = None  # bytes, of the run kept

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds

    @property
    def passed(self) -> bool:
        return self.per_second >= GOALS[self.phase]


def generated(size: str, seed: int, cache_dir: Path) -> Path:
    """Return the generated event of `size`, made by generate.py unless cached."""
    path = cache_dir / f"send-{size}-seed{seed}.toml"
    if not path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(HERE / "generate.py"), size, "--seed", str(seed), "-o"]
        _run([*command, str(path)], "generate.py")
    return path


def exported(source: Path, vconf: str, into: Path) -> Path:
    """Export `source` into `into` (exit 1 is normal: the generated files hold clashes)."""
    _run([vconf, "export", str(source), "-o", str(into)], "vconf export", allowed=(0, 1))
    shutil.copyfile(into / STATE, _exported_state(into))
    return into


def time_review(directory: Path, vconf: str) -> tuple[int, float, int | None]:
    """Run the review once on a directory without drafts; return (messages, seconds, peak RSS)."""
    _restore(directory)
    shutil.rmtree(directory / "outbox", ignore_errors=True)
    seconds, peak = _timed([vconf, "send", str(directory)], "vconf send")
    return sum(len(files) for _, _, files in os.walk(directory / "outbox")), seconds, peak


def time_confirm(directory: Path, vconf: str, url: str) -> tuple[float, int | None]:
    """Deliver every message once, from the store as export left it; return seconds, peak RSS."""
    _restore(directory)
    environment = {**os.environ, "VCONF_SMTP": url}
    return _timed([vconf, "send", str(directory), "--confirm"], "vconf send --confirm", environment)


@contextlib.contextmanager
def smtp_server() -> Iterator[str]:
    """Run aiosmtpd's Sink on a free port of 127.0.0.1; yield its smtp:// URL."""
    port = _free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "-c", "aiosmtpd.handlers.Sink"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                error = server.stderr.read().decode(errors="replace") if server.stderr else ""
                raise SendBenchError(f"aiosmtpd did not start (pip install aiosmtpd): {error}")
            time.sleep(0.1)
        yield f"smtp://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()


def measure(
    size: str,
    *,
    vconf: str,
    seed: int = 2021,
    runs: int = 1,
    confirm_size: str | None = None,
    cache_dir: Path | None = None,
    sources: Mapping[str, Path] | None = None,
) -> list[Rate]:
    """Return the best review rate on `size` and delivery rate on `confirm_size` (or `size`).

    `sources` may give the generated event of a size (run.py's inputs); others are generated.
    """
    cache = cache_dir or Path(tempfile.gettempdir()) / "vconf-bench"
    delivered = confirm_size or size

    def source(size: str) -> Path:
        return (sources or {}).get(size) or generated(size, seed, cache)

    with tempfile.TemporaryDirectory(prefix="vconf-bench-send-") as scratch:
        review_dir = exported(source(size), vconf, Path(scratch) / size)
        timed = [time_review(review_dir, vconf) for _ in range(runs)]
        messages, seconds, peak = min(timed, key=lambda run: run[1])
        rates = [Rate("review", size, messages, seconds, peak)]
        if delivered != size:
            shutil.rmtree(review_dir)  # L's export and drafts: 1.6 GB
            confirm_dir = exported(source(delivered), vconf, Path(scratch) / delivered)
            messages = time_review(confirm_dir, vconf)[0]
        else:
            confirm_dir = review_dir
        with smtp_server() as url:
            seconds, peak = min(time_confirm(confirm_dir, vconf, url) for _ in range(runs))
        rates.append(Rate("confirm", delivered, messages, seconds, peak))
    return rates


def _restore(directory: Path) -> None:
    """Put the store back as export left it (no message state recorded)."""
    for suffix in ("-wal", "-shm"):
        (directory / f"{STATE}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(_exported_state(directory), directory / STATE)


def _exported_state(directory: Path) -> Path:
    """Where the store as export left it is kept: beside DIR, not in it."""
    return directory.with_name(f"{directory.name}-exported.sqlite")


def _timed(
    argv: list[str], what: str, environment: dict[str, str] | None = None
) -> tuple[float, int | None]:
    """Run argv once; return its wall time and peak RSS in bytes (None where `wait4` is missing)."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=environment
        )
        peak: int | None = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        else:  # pragma: no cover - Windows
            process.wait()
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip()[-2000:]
            raise SendBenchError(
                f"{what}: exit status {process.returncode}\n  $ {' '.join(argv)}\n{tail}"
            )
    return seconds, peak


def _run(
    argv: list[str],
    what: str,
    *,
    allowed: tuple[int, ...] = (0,),
    environment: dict[str, str] | None = None,
) -> None:
    done = subprocess.run(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=environment, check=False,
    )  # fmt: skip
    if done.returncode not in allowed:
        tail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise SendBenchError(f"{what}: exit status {done.returncode}\n  $ {' '.join(argv)}\n{tail}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _vconf() -> str:
    for candidate in (Path(sys.executable).parent / "vconf", shutil.which("vconf")):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    raise SystemExit("send_rate: no `vconf` next to the Python or on PATH; install the package")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("size", nargs="?", default="M", choices=("S", "M", "L", "XL"))
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--confirm-size", choices=("S", "M", "L", "XL"))
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--vconf", help="the vconf command (default: next to this Python)")
    arguments = parser.parse_args()
    try:
        rates = measure(
            arguments.size,
            vconf=arguments.vconf or _vconf(),
            seed=arguments.seed,
            runs=arguments.runs,
            confirm_size=arguments.confirm_size,
            cache_dir=arguments.cache_dir,
        )
    except SendBenchError as error:
        raise SystemExit(f"send_rate: {error}") from error
    for rate in rates:
        verdict = "PASS" if rate.passed else "MISS"
        print(
            f"{rate.phase:7} {rate.size}: {rate.messages:,} messages in {rate.seconds:.2f} s:"
            f" {rate.per_second:,.0f}/s (goal >= {GOALS[rate.phase]:,.0f}/s) {verdict}"
            + (f", peak RSS {rate.peak_rss / 1e6:,.0f} MB" if rate.peak_rss else "")
        )


if __name__ == "__main__":
    main()
