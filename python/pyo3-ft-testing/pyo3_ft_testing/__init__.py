"""Thread-safety test helpers for extension modules built with pyo3-ft.

``run_threaded`` calls a function from many threads at once, released
together by a barrier so that the calls collide, and reports every
exception instead of losing it in a thread::

    from pyo3_ft_testing import run_threaded

    counter = mymodule.Counter()
    report = run_threaded(lambda thread, i: counter.incr(), threads=8, iterations=10_000)
    report.raise_if_failed()
    assert counter.value == 80_000
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["ThreadedReport", "run_threaded", "gil_enabled"]


@dataclass
class ThreadedReport:
    """What ``run_threaded`` observed."""

    threads: int
    iterations: int
    elapsed: float
    errors: list[tuple[int, int, BaseException]] = field(default_factory=list)

    @property
    def calls(self) -> int:
        """How many calls were made in all."""
        return self.threads * self.iterations

    def raise_if_failed(self) -> None:
        """Raises the first recorded exception, mentioning how many there were."""
        if self.errors:
            thread, iteration, error = self.errors[0]
            raise AssertionError(
                f"{len(self.errors)} of {self.calls} calls failed; first in thread "
                f"{thread}, iteration {iteration}: {error!r}"
            ) from error


def run_threaded(
    fn: Callable[[int, int], object],
    threads: int = 8,
    iterations: int = 1000,
    barrier: bool = True,
    timeout: float = 120.0,
) -> ThreadedReport:
    """Calls ``fn(thread_index, iteration)`` ``iterations`` times on each of
    ``threads`` threads.

    With ``barrier`` (the default) every thread waits until all have started,
    so the calls collide. Exceptions are collected, never raised in the
    threads. A thread still running after ``timeout`` seconds is reported as
    a ``TimeoutError`` (a likely deadlock) instead of hanging the test run.
    """
    if threads < 1 or iterations < 0:
        raise ValueError("threads must be >= 1 and iterations >= 0")
    start_line = threading.Barrier(threads) if barrier else None
    errors: list[tuple[int, int, BaseException]] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        if start_line is not None:
            start_line.wait()
        for i in range(iterations):
            try:
                fn(index, i)
            except BaseException as error:  # noqa: BLE001 - report everything
                with lock:
                    errors.append((index, i, error))

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    began = time.perf_counter()
    for thread in workers:
        thread.start()
    deadline = began + timeout
    for index, thread in enumerate(workers):
        thread.join(max(0.0, deadline - time.perf_counter()))
        if thread.is_alive():
            errors.append((index, -1, TimeoutError(f"thread {index} still running after {timeout} s")))
    return ThreadedReport(threads, iterations, time.perf_counter() - began, errors)


def gil_enabled() -> bool:
    """Whether the GIL is enabled right now (always true on GIL builds)."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())
