"""vconf.parallel: work done in a forked child comes back whole, or is done again here."""

from __future__ import annotations

import os
import signal
import time

import pytest

from vconf.parallel import JOBS_VARIABLE, Forked, Tickets, should_fork

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOBS_VARIABLE, "2")


def test_the_value_is_computed_in_a_child_and_comes_back_whole(forking: None) -> None:
    parent = os.getpid()
    big = bytes(range(256)) * 40_000  # 10 MB: more than a pipe holds

    def work() -> tuple[int, dict[str, bytes]]:
        return os.getpid(), {"a": big, "b": b""}

    with Forked(work) as forked:
        pid, value = forked.result()
    assert pid != parent
    assert value == {"a": big, "b": b""}


def test_jobs_1_computes_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JOBS_VARIABLE, "1")
    assert not should_fork(worth_it=True)
    with Forked(os.getpid) as forked:
        assert forked.result() == os.getpid()


def test_small_work_stays_here_unless_jobs_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(JOBS_VARIABLE, raising=False)
    assert not should_fork(worth_it=False)
    with Forked(os.getpid, worth_it=False) as forked:
        assert forked.result() == os.getpid()
    monkeypatch.setenv(JOBS_VARIABLE, "2")
    assert should_fork(worth_it=False)


def test_an_error_in_the_child_is_raised_here_by_doing_the_work_again(forking: None) -> None:
    calls_here = []
    parent = os.getpid()

    def work() -> int:
        if os.getpid() == parent:
            calls_here.append(1)
        raise ValueError("bad delegation language")

    with Forked(work) as forked, pytest.raises(ValueError, match="bad delegation language"):
        forked.result()
    assert calls_here == [1]  # once, here, after the child failed


def test_a_killed_child_leaves_the_work_to_this_process(forking: None) -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return "done here"

    with Forked(work) as forked:
        assert forked.result() == "done here"


def test_leaving_the_block_early_kills_and_reaps_the_child(forking: None) -> None:
    def work() -> None:
        time.sleep(60)

    began = time.monotonic()
    with Forked(work) as forked:
        pid = forked._pid
        assert pid is not None
    assert time.monotonic() - began < 10
    with pytest.raises(ChildProcessError):  # reaped: no such child any more
        os.waitpid(pid, os.WNOHANG)


def test_two_processes_take_each_ticket_once(forking: None) -> None:
    tickets = Tickets(1000)

    def take_all() -> list[int]:
        return list(iter(tickets.take, None))

    with Forked(take_all) as forked:
        mine = take_all()
        theirs = forked.result()
    tickets.close()
    assert sorted(mine + theirs) == list(range(1000))
    assert tickets.take() is None


def test_a_failed_child_leaves_the_work_to_instead(forking: None) -> None:
    parent = os.getpid()

    def work() -> str:
        if os.getpid() != parent:
            os._exit(3)
        return "work"

    with Forked(work, instead=lambda: "instead") as forked:
        assert forked.forked
        assert forked.result() == "instead"
