//! The `bf_getbuffer` / `bf_releasebuffer` slots that `__getbuffer__` and
//! `__releasebuffer__` in `#[pymethods]` become.
//!
//! Two forms of `__getbuffer__`:
//! - safe: `fn __getbuffer__(&self) -> &[E]` (or another
//!   [`ExportSlice`]): the generated slot fills the whole view, read-only,
//!   one-dimensional, and owns `view->internal` (the shape lives there);
//! - raw, PyO3's: `unsafe fn __getbuffer__(slf, view, flags) ->
//!   PyResult<()>`: the method fills the view, `view->internal` is its own.
//!
//! Either way the slot clears `view->obj` first; on success sets it to a
//! new reference to the object if the method did not set it; on failure
//! (an error or a panic) drops whatever reference the method put there and
//! leaves it null, as CPython requires. An export whose `view->obj` is the
//! object itself is counted by the storage (a `mutable` class refuses
//! `&mut` borrows while any are live) for as long as it lives; the
//! generated `bf_releasebuffer` ends the count.

use std::ffi::c_int;
use std::mem::size_of;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr;

use pyo3_ft_runtime::ffi;

use crate::buffer::{Element, ExportCount, ExportSlice, ExportStorage};
use crate::err::PyResult;
use crate::exceptions::PyBufferError;
use crate::impl_::trampoline::trampoline;
use crate::instance::Bound;
use crate::panic::PanicException;
use crate::pyclass::{ClassStorage, PyClass, PyClassObject};
use crate::python::Python;

/// A projection's result with its lifetime erased: the exported memory.
pub struct Exported {
    buf: *mut u8,
    len: ffi::Py_ssize_t,
    itemsize: ffi::Py_ssize_t,
    format: *mut std::ffi::c_char,
}

impl Exported {
    /// What a safe `__getbuffer__` returned.
    pub fn new<'a, X: ExportSlice<'a>>(result: X) -> PyResult<Exported> {
        let items = result.into_export()?;
        Ok(Exported {
            buf: items.as_ptr().cast_mut().cast(),
            len: std::mem::size_of_val(items) as ffi::Py_ssize_t,
            itemsize: size_of::<X::Element>() as ffi::Py_ssize_t,
            format: <X::Element as Element>::FORMAT.as_ptr().cast_mut(),
        })
    }
}

/// The storage of `slf`.
///
/// # Safety
/// `slf` must be a live instance of `T`.
unsafe fn storage<'a, T: PyClass>(slf: *mut ffi::PyObject) -> &'a T::Storage {
    // SAFETY: the caller's contract.
    unsafe { &*PyClassObject::<T>::contents(slf) }
}

/// The common part of both forms: `fill` fills the view while the object
/// is borrowed (shared; it gets the value), then the export is counted
/// before the borrow ends.
///
/// # Safety
/// A `bf_getbuffer` slot of class `T`: `slf` is an instance, `view` is
/// CPython's or null.
unsafe fn getbuffer<T>(
    slf: *mut ffi::PyObject,
    view: *mut ffi::Py_buffer,
    method: &'static str,
    fill: impl for<'py> FnOnce(Python<'py>, &T) -> PyResult<()>,
) -> c_int
where
    T: PyClass,
    T::Storage: ExportCount<T>,
{
    let body = |py: Python<'_>| {
        if view.is_null() {
            return Err(PyBufferError::new_err(format!(
                "{method}() was given no view to fill"
            )));
        }
        // SAFETY: `view` is CPython's, writable.
        unsafe { (*view).obj = ptr::null_mut() };
        // SAFETY: `slf` is an instance of `T` (the caller's contract).
        let storage = unsafe { storage::<T>(slf) };
        let held = storage.borrow(py, method)?;
        let filled = catch_unwind(AssertUnwindSafe(|| fill(py, &held)));
        // SAFETY: `view` is CPython's; `obj` is null or a reference the
        // method stored.
        let obj = unsafe { (*view).obj };
        match filled {
            Ok(Ok(())) => {
                if obj.is_null() {
                    // SAFETY: `slf` is alive; the view owns the new reference.
                    unsafe { (*view).obj = ffi::Py_NewRef(slf) };
                }
                // SAFETY: as above.
                if unsafe { (*view).obj } == slf {
                    storage.export_started();
                }
                drop(held);
                Ok(0)
            }
            failed => {
                if !obj.is_null() {
                    // SAFETY: the method stored an owned reference there.
                    unsafe {
                        (*view).obj = ptr::null_mut();
                        ffi::Py_DECREF(obj);
                    }
                }
                drop(held);
                match failed {
                    Ok(Err(err)) => Err(err),
                    Err(payload) => resume_unwind(payload),
                    Ok(Ok(())) => unreachable!(),
                }
            }
        }
    };
    // SAFETY: called by CPython on an attached thread (the caller's contract).
    unsafe { trampoline(body) }
}

/// `bf_getbuffer` of a raw `__getbuffer__(slf, view, flags)`; `body` calls
/// it.
///
/// # Safety
/// A `bf_getbuffer` slot of class `T`.
pub unsafe fn getbuffer_raw<T>(
    slf: *mut ffi::PyObject,
    view: *mut ffi::Py_buffer,
    method: &'static str,
    body: impl for<'py> FnOnce(Python<'py>) -> PyResult<()>,
) -> c_int
where
    T: PyClass,
    T::Storage: ExportCount<T>,
{
    // SAFETY: the caller's contract.
    unsafe { getbuffer::<T>(slf, view, method, |py, _| body(py)) }
}

/// `bf_getbuffer` of a safe `__getbuffer__(&self) -> &[E]`: `project`
/// calls it on the borrowed value.
///
/// # Safety
/// A `bf_getbuffer` slot of class `T`.
pub unsafe fn getbuffer_safe<T>(
    slf: *mut ffi::PyObject,
    view: *mut ffi::Py_buffer,
    flags: c_int,
    method: &'static str,
    project: impl for<'py> FnOnce(Python<'py>, &T) -> PyResult<Exported>,
) -> c_int
where
    T: PyClass,
    T::Storage: ExportCount<T>,
{
    let fill = |py: Python<'_>, value: &T| {
        if flags & ffi::PyBUF_WRITABLE == ffi::PyBUF_WRITABLE {
            return Err(PyBufferError::new_err(format!(
                "{} exports a read-only buffer",
                T::NAME
            )));
        }
        let exported = project(py, value)?;
        // SAFETY: `view` is CPython's (checked non-null by `getbuffer`). The
        // memory stays valid and unchanged until release: the default
        // storage never changes its value; a `mutable` one refuses `&mut`
        // while the export is counted (which happens before the outer
        // borrow ends); `view->obj` keeps the object alive.
        unsafe {
            let shape = if flags & ffi::PyBUF_ND == ffi::PyBUF_ND {
                Box::into_raw(Box::new(exported.len / exported.itemsize.max(1)))
            } else {
                ptr::null_mut()
            };
            ptr::write(
                view,
                ffi::Py_buffer {
                    buf: exported.buf.cast(),
                    obj: ffi::Py_NewRef(slf),
                    len: exported.len,
                    itemsize: exported.itemsize,
                    readonly: 1,
                    ndim: 1,
                    format: if flags & ffi::PyBUF_FORMAT == ffi::PyBUF_FORMAT {
                        exported.format
                    } else {
                        ptr::null_mut()
                    },
                    shape,
                    strides: ptr::null_mut(),
                    suboffsets: ptr::null_mut(),
                    internal: shape.cast(),
                },
            );
            if flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES {
                // One dimension, contiguous: the stride is the item size.
                (*view).strides = ptr::addr_of_mut!((*view).itemsize);
            }
        }
        Ok(())
    };
    // SAFETY: the caller's contract.
    unsafe { getbuffer::<T>(slf, view, method, fill) }
}

/// Reports an `unsendable` class's `__getbuffer__` at the method.
pub fn assert_export_storage<T>()
where
    T: PyClass,
    T::Storage: ExportStorage<T>,
{
}

/// A class's `__releasebuffer__`, called with its receiver bound.
pub type ReleaseBody<'a> = dyn for<'py> Fn(Python<'py>) -> PyResult<()> + 'a;

/// `bf_releasebuffer`: runs the class's `__releasebuffer__` (`body`, if it
/// has one; an error or panic there is reported as unraisable: release
/// cannot fail), frees what a safe `__getbuffer__` kept in
/// `view->internal`, and ends the export's count.
///
/// # Safety
/// A `bf_releasebuffer` slot of class `T`, called by CPython on an
/// attached thread with a view that `bf_getbuffer` of `T` filled; `safe`
/// says whether that was the safe form.
pub unsafe fn releasebuffer<T>(
    slf: *mut ffi::PyObject,
    view: *mut ffi::Py_buffer,
    safe: bool,
    body: Option<&ReleaseBody<'_>>,
) where
    T: PyClass,
    T::Storage: ExportCount<T>,
{
    // SAFETY: CPython calls the slot on an attached thread.
    let py = unsafe { Python::assume_attached() };
    if let Some(body) = body {
        let result = match catch_unwind(AssertUnwindSafe(|| body(py))) {
            Ok(result) => result,
            Err(payload) => Err(PanicException::from_panic_payload(payload)),
        };
        if let Err(err) = result {
            // SAFETY: `slf` is alive for the call.
            let object = unsafe { Bound::from_borrowed_ptr(py, slf) };
            err.write_unraisable(py, Some(&object));
        }
    }
    if safe && !view.is_null() {
        // SAFETY: the safe form stored a boxed shape (or null) there.
        unsafe {
            let shape = (*view).internal.cast::<ffi::Py_ssize_t>();
            if !shape.is_null() {
                (*view).internal = ptr::null_mut();
                (*view).shape = ptr::null_mut();
                drop(Box::from_raw(shape));
            }
        }
    }
    // SAFETY: `slf` is an instance of `T` (the caller's contract); this
    // view was counted when `bf_getbuffer` of `T` gave it with `obj` equal
    // to `slf` (CPython calls the slot of `view->obj`'s type).
    unsafe { storage::<T>(slf) }.export_ended();
}
