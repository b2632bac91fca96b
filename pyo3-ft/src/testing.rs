//! A thread-safety harness for extension authors: run a closure on many
//! threads at once, made to collide by a barrier, and collect every error.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use pyo3_ft::testing::hammer;
//!
//! let calls = AtomicU64::new(0);
//! let report = hammer(4, 1_000, |py, _thread, _i| {
//!     py.eval("1 + 1", None, None)?;
//!     calls.fetch_add(1, Ordering::Relaxed);
//!     Ok(())
//! });
//! assert!(report.errors.is_empty(), "{:?}", report.errors);
//! assert_eq!(calls.load(Ordering::Relaxed), 4_000);
//! ```

use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use crate::err::PyResult;
use crate::python::{detach_if_attached, Python};

/// What [`hammer`] observed.
#[derive(Debug)]
pub struct HammerReport {
    pub threads: usize,
    pub iterations: usize,
    /// From the barrier's release to the last thread's end.
    pub elapsed: Duration,
    /// `(thread, iteration, error text)` of every failed call, and of every
    /// panic (as iteration `usize::MAX`).
    pub errors: Vec<(usize, usize, String)>,
}

/// Runs `body(py, thread, iteration)` `iterations` times on each of
/// `threads` threads. Every thread attaches, then all wait at a barrier
/// (detached, so a stop-the-world pause is never blocked) and start
/// together. A panic in one thread is recorded, not propagated.
///
/// It may be called from an attached thread: that thread only waits for
/// the workers, and it waits detached, so they can attach (on GIL builds,
/// take the GIL) and stop the world (`gc.collect()`) meanwhile.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::testing::hammer;
///
/// let report = Python::attach(|_py| {
///     hammer(2, 10, |py, _thread, _i| py.import("gc")?.call_method0("collect").map(drop))
/// });
/// assert!(report.errors.is_empty(), "{:?}", report.errors);
/// ```
pub fn hammer<F>(threads: usize, iterations: usize, body: F) -> HammerReport
where
    F: Fn(Python<'_>, usize, usize) -> PyResult<()> + Sync,
{
    detach_if_attached((threads, iterations, &body), run)
}

/// [`hammer`]'s work, on a thread that is not attached.
fn run<F>((threads, iterations, body): (usize, usize, &F)) -> HammerReport
where
    F: Fn(Python<'_>, usize, usize) -> PyResult<()> + Sync,
{
    let barrier = Barrier::new(threads + 1);
    let errors = Mutex::new(Vec::new());
    let record = |entry| errors.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
    let mut start = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let (barrier, record) = (&barrier, &record);
                scope.spawn(move || {
                    Python::attach(|py| {
                        py.detach(|| barrier.wait());
                        for i in 0..iterations {
                            if let Err(err) = body(py, thread, i) {
                                record((thread, i, err.to_string()));
                            }
                        }
                    })
                })
            })
            .collect();
        barrier.wait();
        start = Instant::now();
        for (thread, handle) in handles.into_iter().enumerate() {
            if let Err(panic) = handle.join() {
                record((thread, usize::MAX, crate::panic::payload_message(&*panic)));
            }
        }
    });
    HammerReport {
        threads,
        iterations,
        elapsed: start.elapsed(),
        errors: errors.into_inner().unwrap_or_else(|e| e.into_inner()),
    }
}

#[cfg(test)]
mod tests {
    use super::hammer;
    use crate::python::Python;
    use crate::sync::tests::{gc_collect, with_watchdog};

    /// Called on an attached thread, `hammer` waits for its workers
    /// detached: they attach (on GIL builds the caller would otherwise hold
    /// the GIL) and run `gc.collect()`, which on free-threaded builds stops
    /// the world, so it waits for the calling thread too.
    #[test]
    fn hammer_called_attached_waits_detached() {
        let report = with_watchdog(|| {
            Python::attach(|_py| {
                hammer(4, 25, |py, _, _| {
                    gc_collect(py);
                    Ok(())
                })
            })
        });
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert_eq!((report.threads, report.iterations), (4, 25));
    }
}
