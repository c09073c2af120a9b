"""vconf.parallel: work done in a forked child comes back whole, or is done again here."""

from __future__ import annotations

import os
import signal
import time

import pytest

from vconf.parallel import JOBS_VARIABLE, Forked, Handover, Tickets, should_fork

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


def test_a_handed_over_value_reaches_the_child_once_given(forking: None) -> None:
    """The child asks without waiting, then waits; it receives what this process gave later."""
    handover: Handover[tuple[str, int]] = Handover()

    def work() -> tuple[bool, tuple[str, int], bool]:
        handover.in_child()
        before = handover.arrived()
        value = handover.receive()
        return before, value, handover.arrived()

    with Forked(work) as forked:
        assert forked.forked
        time.sleep(0.2)  # the child has asked by now (were it slower, `before` is False still)
        handover.give(("issue", 7))
        before, value, after = forked.result()
    handover.close()
    assert (before, value, after) == (False, ("issue", 7), False)


def test_a_handover_closed_without_a_value_ends_the_childs_wait(forking: None) -> None:
    handover: Handover[int] = Handover()

    def work() -> str:
        handover.in_child()
        try:
            handover.receive()
        except EOFError:
            return "no value"
        return "a value"

    with Forked(work, instead=lambda: "computed here") as forked:
        handover.close()  # this process's end: the child's read sees EOF
        assert forked.result() == "no value"


def test_a_handover_refuses_a_value_a_pipe_cannot_write_whole() -> None:
    handover: Handover[bytes] = Handover()
    try:
        with pytest.raises(ValueError, match="pickled bytes"):
            handover.give(b"x" * Handover.LIMIT)
    finally:
        handover.close()
