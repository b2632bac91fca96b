//! The three storage models of a `#[pyclass]` value.

use std::cell::{RefCell, RefMut};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use pyo3_ft_runtime::thread_id;

use crate::err::{PyErr, PyResult};
use crate::exceptions::{PyBufferError, PyRuntimeError};
use crate::python::Python;
use crate::sync::deadlock::{self, Mode, Owner, SharedHold, Want};
use crate::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Where a class's Rust value lives inside the Python object, and how
/// shared access is granted.
///
/// # Safety
/// `borrow` must only hand out references that the model makes safe to
/// hold on the calling thread.
pub unsafe trait ClassStorage<T>: Sized {
    /// A shared borrow.
    type Ref<'a>: Deref<Target = T>
    where
        Self: 'a;

    /// Wraps a new value.
    fn new(value: T) -> Self;

    /// Shared access; `method` (`Class.method`) names the caller in errors.
    fn borrow<'a>(&'a self, py: Python<'_>, method: &'static str) -> PyResult<Self::Ref<'a>>;

    /// Shared access for the garbage collector, which must never wait:
    /// `None` when another thread holds the value exclusively right now.
    fn try_borrow_for_gc(&self) -> Option<&T>;

    /// Drops the value as the object is deallocated.
    ///
    /// # Safety
    /// `this` must point to an initialized storage that is never used again.
    unsafe fn drop_in_place(this: *mut Self, class: &'static str);
}

/// Storage models that also grant exclusive access (`&mut self`).
#[diagnostic::on_unimplemented(
    message = "`&mut self` access needs `#[pyclass(mutable)]` or `#[pyclass(unsendable)]`",
    label = "this class uses the default storage, shared between threads without a lock",
    note = "add `mutable` to the class's `#[pyclass(...)]`, or take `&self` and keep the state in atomics or a `pyo3_ft::sync::Mutex`"
)]
pub trait ClassStorageMut<T>: ClassStorage<T> {
    /// An exclusive borrow.
    type RefMut<'a>: DerefMut<Target = T>
    where
        Self: 'a;

    /// Exclusive access; `method` names the caller in errors.
    fn borrow_mut<'a>(&'a self, py: Python<'_>, method: &'static str)
        -> PyResult<Self::RefMut<'a>>;
}

/// Default `#[pyclass]`: the value is `Send + Sync` and only ever shared,
/// so access costs nothing.
pub struct Frozen<T>(T);

impl<T> Frozen<T> {
    /// The value.
    #[inline(always)]
    pub fn get(&self) -> &T {
        &self.0
    }
}

// SAFETY: `T: Sync` (checked by `#[pyclass]`) makes `&T` safe on any thread.
unsafe impl<T> ClassStorage<T> for Frozen<T> {
    type Ref<'a>
        = &'a T
    where
        T: 'a;

    #[inline(always)]
    fn new(value: T) -> Self {
        Frozen(value)
    }

    #[inline(always)]
    fn borrow<'a>(&'a self, _py: Python<'_>, _method: &'static str) -> PyResult<&'a T> {
        Ok(&self.0)
    }

    fn try_borrow_for_gc(&self) -> Option<&T> {
        Some(&self.0)
    }

    unsafe fn drop_in_place(this: *mut Self, _class: &'static str) {
        // SAFETY: the caller's contract: `this` is initialized and unused
        // from now on.
        unsafe { std::ptr::drop_in_place(this) };
    }
}

/// `#[pyclass(mutable)]`: the value sits behind a framework `RwLock`.
/// Contention waits detached; re-entry on one thread that would deadlock
/// raises `RuntimeError` instead, and so does a wait that would close a
/// cycle of waits across objects and threads (the detector is in
/// `sync/deadlock.rs`).
pub struct Mutable<T> {
    lock: RwLock<T>,
    /// The thread holding the lock exclusively, and in which method.
    owner: Owner,
    poison: Poison,
    /// Live buffer exports of the object (`__getbuffer__`): while there are
    /// any, exclusive borrows fail, so exported memory cannot change.
    exports: ExportCount,
}

/// Set for good when a panic unwinds through an exclusive borrow: the value
/// may be half-changed, so no later borrow may see it. Records the method
/// that panicked, for the error.
struct Poison(OnceLock<&'static str>);

impl Poison {
    const fn new() -> Self {
        Poison(OnceLock::new())
    }

    /// Refuses a borrow of a poisoned value with a `RuntimeError`.
    #[inline]
    fn check(&self, method: &'static str) -> PyResult<()> {
        match self.0.get() {
            None => Ok(()),
            Some(culprit) => Err(poisoned_error(method, culprit)),
        }
    }

    /// Called as an exclusive borrow ends: poisons if it ends by a panic.
    #[inline]
    fn mark_if_panicking(&self, method: &'static str) {
        if std::thread::panicking() {
            let _ = self.0.set(method);
        }
    }
}

#[cold]
fn poisoned_error(method: &'static str, culprit: &'static str) -> PyErr {
    PyRuntimeError::new_err(format!(
        "{}() cannot use this object: {}() panicked while it held the object \
         exclusively, so its value may be half-changed (the object is poisoned)",
        borrow_name(method),
        borrow_name(culprit)
    ))
}

/// A method's name for messages; a borrow from Rust code has none.
fn borrow_name(method: &'static str) -> &'static str {
    if method.is_empty() {
        "a borrow"
    } else {
        method
    }
}

/// The number of live buffer exports of a `mutable` object.
pub(crate) struct ExportCount(AtomicUsize);

impl ExportCount {
    /// Counts a new export. Called while the object is borrowed (shared),
    /// so no exclusive borrow runs concurrently; the next one, which takes
    /// the lock after this borrow ends, sees the count.
    pub(crate) fn start(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    /// An export was released (never below zero).
    pub(crate) fn end(&self) {
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// How many exports are live.
    fn live(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// The `BufferError` for an exclusive borrow while the object's memory is
/// exported.
#[cold]
fn exported_error(method: &'static str, exports: usize) -> PyErr {
    let name = borrow_name(method);
    let (count, are) = if exports == 1 {
        ("a buffer export".to_owned(), "is")
    } else {
        (format!("{exports} buffer exports"), "are")
    };
    PyBufferError::new_err(format!(
        "{name}() cannot borrow the object mutably while {count} of it {are} live \
         (a memoryview or another consumer of its buffer); release them first"
    ))
}

/// The `RuntimeError` for a re-entrant borrow.
fn reentry_error(method: &'static str, holder: &'static str, exclusive: bool) -> PyErr {
    let how = if exclusive { "exclusively" } else { "shared" };
    PyRuntimeError::new_err(format!(
        "{}() was called while {}() holds the same object {how} on this thread; \
         this re-entry would deadlock",
        borrow_name(method),
        borrow_name(holder)
    ))
}

/// Shared borrow of a `mutable` class.
pub struct MutableRef<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    _held: SharedHold,
}

impl<T> Deref for MutableRef<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

/// Exclusive borrow of a `mutable` class.
pub struct MutableRefMut<'a, T> {
    guard: RwLockWriteGuard<'a, T>,
    storage: &'a Mutable<T>,
    method: &'static str,
}

impl<T> Drop for MutableRefMut<'_, T> {
    fn drop(&mut self) {
        // Both before the guard (a field) unlocks: the next holder sees
        // the poison through the lock's release and acquire.
        self.storage.poison.mark_if_panicking(self.method);
        self.storage.owner.clear();
    }
}

impl<T> Deref for MutableRefMut<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for MutableRefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Mutable<T> {
    /// Records this thread as the exclusive holder, unless the object's
    /// memory is exported.
    #[inline]
    fn exclusive<'a>(
        &'a self,
        guard: RwLockWriteGuard<'a, T>,
        method: &'static str,
    ) -> PyResult<MutableRefMut<'a, T>> {
        // Read under the write lock: an export is counted under a shared
        // borrow, so none can start before `guard` is dropped.
        let exports = self.exports.live();
        if exports != 0 {
            drop(guard);
            return Err(exported_error(method, exports));
        }
        self.owner.set(method);
        Ok(MutableRefMut {
            guard,
            storage: self,
            method,
        })
    }

    /// The object's live buffer exports.
    pub(crate) fn exports(&self) -> &ExportCount {
        &self.exports
    }

    /// The contended path: waits detached for the lock in `mode`, unless
    /// that would close a cycle of waits.
    #[cold]
    #[inline(never)]
    fn wait(&self, py: Python<'_>, mode: Mode, method: &'static str) -> PyResult<()> {
        let want = Want::new(&self.owner, mode, class_name::<T>(method), method);
        deadlock::wait(py, self.lock.raw(), want)
    }
}

/// The class's name for messages: the part of `method` (`Class.method`)
/// before the dot, or for a borrow from Rust the last segment of `T`'s path.
fn class_name<T>(method: &'static str) -> &'static str {
    match method.split_once('.') {
        Some((class, _)) => class,
        None => {
            let path = std::any::type_name::<T>();
            path.rsplit("::").next().unwrap_or(path)
        }
    }
}

// SAFETY: the value is reached only through the `RwLock` (shared needs
// `T: Send + Sync`, which `#[pyclass]` checks); `Owner` is `Sync`.
unsafe impl<T: Send + Sync> Sync for Mutable<T> {}

// SAFETY: readers and writers are excluded by the lock; re-entry on one
// thread is refused before it could alias.
unsafe impl<T> ClassStorage<T> for Mutable<T> {
    type Ref<'a>
        = MutableRef<'a, T>
    where
        T: 'a;

    fn new(value: T) -> Self {
        Mutable {
            lock: RwLock::new(value),
            owner: Owner::new(),
            poison: Poison::new(),
            exports: ExportCount(AtomicUsize::new(0)),
        }
    }

    fn borrow<'a>(&'a self, py: Python<'_>, method: &'static str) -> PyResult<MutableRef<'a, T>> {
        if let Some(holder) = self.owner.held_here() {
            return Err(reentry_error(method, holder, true));
        }
        let guard = if deadlock::held_shared_here(&self.owner).is_some() {
            // A second shared borrow must not queue behind a waiting writer.
            self.lock.read_recursive(py)
        } else if let Some(guard) = self.lock.try_read() {
            guard
        } else {
            self.wait(py, Mode::Shared, method)?;
            // SAFETY: `wait` returned `Ok`, so this thread holds a shared lock.
            unsafe { self.lock.read_guard() }
        };
        self.poison.check(method)?;
        Ok(MutableRef {
            guard,
            _held: deadlock::hold_shared(&self.owner, method),
        })
    }

    fn try_borrow_for_gc(&self) -> Option<&T> {
        // The world is stopped: no lock can change hands while the collector
        // runs. A writer paused mid-update holds the lock exclusively, and
        // then the value is skipped.
        if self.lock.is_locked_exclusive() {
            return None;
        }
        // SAFETY: no thread holds the lock exclusively and none can take it
        // before the collector resumes the world.
        Some(unsafe { &*self.lock.data_ptr() })
    }

    unsafe fn drop_in_place(this: *mut Self, _class: &'static str) {
        // SAFETY: the caller's contract: `this` is initialized and unused
        // from now on.
        unsafe { std::ptr::drop_in_place(this) };
    }
}

impl<T> ClassStorageMut<T> for Mutable<T> {
    type RefMut<'a>
        = MutableRefMut<'a, T>
    where
        T: 'a;

    /// The uncontended path touches no thread-local but this thread's
    /// identity: the lock is free, so this thread cannot be holding it, and
    /// nobody waits.
    fn borrow_mut<'a>(
        &'a self,
        py: Python<'_>,
        method: &'static str,
    ) -> PyResult<MutableRefMut<'a, T>> {
        if let Some(guard) = self.lock.try_write() {
            self.poison.check(method)?;
            return self.exclusive(guard, method);
        }
        if let Some(holder) = self.owner.held_here() {
            return Err(reentry_error(method, holder, true));
        }
        if let Some(holder) = deadlock::held_shared_here(&self.owner) {
            return Err(reentry_error(method, holder, false));
        }
        self.wait(py, Mode::Exclusive, method)?;
        // SAFETY: `wait` returned `Ok`, so this thread holds the exclusive lock.
        let guard = unsafe { self.lock.write_guard() };
        self.poison.check(method)?;
        self.exclusive(guard, method)
    }
}

/// `#[pyclass(unsendable)]`: any value, usable only on the thread that
/// created it; `RuntimeError` elsewhere.
pub struct Unsendable<T> {
    /// The creating thread's never-reused identity.
    owner: u64,
    cell: RefCell<T>,
    poison: Poison,
}

/// Exclusive borrow of an `unsendable` class.
pub struct UnsendableRefMut<'a, T> {
    guard: RefMut<'a, T>,
    poison: &'a Poison,
    method: &'static str,
}

impl<T> Drop for UnsendableRefMut<'_, T> {
    fn drop(&mut self) {
        self.poison.mark_if_panicking(self.method);
    }
}

impl<T> Deref for UnsendableRefMut<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T> DerefMut for UnsendableRefMut<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.guard
    }
}

impl<T> Unsendable<T> {
    fn check_thread(&self, method: &'static str) -> PyResult<()> {
        if thread_id::unique() == self.owner {
            return Ok(());
        }
        Err(PyRuntimeError::new_err(format!(
            "{}() was called from another thread than the one that created this object; \
             the class is unsendable, so its value may only be used on that thread",
            borrow_name(method)
        )))
    }
}

fn already_borrowed(method: &'static str) -> PyErr {
    PyRuntimeError::new_err(format!(
        "{}() re-entered an unsendable object that is already borrowed mutably on this thread",
        borrow_name(method)
    ))
}

// SAFETY: every access checks that it runs on the owning thread, so the
// value is never touched from two threads; `RefCell` guards re-entry.
unsafe impl<T> ClassStorage<T> for Unsendable<T> {
    type Ref<'a>
        = std::cell::Ref<'a, T>
    where
        T: 'a;

    fn new(value: T) -> Self {
        Unsendable {
            owner: thread_id::unique(),
            cell: RefCell::new(value),
            poison: Poison::new(),
        }
    }

    fn borrow<'a>(
        &'a self,
        _py: Python<'_>,
        method: &'static str,
    ) -> PyResult<std::cell::Ref<'a, T>> {
        self.check_thread(method)?;
        let guard = self
            .cell
            .try_borrow()
            .map_err(|_| already_borrowed(method))?;
        self.poison.check(method)?;
        Ok(guard)
    }

    fn try_borrow_for_gc(&self) -> Option<&T> {
        // A `!Sync` value is never read from another thread, not even by the
        // collector: on another thread the object's references go unvisited
        // (which only keeps them alive).
        if self.owner != thread_id::unique() {
            return None;
        }
        // SAFETY: this is the owning thread, inside the collector; a live
        // `&mut` borrow makes `try_borrow_unguarded` fail.
        unsafe { self.cell.try_borrow_unguarded().ok() }
    }

    unsafe fn drop_in_place(this: *mut Self, class: &'static str) {
        // SAFETY: the caller's contract: `this` is initialized.
        if unsafe { (*this).owner } == thread_id::unique() {
            // SAFETY: initialized and unused from now on (the caller's
            // contract), and this is the owning thread.
            unsafe { std::ptr::drop_in_place(this) };
            return;
        }
        // Dropping a `!Send` value on a foreign thread would be undefined
        // behaviour: leak it and say so.
        let err = PyRuntimeError::new_err(format!(
            "an unsendable {class} was deallocated on another thread than the one that created it; \
             its Rust value is leaked"
        ));
        // SAFETY: deallocation runs on an attached thread.
        let py = unsafe { Python::assume_attached() };
        err.write_unraisable(py, None);
    }
}

impl<T> ClassStorageMut<T> for Unsendable<T> {
    type RefMut<'a>
        = UnsendableRefMut<'a, T>
    where
        T: 'a;

    fn borrow_mut<'a>(
        &'a self,
        _py: Python<'_>,
        method: &'static str,
    ) -> PyResult<UnsendableRefMut<'a, T>> {
        self.check_thread(method)?;
        let guard = self
            .cell
            .try_borrow_mut()
            .map_err(|_| already_borrowed(method))?;
        self.poison.check(method)?;
        Ok(UnsendableRefMut {
            guard,
            poison: &self.poison,
            method,
        })
    }
}
