"""Thread safety under stress: the ftbench classes and functions called from
many Python threads at once, released together by a barrier.

Totals are exact: a lost update, a torn read or a stray exception fails the
test. Every thread is joined with a timeout, so a deadlock is a failure, not
a hung run. Timings are printed (`pytest -s`), never asserted.

The stress tests start their own threads and are marked ``thread_unsafe``
(pytest-run-parallel runs them once); the tests at the end run under
pytest-run-parallel's ``force_parallel_threads`` and share objects through
session fixtures.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Callable

import pytest
from pyo3_ft_testing import run_threaded

from conftest import FREE_THREADED_BUILD, THREAD_TIMEOUT, gil_enabled
from ftbench import AtomicCounter, Counter, Point
import ftbench

THREADS = 8
ITERATIONS = 100_000

#: The stress tests start their own threads (and time them): pytest-run-parallel
#: must run each of them once, not in several threads at once.
stress = pytest.mark.thread_unsafe(reason="starts its own threads and times them")


def run_barrier_threads(
    target: Callable[[int], None], threads: int = THREADS, timeout: float = THREAD_TIMEOUT
) -> tuple[list[BaseException], float]:
    """Runs ``target(index)`` on ``threads`` threads released together by a
    `threading.Barrier`; returns the exceptions they raised and the wall time
    from release to the last join. Fails if a thread outlives ``timeout``."""
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout)
            target(index)
        except BaseException as error:  # noqa: BLE001 - report everything
            with lock:
                errors.append(error)

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait(timeout)  # release them all at once
    began = time.perf_counter()
    deadline = began + timeout
    for thread in workers:
        thread.join(max(0.0, deadline - time.perf_counter()))
    elapsed = time.perf_counter() - began
    stuck = [t.name for t in workers if t.is_alive()]
    assert not stuck, f"threads still running after {timeout} s (deadlock?): {stuck}"
    return errors, elapsed


def report(what: str, calls: int, elapsed: float) -> None:
    mode = "free-threaded" if not gil_enabled() else "GIL"
    print(
        f"\n[{mode}] {what}: {calls:,} calls in {elapsed:.3f} s "
        f"({elapsed / max(calls, 1) * 1e9:.0f} ns/call)"
    )


# ---------------------------------------------------------------- counters


COUNTER_CLASSES = pytest.mark.parametrize("cls", [Counter, AtomicCounter], ids=lambda c: c.__name__)


@stress
@COUNTER_CLASSES
def test_counter_incr_barrier(cls):
    counter = cls()

    def work(_: int) -> None:
        incr = counter.incr
        for _ in range(ITERATIONS):
            incr()

    errors, elapsed = run_barrier_threads(work)
    assert errors == []
    assert counter.value == THREADS * ITERATIONS == 800_000
    report(f"{cls.__name__}.incr, {THREADS} threads (Barrier)", THREADS * ITERATIONS, elapsed)


@stress
@COUNTER_CLASSES
def test_counter_incr_run_threaded(cls):
    counter = cls()
    result = run_threaded(
        lambda thread, i: counter.incr(), threads=THREADS, iterations=ITERATIONS,
        timeout=THREAD_TIMEOUT,
    )
    result.raise_if_failed()
    assert result.errors == []
    assert counter.value == 800_000
    report(f"{cls.__name__}.incr, {THREADS} threads (run_threaded)", result.calls, result.elapsed)


@stress
def test_counters_with_different_steps_and_resets_elsewhere():
    # Each thread adds its own step to the shared counters; a separate
    # counter per thread is reset and reused in the same loop.
    shared = Counter()
    atomic = AtomicCounter()
    own = [Counter() for _ in range(THREADS)]
    n = 20_000

    def work(index: int) -> None:
        step = index + 1
        mine = own[index]
        for i in range(n):
            shared.incr(step)
            atomic.incr(by=-step)
            mine.incr()
            if i % 1000 == 999:
                assert mine.value == 1000
                mine.reset()

    errors, _ = run_barrier_threads(work)
    assert errors == []
    expected = n * sum(range(1, THREADS + 1))
    assert shared.value == expected
    assert atomic.value == -expected
    assert all(c.value == 0 for c in own)


@stress
def test_counter_readers_see_monotonic_values():
    counter = Counter()
    n = 50_000
    writers = THREADS // 2

    def work(index: int) -> None:
        if index < writers:
            for _ in range(n):
                counter.incr()
        else:
            last = counter.value
            for _ in range(n):
                now = counter.value
                assert last <= now <= writers * n, (last, now)
                last = now

    errors, elapsed = run_barrier_threads(work)
    assert errors == []
    assert counter.value == writers * n
    report(f"Counter: {writers} writers + {THREADS - writers} readers", THREADS * n, elapsed)


@stress
def test_incr_with_from_several_threads():
    # Half the threads call `shared.incr_with(f)`, where f touches only other
    # counters (its own, and `side`, which everyone also increments); the
    # other half call `shared.incr()` and `side.incr()`. Nobody re-enters the
    # counter it holds, so nothing may raise, and every total is exact.
    shared = Counter()
    side = Counter()
    own = [Counter() for _ in range(THREADS)]
    n = 10_000
    holders = THREADS // 2

    def work(index: int) -> None:
        mine = own[index]
        if index < holders:

            def f() -> int:
                mine.incr()
                side.incr()
                return 3

            for _ in range(n):
                shared.incr_with(f)
        else:
            for _ in range(n):
                shared.incr()
                side.incr()

    errors, elapsed = run_barrier_threads(work)
    assert errors == []
    assert shared.value == holders * n * 3 + (THREADS - holders) * n
    assert side.value == THREADS * n
    assert [c.value for c in own] == [n] * holders + [0] * (THREADS - holders)
    report(f"Counter.incr_with + incr, {THREADS} threads", 2 * THREADS * n, elapsed)


@stress
def test_incr_with_reentry_still_raises_under_contention():
    # Re-entry is detected per thread even while other threads hold or wait
    # for the same counter.
    counter = Counter()
    n = 2_000
    raised = [0] * THREADS

    def work(index: int) -> None:
        for _ in range(n):
            if index % 2:
                try:
                    counter.incr_with(lambda: counter.value)
                except RuntimeError:
                    raised[index] += 1
            else:
                counter.incr()

    errors, _ = run_barrier_threads(work)
    assert errors == []
    assert raised == [n if i % 2 else 0 for i in range(THREADS)]
    assert counter.value == (THREADS // 2) * n


# ---------------------------------------------------------------- Point


@stress
def test_point_shared_read_only():
    point = Point(3.0, 4.0)
    expected_hash = hash(Point(3.0, 4.0))
    table = {point: "p"}
    n = 20_000

    def work(_: int) -> None:
        for _ in range(n):
            assert point.x == 3.0
            assert point.y == 4.0
            assert point.norm() == 5.0
            assert hash(point) == expected_hash
            assert point == Point(3.0, 4.0)
            assert table[point] == "p"
        assert repr(point) == "Point(x=3.0, y=4.0)"

    errors, elapsed = run_barrier_threads(work)
    assert errors == []
    report(f"Point reads, {THREADS} threads", THREADS * n * 6, elapsed)


@stress
def test_point_creation_in_threads():
    n = 20_000

    def work(index: int) -> None:
        seen = set()
        for i in range(n):
            p = Point(float(index), float(i % 100))
            assert p.x == index and p.y == i % 100
            seen.add(p)
        assert len(seen) == 100

    errors, elapsed = run_barrier_threads(work)
    assert errors == []
    report(f"Point() creation, {THREADS} threads", THREADS * n, elapsed)


# ---------------------------------------------------------------- functions


@stress
def test_functions_concurrently():
    shared_list = list(range(100))
    shared_sum = sum(shared_list)
    n = 10_000

    def work(index: int) -> None:
        for i in range(n):
            assert ftbench.noop() is None
            assert ftbench.add(index, i) == index + i
            assert ftbench.sum_list(shared_list) == shared_sum
            assert ftbench.greet(f"t{index}", punctuation="?") == f"Hello, t{index}?"

    errors, elapsed = run_barrier_threads(work)
    assert errors == []
    report(f"noop/add/sum_list/greet, {THREADS} threads", THREADS * n * 4, elapsed)


@stress
def test_make_tuple_refcounts_on_a_shared_object():
    # Every thread takes and drops references to one shared object: the
    # biased refcount's shared path. Afterwards the count is what it was.
    shared = object()
    before = sys.getrefcount(shared)
    n = 5_000
    kept: list[list[tuple]] = [[] for _ in range(THREADS)]

    def work(index: int) -> None:
        for i in range(n):
            t = ftbench.make_tuple(shared, 10)
            assert t[9] is shared
            if i % 100 == 0:
                kept[index].append(t)  # dropped later, possibly on another thread

    errors, _ = run_barrier_threads(work)
    assert errors == []
    assert sys.getrefcount(shared) == before + 10 * sum(len(k) for k in kept)
    kept.clear()
    assert sys.getrefcount(shared) == before


@stress
def test_argument_errors_concurrently():
    n = 5_000

    def work(index: int) -> None:
        for _ in range(n):
            try:
                ftbench.add(1)
            except TypeError as error:
                assert str(error) == "add() missing 1 required positional argument: 'b'"
            else:
                raise AssertionError("add(1) did not raise")
            try:
                ftbench.add(2**63 - 1, 1)
            except OverflowError:
                pass
            else:
                raise AssertionError("add() did not overflow")

    errors, _ = run_barrier_threads(work)
    assert errors == []


@stress
def test_panics_concurrently():
    n = 100

    def work(index: int) -> None:
        for i in range(n):
            message = f"thread {index} panic {i}"
            try:
                ftbench.panic_now(message)
            except Exception:  # noqa: BLE001
                raise AssertionError("a PanicException is not an Exception")
            except BaseException as error:  # noqa: BLE001
                assert type(error).__name__ == "PanicException"
                assert str(error) == message
            assert ftbench.add(i, index) == i + index

    errors, _ = run_barrier_threads(work)
    assert errors == []
    assert ftbench.add(1, 1) == 2


def test_gil_stays_disabled_after_the_stress():
    assert gil_enabled() is (not FREE_THREADED_BUILD)


# ---------------------------------------------------------------- pytest-run-parallel


@pytest.fixture(scope="module")
def shared_counter() -> Counter:
    return Counter()


@pytest.fixture(scope="module")
def shared_atomic() -> AtomicCounter:
    return AtomicCounter()


@pytest.mark.force_parallel_threads(4)
def test_parallel_shared_counter(shared_counter, shared_atomic):
    # Runs in 4 threads at once (pytest-run-parallel), all on the same two
    # counters: each thread sees at least its own increments.
    n = 5_000
    start = shared_counter.value
    for _ in range(n):
        shared_counter.incr()
        shared_atomic.incr()
    assert shared_counter.value >= start + n
    assert shared_atomic.value >= n


@pytest.mark.force_parallel_threads(4)
def test_parallel_shared_counter_incr_with(shared_counter):
    own = Counter()
    for _ in range(1_000):
        shared_counter.incr_with(lambda: (own.incr(), 1)[1])
    assert own.value == 1_000


@pytest.mark.force_parallel_threads(4)
def test_parallel_functions():
    for i in range(2_000):
        assert ftbench.add(i, -i) == 0
        assert ftbench.greet("x") == "Hello, x!"
        assert Point(float(i), 0.0).norm() == float(i)
