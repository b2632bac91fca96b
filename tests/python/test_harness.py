"""`pyo3_ft_testing`: the thread-safety helpers the other tests rely on must
themselves report what happened: every exception, and a stuck thread as a
`TimeoutError` instead of a hung run."""

from __future__ import annotations

import sys
import threading

import pytest

import ftbench
import pyo3_ft_testing
from pyo3_ft_testing import ThreadedReport, gil_enabled, run_threaded


def test_every_call_is_made_once():
    seen: set[tuple[int, int]] = set()
    lock = threading.Lock()

    def fn(thread: int, i: int) -> None:
        with lock:
            assert (thread, i) not in seen
            seen.add((thread, i))

    report = run_threaded(fn, threads=5, iterations=200, timeout=60)
    assert isinstance(report, ThreadedReport)
    assert report.errors == []
    report.raise_if_failed()  # no error: returns quietly
    assert (report.threads, report.iterations, report.calls) == (5, 200, 1000)
    assert seen == {(t, i) for t in range(5) for i in range(200)}
    assert report.elapsed >= 0


def test_threads_run_at_the_same_time():
    # Each thread's first call waits for all the others at a second barrier:
    # it only opens if all threads are alive at once.
    threads = 6
    meeting = threading.Barrier(threads)

    def fn(thread: int, i: int) -> None:
        if i == 0:
            meeting.wait(timeout=30)

    report = run_threaded(fn, threads=threads, iterations=3, timeout=60)
    report.raise_if_failed()
    assert not meeting.broken


def test_without_barrier():
    counter = ftbench.AtomicCounter()
    report = run_threaded(lambda t, i: counter.incr(), threads=3, iterations=1000, barrier=False)
    report.raise_if_failed()
    assert counter.value == 3000


def test_exceptions_are_reported_not_raised():
    def fn(thread: int, i: int) -> None:
        if i % 10 == 3:
            raise ValueError(f"bad {thread}/{i}")

    report = run_threaded(fn, threads=4, iterations=100, timeout=60)
    assert len(report.errors) == 4 * 10
    for thread, i, error in report.errors:
        assert isinstance(error, ValueError)
        assert i % 10 == 3
        assert str(error) == f"bad {thread}/{i}"
    assert {t for t, _, _ in report.errors} == {0, 1, 2, 3}

    with pytest.raises(AssertionError) as info:
        report.raise_if_failed()
    message = str(info.value)
    assert message.startswith("40 of 400 calls failed; first in thread ")
    assert "ValueError('bad " in message
    first_thread, first_i, first_error = report.errors[0]
    assert f"thread {first_thread}, iteration {first_i}:" in message
    assert info.value.__cause__ is first_error


def test_base_exceptions_and_panics_are_reported():
    class Stop(BaseException):
        pass

    def fn(thread: int, i: int) -> None:
        if thread == 0 and i == 0:
            raise Stop("base")
        if thread == 1 and i == 1:
            ftbench.panic_now("panic in a worker")

    report = run_threaded(fn, threads=3, iterations=5, timeout=60)
    kinds = sorted(type(e).__name__ for _, _, e in report.errors)
    assert kinds == ["PanicException", "Stop"]
    panic = next(e for _, _, e in report.errors if type(e).__name__ == "PanicException")
    assert str(panic) == "panic in a worker"
    with pytest.raises(AssertionError, match=r"\A2 of 15 calls failed"):
        report.raise_if_failed()


@pytest.mark.thread_unsafe(reason="measures a 1 s timeout")
def test_a_stuck_thread_is_a_timeout_error():
    release = threading.Event()
    finished = threading.Event()

    def fn(thread: int, i: int) -> None:
        if thread == 0:
            # Deliberately slow: runs past run_threaded's 1 s timeout (but is
            # bounded itself, and released as soon as the test has its report).
            release.wait(timeout=30)
            finished.set()

    report = run_threaded(fn, threads=3, iterations=1, timeout=1.0)
    try:
        assert 0.9 <= report.elapsed < 30
        assert len(report.errors) == 1
        thread, iteration, error = report.errors[0]
        assert (thread, iteration) == (0, -1)
        assert isinstance(error, TimeoutError)
        assert str(error) == "thread 0 still running after 1.0 s"
        with pytest.raises(AssertionError, match=r"\A1 of 3 calls failed; first in thread 0, iteration -1: TimeoutError"):
            report.raise_if_failed()
    finally:
        release.set()
        assert finished.wait(timeout=30), "the slow thread did not finish after release"


def test_bad_arguments():
    with pytest.raises(ValueError):
        run_threaded(lambda t, i: None, threads=0)
    with pytest.raises(ValueError):
        run_threaded(lambda t, i: None, threads=2, iterations=-1)


def test_zero_iterations():
    report = run_threaded(lambda t, i: 1 / 0, threads=2, iterations=0)
    assert report.errors == [] and report.calls == 0
    report.raise_if_failed()


def test_gil_enabled():
    assert gil_enabled() is sys._is_gil_enabled()
    assert pyo3_ft_testing.__all__ == ["ThreadedReport", "run_threaded", "gil_enabled"]
