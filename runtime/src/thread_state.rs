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

use std::cell::{Cell, RefCell};
use std::sync::Once;

use crate::ffi;

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

/// Keeps the current thread attached; dropping it undoes one [`attach`].
#[must_use = "the thread detaches when the guard is dropped"]
pub struct AttachGuard {
    /// The outermost guard parks the thread state again on drop.
    parks_on_drop: bool,
    /// Guards are tied to their thread.
    _not_send: std::marker::PhantomData<*mut ()>,
}

impl Drop for AttachGuard {
    fn drop(&mut self) {
        DEPTH.set(DEPTH.get() - 1);
        if self.parks_on_drop {
            // SAFETY: this guard attached the thread's state, so it is the
            // current attached state; parking it keeps it for the next attach.
            unsafe {
                ffi::PyEval_SaveThread();
            }
        }
    }
}

/// Attaches the current thread, initializing the interpreter first if this
/// process embeds it and nobody has yet.
///
/// # Panics
/// If the interpreter is finalizing.
pub fn attach() -> AttachGuard {
    let depth = DEPTH.get();
    let parks_on_drop = depth == 0 && !is_attached();
    if parks_on_drop {
        attach_slow();
    }
    DEPTH.set(depth + 1);
    AttachGuard {
        parks_on_drop,
        _not_send: std::marker::PhantomData,
    }
}

/// Whether this thread has an attached thread state right now.
pub fn is_attached() -> bool {
    // SAFETY: reads the current thread state; valid at any time.
    unsafe { !ffi::PyThreadState_GetUnchecked().is_null() }
}

#[cold]
fn attach_slow() {
    ensure_initialized();
    // SAFETY: the interpreter is initialized; the state returned by
    // `PyGILState_GetThisThreadState` belongs to this thread and is detached.
    unsafe {
        assert!(
            ffi::Py_IsFinalizing() == 0,
            "cannot attach to the Python interpreter: it is finalizing"
        );
        let existing = ffi::PyGILState_GetThisThreadState();
        if !existing.is_null() {
            ffi::PyEval_RestoreThread(existing);
            return;
        }
        let gilstate = ffi::PyGILState_Ensure();
        let tstate = ffi::PyThreadState_GetUnchecked();
        OWNED.with_borrow_mut(|owned| *owned = Some(OwnedThreadState { tstate, gilstate }));
    }
}

/// Initializes an embedded interpreter once, leaving no thread attached.
///
/// Initialization runs on a dedicated thread that keeps the interpreter's
/// main thread state, parked, for the life of the process. Had the first
/// thread to attach initialized it itself, and then exited, the main
/// thread state would be stranded: objects it owned would keep routing
/// other threads' reference releases to a thread that is gone.
fn ensure_initialized() {
    static INIT: Once = Once::new();
    // SAFETY: `Py_IsInitialized` may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } != 0 {
        return;
    }
    INIT.call_once(|| {
        let (done, initialized) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("pyo3-ft-main".to_owned())
            .spawn(move || {
                // SAFETY: nothing initialized the interpreter and the `Once`
                // keeps other threads out; `Py_InitializeEx` attaches the
                // main thread state to this thread, which parks it for good.
                unsafe {
                    ffi::Py_InitializeEx(0);
                    ffi::PyEval_SaveThread();
                }
                let _ = done.send(());
                loop {
                    std::thread::park();
                }
            })
            .expect("cannot spawn the interpreter's main thread");
        initialized
            .recv()
            .expect("the interpreter's main thread died while initializing it");
    });
}

/// Runs `f` with the current thread detached, then re-attaches it, also
/// when `f` panics.
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
            // SAFETY: `tstate` is the state this thread parked below.
            unsafe { ffi::PyEval_RestoreThread(self.tstate) };
            DEPTH.set(self.depth);
        }
    }
    let depth = DEPTH.replace(0);
    let _reattach = Reattach {
        tstate: ffi::PyEval_SaveThread(),
        depth,
    };
    f()
}
