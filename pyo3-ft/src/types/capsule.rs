//! Capsules: a Rust value owned by a Python object, passed between
//! extensions by name. Any thread may reach a capsule, so the value must be
//! `Send + Sync`.

use std::ffi::{c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::python::Python;

builtin_type!(
    /// A `PyCapsule`.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyCapsule;
    ///
    /// Python::attach(|py| {
    ///     let capsule = PyCapsule::new(py, [1u32, 2, 3], Some(c"demo.table".to_owned()))?;
    ///     assert_eq!(capsule.name()?, Some(c"demo.table"));
    ///     // SAFETY: this capsule was made above from a `[u32; 3]`.
    ///     assert_eq!(unsafe { capsule.reference::<[u32; 3]>() }, &[1, 2, 3]);
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyCapsule, "PyCapsule", std::ptr::addr_of_mut!(ffi::PyCapsule_Type), |ob| {
        ffi::Py_TYPE(ob) == std::ptr::addr_of_mut!(ffi::PyCapsule_Type)
    }
);

/// What a capsule made here points to: the value first (so the capsule's
/// pointer is the value's address), then its name, which must outlive the
/// capsule.
#[repr(C)]
struct Contents<T> {
    value: T,
    name: Option<CString>,
}

impl PyCapsule {
    /// A capsule owning `value`, dropped when the capsule dies. `name`
    /// should be the dotted path of the attribute that will hold it
    /// (`"package.module.attribute"`), for `PyCapsule_Import`.
    pub fn new<T: Send + Sync + 'static>(
        py: Python<'_>,
        value: T,
        name: Option<CString>,
    ) -> PyResult<Bound<'_, PyCapsule>> {
        let contents = Box::into_raw(Box::new(Contents { value, name }));
        // SAFETY: `contents` was just leaked and is valid.
        let name_ptr = unsafe {
            (*contents)
                .name
                .as_deref()
                .map_or(std::ptr::null(), CStr::as_ptr)
        };
        // SAFETY: the pointer is non-null; the destructor reclaims it with
        // the same type; the name lives inside the contents.
        let capsule = unsafe { ffi::PyCapsule_New(contents.cast(), name_ptr, Some(destroy::<T>)) };
        if capsule.is_null() {
            // SAFETY: the capsule was not created, so the box is still ours.
            drop(unsafe { Box::from_raw(contents) });
            return Err(PyErr::fetch(py));
        }
        // SAFETY: a new capsule reference.
        Ok(unsafe { Bound::from_owned_ptr(py, capsule).downcast_into_unchecked() })
    }
}

/// The capsule destructor of [`PyCapsule::new`]: drops the contents. A
/// panic in `T`'s `Drop` cannot unwind into CPython: it is caught and the
/// value is leaked past that point.
unsafe extern "C" fn destroy<T>(capsule: *mut ffi::PyObject) {
    // SAFETY: CPython calls this with the capsule being destroyed, whose
    // name and pointer were set by `PyCapsule::new::<T>`.
    let contents = unsafe {
        ffi::PyCapsule_GetPointer(capsule, ffi::PyCapsule_GetName(capsule)).cast::<Contents<T>>()
    };
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the box was leaked by `new` and is reclaimed once, here.
        drop(unsafe { Box::from_raw(contents) })
    }));
}

impl Bound<'_, PyCapsule> {
    /// The stored pointer (for capsules made in C; see also
    /// [`reference`](Self::reference)).
    pub fn pointer(&self) -> PyResult<*mut c_void> {
        // SAFETY: `self` is a capsule; its own name is passed back, so the
        // check cannot fail on the name.
        let pointer = unsafe {
            ffi::PyCapsule_GetPointer(self.as_ptr(), ffi::PyCapsule_GetName(self.as_ptr()))
        };
        if pointer.is_null() {
            return Err(PyErr::fetch(self.py()));
        }
        Ok(pointer)
    }

    /// The value, as `&T`.
    ///
    /// # Safety
    /// The capsule must hold a `T`: made by [`PyCapsule::new`] with a `T`,
    /// or by C code storing a pointer to a `T` that outlives the capsule.
    pub unsafe fn reference<T>(&self) -> &T {
        let pointer = self.pointer().expect("a capsule always has a pointer");
        // SAFETY: the caller's contract; the capsule keeps the value alive
        // while `self` is borrowed.
        unsafe { &*pointer.cast::<T>() }
    }

    /// The name, if any.
    pub fn name(&self) -> PyResult<Option<&CStr>> {
        // SAFETY: `self` is a capsule; the name lives as long as it.
        let name = unsafe { ffi::PyCapsule_GetName(self.as_ptr()) };
        if name.is_null() {
            return PyErr::take(self.py()).map_or(Ok(None), Err);
        }
        // SAFETY: a non-null name is a C string that outlives the borrow.
        Ok(Some(unsafe { CStr::from_ptr(name) }))
    }
}
