"""Deadlock detection for ``#[pyclass(mutable)]`` seen from Python: the
crossing callbacks of issue 9 (two ``Counter``s, each thread holding one and
calling the other from a callback) used to hang both threads forever; now
the thread that would close the cycle gets ``RuntimeError`` and the other
goes on.

Each scenario runs in a child interpreter bounded by a timeout, so a hang is
a failure, not a stuck run. (No false positives under plain contention is
checked by the stress tests of ``test_threads.py``, which assert that
8 threads x 100 000 ``incr()`` raise nothing.)
"""

from __future__ import annotations

CROSSING = r"""
import threading
from ftbench import Counter

counters = [Counter() for _ in range({n})]
all_hold_one = threading.Barrier({n})
outcomes = [None] * {n}

def run(index):
    mine, wanted = counters[index], counters[(index + 1) % {n}]
    def callback():
        all_hold_one.wait()
        wanted.incr()
        return 1
    try:
        mine.incr_with(callback)
        outcomes[index] = "ok"
    except RuntimeError as error:
        outcomes[index] = str(error)

threads = [threading.Thread(target=run, args=(i,)) for i in range({n})]
for t in threads:
    t.start()
for t in threads:
    t.join()
errors = [o for o in outcomes if o != "ok"]
assert len(errors) == 1, outcomes
print(errors[0])
# Each thread that went on counted twice: its callback's incr() and its own.
assert sum(c.value for c in counters) == 2 * ({n} - 1), [c.value for c in counters]
"""

HELD_BY_ANOTHER = (
    "a Counter held exclusively by Counter.incr_with() on another thread, "
    "which is waiting in Counter.incr() for "
)


def test_two_threads_crossing_two_counters(run_python):
    done = run_python(CROSSING.format(n=2))
    assert done.stdout.strip() == (
        "deadlock: Counter.incr() would wait for " + HELD_BY_ANOTHER
        + "a Counter that this thread holds exclusively in Counter.incr_with()"
    )


def test_three_threads_in_a_ring_of_three_counters(run_python):
    done = run_python(CROSSING.format(n=3))
    assert done.stdout.strip() == (
        "deadlock: Counter.incr() would wait for " + HELD_BY_ANOTHER + HELD_BY_ANOTHER
        + "a Counter that this thread holds exclusively in Counter.incr_with()"
    )
