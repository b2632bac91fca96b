//! The boundary between C callers and Rust code: errors become raised
//! exceptions, panics become `PanicException`, results become return values.

use std::ffi::c_int;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3_ft_runtime::ffi;

use crate::conversion::IntoPyObject;
use crate::err::{PyErr, PyResult};
use crate::panic::PanicException;
use crate::python::Python;

/// What a C slot returns to say "an exception is set".
pub trait ErrorSentinel: Copy {
    /// The error value.
    const ERROR: Self;
}

impl ErrorSentinel for *mut ffi::PyObject {
    const ERROR: Self = std::ptr::null_mut();
}

impl ErrorSentinel for c_int {
    const ERROR: Self = -1;
}

impl ErrorSentinel for isize {
    const ERROR: Self = -1;
}

/// Runs the body of a C callback: the thread is attached (CPython called
/// us), a `PyErr` is raised and a panic becomes `PanicException`; either
/// way the C caller gets the error sentinel.
///
/// # Safety
/// Must be called from a C callback invoked by CPython on an attached thread.
#[inline]
pub unsafe fn trampoline<R: ErrorSentinel>(
    body: impl for<'py> FnOnce(Python<'py>) -> PyResult<R>,
) -> R {
    // SAFETY: CPython calls this callback on an attached thread (the
    // caller's contract).
    let py = unsafe { Python::assume_attached() };
    match catch_unwind(AssertUnwindSafe(|| body(py))) {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => {
            err.restore(py);
            R::ERROR
        }
        Err(payload) => {
            PanicException::from_panic_payload(payload).restore(py);
            R::ERROR
        }
    }
}

/// What a wrapped function may return: any convertible value, or a
/// `Result` whose error converts into `PyErr`.
pub trait IntoPyReturn<'py> {
    /// The Python type of the result, for type stubs.
    const OUTPUT_TYPE: crate::stubs::TypeHint;

    /// Converts to an owned object pointer.
    fn into_py_return(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject>;
}

impl<'py, T: IntoPyObject<'py>> IntoPyReturn<'py> for T {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::OUTPUT_TYPE;

    #[inline]
    fn into_py_return(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject> {
        Ok(self.into_pyobject(py)?.into_ptr())
    }
}

impl<'py, T: IntoPyObject<'py>, E: Into<PyErr>> IntoPyReturn<'py> for Result<T, E> {
    const OUTPUT_TYPE: crate::stubs::TypeHint = T::OUTPUT_TYPE;

    #[inline]
    fn into_py_return(self, py: Python<'py>) -> PyResult<*mut ffi::PyObject> {
        self.map_err(Into::into)?.into_py_return(py)
    }
}
