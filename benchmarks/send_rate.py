#!/usr/bin/env python3
"""Messages per second for `vconf send`: build only (the review drafts) and build + SMTP (§9).

Usage::

    PYTHONPATH=src python benchmarks/send_rate.py [--count 2000] [--runs 3]

The invitation is a real one (`tests/golden/icdd-2021/export/invites/panel-3.ics`, seven
attendees); every message goes to a different recipient. Delivery is to an aiosmtpd server on
127.0.0.1 over one connection, the server's handler only counting what arrives. The best of
`--runs` is kept (the machine is noisy; the best run is the code, the others are the neighbours).
`measure()` returns the figures for `benchmarks/run.py`; aiosmtpd comes with the `test` extra.
"""

from __future__ import annotations

import argparse
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vconf.mail.message import Kind, Letter, Party, build_mail
from vconf.mail.smtp import Outcome, Server, Transport

INVITATION = (
    Path(__file__).resolve().parent.parent / "tests/golden/icdd-2021/export/invites/panel-3.ics"
)
GOALS = {"build": 2000.0, "send": 200.0}  # messages per second


@dataclass(frozen=True, slots=True)
class Rate:
    """How many messages a phase handled, how fast, and whether it met its goal."""

    phase: str
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    @property
    def passed(self) -> bool:
        return self.per_second >= GOALS[self.phase]


class _Counter:
    """An aiosmtpd handler that keeps only the number of messages it took."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def letters(count: int) -> list[Letter]:
    """Return `count` letters of one invitation, each to its own recipient."""
    ics = INVITATION.read_bytes()
    organizer = Party("secretariat@kemlu.example", "ICDD 2021 Secretariat, Kemlu")
    date = datetime(2021, 11, 1, 9, 0, tzinfo=timezone.utc)
    return [
        Letter(
            ics=ics,
            recipient=Party(f"delegate-{number}@mfa.example", f"Délégué {number}"),
            organizer=organizer,
            kind=Kind.NEW,
            title="Making sense of data and digital diplomacy",
            start_text="Tue 16 Nov 2021 09:00 CET",
            summary="Making sense of data and digital diplomacy\n\nWhen: Tue 16 Nov 2021 09:00\n",
            date=date,
        )
        for number in range(count)
    ]


def measure_build(count: int) -> Rate:
    """Return the rate of building messages and their `.eml` bytes (the dry run's work)."""
    batch = letters(count)
    start = time.perf_counter()
    octets = sum(len(build_mail(letter).data) for letter in batch)
    seconds = time.perf_counter() - start
    if octets < count * len(INVITATION.read_bytes()):  # each holds the invitation twice
        raise SystemExit(f"send_rate: {octets} octets for {count} messages")
    return Rate("build", count, seconds)


def measure_send(count: int) -> Rate:
    """Return the rate of building and delivering messages to aiosmtpd over one connection."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError as error:  # pragma: no cover - a missing extra
        raise SystemExit("send_rate needs aiosmtpd: pip install 'vconf[test]'") from error
    handler = _Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        batch = letters(count)
        start = time.perf_counter()
        with Transport(Server("smtp", "127.0.0.1", controller.port)) as transport:
            outcomes = [transport.send(build_mail(letter)) for letter in batch]
        seconds = time.perf_counter() - start
    finally:
        controller.stop()
    if handler.received != count or any(d.outcome is not Outcome.SENT for d in outcomes):
        raise SystemExit(f"send_rate: {handler.received} of {count} messages arrived")
    return Rate("send", count, seconds)


def measure(count: int = 2000, runs: int = 3) -> list[Rate]:
    """Return the best build-only and build+send rates of `runs` runs of `count` messages."""
    best = []
    for phase in (measure_build, measure_send):
        best.append(min((phase(count) for _ in range(runs)), key=lambda rate: rate.seconds))
    return best


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    for rate in measure(arguments.count, arguments.runs):
        verdict = "PASS" if rate.passed else "MISS"
        print(
            f"{rate.phase:5}  {rate.count} messages in {rate.seconds:.3f} s:"
            f" {rate.per_second:,.0f}/s (goal ≥ {GOALS[rate.phase]:,.0f}/s) {verdict}"
        )


if __name__ == "__main__":
    main()
