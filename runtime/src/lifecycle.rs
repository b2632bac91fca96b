//! Whether threads may still attach: the interpreter's life as Rust
//! threads see it.
//!
//! A Rust thread can try to attach at any moment, including while the
//! interpreter finalizes and after it has finalized. CPython gives those
//! attempts no good outcome: during finalization the thread hangs inside
//! CPython, and after it, the old thread state is freed memory and
//! `Py_IsInitialized()` is 0 (an embedding routine that initialized on
//! that signal would start a second interpreter in a process whose first
//! one left its global state behind, which aborts).
//!
//! So pyo3-ft closes the door first. The first time a thread attaches (or
//! a pyo3-ft module is imported), [`watch`] registers a Python `atexit`
//! callback. Finalization runs `atexit` callbacks before anything is torn
//! down; ours marks the interpreter as closing and waits (detached, for at
//! most [`CLOSE_WAIT`]) until every thread that came through the door has
//! detached again: CPython 3.13t frees the thread states of other threads
//! while finalizing, and a thread detaching at that moment would touch
//! freed memory. A thread that stays attached longer (running Python code)
//! is stopped by CPython's finalization and parked for good. From then on,
//! [`enter`] refuses: attaching reports [`AttachError::Finalizing`] and
//! a reference released on a detached thread is left alone (the process
//! is ending; the interpreter frees its memory wholesale).

use std::ffi::c_int;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed, Ordering::SeqCst};

use crate::ffi;

/// Set by the `atexit` callback: no thread may attach any more.
static CLOSING: AtomicBool = AtomicBool::new(false);
/// Threads that came through [`enter`] and have not detached yet.
static INSIDE: AtomicUsize = AtomicUsize::new(0);
/// How long the `atexit` callback waits for attached threads to detach.
pub const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// Whether this process has seen an initialized interpreter.
static SEEN: AtomicBool = AtomicBool::new(false);

/// Why a thread could not attach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachError {
    /// The interpreter is finalizing or has finalized; it will not run
    /// Python code for this thread again.
    Finalizing,
    /// No interpreter runs in this process, and this build cannot start one
    /// (only a program built with the `embed` feature may).
    NotInitialized,
    /// The garbage collector is running a `__traverse__` on this thread,
    /// which may only report references.
    InTraverse,
    /// This program's explicit start of the interpreter failed (the start
    /// returned the reason), so there is none to attach to.
    StartFailed,
}

impl fmt::Display for AttachError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AttachError::Finalizing => {
                "cannot attach to the Python interpreter: it is finalizing or has finalized"
            }
            AttachError::NotInitialized => {
                "cannot attach to the Python interpreter: none is running in this process, \
                 and only a program built with the `embed` feature may start one"
            }
            AttachError::InTraverse => {
                "cannot attach to the Python interpreter inside __traverse__: the garbage \
                 collector is running, and __traverse__ may only visit references"
            }
            AttachError::StartFailed => {
                "cannot attach to the Python interpreter: this program's start of it failed"
            }
        })
    }
}

impl std::error::Error for AttachError {}

/// Proof that an attach came through the door; dropped once the thread
/// has detached again.
pub(crate) struct Entry(());

impl Drop for Entry {
    fn drop(&mut self) {
        INSIDE.fetch_sub(1, SeqCst);
    }
}

/// Lets one attach through, unless the interpreter is closing.
///
/// The counter is raised before the flag is read and the flag is set
/// before the counter is read (all sequentially consistent), so either the
/// closing thread waits for this thread or this attach sees the flag.
pub(crate) fn enter() -> Result<Entry, AttachError> {
    INSIDE.fetch_add(1, SeqCst);
    let entry = Entry(());
    if CLOSING.load(SeqCst) {
        return Err(AttachError::Finalizing);
    }
    Ok(entry)
}

/// Whether the interpreter has started closing (see the module docs).
pub fn is_closing() -> bool {
    CLOSING.load(SeqCst)
}

/// Records that this process has an initialized interpreter.
pub(crate) fn note_initialized() {
    SEEN.store(true, SeqCst);
}

/// Whether this process has ever seen an initialized interpreter: if it
/// has, and `Py_IsInitialized()` is now 0, the interpreter has finalized.
pub(crate) fn seen_initialized() -> bool {
    SEEN.load(SeqCst)
}

/// Registers the `atexit` callback that closes the door, once per process.
/// Called on every attach that created or restored a thread state, and by
/// module initialization.
///
/// # Safety
/// The current thread must be attached.
pub unsafe fn watch() {
    // Taken by the one thread that registers; the others go on without
    // waiting for it (a wait while attached could block a stop-the-world
    // pause that the registering import needs).
    static REGISTERING: AtomicBool = AtomicBool::new(false);
    note_initialized();
    if !REGISTERING.load(Relaxed) && !REGISTERING.swap(true, SeqCst) {
        // SAFETY: the caller guarantees this thread is attached.
        unsafe { register_exit_callback() };
    }
}

/// The method definition of the `atexit` callback.
struct CallbackDef(std::cell::UnsafeCell<ffi::PyMethodDef>);

// SAFETY: CPython only reads the definition; nothing writes it after
// construction.
unsafe impl Sync for CallbackDef {}

static CALLBACK: CallbackDef = CallbackDef(std::cell::UnsafeCell::new(ffi::PyMethodDef {
    ml_name: c"_pyo3_ft_close".as_ptr(),
    ml_meth: Some(close),
    ml_flags: ffi::METH_NOARGS,
    ml_doc: std::ptr::null(),
}));

/// `atexit.register(_pyo3_ft_close)`. A failure is reported as unraisable:
/// the only cost is that late attaches meet CPython's own behaviour.
///
/// # Safety
/// The current thread must be attached.
unsafe fn register_exit_callback() {
    // SAFETY: attached (the caller's contract); each call returns a new
    // reference or null with an exception set, and null is checked before
    // use.
    unsafe {
        let callback = ffi::PyCMethod_New(
            CALLBACK.0.get(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        let atexit = ffi::PyImport_ImportModule(c"atexit".as_ptr());
        let status: c_int = if callback.is_null() || atexit.is_null() {
            -1
        } else {
            let register = ffi::PyObject_GetAttrString(atexit, c"register".as_ptr());
            let result = if register.is_null() {
                std::ptr::null_mut()
            } else {
                ffi::PyObject_CallOneArg(register, callback)
            };
            ffi::Py_XDECREF(register);
            let status = if result.is_null() { -1 } else { 0 };
            ffi::Py_XDECREF(result);
            status
        };
        if status != 0 {
            ffi::PyErr_WriteUnraisable(std::ptr::null_mut());
        }
        ffi::Py_XDECREF(atexit);
        ffi::Py_XDECREF(callback);
    }
}

/// The `atexit` callback: closes the door, then waits, detached, for the
/// threads already through it to detach (on GIL builds they may be waiting
/// for the GIL this thread holds), for at most [`CLOSE_WAIT`].
unsafe extern "C" fn close(
    _module: *mut ffi::PyObject,
    _unused: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    CLOSING.store(true, SeqCst);
    if INSIDE.load(SeqCst) != 0 {
        let deadline = std::time::Instant::now() + CLOSE_WAIT;
        // SAFETY: `atexit` runs callbacks on an attached thread; the state
        // parked here is restored before returning to CPython.
        unsafe {
            let tstate = ffi::PyEval_SaveThread();
            while INSIDE.load(SeqCst) != 0 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_micros(100));
            }
            ffi::PyEval_RestoreThread(tstate);
        }
    }
    // SAFETY: attached; `None` is immortal.
    unsafe { ffi::Py_NewRef(ffi::Py_None()) }
}
