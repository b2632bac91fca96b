//! `contextvars` contexts (`Include/cpython/context.h`).

use std::ffi::c_int;

use super::object::PyObject;

extern "C" {
    /// Makes `context` (a `contextvars.Context`) the current context of the
    /// thread; -1 with an exception if it is current somewhere already.
    pub fn PyContext_Enter(context: *mut PyObject) -> c_int;
    /// Restores the context current before the matching `PyContext_Enter`.
    pub fn PyContext_Exit(context: *mut PyObject) -> c_int;
}
