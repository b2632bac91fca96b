//! [`Mutex`]: a mutual-exclusion lock that never blocks an attached thread.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use parking_lot::lock_api::RawMutex as _;
use parking_lot::RawMutex;

use super::{acquire, assert_detached};
use crate::python::Python;

/// A mutual-exclusion lock for Rust data shared between threads that run
/// Python.
///
/// [`lock`](Mutex::lock) takes the lock at once if it is free; otherwise it
/// detaches the thread while it waits, so that garbage collection (which
/// stops the world on free-threaded builds) and, on GIL builds, other
/// threads can run meanwhile. A plain `std::sync::Mutex` would wait
/// attached and can deadlock the interpreter. Uncontended, `lock` is one
/// atomic compare-and-swap and never detaches.
///
/// The lock is not poisoned by panics (see the [module docs](super)), and it
/// is not reentrant: locking it again on the thread that holds it waits
/// forever.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::Mutex;
///
/// let log = Mutex::new(Vec::new());
/// std::thread::scope(|s| {
///     for i in 0..4 {
///         let log = &log;
///         s.spawn(move || Python::attach(|py| log.lock(py).push(i)));
///     }
/// });
/// let mut log = log.into_inner();
/// log.sort();
/// assert_eq!(log, [0, 1, 2, 3]);
/// ```
///
/// Only values that may move between threads can be shared this way:
///
/// ```compile_fail,E0277
/// use pyo3_ft::sync::Mutex;
///
/// let shared = Mutex::new(std::rc::Rc::new(0));
/// std::thread::scope(|s| {
///     s.spawn(|| drop(shared.try_lock()));
/// });
/// ```
///
/// A guard cannot be sent to another thread:
///
/// ```compile_fail,E0277
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::Mutex;
///
/// let counter = Mutex::new(0);
/// Python::attach(|py| {
///     let guard = counter.lock(py);
///     std::thread::scope(|s| {
///         s.spawn(move || drop(guard));
///     });
/// });
/// ```
///
/// nor outlive its mutex:
///
/// ```compile_fail,E0515
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::{Mutex, MutexGuard};
///
/// let guard: MutexGuard<'static, i32> = Python::attach(|py| {
///     let counter = Mutex::new(0);
///     counter.lock(py)
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    raw: RawMutex,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `T` to one thread at a time, which
// only needs `T` to move between threads.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`; usable in a `static`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::Mutex;
    ///
    /// static NAMES: Mutex<Vec<String>> = Mutex::new(Vec::new());
    /// Python::attach(|py| NAMES.lock(py).push("spam".to_owned()));
    /// Python::attach(|py| assert_eq!(NAMES.lock(py).len(), 1));
    /// ```
    pub const fn new(value: T) -> Self {
        Mutex {
            raw: RawMutex::INIT,
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the value; no locking is needed.
    ///
    /// ```
    /// use pyo3_ft::sync::Mutex;
    ///
    /// assert_eq!(Mutex::new(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks the mutex on an attached thread, detaching only while it waits.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::Mutex;
    ///
    /// let total = Mutex::new(0u64);
    /// std::thread::scope(|s| {
    ///     for _ in 0..4 {
    ///         s.spawn(|| Python::attach(|py| {
    ///             for _ in 0..1000 {
    ///                 *total.lock(py) += 1;
    ///             }
    ///         }));
    ///     }
    /// });
    /// assert_eq!(total.into_inner(), 4000);
    /// ```
    pub fn lock(&self, py: Python<'_>) -> MutexGuard<'_, T> {
        let raw = &self.raw;
        acquire(py, || raw.try_lock(), || raw.lock());
        // SAFETY: `acquire` returned, so this thread holds the lock.
        unsafe { MutexGuard::new(self) }
    }

    /// Locks the mutex if it is free right now; never waits, so it is fine
    /// on any thread.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::Mutex;
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = Python::attach(|py| mutex.lock(py));
    /// assert!(mutex.try_lock().is_none());
    /// drop(guard);
    /// assert_eq!(*mutex.try_lock().unwrap(), 1);
    /// ```
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        // SAFETY: the guard is created only if this thread took the lock.
        self.raw
            .try_lock()
            .then(|| unsafe { MutexGuard::new(self) })
    }

    /// Locks the mutex on a thread that is **not** attached (a plain Rust
    /// thread, or inside [`Python::detach`]), blocking until it is free.
    ///
    /// # Panics
    /// If this thread is attached, even when the mutex is free: waiting
    /// attached could deadlock the interpreter, so use [`lock`](Mutex::lock).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::Mutex;
    ///
    /// let hits = Mutex::new(0);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| *hits.lock_blocking() += 1);
    ///     s.spawn(|| Python::attach(|py| py.detach(|| *hits.lock_blocking() += 1)));
    /// });
    /// assert_eq!(hits.into_inner(), 2);
    /// ```
    #[track_caller]
    pub fn lock_blocking(&self) -> MutexGuard<'_, T> {
        assert_detached("Mutex::lock_blocking");
        self.raw.lock();
        // SAFETY: `lock` returned, so this thread holds the lock.
        unsafe { MutexGuard::new(self) }
    }

    /// Whether some thread holds the lock right now (a snapshot, for
    /// diagnostics: it may change at once).
    ///
    /// ```
    /// use pyo3_ft::sync::Mutex;
    ///
    /// let mutex = Mutex::new(());
    /// let guard = mutex.try_lock();
    /// assert!(mutex.is_locked());
    /// drop(guard);
    /// assert!(!mutex.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }

    /// A mutable reference to the value; `&mut self` proves no guard exists.
    ///
    /// ```
    /// use pyo3_ft::sync::Mutex;
    ///
    /// let mut mutex = Mutex::new(1);
    /// *mutex.get_mut() += 1;
    /// assert_eq!(mutex.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The lock's address, the order in which [`lock_all`](super::lock_all())
    /// takes several mutexes.
    pub(super) fn address(&self) -> usize {
        std::ptr::from_ref(&self.raw) as usize
    }

    pub(super) fn raw(&self) -> &RawMutex {
        &self.raw
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

/// Access to the value of a locked [`Mutex`]; unlocks it when dropped.
///
/// It dereferences to the value. It is not `Send`: it stays on the thread
/// that locked. To work on the value inside [`Python::detach`], pass the
/// closure a reference to the value rather than the guard:
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::Mutex;
///
/// let samples = Mutex::new(vec![3u64, 1, 2]);
/// Python::attach(|py| {
///     let mut guard = samples.lock(py);
///     let values: &mut Vec<u64> = &mut guard;
///     py.detach(|| values.sort()); // long Rust work, still holding the lock
///     assert_eq!(*guard, [1, 2, 3]);
/// });
/// ```
#[must_use = "the mutex unlocks as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard only shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// # Safety
    /// This thread must hold `mutex`'s lock, and hand it to this guard.
    pub(super) unsafe fn new(mutex: &'a Mutex<T>) -> Self {
        MutexGuard {
            mutex,
            _not_send: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock, so no one else accesses the data.
        unsafe { &*self.mutex.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` makes this the
        // only reference derived from it.
        unsafe { &mut *self.mutex.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the guard holds the lock and releases it exactly once.
        unsafe { self.mutex.raw.unlock() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::sync::tests::{collect_until, gc_collect, with_watchdog};

    #[test]
    fn contended_counter_survives_stop_the_world() {
        const THREADS: u64 = 4;
        const INCREMENTS: u64 = 100_000;
        let total = with_watchdog(|| {
            let counter = Mutex::new(0u64);
            let done = AtomicBool::new(false);
            std::thread::scope(|s| {
                let collector = s.spawn(|| collect_until(&done));
                let workers: Vec<_> = (0..THREADS)
                    .map(|_| s.spawn(|| increment(&counter, INCREMENTS)))
                    .collect();
                workers.into_iter().for_each(|w| w.join().unwrap());
                done.store(true, Ordering::Relaxed);
                assert!(collector.join().unwrap() > 0);
            });
            counter.into_inner()
        });
        assert_eq!(total, THREADS * INCREMENTS);
    }

    /// Increments `times` times; every 1000th time it also runs Python code
    /// while holding the lock, where it may be stopped by a collection, so
    /// that threads waiting for it must be detached.
    fn increment(counter: &Mutex<u64>, times: u64) {
        Python::attach(|py| {
            for i in 0..times {
                let mut guard = counter.lock(py);
                *guard += 1;
                if i % 1000 == 0 {
                    py.eval("sum(range(10))", None, None).unwrap();
                }
            }
        });
    }

    #[test]
    fn waiter_detaches_so_the_holder_can_stop_the_world() {
        with_watchdog(|| {
            let mutex = Mutex::new(0);
            let (locked_tx, locked_rx) = mpsc::channel();
            std::thread::scope(|s| {
                s.spawn(|| {
                    Python::attach(|py| {
                        let mut guard = mutex.lock(py);
                        locked_tx.send(()).unwrap();
                        // Let the waiter below reach the lock (on GIL builds it
                        // needs the GIL to attach); it must wait detached, or
                        // re-attaching (GIL) or `gc.collect()` (free-threaded)
                        // would deadlock.
                        py.detach(|| std::thread::sleep(Duration::from_millis(50)));
                        gc_collect(py);
                        *guard += 1;
                    })
                });
                locked_rx.recv().unwrap();
                Python::attach(|py| *mutex.lock(py) += 1);
            });
            assert_eq!(mutex.into_inner(), 2);
        });
    }

    #[test]
    #[should_panic(expected = "Mutex::lock_blocking was called on a thread attached")]
    fn lock_blocking_panics_when_attached() {
        let mutex = Mutex::new(());
        Python::attach(|_| drop(mutex.lock_blocking()));
    }

    #[test]
    fn unlocked_after_panic_without_poisoning() {
        let mutex = Mutex::new(1);
        let result = catch_unwind(AssertUnwindSafe(|| {
            Python::attach(|py| {
                let mut guard = mutex.lock(py);
                *guard = 2;
                panic!("boom");
            })
        }));
        assert!(result.is_err());
        assert!(!mutex.is_locked());
        assert_eq!(*mutex.try_lock().unwrap(), 2);
    }

    #[test]
    fn unsized_values() {
        let mutex: &Mutex<[u8]> = &Mutex::new([1, 2, 3]);
        Python::attach(|py| mutex.lock(py)[0] = 9);
        assert_eq!(&*mutex.try_lock().unwrap(), [9, 2, 3]);
    }

    #[test]
    fn debug_shows_value_or_locked() {
        let mutex = Mutex::new(5);
        assert_eq!(format!("{mutex:?}"), "Mutex { data: 5, .. }");
        let _guard = mutex.try_lock().unwrap();
        assert_eq!(format!("{mutex:?}"), "Mutex { data: <locked>, .. }");
    }
}
