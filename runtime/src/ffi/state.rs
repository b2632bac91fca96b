//! Interpreter lifecycle and thread states (`Include/pystate.h`,
//! `Include/pylifecycle.h`, `Include/ceval.h`).
//!
//! Every function here is declared with the same signature, and none is
//! deprecated, in the headers of 3.13, 3.14 and 3.15; `PyThreadState` stays
//! opaque to us (its C layout grows in each version). 3.15 adds PEP 788's
//! finalization-safe attach (`PyInterpreterGuard`, `PyInterpreterView`,
//! `PyThreadState_Ensure` / `PyThreadState_Release`), not used yet.

use std::ffi::c_int;

/// `PyThreadState`: opaque.
#[repr(C)]
pub struct PyThreadState {
    _private: [u8; 0],
}

/// `PyGILState_STATE`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyGILState_STATE {
    PyGILState_LOCKED = 0,
    PyGILState_UNLOCKED = 1,
}

extern "C" {
    pub fn Py_IsInitialized() -> c_int;
    pub fn Py_IsFinalizing() -> c_int;
    pub fn Py_InitializeEx(initsigs: c_int);
    pub fn Py_FinalizeEx() -> c_int;

    pub fn PyGILState_Ensure() -> PyGILState_STATE;
    pub fn PyGILState_Release(state: PyGILState_STATE);
    pub fn PyGILState_GetThisThreadState() -> *mut PyThreadState;
    pub fn PyGILState_Check() -> c_int;
    pub fn PyThreadState_GetUnchecked() -> *mut PyThreadState;
    pub fn PyEval_SaveThread() -> *mut PyThreadState;
    pub fn PyEval_RestoreThread(tstate: *mut PyThreadState);
}
