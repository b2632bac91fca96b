//! Deadlock detection for `#[pyclass(mutable)]`: a wait that would close a
//! cycle of waits across objects and threads raises `RuntimeError` in the
//! thread that would close it, naming the methods; the other threads go on.
//! Contention without a cycle only waits: no false positives.
//!
//! Each test runs under a watchdog that aborts the process if the threads
//! hang (the behaviour before detection existed).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use pyo3_ft::prelude::*;
use pyo3_ft::sync::{lock_all, Mutex};
use pyo3_ft::types::{PyDict, PyModule};
use pyo3_ft::{pyclass, pymethods};

#[pyclass(mutable)]
struct Counter {
    count: i64,
}

#[pymethods]
impl Counter {
    #[new]
    fn new() -> Self {
        Counter { count: 0 }
    }

    fn incr(&mut self) {
        self.count += 1;
    }

    /// Calls `f()` holding the counter exclusively, then counts.
    fn incr_with(&mut self, f: &Bound<'_, PyAny>) -> PyResult<()> {
        f.call0()?;
        self.count += 1;
        Ok(())
    }

    /// Calls `f()` holding the counter shared.
    fn read_with(&self, f: &Bound<'_, PyAny>) -> PyResult<i64> {
        f.call0()?;
        Ok(self.count)
    }

    #[getter]
    fn value(&self) -> i64 {
        self.count
    }
}

/// A barrier that Python code waits at, detached.
#[pyclass]
struct Gate {
    barrier: Barrier,
}

#[pymethods]
impl Gate {
    #[new]
    fn new(parties: usize) -> Self {
        Gate {
            barrier: Barrier::new(parties),
        }
    }

    fn wait(&self, py: Python<'_>) {
        let barrier = &self.barrier;
        py.detach(|| {
            barrier.wait();
        });
    }
}

/// Runs `body` on its own thread; aborts the process if it has not
/// finished after 60 s (deadlocked threads would wedge the whole run).
fn with_watchdog<R: Send + 'static>(body: impl FnOnce() -> R + Send + 'static) -> R {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        let result = body();
        let _ = done.send(());
        result
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Err(RecvTimeoutError::Timeout) => {
            let message = "deadlock: a test in tests/rust/deadlock.rs hung for 60 s; aborting\n";
            let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
            std::process::abort()
        }
        _ => worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
    }
}

/// Runs each script on its own thread with `setup`'s names in its globals
/// (`setup` runs once first, with `Counter` and `Gate` in scope); returns
/// each script's outcome (the error as `str(exc)` prefixed by its type)
/// and the globals' `Counter` values named in `counters`.
fn run_scripts(setup: &str, scripts: &[&str], counters: &[&str]) -> (Vec<Result<(), String>>, i64) {
    let globals: Py<PyDict> = Python::attach(|py| {
        let module = PyModule::new(py, "deadlock").unwrap();
        module.add_class::<Counter>().unwrap();
        module.add_class::<Gate>().unwrap();
        let globals = module.dict().copy().unwrap();
        py.run(setup, Some(&globals), None).unwrap();
        globals.unbind()
    });
    let outcomes = thread::scope(|s| {
        let threads: Vec<_> = scripts
            .iter()
            .map(|script| s.spawn(|| run_script(&globals, script)))
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let total = Python::attach(|py| {
        let globals = globals.bind(py);
        counters
            .iter()
            .map(|name| {
                let counter = globals.get_item(*name).unwrap().unwrap();
                counter.getattr("value").unwrap().extract::<i64>().unwrap()
            })
            .sum()
    });
    (outcomes, total)
}

fn run_script(globals: &Py<PyDict>, script: &str) -> Result<(), String> {
    Python::attach(|py| {
        let globals = globals.bind(py).copy().unwrap();
        py.run(script, Some(&globals), None).map_err(|err| {
            let kind = err.get_type(py).name().unwrap().to_string();
            format!("{kind}: {}", err.value(py).str().unwrap())
        })
    })
}

/// Exactly one outcome is an error; returns it.
fn the_one_error(outcomes: &[Result<(), String>]) -> &str {
    let errors: Vec<&str> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().err().map(String::as_str))
        .collect();
    assert_eq!(errors.len(), 1, "expected exactly one error: {outcomes:?}");
    errors[0]
}

#[test]
fn two_writers_crossing_two_objects_raise_in_one_thread() {
    let (outcomes, total) = with_watchdog(|| {
        run_scripts(
            "a, b = Counter(), Counter()\ngate = Gate(2)\n",
            &[
                "a.incr_with(lambda: (gate.wait(), b.incr()))",
                "b.incr_with(lambda: (gate.wait(), a.incr()))",
            ],
            &["a", "b"],
        )
    });
    let error = the_one_error(&outcomes);
    assert_eq!(
        error,
        "RuntimeError: deadlock: Counter.incr() would wait for a Counter held exclusively \
         by Counter.incr_with() on another thread, which is waiting in Counter.incr() for a \
         Counter that this thread holds exclusively in Counter.incr_with()"
    );
    // The thread that went on counted twice; the other one not at all.
    assert_eq!(total, 2);
}

#[test]
fn a_cycle_of_three_threads_and_three_objects_raises_in_one_thread() {
    let (outcomes, total) = with_watchdog(|| {
        run_scripts(
            "c0, c1, c2 = Counter(), Counter(), Counter()\ngate = Gate(3)\n",
            &[
                "c0.incr_with(lambda: (gate.wait(), c1.incr()))",
                "c1.incr_with(lambda: (gate.wait(), c2.incr()))",
                "c2.incr_with(lambda: (gate.wait(), c0.incr()))",
            ],
            &["c0", "c1", "c2"],
        )
    });
    let error = the_one_error(&outcomes);
    assert_eq!(
        error,
        "RuntimeError: deadlock: Counter.incr() would wait for a Counter held exclusively \
         by Counter.incr_with() on another thread, which is waiting in Counter.incr() for a \
         Counter held exclusively by Counter.incr_with() on another thread, which is \
         waiting in Counter.incr() for a Counter that this thread holds exclusively in \
         Counter.incr_with()"
    );
    assert_eq!(total, 4);
}

#[test]
fn two_readers_that_each_want_to_write_what_the_other_reads_raise_in_one_thread() {
    let (outcomes, total) = with_watchdog(|| {
        run_scripts(
            "a, b = Counter(), Counter()\ngate = Gate(2)\n",
            &[
                "a.read_with(lambda: (gate.wait(), b.incr()))",
                "b.read_with(lambda: (gate.wait(), a.incr()))",
            ],
            &["a", "b"],
        )
    });
    let error = the_one_error(&outcomes);
    assert_eq!(
        error,
        "RuntimeError: deadlock: Counter.incr() would wait for a Counter held shared by \
         Counter.read_with() on another thread, which is waiting in Counter.incr() for a \
         Counter that this thread holds shared in Counter.read_with()"
    );
    assert_eq!(total, 1);
}

#[test]
fn two_writers_that_each_want_to_read_what_the_other_writes_raise_in_one_thread() {
    let (outcomes, total) = with_watchdog(|| {
        run_scripts(
            "a, b = Counter(), Counter()\ngate = Gate(2)\n",
            &[
                "a.incr_with(lambda: (gate.wait(), b.value))",
                "b.incr_with(lambda: (gate.wait(), a.value))",
            ],
            &["a", "b"],
        )
    });
    let error = the_one_error(&outcomes);
    assert_eq!(
        error,
        "RuntimeError: deadlock: Counter.value() would wait for a Counter held exclusively \
         by Counter.incr_with() on another thread, which is waiting in Counter.value() for a \
         Counter that this thread holds exclusively in Counter.incr_with()"
    );
    assert_eq!(total, 1);
}

/// A reader queues behind a writer that waits for another reader: thread
/// `a` holds `x` and reads `y`, which `w` waits to write while `b` reads
/// it, and `b` then wants `x`. `w` holds nothing, yet `a` and `b` wait for
/// each other through it. `b` closes the cycle, but when it joins, `a`'s
/// wait behind the writer is not yet known to have begun after `b` held
/// `y`; `a` finds the cycle when it checks again (within about 10 ms), and
/// raises. `b` and then `w` go on.
#[test]
fn a_reader_queued_behind_a_waiting_writer_is_part_of_the_cycle() {
    let (outcomes, total) = with_watchdog(|| {
        run_scripts(
            "import threading, time\n\
             x, y = Counter(), Counter()\n\
             gate = Gate(3)\n\
             writer_started = threading.Event()\n",
            &[
                "x.incr_with(lambda: (gate.wait(), writer_started.wait(), time.sleep(0.2), y.value))",
                "y.read_with(lambda: (gate.wait(), writer_started.wait(), time.sleep(0.5), x.incr()))",
                "gate.wait()\nwriter_started.set()\ny.incr()",
            ],
            &["x", "y"],
        )
    });
    assert_eq!(
        outcomes[0].as_ref().unwrap_err(),
        "RuntimeError: deadlock: Counter.value() would wait (behind a waiting writer) for a \
         Counter held shared by Counter.read_with() on another thread, which is waiting in \
         Counter.incr() for a Counter that this thread holds exclusively in Counter.incr_with()"
    );
    assert!(outcomes[1].is_ok() && outcomes[2].is_ok(), "{outcomes:?}");
    // `b` and `w` each counted once.
    assert_eq!(total, 2);
}

#[test]
fn eight_threads_incrementing_one_object_never_raise() {
    const THREADS: usize = 8;
    const CALLS: i64 = 100_000;
    let script = format!("for _ in range({CALLS}):\n    c.incr()\n");
    let (outcomes, total) = with_watchdog(move || {
        let scripts = vec![script.as_str(); THREADS];
        run_scripts("c = Counter()\n", &scripts, &["c"])
    });
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(total, THREADS as i64 * CALLS);
}

/// A tiny deterministic generator of pair choices (no dependency needed).
struct Picks(u64);

impl Picks {
    /// Two distinct indices below `n`, the smaller first.
    fn pair(&mut self, n: usize) -> (usize, usize) {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let first = (self.0 >> 33) as usize % n;
        let second = (first + 1 + (self.0 >> 17) as usize % (n - 1)) % n;
        (first.min(second), first.max(second))
    }
}

/// Eight threads lock random pairs of mutexes through `lock_all` and, while
/// holding them, random pairs of `mutable` objects in one global order: the
/// lower index first (exclusively or shared, in turn), the higher one from a
/// callback. Heavy contention, readers queued behind writers, but no cycle:
/// no error, and every count is exact.
#[test]
fn eight_threads_locking_random_pairs_never_raise() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 5_000; // even
    const SIZE: usize = 4;
    let (mutex_total, counter_total) = with_watchdog(|| {
        let mutexes: Vec<Mutex<u64>> = (0..SIZE).map(|_| Mutex::new(0)).collect();
        let counters: Vec<Py<Counter>> = Python::attach(|py| {
            (0..SIZE)
                .map(|_| Py::new(py, Counter::new()).unwrap())
                .collect()
        });
        thread::scope(|s| {
            for seed in 0..THREADS as u64 {
                let (mutexes, counters) = (&mutexes, &counters);
                s.spawn(move || lock_random_pairs(mutexes, counters, Picks(seed), ROUNDS));
            }
        });
        let counter_total: i64 =
            Python::attach(|py| counters.iter().map(|c| c.bind(py).borrow().count).sum());
        let mutex_total: u64 = mutexes.into_iter().map(Mutex::into_inner).sum();
        (mutex_total, counter_total)
    });
    assert_eq!(mutex_total, (2 * THREADS * ROUNDS) as u64);
    // Two counts in an `incr_with` round, one in a `read_with` round.
    assert_eq!(counter_total, (3 * THREADS * ROUNDS / 2) as i64);
}

fn lock_random_pairs(
    mutexes: &[Mutex<u64>],
    counters: &[Py<Counter>],
    mut picks: Picks,
    rounds: usize,
) {
    Python::attach(|py| {
        for round in 0..rounds {
            let (i, j) = picks.pair(mutexes.len());
            let [mut first, mut second] = lock_all(py, [&mutexes[j], &mutexes[i]]).unwrap();
            *first += 1;
            *second += 1;
            let (low, high) = picks.pair(counters.len());
            let incr_high = counters[high].bind(py).getattr("incr").unwrap();
            let hold_low = if round % 2 == 0 {
                "incr_with"
            } else {
                "read_with"
            };
            counters[low]
                .bind(py)
                .call_method1(hold_low, (incr_high,))
                .unwrap();
        }
    });
}
