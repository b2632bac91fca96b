//! Support for `#[pyclass]` enums.

use std::ffi::c_int;

use pyo3_ft_runtime::ffi;

use crate::err::PyResult;
use crate::impl_::pyclass::{borrow_slf, compare_eq, derived_richcmp, not_implemented, slf};
use crate::instance::Borrowed;
use crate::pyclass::PyClass;
use crate::python::Python;
use crate::types::{CompareOp, PyAny, PyInt};

/// `tp_richcompare` of `#[pyclass(eq, eq_int)]` on a C-like enum: equality
/// with another instance from `PartialEq`, and with an `int` by the
/// variant's discriminant; anything else is `NotImplemented`.
///
/// # Safety
/// `slf` must be an instance of `T`; `other` alive.
pub unsafe fn richcmp_eq_int<T: PyClass + PartialEq>(
    py: Python<'_>,
    this: *mut ffi::PyObject,
    other: *mut ffi::PyObject,
    op: c_int,
    discriminant: fn(&T) -> isize,
) -> PyResult<*mut ffi::PyObject> {
    // SAFETY: CPython passes a live `other`.
    let other_object = unsafe { Borrowed::<PyAny>::from_ptr(py, other) };
    if other_object.downcast::<T>().is_ok() {
        // SAFETY: forwarded from the caller.
        return unsafe { derived_richcmp::<T>(py, this, other, op, compare_eq) };
    }
    let (Ok(int), Some(op @ (CompareOp::Eq | CompareOp::Ne))) =
        (other_object.downcast::<PyInt>(), CompareOp::from_raw(op))
    else {
        return Ok(not_implemented(py));
    };
    let Ok(int) = int.extract::<isize>() else {
        // Too large for any discriminant.
        return Ok(py.bool(op == CompareOp::Ne).into_ptr());
    };
    // SAFETY: the caller passes an instance of `T`.
    let this = unsafe { slf::<T>(py, this) };
    let equal = discriminant(&*borrow_slf(&this, "__eq__")?) == int;
    Ok(py.bool(equal == (op == CompareOp::Eq)).into_ptr())
}
