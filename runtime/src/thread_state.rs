//! Attaching Rust threads to the interpreter.
//!
//! A Rust thread that attaches gets one `PyThreadState` for the rest of its
//! life: created the first time through `PyGILState_Ensure` (so the gilstate
//! machinery knows it), parked with `PyEval_SaveThread` when the outermost
//! attach ends, re-attached with `PyEval_RestoreThread`, and deleted by a
//! thread-local destructor when the thread exits. Creating and deleting a
//! thread state per call would throw away the thread's mimalloc heaps and
//! costs over 100 µs on free-threaded builds; re-attaching a kept state costs
//! tens of nanoseconds.
//!
//! Nested attaches on one thread only bump a counter.
//!
//! Attaching is refused once the interpreter starts finalizing (see
//! [`lifecycle`](crate::lifecycle)); a thread attached meanwhile that
//! detaches and re-attaches is parked by CPython for good.

use std::cell::{Cell, RefCell};

use crate::ffi;
use crate::lifecycle::{self, AttachError};

thread_local! {
    /// Attach guards alive on this thread since it was last detached.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// The thread state this thread created, deleted when the thread exits.
    static OWNED: RefCell<Option<OwnedThreadState>> = const { RefCell::new(None) };
}

/// A thread state created by [`attach`] through `PyGILState_Ensure`.
struct OwnedThreadState {
    tstate: *mut ffi::PyThreadState,
    gilstate: ffi::PyGILState_STATE,
}

impl Drop for OwnedThreadState {
    fn drop(&mut self) {
        // Once the interpreter closes, its thread states are its own to free.
        let Ok(_entry) = lifecycle::enter() else {
            return;
        };
        // SAFETY: these calls are valid in any state; after finalization
        // the thread state is gone with the interpreter and must be left alone.
        let alive = unsafe { ffi::Py_IsInitialized() != 0 && ffi::Py_IsFinalizing() == 0 };
        if !alive {
            return;
        }
        // SAFETY: `tstate` belongs to this exiting thread and is detached (a
        // thread cannot exit from inside an attach guard); releasing the
        // gilstate reference taken when it was created deletes it.
        unsafe {
            if ffi::PyThreadState_GetUnchecked().is_null() {
                ffi::PyEval_RestoreThread(self.tstate);
            }
            ffi::PyGILState_Release(self.gilstate);
        }
    }
}

/// What dropping an [`AttachGuard`] does to the thread state.
enum OnDrop {
    /// Nothing: an outer guard (or the caller of an extension function)
    /// keeps the thread attached.
    Nothing,
    /// Park the thread's persistent state for the next attach. The entry
    /// through the lifecycle's door is given back once parked.
    Park(lifecycle::Entry),
    /// Release a temporary state: the thread's thread-locals were already
    /// being destroyed when it attached (a `Py` dropped by another
    /// thread-local's destructor), so there was nowhere to keep one.
    Release(ffi::PyGILState_STATE, lifecycle::Entry),
}

/// Keeps the current thread attached; dropping it undoes one [`attach`].
#[must_use = "the thread detaches when the guard is dropped"]
pub struct AttachGuard {
    on_drop: OnDrop,
    /// Guards are tied to their thread.
    _not_send: std::marker::PhantomData<*mut ()>,
}

impl Drop for AttachGuard {
    fn drop(&mut self) {
        DEPTH.set(DEPTH.get() - 1);
        // The entry (a field) is given back after this, once detached.
        match self.on_drop {
            OnDrop::Nothing => {}
            // SAFETY: this guard attached the thread's state, so it is the
            // current attached state; parking it keeps it for the next attach.
            OnDrop::Park(_) => unsafe {
                ffi::PyEval_SaveThread();
            },
            // SAFETY: this guard took `gilstate` from `PyGILState_Ensure`
            // and releases it exactly once, deleting the temporary state.
            OnDrop::Release(gilstate, _) => unsafe { ffi::PyGILState_Release(gilstate) },
        }
    }
}

/// Attaches the current thread, initializing the interpreter first if this
/// program embeds it (feature `embed`) and nobody has yet.
///
/// # Panics
/// With the [`AttachError`] message when [`try_attach`] would fail.
pub fn attach() -> AttachGuard {
    try_attach().unwrap_or_else(|err| panic!("{err}"))
}

/// Attaches the current thread, or says why it cannot: the interpreter is
/// finalizing or has finalized (see [`lifecycle`]), or none runs in this
/// process and this build may not start one. Never initializes an
/// interpreter a second time.
pub fn try_attach() -> Result<AttachGuard, AttachError> {
    let depth = DEPTH.get();
    let on_drop = if depth == 0 && !is_attached() {
        attach_slow()?
    } else if depth >= TRAVERSING {
        return Err(AttachError::InTraverse);
    } else {
        OnDrop::Nothing
    };
    DEPTH.set(depth + 1);
    Ok(AttachGuard {
        on_drop,
        _not_send: std::marker::PhantomData,
    })
}

/// [`DEPTH`] while the garbage collector runs a `__traverse__` on this
/// thread: far above any real nesting, so attaching can refuse it with one
/// comparison.
const TRAVERSING: usize = usize::MAX / 2;

/// Marks this thread as running a `__traverse__` until dropped: attaching
/// fails with [`AttachError::InTraverse`] meanwhile, so nothing in it can
/// run Python code or change a reference count while the collector works.
#[must_use = "the mark is removed when the guard is dropped"]
pub struct TraverseGuard {
    saved: usize,
    _not_send: std::marker::PhantomData<*mut ()>,
}

impl Drop for TraverseGuard {
    fn drop(&mut self) {
        DEPTH.set(self.saved);
    }
}

/// Marks this thread as traversing (see [`TraverseGuard`]).
pub fn enter_traverse() -> TraverseGuard {
    TraverseGuard {
        saved: DEPTH.replace(TRAVERSING),
        _not_send: std::marker::PhantomData,
    }
}

/// Whether a `__traverse__` runs on this thread right now.
#[inline]
pub fn is_traversing() -> bool {
    DEPTH.get() >= TRAVERSING
}

/// Whether this thread has an attached thread state right now.
pub fn is_attached() -> bool {
    // SAFETY: reads the current thread state; valid at any time.
    unsafe { !ffi::PyThreadState_GetUnchecked().is_null() }
}

#[cold]
fn attach_slow() -> Result<OnDrop, AttachError> {
    let entry = lifecycle::enter()?;
    ensure_initialized()?;
    // SAFETY: the interpreter is initialized and not closing (`entry`
    // holds off the close until this thread detaches again); the state
    // returned by `PyGILState_GetThisThreadState` belongs to this thread and
    // is detached.
    let on_drop = unsafe {
        let existing = ffi::PyGILState_GetThisThreadState();
        if existing.is_null() {
            create_thread_state(entry)
        } else {
            ffi::PyEval_RestoreThread(existing);
            OnDrop::Park(entry)
        }
    };
    // SAFETY: the thread is attached now.
    unsafe { lifecycle::watch() };
    Ok(on_drop)
}

/// Creates and attaches this thread's state, kept for the thread's life
/// unless its thread-locals are already gone.
///
/// # Safety
/// The interpreter must be initialized and the thread have no state.
unsafe fn create_thread_state(entry: lifecycle::Entry) -> OnDrop {
    // SAFETY: the caller's contract.
    let (gilstate, tstate) =
        unsafe { (ffi::PyGILState_Ensure(), ffi::PyThreadState_GetUnchecked()) };
    let kept = OWNED.try_with(|owned| {
        *owned.borrow_mut() = Some(OwnedThreadState { tstate, gilstate });
    });
    match kept {
        Ok(()) => OnDrop::Park(entry),
        Err(_) => OnDrop::Release(gilstate, entry),
    }
}

/// Checks that an interpreter runs; an embedding program starts one the
/// first time, and only the first time.
fn ensure_initialized() -> Result<(), AttachError> {
    // SAFETY: `Py_IsInitialized` may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } != 0 {
        return Ok(());
    }
    if lifecycle::seen_initialized() {
        return Err(AttachError::Finalizing);
    }
    initialize()
}

/// Extension modules never start an interpreter.
#[cfg(not(feature = "embed"))]
fn initialize() -> Result<(), AttachError> {
    Err(AttachError::NotInitialized)
}

/// Initializes an embedded interpreter once, leaving no thread attached.
///
/// Initialization runs on a dedicated thread that keeps the interpreter's
/// main thread state, parked, for the life of the interpreter (see
/// [`embed`](crate::embed)). Had the first thread to attach initialized it
/// itself, and then exited, the main thread state would be stranded:
/// objects it owned would keep routing other threads' reference releases
/// to a thread that is gone.
#[cfg(feature = "embed")]
fn initialize() -> Result<(), AttachError> {
    crate::embed::start_implicit()
}

/// Runs `f` with the current thread detached, then re-attaches it, also
/// when `f` panics. Once the interpreter has started finalizing (see
/// [`lifecycle`](crate::lifecycle)), the thread does not come back: it
/// parks for good, as CPython parks its own threads then.
///
/// # Safety
/// The current thread must be attached, and `f` must not use any Python
/// object or API except by attaching again.
pub unsafe fn detach<R>(f: impl FnOnce() -> R) -> R {
    struct Reattach {
        tstate: *mut ffi::PyThreadState,
        depth: usize,
    }
    impl Drop for Reattach {
        fn drop(&mut self) {
            if lifecycle::is_closing() {
                // The interpreter is finalizing, or gone: its thread states
                // may be freed memory. The thread parks for good, as CPython
                // parks its own threads that try to come back then.
                loop {
                    std::thread::park();
                }
            }
            // SAFETY: `tstate` is the state this thread parked below.
            unsafe { ffi::PyEval_RestoreThread(self.tstate) };
            DEPTH.set(self.depth);
        }
    }
    let depth = DEPTH.replace(0);
    let _reattach = Reattach {
        // SAFETY: the thread is attached (caller); the state it parks is
        // restored when `_reattach` drops, also on a panic in `f`.
        tstate: unsafe { ffi::PyEval_SaveThread() },
        depth,
    };
    f()
}
