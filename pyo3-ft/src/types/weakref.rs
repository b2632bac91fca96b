//! Weak references. The referent is read with `PyWeakref_GetRef`, which
//! returns a strong reference: the object cannot die between the check and
//! its use, even while another thread drops its last reference.
//! (`PyWeakref_GetObject`, which returns a borrowed one, is never used.)

use pyo3_ft_runtime::ffi;

use super::builtin_type;
use crate::err::{PyErr, PyResult};
use crate::instance::Bound;
use crate::types::PyAny;

builtin_type!(
    /// A weak reference: `weakref.ref` or one of the `weakref.proxy` types.
    ///
    /// ```
    /// use pyo3_ft::prelude::*;
    /// use pyo3_ft::types::PyWeakref;
    ///
    /// Python::attach(|py| {
    ///     let target = py.eval("type('T', (), {})()", None, None)?;
    ///     let weak = PyWeakref::new(&target)?;
    ///     assert!(weak.upgrade().unwrap().is(&target));
    ///     drop(target);
    ///     assert!(weak.upgrade().is_none());
    ///     assert!(weak.get_object().is_none());
    ///     Ok::<_, PyErr>(())
    /// })?;
    /// # Ok::<(), PyErr>(())
    /// ```
    PyWeakref, "weakref", std::ptr::addr_of_mut!(ffi::_PyWeakref_RefType), |ob| {
        let ty = ffi::Py_TYPE(ob);
        let reference = std::ptr::addr_of_mut!(ffi::_PyWeakref_RefType);
        ty == reference
            || ty == std::ptr::addr_of_mut!(ffi::_PyWeakref_ProxyType)
            || ty == std::ptr::addr_of_mut!(ffi::_PyWeakref_CallableProxyType)
            || ffi::PyType_IsSubtype(ty, reference) != 0
    }
);

/// Wraps a new weak reference (or null with an exception set).
///
/// # Safety
/// `made` must follow that convention.
unsafe fn wrap<'py>(
    object: &Bound<'py, PyAny>,
    made: *mut ffi::PyObject,
) -> PyResult<Bound<'py, PyWeakref>> {
    // SAFETY: the caller's contract; the result is a weak reference.
    unsafe { Ok(Bound::from_owned_ptr_or_err(object.py(), made)?.downcast_into_unchecked()) }
}

/// A callback as the C API takes it: null for none.
fn callback_ptr(callback: Option<&Bound<'_, PyAny>>) -> *mut ffi::PyObject {
    callback.map_or(std::ptr::null_mut(), Bound::as_ptr)
}

impl PyWeakref {
    /// `weakref.ref(object)`: `TypeError` if its type does not support
    /// weak references.
    pub fn new<'py>(object: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyWeakref>> {
        Self::new_with_callback(object, None)
    }

    /// `weakref.ref(object, callback)`: `callback(ref)` runs when the
    /// object dies.
    pub fn new_with_callback<'py>(
        object: &Bound<'py, PyAny>,
        callback: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyWeakref>> {
        // SAFETY: both objects are alive; returns a new reference or null.
        unsafe {
            wrap(
                object,
                ffi::PyWeakref_NewRef(object.as_ptr(), callback_ptr(callback)),
            )
        }
    }

    /// `weakref.proxy(object, callback)`.
    pub fn new_proxy<'py>(
        object: &Bound<'py, PyAny>,
        callback: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyWeakref>> {
        // SAFETY: both objects are alive; returns a new reference or null.
        unsafe {
            wrap(
                object,
                ffi::PyWeakref_NewProxy(object.as_ptr(), callback_ptr(callback)),
            )
        }
    }
}

impl<'py> Bound<'py, PyWeakref> {
    /// The referent as a strong reference, or `None` once it died.
    pub fn upgrade(&self) -> Option<Bound<'py, PyAny>> {
        let mut object = std::ptr::null_mut();
        // SAFETY: `self` is a weak reference, so the call cannot fail; on 1
        // `object` is a new reference.
        match unsafe { ffi::PyWeakref_GetRef(self.as_ptr(), &mut object) } {
            // SAFETY: as above.
            1 => Some(unsafe { Bound::from_owned_ptr(self.py(), object) }),
            0 => None,
            _ => {
                drop(PyErr::take(self.py()));
                None
            }
        }
    }

    /// The referent (an owned reference), or Python's `None` once it died,
    /// as calling `ref()` gives.
    pub fn get_object(&self) -> Bound<'py, PyAny> {
        self.upgrade().unwrap_or_else(|| self.py().none())
    }
}
