//! Synchronization that is safe on free-threaded Python.
//!
//! Free-threaded CPython stops the world for garbage collection and a few
//! other operations: it waits until every attached thread reaches a safe
//! point. A thread that blocks on an ordinary Rust lock *while attached*
//! never gets there, and if the lock's holder is itself waiting for the
//! pause to end, the process deadlocks. On GIL builds the same wait holds
//! the GIL and starves the holder. So every lock in this module tries to
//! acquire on the fast path while attached and **detaches only to wait**,
//! re-attaching once it holds the lock.
//!
//! | job | use |
//! |---|---|
//! | Rust data shared between threads, changed in short sections | [`Mutex`] |
//! | data read far more often than written | [`RwLock`] |
//! | a value computed once, possibly by Python code (a module, a type, a cache) | [`PyOnceLock`] |
//! | several [`Mutex`]es at once without deadlock | [`lock_all()`], [`lock_all_iter`] |
//! | a consistent operation on one or two Python containers | [`critical_section()`], [`critical_section2`] |
//! | more than two Python objects at once | one [`Mutex`] that guards all of them |
//! | a counter or a flag | `std::sync::atomic` |
//!
//! The methods that take a [`Python`] token are for attached
//! threads. The `*_blocking` ones are for threads that are not attached
//! (they panic on an attached thread); the `try_*` ones never wait and work
//! anywhere.
//!
//! Holding a lock while calling Python is fine: threads that wait for it
//! are detached, and detaching also suspends their critical sections, so
//! they do not block the holder. The locks are not reentrant, though:
//! Python code that calls back into Rust which locks the same [`Mutex`]
//! again on the same thread waits forever.
//!
//! Nor do they detect deadlocks: two threads that take two of them in
//! opposite orders wait forever (take several at once with [`lock_all()`]).
//! The lock of a `#[pyclass(mutable)]` object does: a wait for one that
//! would close a cycle of waits across objects and threads raises
//! `RuntimeError` instead (the detector is the `deadlock` module; waits for
//! the locks of this module are not part of its graph, because recording
//! their holders would slow down their uncontended path).
//!
//! # No poisoning
//!
//! Like `parking_lot`'s, these locks are not poisoned by a panic. A panic
//! in a locked section releases the lock while unwinding, and the next
//! thread sees the data as the panicking code left it, possibly half
//! updated. In an extension module a panic becomes a Python exception and
//! the process goes on; poisoning would turn that one exception into a
//! failure of every later call that touches the lock, for the rest of the
//! process. Code whose invariants a panic could break can restore them
//! itself (a guard object that repairs on drop), or keep a "dirty" flag in
//! the data, set before the update and cleared after it, and check it on
//! locking.
//!
//! For the same reason the locks are not `UnwindSafe`: wrap closures that
//! capture them in `AssertUnwindSafe` after deciding that a half-done
//! update is acceptable.

mod critical_section;
pub(crate) mod deadlock;
mod lock_all;
mod mutex;
mod once_lock;
mod rwlock;

pub use critical_section::{critical_section, critical_section2};
pub use lock_all::{lock_all, lock_all_iter, AliasedLockError};
pub use mutex::{Mutex, MutexGuard};
pub use once_lock::PyOnceLock;
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::python::{Python, Ungil};

/// Acquires a lock by the framework's rule: `try_lock` while attached, and
/// only if that fails, `lock` (which may block) with the thread detached.
#[inline]
fn acquire(py: Python<'_>, try_lock: impl FnOnce() -> bool, lock: impl Ungil + FnOnce()) {
    if !try_lock() {
        wait_detached(py, lock);
    }
}

#[cold]
#[inline(never)]
fn wait_detached(py: Python<'_>, lock: impl Ungil + FnOnce()) {
    py.detach(lock);
}

/// Panics if this thread is attached: `method` may block, and blocking
/// while attached can deadlock the interpreter.
#[track_caller]
fn assert_detached(method: &str) {
    assert!(
        !pyo3_ft_runtime::thread_state::is_attached(),
        "pyo3_ft::sync::{method} was called on a thread attached to Python; waiting for a lock \
         while attached can deadlock the interpreter (garbage collection stops the world). \
         Use the variant that takes `py: Python` instead: it detaches only while it waits."
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::time::Duration;

    use crate::python::Python;

    /// `gc.collect()`: on free-threaded builds, a stop-the-world pause that
    /// waits for every attached thread.
    pub(crate) fn gc_collect(py: Python<'_>) {
        py.import("gc").unwrap().call_method0("collect").unwrap();
    }

    /// Runs `gc.collect()` (a stop-the-world pause) until `done`, at least
    /// once; returns how many times.
    pub(super) fn collect_until(done: &AtomicBool) -> usize {
        let mut runs = 0;
        while !done.load(Ordering::Relaxed) || runs == 0 {
            Python::attach(gc_collect);
            runs += 1;
        }
        runs
    }

    /// Runs `f` on its own thread and aborts the test process if it does not
    /// finish within 60 s, so that a deadlock fails instead of hanging (a
    /// thread stuck in a stop-the-world pause wedges every other test too,
    /// so failing only this one would still hang the run).
    pub(crate) fn with_watchdog<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
        let (done_tx, done_rx) = mpsc::channel();
        let worker = std::thread::spawn(move || {
            let result = f();
            let _ = done_tx.send(());
            result
        });
        match done_rx.recv_timeout(Duration::from_secs(60)) {
            Err(RecvTimeoutError::Timeout) => {
                // Straight to stderr: the test harness's capture of
                // `eprintln!` would be lost with the process.
                let message = "deadlock: a pyo3_ft test did not finish within 60 s; aborting\n";
                let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
                std::process::abort()
            }
            // Finished, or panicked (the sender dropped): join tells which.
            _ => worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        }
    }
}
