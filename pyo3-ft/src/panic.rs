//! [`PanicException`]: how a Rust panic surfaces in Python.

use std::any::Any;

use pyo3_ft_runtime::ffi;

use crate::err::{PyErr, PyErrArguments};
use crate::exceptions::PyBaseException;
use crate::impl_::exceptions::new_exception_type;
use crate::instance::Py;
use crate::python::Python;
use crate::sync::PyOnceLock;
use crate::type_info::{DerefToPyAny, PyTypeInfo};
use crate::types::PyType;

/// Raised in Python when Rust code called from Python panics. It derives
/// from `BaseException`, so a bare `except Exception:` does not swallow a
/// bug; the interpreter keeps running.
///
/// ```
/// use pyo3_ft::panic::PanicException;
/// use pyo3_ft::prelude::*;
///
/// let err = PanicException::new_err("index out of bounds");
/// Python::attach(|py| {
///     assert!(err.is_instance_of::<PanicException>(py));
///     assert!(!err.is_instance_of::<pyo3_ft::exceptions::PyException>(py));
/// });
/// assert_eq!(err.to_string(), "PanicException: index out of bounds");
/// ```
pub struct PanicException {
    _private: [u8; 0],
}

impl PanicException {
    /// A lazily created `PanicException` with `args`.
    pub fn new_err<A: PyErrArguments>(args: A) -> PyErr {
        PyErr::new::<Self, A>(args)
    }

    /// The exception for a caught panic, carrying its message.
    pub fn from_panic_payload(payload: Box<dyn Any + Send>) -> PyErr {
        Self::new_err(payload_message(&*payload))
    }
}

/// The message a panic was raised with (`panic!("...")`'s text).
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Rust panic with a non-string payload".to_owned()
    }
}

/// The type object, created once per process.
fn type_object(py: Python<'_>) -> &Py<PyType> {
    static TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    TYPE.get_or_init(py, || {
        new_exception_type(
            py,
            "pyo3_ft.PanicException",
            "A Rust panic in code called from Python.",
            PyBaseException::type_object(py),
        )
    })
}

// SAFETY: `type_object` returns the one PanicException type, whose instances
// are plain exceptions.
unsafe impl PyTypeInfo for PanicException {
    const NAME: &'static str = "PanicException";

    fn type_object_raw(py: Python<'_>) -> *mut ffi::PyTypeObject {
        type_object(py).as_ptr().cast()
    }
}

impl DerefToPyAny for PanicException {}
