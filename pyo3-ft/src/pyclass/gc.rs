//! [`PyVisit`]: what `__traverse__` reports to the garbage collector.

use std::ffi::{c_int, c_void};
use std::marker::PhantomData;

use pyo3_ft_runtime::ffi;

use crate::instance::Py;

/// Passed to `__traverse__`: call [`PyVisit::call`] on every Python object
/// the value holds, so reference cycles through Rust values are collected.
///
/// `__traverse__` runs inside the collector with other threads stopped: it
/// must only visit references, never call Python or wait on locks.
pub struct PyVisit<'a> {
    visit: ffi::visitproc,
    arg: *mut c_void,
    marker: PhantomData<&'a ()>,
}

/// The collector asked to stop visiting; return it from `__traverse__`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PyTraverseError(c_int);

impl PyTraverseError {
    pub(crate) fn code(self) -> c_int {
        self.0
    }
}

impl PyVisit<'_> {
    pub(crate) fn new(visit: ffi::visitproc, arg: *mut c_void) -> Self {
        PyVisit {
            visit,
            arg,
            marker: PhantomData,
        }
    }

    /// Reports one reference.
    pub fn call<T>(&self, object: &Py<T>) -> Result<(), PyTraverseError> {
        // SAFETY: `visit` and `arg` come from the collector; `object` is alive.
        match unsafe { (self.visit)(object.as_ptr(), self.arg) } {
            0 => Ok(()),
            code => Err(PyTraverseError(code)),
        }
    }

    /// Reports a reference if there is one.
    pub fn call_opt<T>(&self, object: Option<&Py<T>>) -> Result<(), PyTraverseError> {
        object.map_or(Ok(()), |object| self.call(object))
    }
}
