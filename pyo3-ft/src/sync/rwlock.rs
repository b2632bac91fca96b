//! [`RwLock`]: a reader-writer lock that never blocks an attached thread.

use std::cell::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use parking_lot::lock_api::{RawRwLock as _, RawRwLockRecursive as _};
use parking_lot::RawRwLock;

use super::{acquire, assert_detached};
use crate::python::Python;

/// A reader-writer lock for Rust data shared between threads that run
/// Python: many readers at once, or one writer.
///
/// Like [`Mutex`](super::Mutex), every method that may wait takes the lock
/// at once if it can and otherwise detaches the thread while it waits. It
/// is not poisoned by panics (see the [module docs](super)).
///
/// The lock is fair: once a writer waits, new readers queue behind it, so
/// writers are not starved. A thread that already holds a read lock and
/// needs another one (for instance because Python code it called re-enters
/// a method that reads) must use [`read_recursive`](RwLock::read_recursive),
/// or it would wait behind the writer that waits for it.
///
/// ```
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::RwLock;
///
/// let config = RwLock::new(String::from("fast"));
/// std::thread::scope(|s| {
///     s.spawn(|| Python::attach(|py| config.write(py).push_str("er")));
///     s.spawn(|| Python::attach(|py| assert!(config.read(py).starts_with("fast"))));
/// });
/// assert_eq!(config.into_inner(), "faster");
/// ```
///
/// Readers on several threads share `&T`, so `T` must be `Sync` too:
///
/// ```compile_fail,E0277
/// use pyo3_ft::sync::RwLock;
///
/// let shared = RwLock::new(std::cell::Cell::new(0));
/// std::thread::scope(|s| {
///     s.spawn(|| shared.try_read().map(|cell| cell.get()));
/// });
/// ```
///
/// Guards cannot be sent to another thread:
///
/// ```compile_fail,E0277
/// use pyo3_ft::prelude::*;
/// use pyo3_ft::sync::RwLock;
///
/// let lock = RwLock::new(0);
/// Python::attach(|py| {
///     let guard = lock.read(py);
///     std::thread::scope(|s| {
///         s.spawn(move || drop(guard));
///     });
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    raw: RawRwLock,
    data: UnsafeCell<T>,
}

// SAFETY: readers on several threads share `&T` (needs `T: Sync`); a writer
// gets `&mut T` on whichever thread locks (needs `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`; usable in a `static`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::RwLock;
    ///
    /// static LIMIT: RwLock<usize> = RwLock::new(10);
    /// Python::attach(|py| *LIMIT.write(py) = 20);
    /// Python::attach(|py| assert_eq!(*LIMIT.read(py), 20));
    /// ```
    pub const fn new(value: T) -> Self {
        RwLock {
            raw: RawRwLock::INIT,
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns the value; no locking is needed.
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// assert_eq!(RwLock::new("value").into_inner(), "value");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Locks for shared reading on an attached thread, detaching only while
    /// it waits (for a writer to finish, or behind a waiting writer).
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let table = RwLock::new(vec![1, 2, 3]);
    /// Python::attach(|py| {
    ///     let a = table.read(py);
    ///     let b = table.read(py); // readers share the lock
    ///     assert_eq!(a.len() + b.len(), 6);
    /// });
    /// ```
    pub fn read(&self, py: Python<'_>) -> RwLockReadGuard<'_, T> {
        let raw = &self.raw;
        acquire(py, || raw.try_lock_shared(), || raw.lock_shared());
        // SAFETY: `acquire` returned, so this thread holds a shared lock.
        unsafe { RwLockReadGuard::new(self) }
    }

    /// Locks for shared reading even if a writer is waiting, for a thread
    /// that may already hold a read lock on this `RwLock`; it waits
    /// (detached) only while a writer holds the lock.
    ///
    /// Taking a second read lock with [`read`](RwLock::read) deadlocks if a
    /// writer started waiting in between; this method does not.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let state = RwLock::new(1);
    /// Python::attach(|py| {
    ///     let outer = state.read(py);
    ///     // ... Python code that calls back into a method that reads ...
    ///     let inner = state.read_recursive(py);
    ///     assert_eq!(*outer, *inner);
    /// });
    /// ```
    pub fn read_recursive(&self, py: Python<'_>) -> RwLockReadGuard<'_, T> {
        let raw = &self.raw;
        acquire(
            py,
            || raw.try_lock_shared_recursive(),
            || raw.lock_shared_recursive(),
        );
        // SAFETY: `acquire` returned, so this thread holds a shared lock.
        unsafe { RwLockReadGuard::new(self) }
    }

    /// Locks for exclusive writing on an attached thread, detaching only
    /// while it waits.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let names = RwLock::new(Vec::new());
    /// Python::attach(|py| names.write(py).push("eggs"));
    /// assert_eq!(names.into_inner(), ["eggs"]);
    /// ```
    pub fn write(&self, py: Python<'_>) -> RwLockWriteGuard<'_, T> {
        let raw = &self.raw;
        acquire(py, || raw.try_lock_exclusive(), || raw.lock_exclusive());
        // SAFETY: `acquire` returned, so this thread holds the exclusive lock.
        unsafe { RwLockWriteGuard::new(self) }
    }

    /// Locks for reading if that is possible right now; never waits, so it
    /// is fine on any thread. Fails while a writer holds or waits for the
    /// lock.
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let lock = RwLock::new(3);
    /// let writer = lock.try_write().unwrap();
    /// assert!(lock.try_read().is_none());
    /// drop(writer);
    /// assert_eq!(*lock.try_read().unwrap(), 3);
    /// ```
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        // SAFETY: the guard is created only if this thread took a shared lock.
        (self.raw.try_lock_shared()).then(|| unsafe { RwLockReadGuard::new(self) })
    }

    /// Locks for writing if the lock is free right now; never waits, so it
    /// is fine on any thread.
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let lock = RwLock::new(3);
    /// let reader = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_none());
    /// drop(reader);
    /// *lock.try_write().unwrap() += 1;
    /// assert_eq!(lock.into_inner(), 4);
    /// ```
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        // SAFETY: the guard is created only if this thread took the
        // exclusive lock.
        (self.raw.try_lock_exclusive()).then(|| unsafe { RwLockWriteGuard::new(self) })
    }

    /// Locks for reading on a thread that is **not** attached, blocking
    /// until it can.
    ///
    /// # Panics
    /// If this thread is attached: use [`read`](RwLock::read) there.
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let lock = RwLock::new(5);
    /// std::thread::scope(|s| {
    ///     s.spawn(|| assert_eq!(*lock.read_blocking(), 5));
    /// });
    /// ```
    #[track_caller]
    pub fn read_blocking(&self) -> RwLockReadGuard<'_, T> {
        assert_detached("RwLock::read_blocking");
        self.raw.lock_shared();
        // SAFETY: `lock_shared` returned, so this thread holds a shared lock.
        unsafe { RwLockReadGuard::new(self) }
    }

    /// Locks for writing on a thread that is **not** attached, blocking
    /// until it can.
    ///
    /// # Panics
    /// If this thread is attached: use [`write`](RwLock::write) there.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let lock = RwLock::new(5);
    /// Python::attach(|py| py.detach(|| *lock.write_blocking() += 1));
    /// assert_eq!(lock.into_inner(), 6);
    /// ```
    #[track_caller]
    pub fn write_blocking(&self) -> RwLockWriteGuard<'_, T> {
        assert_detached("RwLock::write_blocking");
        self.raw.lock_exclusive();
        // SAFETY: `lock_exclusive` returned, so this thread holds the
        // exclusive lock.
        unsafe { RwLockWriteGuard::new(self) }
    }

    /// Whether any thread holds the lock right now, for reading or writing
    /// (a snapshot, for diagnostics).
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// let reader = lock.try_read();
    /// assert!(lock.is_locked() && !lock.is_locked_exclusive());
    /// drop(reader);
    /// assert!(!lock.is_locked());
    /// ```
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }

    /// Whether a writer holds the lock right now (a snapshot, for
    /// diagnostics).
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let lock = RwLock::new(());
    /// let _writer = lock.try_write();
    /// assert!(lock.is_locked_exclusive());
    /// ```
    pub fn is_locked_exclusive(&self) -> bool {
        self.raw.is_locked_exclusive()
    }

    /// A mutable reference to the value; `&mut self` proves no guard exists.
    ///
    /// ```
    /// use pyo3_ft::sync::RwLock;
    ///
    /// let mut lock = RwLock::new(vec![1]);
    /// lock.get_mut().push(2);
    /// assert_eq!(lock.into_inner(), [1, 2]);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// The value's address, for the garbage collector's read of a
    /// `mutable` pyclass while the world is stopped.
    pub(crate) fn data_ptr(&self) -> *mut T {
        self.data.get()
    }

    /// The raw lock, for a `mutable` pyclass, whose contended path waits
    /// through the deadlock detector.
    pub(crate) fn raw(&self) -> &RawRwLock {
        &self.raw
    }

    /// A guard for a shared lock taken through [`raw`](RwLock::raw).
    ///
    /// # Safety
    /// This thread must hold a shared lock on `self`, and hand it to the
    /// guard.
    pub(crate) unsafe fn read_guard(&self) -> RwLockReadGuard<'_, T> {
        // SAFETY: the caller's contract is the guard's.
        unsafe { RwLockReadGuard::new(self) }
    }

    /// A guard for the exclusive lock taken through [`raw`](RwLock::raw).
    ///
    /// # Safety
    /// This thread must hold the exclusive lock on `self`, and hand it to
    /// the guard.
    pub(crate) unsafe fn write_guard(&self) -> RwLockWriteGuard<'_, T> {
        // SAFETY: the caller's contract is the guard's.
        unsafe { RwLockWriteGuard::new(self) }
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish_non_exhaustive()
    }
}

/// Shared access to the value of an [`RwLock`]; releases the read lock when
/// dropped. Not `Send`: it stays on the thread that locked.
#[must_use = "the read lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard only shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// # Safety
    /// This thread must hold a shared lock on `lock`, and hand it to this
    /// guard.
    unsafe fn new(lock: &'a RwLock<T>) -> Self {
        RwLockReadGuard {
            lock,
            _not_send: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the shared lock keeps writers out while the guard lives.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the guard holds one shared lock and releases it once.
        unsafe { self.lock.raw.unlock_shared() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Exclusive access to the value of an [`RwLock`]; releases the write lock
/// when dropped. Not `Send`: it stays on the thread that locked.
#[must_use = "the write lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard only shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// # Safety
    /// This thread must hold the exclusive lock on `lock`, and hand it to
    /// this guard.
    unsafe fn new(lock: &'a RwLock<T>) -> Self {
        RwLockWriteGuard {
            lock,
            _not_send: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the exclusive lock keeps everyone else out.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the exclusive lock keeps everyone else out, and `&mut
        // self` makes this the only reference derived from the guard.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the guard holds the exclusive lock and releases it once.
        unsafe { self.lock.raw.unlock_exclusive() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockWriteGuard<'_, T> {
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
    fn readers_and_writers_survive_stop_the_world() {
        let total = with_watchdog(|| {
            let lock = RwLock::new(0u64);
            let done = AtomicBool::new(false);
            std::thread::scope(|s| {
                let collector = s.spawn(|| collect_until(&done));
                let workers: Vec<_> = (0..2)
                    .flat_map(|_| {
                        [
                            s.spawn(|| write_many(&lock, 20_000)),
                            s.spawn(|| read_many(&lock, 20_000)),
                        ]
                    })
                    .collect();
                workers.into_iter().for_each(|w| w.join().unwrap());
                done.store(true, Ordering::Relaxed);
                collector.join().unwrap();
            });
            lock.into_inner()
        });
        assert_eq!(total, 40_000);
    }

    /// Every 100th write also runs Python code holding the write lock.
    fn write_many(lock: &RwLock<u64>, times: u64) {
        Python::attach(|py| {
            for i in 0..times {
                let mut guard = lock.write(py);
                *guard += 1;
                if i % 100 == 0 {
                    py.eval("sum(range(10))", None, None).unwrap();
                }
            }
        });
    }

    fn read_many(lock: &RwLock<u64>, times: u64) {
        Python::attach(|py| {
            let mut last = 0;
            for _ in 0..times {
                let now = *lock.read(py);
                assert!(now >= last);
                last = now;
            }
        });
    }

    /// A reader holds the lock, a writer queues behind it, and the reader
    /// takes a second read lock: `read_recursive` must not wait for the
    /// writer (which waits for the reader).
    #[test]
    fn read_recursive_skips_a_waiting_writer() {
        with_watchdog(|| {
            let lock = RwLock::new(0);
            let (read_tx, read_rx) = mpsc::channel();
            std::thread::scope(|s| {
                s.spawn(|| {
                    Python::attach(|py| {
                        let outer = lock.read(py);
                        read_tx.send(()).unwrap();
                        let lock = &lock;
                        py.detach(|| wait_for_waiting_writer(lock));
                        gc_collect(py); // the waiting writer is detached
                        assert_eq!(*lock.read_recursive(py), *outer);
                    })
                });
                read_rx.recv().unwrap();
                Python::attach(|py| *lock.write(py) += 1);
            });
            assert_eq!(lock.into_inner(), 1);
        });
    }

    /// Waits until `try_read` fails: the lock is fair, so a writer queued
    /// behind our reader.
    fn wait_for_waiting_writer(lock: &RwLock<i32>) {
        while lock.try_read().is_some() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    #[should_panic(expected = "RwLock::write_blocking was called on a thread attached")]
    fn write_blocking_panics_when_attached() {
        let lock = RwLock::new(());
        Python::attach(|_| drop(lock.write_blocking()));
    }

    #[test]
    #[should_panic(expected = "RwLock::read_blocking was called on a thread attached")]
    fn read_blocking_panics_when_attached() {
        let lock = RwLock::new(());
        Python::attach(|_| drop(lock.read_blocking()));
    }

    #[test]
    fn unlocked_after_panic_in_writer() {
        let lock = RwLock::new(1);
        let result = catch_unwind(AssertUnwindSafe(|| {
            Python::attach(|py| {
                *lock.write(py) = 2;
                let _guard = lock.write(py);
                panic!("boom");
            })
        }));
        assert!(result.is_err());
        assert!(!lock.is_locked());
        assert_eq!(*lock.try_read().unwrap(), 2);
    }

    #[test]
    fn debug_shows_value_or_locked() {
        let lock = RwLock::new("x");
        assert_eq!(format!("{lock:?}"), "RwLock { data: \"x\", .. }");
        let _guard = lock.try_write().unwrap();
        assert_eq!(format!("{lock:?}"), "RwLock { data: <locked>, .. }");
    }
}
