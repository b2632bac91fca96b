//! Builtin types a `#[pyclass]` may extend (`extends = PyException`,
//! `extends = PyDict`, ...): their instance layouts, and allocation and
//! deallocation through their own `tp_new` and `tp_dealloc`.
//!
//! Only builtins whose instance layout pyo3-ft declares are listed: the
//! exceptions that add no fields to `BaseException`, `dict` and `list`.

use pyo3_ft_runtime::ffi;

use super::PyClassBaseType;
use crate::err::{PyErr, PyResult};
use crate::exceptions::*;
use crate::instance::Bound;
use crate::python::Python;
use crate::type_info::PyTypeInfo;
use crate::types::{PyDict, PyList, PyType, PyTzInfo};

/// The builtin type `T` as a base, after checking that its instances have
/// the size of `Layout` (a wrong declaration would corrupt every instance).
fn checked_base<T: PyTypeInfo, Layout>(py: Python<'_>) -> PyResult<Option<Bound<'_, PyType>>> {
    let ty = T::type_object(py);
    // SAFETY: `ty` is a live type object.
    let size = unsafe { (*ty.as_ptr().cast::<ffi::PyTypeObject>()).tp_basicsize };
    if usize::try_from(size).ok() != Some(std::mem::size_of::<Layout>()) {
        return Err(PyTypeError::new_err(format!(
            "cannot extend '{}': its instance size {size} differs from the declared layout's {}",
            T::NAME,
            std::mem::size_of::<Layout>()
        )));
    }
    Ok(Some(ty))
}

/// Implements [`PyClassBaseType`] for builtin types with instance layout
/// `$layout`.
macro_rules! native_bases {
    ($layout:ty => $($base:ty),* $(,)?) => {$(
        // SAFETY: instances of this builtin type have the layout `$layout`
        // (checked against `tp_basicsize` when a subclass is created), and
        // its own `tp_new` and `tp_dealloc` manage that part of them.
        unsafe impl PyClassBaseType for $base {
            type Layout = $layout;
            type Initializer = ();

            unsafe fn drop_contents(_object: *mut ffi::PyObject) {}

            fn base_type_object(py: Python<'_>) -> PyResult<Option<Bound<'_, PyType>>> {
                checked_base::<Self, $layout>(py)
            }

            unsafe fn allocate(
                py: Python<'_>,
                subtype: *mut ffi::PyTypeObject,
            ) -> PyResult<*mut ffi::PyObject> {
                // SAFETY: forwarded from the caller.
                unsafe { native_allocate(py, Self::type_object_raw(py), subtype) }
            }

            unsafe fn deallocate(object: *mut ffi::PyObject) {
                // SAFETY: forwarded from the caller; the type object is a
                // static builtin, alive while any instance is.
                unsafe {
                    let base = Self::type_object_raw(Python::assume_attached());
                    native_deallocate(base, object)
                }
            }
        }
    )*};
}

/// `base.tp_new(subtype, (), NULL)`.
///
/// # Safety
/// `base` must be a builtin type and `subtype` a subtype of it, on an
/// attached thread.
unsafe fn native_allocate(
    py: Python<'_>,
    base: *mut ffi::PyTypeObject,
    subtype: *mut ffi::PyTypeObject,
) -> PyResult<*mut ffi::PyObject> {
    let args = crate::types::PyTuple::empty(py);
    // SAFETY: `base` is a live builtin type (caller) whose `tp_new` takes a
    // subtype, an argument tuple and null keywords, and returns a new
    // instance of `subtype` or null with an exception set.
    unsafe {
        let new = (*base).tp_new.expect("builtin base types have tp_new");
        let object = new(subtype, args.as_ptr(), std::ptr::null_mut());
        if object.is_null() {
            return Err(PyErr::fetch(py));
        }
        Ok(object)
    }
}

/// `base.tp_dealloc(object)`: clears the builtin part and frees the memory.
///
/// # Safety
/// `object` must be an instance of a subtype of `base` being deallocated.
unsafe fn native_deallocate(base: *mut ffi::PyTypeObject, object: *mut ffi::PyObject) {
    // SAFETY: the caller's contract; a builtin type always has a
    // `tp_dealloc`, which frees with `Py_TYPE(object)->tp_free` and does not
    // release the (heap) subtype, which `tp_dealloc` of the subclass does.
    unsafe {
        let dealloc = (*base).tp_dealloc.expect("builtin types have tp_dealloc");
        dealloc(object);
    }
}

native_bases!(ffi::PyBaseExceptionObject =>
    PyBaseException, PyException, PyArithmeticError, PyAssertionError, PyBufferError,
    PyEOFError, PyFloatingPointError, PyIndexError, PyKeyError, PyLookupError,
    PyMemoryError, PyNotImplementedError, PyOverflowError, PyRecursionError,
    PyReferenceError, PyRuntimeError, PyStopAsyncIteration, PySystemError, PyTypeError,
    PyValueError, PyZeroDivisionError, PyWarning, PyUserWarning, PyDeprecationWarning,
    PyRuntimeWarning,
);
native_bases!(ffi::PyDictObject => PyDict);
native_bases!(ffi::PyListObject => PyList);
native_bases!(ffi::PyDateTime_TZInfo => PyTzInfo);
