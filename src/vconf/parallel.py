"""Work done on a second core: a forked child computes a value while this process goes on.

`vconf export` renders part of its agenda pages this way (docs/architecture.md, "The write
path"): on two cores the pages of 20,000 sessions take half the time. The work must be a
function of what the process already holds; its value comes back pickled through an anonymous
file. The child keeps the descriptors it inherited (an export's lock on DIR among them: another
run waits for the child too) and ends with `os._exit`, running no exit handler and flushing no
buffer of the parent's.

The work runs in this process instead, with the same value, where there is no `fork`, only one
core, other threads (fork would copy their locks mid-use), when the caller says it is too small
to be worth a process, or when `VCONF_JOBS=1`; `VCONF_JOBS=2` forks even small work (tests).
A child that fails (an error in the work, killed, out of memory) is not an error: the work is
done again here, so that its error, if it is one, is raised in this process as it would be
without a child.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import IO, Generic, TypeVar

JOBS_VARIABLE = "VCONF_JOBS"

T = TypeVar("T")


def cores() -> int:
    """Return how many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover (macOS)


def should_fork(*, worth_it: bool) -> bool:
    """Whether work that is `worth_it` (or any, with `VCONF_JOBS=2`) goes to a child process."""
    jobs = os.environ.get(JOBS_VARIABLE, "")
    if jobs == "1" or not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    return jobs == "2" or (worth_it and cores() > 1)


class Forked(Generic[T]):
    """A value being computed by `work` in a child process, or later in this one.

    Use it as a context manager: leaving the block before `result()` (an error meanwhile)
    kills and reaps the child.
    """

    def __init__(
        self,
        work: Callable[[], T],
        *,
        worth_it: bool = True,
        instead: Callable[[], T] | None = None,
    ) -> None:
        """Start `work` in a child when `should_fork`; `instead` is what to compute here when a
        child did not deliver (default: `work`), for work that shares `Tickets` with this one."""
        self._work = work
        self._instead = instead or work
        self._pid: int | None = None
        self._file: IO[bytes] | None = None
        if should_fork(worth_it=worth_it):
            self._start()

    def __enter__(self) -> Forked[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()

    def _start(self) -> None:
        # unlinked at once, so nothing is left behind; open until `result` or `cancel`
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        for stream in (sys.stdout, sys.stderr):  # a child never flushes what is buffered
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the child: its coverage is not collected)
            _child(self._work, self._file.fileno())
        self._pid = pid

    @property
    def forked(self) -> bool:
        """Whether a child is computing the value."""
        return self._pid is not None

    def result(self) -> T:
        """Return the work's value: the child's once it exits, else computed here."""
        pid, file = self._pid, self._file
        self._pid = self._file = None
        if pid is None or file is None:
            return self._work()
        with file:
            _, status = _wait(pid)
            if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                file.seek(0)
                try:
                    value: T = pickle.load(file)
                except Exception:  # a torn result: compute it here
                    return self._instead()
                return value
        return self._instead()

    def cancel(self) -> None:
        """Stop the child, if one is still running, and forget it."""
        pid, file = self._pid, self._file
        self._pid = self._file = None
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            _wait(pid)
        if file is not None:
            file.close()


class Tickets:
    """The numbers 0 to `count` - 1, each taken once, by whichever process asks first.

    Made before the fork: a pipe holding one 4-byte number each, its write end closed, so a
    read never waits (a number, or the end: none left). Linux reads a pipe under a lock, so two
    processes never take the same number. `taken` lists the numbers this process took.
    """

    LIMIT = 1 << 12  # 16 KiB in the pipe: below the smallest buffer (64 KiB on Linux)

    def __init__(self, count: int) -> None:
        if not 0 <= count <= self.LIMIT:
            raise ValueError(f"between 0 and {self.LIMIT} tickets, not {count}")
        self._read, write = os.pipe()
        try:
            os.write(write, b"".join(number.to_bytes(4, "big") for number in range(count)))
        finally:
            os.close(write)
        self.taken: list[int] = []

    def take(self) -> int | None:
        """Return a number no process took yet, or None when none is left."""
        if self._read < 0:
            return None
        data = os.read(self._read, 4)
        if len(data) < 4:
            return None
        number = int.from_bytes(data, "big")
        self.taken.append(number)
        return number

    def close(self) -> None:
        if self._read >= 0:
            os.close(self._read)
            self._read = -1


class Handover(Generic[T]):
    """A value this process hands its forked child once it has it: made before the fork.

    Pickled down a pipe in one write (`give`; at most `LIMIT` bytes, so the child reads it
    whole or not at all). The child asks whether it came (`arrived`) or waits for it
    (`receive`); when this process ends or `close`s first, the child's wait ends with EOFError.
    """

    LIMIT = select.PIPE_BUF if hasattr(select, "PIPE_BUF") else 512

    def __init__(self) -> None:
        self._read, self._write = os.pipe()

    def give(self, value: T) -> None:
        """Send `value` to the child (in this process, the one that made it)."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > self.LIMIT - 4:
            raise ValueError(f"a value of at most {self.LIMIT - 4} pickled bytes, not {len(data)}")
        os.write(self._write, len(data).to_bytes(4, "big") + data)

    def in_child(self) -> None:
        """Close the child's copy of the write end: this process's end is then the child's EOF."""
        if self._write >= 0:
            os.close(self._write)
            self._write = -1

    def arrived(self) -> bool:
        """Whether the value can be received without waiting (or the sender is gone)."""
        return bool(select.select([self._read], [], [], 0)[0])

    def receive(self) -> T:
        """Wait for the value and return it; EOFError if the sender closed without giving it."""
        data = b""
        while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
            chunk = os.read(self._read, self.LIMIT)
            if not chunk:
                raise EOFError("nothing was handed over")
            data += chunk
        value: T = pickle.loads(data[4:])
        return value

    def close(self) -> None:
        for descriptor in (self._read, self._write):
            if descriptor >= 0:
                with contextlib.suppress(OSError):
                    os.close(descriptor)
        self._read = self._write = -1


def _wait(pid: int) -> tuple[int, int]:
    while True:
        try:
            return os.waitpid(pid, 0)
        except InterruptedError:  # pragma: no cover (retried by Python itself since 3.5)
            continue
        except ChildProcessError:
            return pid, 1 << 8  # reaped elsewhere: as a failure


def _child(work: Callable[[], object], descriptor: int) -> None:  # pragma: no cover
    """Run `work` and pickle its value into `descriptor`; end the process, never return."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child at once
        with open(descriptor, "wb", closefd=False) as file:
            pickle.dump(work(), file, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    except BaseException:  # the parent computes it again, and sees the error if it is one
        code = 1
    finally:
        os._exit(code)
